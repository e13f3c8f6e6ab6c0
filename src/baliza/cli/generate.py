"""`baliza generate`: write a synthetic country in the contract format, its ground truth kept apart."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from baliza.cli.options import JsonOption
from baliza.cli.output import console, fail, print_json
from baliza.i18n import gettext as _
from baliza.i18n.formatting import count, number


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
                task = bar.add_task(_("Generating"), total=1.0)
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
    console.print(_("Wrote %(rows)s rows in %(tables)s tables to [bold]%(folder)s[/] in %(seconds)s s (%(chain)s "
                    "seizure-chain rows).", rows=count(total), tables=count(len(summary.rows)),
                    folder=escape(str(summary.out_dir)), seconds=number(seconds, 1), chain=count(summary.chain_rows)),
                  highlight=False)
    console.print(_("Ground truth (keep it away from analysts): %(path)s", path=escape(str(summary.truth_path))),
                  highlight=False)
    target = f"{summary.out_dir}/*/" if by_agency else str(summary.out_dir)
    console.print(_("Next: %(command)s", command=escape(f"baliza load {target}")), highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("generate")(generate)
