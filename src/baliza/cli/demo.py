"""`baliza demo`: build a synthetic country, load it, run the analyses, and show where to go next."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.panel import Panel
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from baliza.cli.output import console

DEMO_DB = Path("baliza-demo.duckdb")


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                    TimeElapsedColumn(), console=console, transient=False)


def demo(
    db: Annotated[Path, typer.Option("--db", help="Warehouse file the demo writes (replaced).")] = DEMO_DB,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic country.")] = 7,
    keep: Annotated[Path | None, typer.Option(help="Keep the generated dataset in this folder.")] = None,
) -> None:
    """Generate a small synthetic country, load it into an embedded warehouse and show what it holds."""
    from baliza.demo import generate_country
    from baliza.load import load_datasets
    from baliza.warehouse import open_warehouse

    started = time.perf_counter()
    console.print(Panel.fit(
        "[bold]Baliza demo[/]: a synthetic country's drug-control chain, from entry point to verdict to "
        "recovered asset.\nNothing here is real: people, units and cases are generated.",
        border_style="cyan"))
    workdir = Path(tempfile.mkdtemp(prefix="baliza-demo-"))
    dataset = keep or workdir / "country"
    try:
        with _progress() as progress:
            task = progress.add_task("Generating the country", total=1.0)
            summary = generate_country(dataset, seed=seed, scale="small", truth_path=workdir / "truth.json",
                                       progress=lambda _stage, done: progress.update(task, completed=done))
            progress.update(task, completed=1.0)
        console.print(f"  {sum(summary.rows.values()):,} rows in {len(summary.rows)} tables written to {dataset}")

        for stale in (db, db.with_name(db.name + ".wal")):
            stale.unlink(missing_ok=True)
        with open_warehouse(db) as warehouse:
            with _progress() as progress:
                task = progress.add_task("Loading and validating", total=1.0)

                def loading(step: str, done: int, total: int) -> None:
                    progress.update(task, completed=done / max(total, 1), description=f"Loading: {step}")

                report = load_datasets(warehouse, [dataset], progress=loading)
                progress.update(task, completed=1.0, description="Loaded and validated")
            _show_load(report.to_dict())
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    console.print(f"\nDone in {time.perf_counter() - started:.1f} s. The warehouse is [bold]{db}[/]. Try next:")
    for command, what in _next_steps(db):
        console.print(f"  [bold cyan]{command}[/]\n      {what}")


def _show_load(report: dict) -> None:
    table = Table(title="What was loaded", show_lines=False)
    table.add_column("table")
    for heading in ("accepted", "normalised", "quarantined"):
        table.add_column(heading, justify="right")
    for name, counts in sorted(report["tables"].items()):
        table.add_row(name, f"{counts['accepted']:,}", f"{counts['normalised']:,}", f"{counts['quarantined']:,}")
    console.print(table)


def _next_steps(db: Path) -> list[tuple[str, str]]:
    at = f" --db {db}"
    return [
        (f"baliza status{at}", "what the warehouse holds and the loads that built it"),
        (f"baliza chain SEIZURE_ID{at}", "one seizure's path to verdict and assets, with broken links named"),
        (f"baliza quarantine{at}", "rows that were set aside, with file, line, column and reason"),
        ("baliza load YOUR_FOLDER --db agency.duckdb", "load your own agency's files (CSV, Parquet, Excel)"),
    ]


def register(app: typer.Typer) -> None:
    app.command()(demo)
