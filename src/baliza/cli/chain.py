"""`baliza chain SEIZURE_ID`: one seizure's path to verdict and assets, with its broken links named."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.panel import Panel
from rich.table import Table

from baliza.cli.options import DbOption, JsonOption
from baliza.cli.output import console, fail, print_json

STAGE_STYLES: dict[str, str] = {
    "inspection": "cyan",
    "seizure": "bold cyan",
    "lab": "blue",
    "arrest": "magenta",
    "case": "bold yellow",
    "charge": "yellow",
    "event": "white",
    "disposition": "bold green",
    "asset": "green",
}


def chain(
    seizure_id: Annotated[str, typer.Argument(help="The seizure to follow, by its id.")],
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Show a seizure's path from inspection to verdict and assets, naming each broken link."""
    from baliza.analyses.chain_links import seizure_chain
    from baliza.warehouse import open_warehouse

    try:
        with open_warehouse(db, read_only=True) as warehouse:
            result = seizure_chain(warehouse, seizure_id)
    except (KeyError, FileNotFoundError) as error:
        fail(str(error).strip("'\""))
        return
    if json:
        print_json(result.to_dict())
        return
    s = result.seizure
    console.print(Panel.fit(
        f"[bold]{s['seizure_id']}[/]: {s['quantity']:g} {s['quantity_unit']} of {s['substance']} "
        f"({s['substance_group']}), seized {s['seized_at']:%Y-%m-%d} by unit {s['unit_id']}",
        title="Seizure chain",
    ))
    timeline = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    timeline.add_column("when", no_wrap=True)
    timeline.add_column("stage", no_wrap=True)
    timeline.add_column("what")
    timeline.add_column("row", style="dim", no_wrap=True)
    for event in sorted(result.events, key=lambda e: e.at):
        style = STAGE_STYLES.get(event.stage, "white")
        timeline.add_row(f"{event.at:%Y-%m-%d}", f"[{style}]{event.stage}[/]", event.description,
                         f"{event.reference.table}:{event.reference.id}")
    console.print(timeline)
    if not result.breaks:
        console.print("\n[green]No broken link found in this chain.[/]")
        return
    console.print(f"\n[bold red]{len(result.breaks)} broken link(s):[/]")
    for broken in result.breaks:
        rows = ", ".join(f"{r.table}:{r.id}" for r in broken.evidence[:6])
        more = f" (+{len(broken.evidence) - 6} more)" if len(broken.evidence) > 6 else ""
        console.print(f"  [red]✗ {broken.code}[/]: {broken.description}  [dim]{rows}{more}[/]")


def register(app: typer.Typer) -> None:
    app.command()(chain)
