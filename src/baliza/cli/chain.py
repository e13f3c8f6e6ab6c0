"""`baliza chain SEIZURE_ID`: one seizure's path to verdict and assets, with its broken links named.

Without `--user` it is the operator's view of the whole warehouse. With `--user NAME` it shows what that
user may see, as the dashboard and the API do: the steps other agencies hold are named with their stage,
date and agency, never their content, and a break is only ever shown when all the data shows it. The read
is audited as the operating-system user acting for NAME.
"""

from __future__ import annotations

import getpass
from typing import Annotated, Any

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
    user: Annotated[str | None, typer.Option("--user", help="Show the chain as this user may see it.")] = None,
) -> None:
    """Show a seizure's path from inspection to verdict and assets, naming each broken link."""
    from baliza.warehouse import open_warehouse

    try:
        with open_warehouse(db, read_only=True) as warehouse:
            shown = _as_user(warehouse, seizure_id, user) if user else _whole(warehouse, seizure_id)
    except (KeyError, FileNotFoundError, PermissionError) as error:
        fail(str(error).strip("'\""))
        return
    if json:
        print_json(shown)
        return
    _print(shown)


def _whole(warehouse: Any, seizure_id: str) -> dict[str, Any]:
    from baliza.analyses.chain_links import seizure_chain

    return seizure_chain(warehouse, seizure_id).to_dict()


def _as_user(warehouse: Any, seizure_id: str, username: str) -> dict[str, Any]:
    from baliza.access.audit import record
    from baliza.access.chain_view import chain_view
    from baliza.access.principal import Principal
    from baliza.access.roles import Permission, Role
    from baliza.access.scope import scope_for
    from baliza.access.state import open_state_beside
    from baliza.access.users import get_user
    from baliza.access.withholding import withheld_tables
    from baliza.analyses.chain_links import directory_names, seizure_chain

    state = open_state_beside(warehouse.path)
    try:
        found = get_user(state, username)
        if found is None or found.disabled:
            raise KeyError(f"no active user {username!r}")
        principal = Principal(found.username, found.agency_id, Role(found.role), found.programme, via="cli")
        if not principal.may(Permission.READ_SEIZURES):
            raise PermissionError(f"user {username!r} ({found.role}) may not read seizures' chains")
        scope = scope_for(warehouse, state, principal)
        names = directory_names(warehouse)
        try:
            found_chain = chain_view(seizure_chain(warehouse, seizure_id, names=names), scope,
                                     withheld=withheld_tables(state), names=names)
        except KeyError:
            found_chain = None
        view = None if found_chain is None else found_chain.to_dict()
        actor = f"cli:{getpass.getuser()} as {username}"
        if view is None:
            record(state, actor, principal.agency_id, "read_refused", f"seizures/{seizure_id}")
            raise KeyError(f"no seizure {seizure_id!r} that {username} may see")
        record(state, actor, principal.agency_id, "read_seizure", f"seizures/{seizure_id}",
               {"grants": [g.grant_id for g in scope.grants]})
        return view
    finally:
        state.close()


def _print(shown: dict[str, Any]) -> None:
    s = shown["seizure"]
    if s is None:
        heading = (f"[bold]{shown['seizure_id']}[/]: held by {shown.get('holder_name') or shown['holder']}, "
                   "not shared with you")
    else:
        from baliza.analyses.wording import quantity

        heading = (f"[bold]{s['seizure_id']}[/]: {quantity(s['quantity'], s['quantity_unit'])} of {s['substance']} "
                   f"({s['substance_group']}), seized {s['seized_at']:%Y-%m-%d} by unit {s['unit_id']}")
    console.print(Panel.fit(heading, title=f"Seizure chain ({shown['status'].replace('_', ' ')})"))
    timeline = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    timeline.add_column("when", no_wrap=True)
    timeline.add_column("stage", no_wrap=True)
    timeline.add_column("what")
    timeline.add_column("row", style="dim", no_wrap=True)
    for event in shown["events"]:
        style = "dim" if event.get("hidden") else STAGE_STYLES.get(event["stage"], "white")
        row = "" if event.get("hidden") else f"{event['reference']['table']}:{event['reference']['id']}"
        timeline.add_row(f"{event['at']:%Y-%m-%d}", f"[{style}]{event['stage']}[/]", event["description"], row)
    console.print(timeline)
    for pending in shown["pending"]:
        console.print(f"[yellow]… {pending['description']}[/]")
    for holder in shown.get("hidden_holders", []):
        console.print(f"[dim]{holder['name']} ({holder['agency_id']}) holds {', '.join(holder['stages'])} steps "
                      f"not shared with you: baliza grant request --owner {holder['agency_id']} --kind seizure "
                      f"--subject {shown.get('seizure_id') or s['seizure_id']} --purpose ...[/]")
    if shown.get("unknown_beyond"):
        console.print(f"[dim]Beyond what you hold the chain is unknown: {', '.join(shown['unknown_beyond'])} does "
                      "not disclose its steps.[/]")
    if not shown["breaks"]:
        if shown.get("hidden_holders") or shown.get("unknown_beyond"):
            console.print("\n[green]No broken link in the steps you may read[/]; the chain is judged on every "
                          "agency's data, so a step held elsewhere is never counted as missing.")
        else:
            console.print("\n[green]No broken link found in this chain.[/]")
        return
    console.print(f"\n[bold red]{len(shown['breaks'])} broken link(s):[/]")
    for broken in shown["breaks"]:
        rows = ", ".join(f"{r['table']}:{r['id']}" for r in broken["evidence"][:6])
        more = f" (+{len(broken['evidence']) - 6} more)" if len(broken["evidence"]) > 6 else ""
        console.print(f"  [red]✗ {broken['code']}[/]: {broken['description']}  [dim]{rows}{more}[/]")


def register(app: typer.Typer) -> None:
    app.command()(chain)
