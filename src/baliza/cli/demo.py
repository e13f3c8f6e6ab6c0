"""`baliza demo`: build a synthetic country reported by several agencies, load it, create one demo
account per role, and serve the dashboard (unless `--no-serve`)."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.panel import Panel
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from baliza.access.files import write_private  # reports may name people: owner-only files
from baliza.cli.output import console

if TYPE_CHECKING:
    from baliza.analyses.model import Finding

DEMO_DB = Path("baliza-demo.duckdb")


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                    TimeElapsedColumn(), console=console, transient=False)


def demo(
    db: Annotated[Path, typer.Option("--db", help="Warehouse file the demo writes (replaced).")] = DEMO_DB,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic country.")] = 7,
    keep: Annotated[Path | None, typer.Option(help="Keep the generated dataset in this folder.")] = None,
    serve: Annotated[bool, typer.Option("--serve/--no-serve",
                                        help="End by serving the dashboard with the demo accounts.")] = True,
    host: Annotated[str, typer.Option(help="Address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
) -> None:
    """Generate a small synthetic country (one dataset per reporting agency), load it into an embedded
    warehouse, create demo accounts (one per role) and serve the dashboard."""
    from baliza.access.demo_accounts import CHAIN_READERS, create_demo_accounts, share_for_demo, whole_chains
    from baliza.access.state import open_state_beside, state_url_for
    from baliza.demo import generate_country
    from baliza.load import load_datasets
    from baliza.report.country import country_document, country_figures
    from baliza.warehouse import open_warehouse

    started = time.perf_counter()
    console.print(Panel.fit(
        "[bold]Baliza demo[/]: a synthetic country's drug-control chain, from entry point to verdict to "
        "recovered asset.\nNothing here is real: people, units and cases are generated.",
        border_style="cyan"))
    workdir = Path(tempfile.mkdtemp(prefix="baliza-demo-"))
    report_path = db.with_name(f"{db.stem}-report.html")
    dataset = keep or workdir / "country"
    try:
        with _progress() as progress:
            task = progress.add_task("Generating the country", total=1.0)
            summary = generate_country(dataset, seed=seed, scale="small", truth_path=workdir / "truth.json",
                                       progress=lambda _stage, done: progress.update(task, completed=done),
                                       by_agency=True)
            progress.update(task, completed=1.0)
        folders = sorted(p for p in dataset.iterdir() if (p / "manifest.yaml").exists())
        console.print(f"  {sum(summary.rows.values()):,} rows in {len(summary.rows)} tables written to {dataset}, "
                      f"one folder for each of {len(folders)} reporting agencies")

        _remove_stale(db, state_url_for(db))
        with open_warehouse(db) as warehouse:
            with _progress() as progress:
                task = progress.add_task("Loading and validating", total=1.0)

                def loading(step: str, done: int, total: int) -> None:
                    progress.update(task, completed=done / max(total, 1), description=f"Loading: {step}")

                report = load_datasets(warehouse, folders, progress=loading)
                progress.update(task, completed=1.0, description="Loaded and validated")
            _show_load(report.to_dict())
            with console.status("Running the analyses and writing the report"):
                figures = country_figures(warehouse)
                write_private(report_path, country_document(figures))
            _show_findings(figures.justice.findings, report_path)
            state = open_state_beside(db)
            try:
                accounts = create_demo_accounts(warehouse, state)
                viewers = {a.agency_id for a in accounts if a.role.value in CHAIN_READERS}
                grants = share_for_demo(warehouse, state, viewers)
                followed = whole_chains(warehouse)
            finally:
                state.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    _show_accounts(accounts)
    for agency, seizure_id in sorted(followed.items()):
        shared = sorted({g.grantee_agency_id for g in grants if g.subject_id == seizure_id})
        console.print(f"  Whole chain to follow: seizure [bold]{seizure_id}[/] of {agency}, from inspection to verdict "
                      f"and assets; every agency holding a step shares it with {', '.join(shared)}.")
    console.print("  Other chains show, for each step another agency holds, its stage, date and agency (not its "
                  "content), with a button to request access.")
    console.print(f"\nDone in {time.perf_counter() - started:.1f} s. The warehouse is [bold]{db}[/]. Try next:")
    example = next(iter(sorted(followed.values())), "SEIZURE_ID")
    for command, what in _next_steps(db, example):
        console.print(f"  [bold cyan]{command}[/]\n      {what}")
    if serve:
        from baliza.cli.serve import serve as serve_dashboard

        console.print(f"\nSign in at [bold]http://{host}:{port}/login[/] with an account above (Ctrl-C stops).")
        serve_dashboard(db=db, host=host, port=port, secure_cookies=False)


def _remove_stale(db: Path, state_url: str) -> None:
    """The demo replaces its warehouse and, when it is the SQLite file beside it, its state store."""
    stale = [db, db.with_name(db.name + ".wal")]
    if state_url.startswith("sqlite:///"):
        state = Path(state_url.removeprefix("sqlite:///"))
        if state.parent == db.parent:
            stale += [state, state.with_name(state.name + "-journal"), state.with_name(state.name + "-wal")]
    for path in stale:
        path.unlink(missing_ok=True)


def _show_findings(findings: list[Finding], report_path: Path) -> None:
    tested = [f for f in findings if f.q_value is not None]
    by_rule = Counter(f.rule for f in findings)
    console.print(f"\n[bold]{len(tested)} red flags[/] backed by a statistical test (q-values across every unit "
                  f"tested) and [bold]{len(findings) - len(tested)} case facts[/] for review:")
    for rule, count in by_rule.most_common():
        console.print(f"  {count:>4}  {rule.replace('_', ' ')}")
    console.print(f"The country report (indicators, benchmarks, justice, entry points) is [bold]{report_path}[/].")


def _show_accounts(accounts: list) -> None:
    table = Table(title="Demo accounts (passwords shown once)")
    for heading in ("user", "password", "agency", "role", "may see"):
        table.add_column(heading, overflow="fold")
    for a in accounts:
        table.add_row(a.username, a.password, a.agency_id, a.role.value, a.sees)
    console.print(table)


def _show_load(report: dict) -> None:
    table = Table(title="What was loaded", show_lines=False)
    table.add_column("table")
    for heading in ("accepted", "normalised", "quarantined"):
        table.add_column(heading, justify="right")
    for name, counts in sorted(report["tables"].items()):
        table.add_row(name, f"{counts['accepted']:,}", f"{counts['normalised']:,}", f"{counts['quarantined']:,}")
    console.print(table)


def _next_steps(db: Path, seizure_id: str) -> list[tuple[str, str]]:
    at = f" --db {db}"
    return [
        (f"baliza status{at}", "what the warehouse holds and the loads that built it"),
        (f"baliza flags{at}", "the red flags, each with why it fired, how sure it is, and its evidence"),
        (f"baliza chain {seizure_id}{at}", "one seizure's path to verdict and assets, with broken links named"),
        (f"baliza efficiency{at}", "clearance rate, disposition time and turnover per prosecution office"),
        (f"baliza ksi --period quarter{at}", "key success indicators per unit, with numerators and denominators"),
        (f"baliza report growth --format pdf --out growth.pdf{at}", "the growth report for donors, as PDF"),
        ("baliza load YOUR_FOLDER --db agency.duckdb", "load your own agency's files (CSV, Parquet, Excel)"),
    ]


def register(app: typer.Typer) -> None:
    app.command()(demo)
