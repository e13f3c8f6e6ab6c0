"""`baliza generate`: write a synthetic country in the contract format, its ground truth kept apart."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from baliza.cli.options import JsonOption
from baliza.cli.output import console, fail, print_json


def generate(
    out: Annotated[Path, typer.Option("--out", help="Dataset folder to write (one CSV per contract table).")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives the same country.")] = 0,
    scale: Annotated[str, typer.Option(
        "--scale", help="small (~65k rows), medium (~1M seizure-chain rows), large (~10M).")] = "small",
    truth: Annotated[Path | None, typer.Option(
        "--truth", help="Where to write the ground truth (default: <out>.truth.json beside the folder).")] = None,
    clean: Annotated[bool, typer.Option(
        "--clean", help="Switch corruption off: no planted anomalies, honest outliers kept.")] = False,
    by_agency: Annotated[bool, typer.Option(
        "--by-agency", help="Write one dataset folder per reporting agency (load them together).")] = False,
    as_json: JsonOption = False,
) -> None:
    """Generate a synthetic country: entry points, units, seizures to verdicts, assets, crypto, online markets,
    farmers and treatment, with planted anomalies recorded in a truth file outside the dataset."""
    from baliza.demo import generate_country

    started = time.perf_counter()
    try:
        if as_json:
            summary = generate_country(out, seed=seed, scale=scale, truth_path=truth, corruption=not clean,
                                       by_agency=by_agency)
        else:
            with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                          console=console, transient=True) as bar:
                task = bar.add_task("generating", total=1.0)
                summary = generate_country(
                    out, seed=seed, scale=scale, truth_path=truth, corruption=not clean, by_agency=by_agency,
                    progress=lambda stage, fraction: bar.update(task, description=stage, completed=fraction),
                )
    except ValueError as error:
        fail(str(error))
        return
    seconds = time.perf_counter() - started
    total = sum(summary.rows.values())
    if as_json:
        print_json({"out": str(summary.out_dir), "truth": str(summary.truth_path), "seed": seed, "scale": scale,
                    "corruption": not clean, "rows": summary.rows, "total_rows": total,
                    "chain_rows": summary.chain_rows, "seconds": round(seconds, 2)})
        return
    console.print(f"Wrote {total:,} rows in {len(summary.rows)} tables to [bold]{summary.out_dir}[/] "
                  f"in {seconds:.1f} s ({summary.chain_rows:,} seizure-chain rows).")
    console.print(f"Ground truth (keep it away from analysts): {summary.truth_path}")
    target = f"{summary.out_dir}/*/" if by_agency else str(summary.out_dir)
    console.print(f"Next: baliza load {target}")


def register(app: typer.Typer) -> None:
    app.command("generate")(generate)
