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
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from baliza.cli.names import directory
from baliza.cli.options import DbOption, JsonOption
from baliza.cli.output import console, fail, print_json
from baliza.cli.steps import step
from baliza.i18n import gettext as _
from baliza.i18n import ngettext
from baliza.i18n.labels import label

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
            if user is None:
                _known(warehouse, seizure_id)
            with step(_("Following the seizure's chain through every agency's rows")):
                shown = _as_user(warehouse, seizure_id, user) if user else _whole(warehouse, seizure_id)
            names = directory(warehouse)
    except (KeyError, FileNotFoundError, PermissionError) as error:
        fail(str(error).strip("'\""))
    if json:
        print_json(shown)
        return
    _print(shown, names)


def _known(warehouse: Any, seizure_id: str) -> None:
    """Stop with the seizures whose id is close when there is no `seizure_id` (the operator's view only: a
    user is never told which other seizures exist)."""
    from baliza.cli.names import close_matches

    seizures = warehouse.table("seizures").seizure_id.to_pyarrow().to_pylist()
    if seizure_id in seizures:
        return
    matches = close_matches(seizure_id, {s: s for s in seizures})
    if matches:
        fail(_("no seizure %(seizure)s in the warehouse. Close matches: %(matches)s.", seizure=seizure_id,
               matches=", ".join(matches)))
    fail(_("no seizure %(seizure)s in the warehouse", seizure=seizure_id))


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

    state = open_state_beside(warehouse.home)
    try:
        found = get_user(state, username)
        if found is None or found.disabled:
            raise KeyError(_("no active user '%(user)s'", user=username))
        principal = Principal(found.username, found.agency_id, Role(found.role), found.programme, via="cli")
        if not principal.may(Permission.READ_SEIZURES):
            raise PermissionError(_("user %(user)s (%(role)s) may not read seizures' chains", user=username,
                                    role=found.role))
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
            raise KeyError(_("no seizure %(seizure)s that %(user)s may see", seizure=seizure_id, user=username))
        record(state, actor, principal.agency_id, "read_seizure", f"seizures/{seizure_id}",
               {"grants": [g.grant_id for g in scope.grants]})
        return view
    finally:
        state.close()


def _print(shown: dict[str, Any], names: dict[str, str]) -> None:
    s = shown["seizure"]
    if s is None:
        heading = _("[bold]%(seizure)s[/]: held by %(holder)s, not shared with you", seizure=shown["seizure_id"],
                    holder=escape(shown.get("holder_name") or shown["holder"]))
    else:
        from baliza.analyses.wording import quantity

        heading = _("[bold]%(seizure)s[/]: %(quantity)s of %(substance)s (%(group)s), seized %(day)s by %(unit)s",
                    seizure=s["seizure_id"], quantity=quantity(s["quantity"], s["quantity_unit"]),
                    substance=escape(str(s["substance"])), group=escape(str(s["substance_group"])),
                    day=f"{s['seized_at']:%Y-%m-%d}", unit=escape(names.get(s["unit_id"], s["unit_id"])))
    console.print(Panel.fit(heading, title=_("Seizure chain (%(status)s)", status=shown["status"].replace("_", " "))),
                  highlight=False)
    timeline = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    timeline.add_column(_("when"), no_wrap=True)
    timeline.add_column(_("stage"), no_wrap=True)
    timeline.add_column(_("what"))
    timeline.add_column(_("row"), style="dim", overflow="fold", max_width=24)
    for event in shown["events"]:
        style = "dim" if event.get("hidden") else STAGE_STYLES.get(event["stage"], "white")
        row = "" if event.get("hidden") else f"{event['reference']['table']}:{event['reference']['id']}"
        timeline.add_row(f"{event['at']:%Y-%m-%d}", f"[{style}]{escape(label(event['stage']))}[/]",
                         escape(event["description"]), escape(row))
    console.print(timeline, highlight=False)
    for pending in shown["pending"]:
        console.print(f"[yellow]… {escape(pending['description'])}[/]", highlight=False)
    for holder in shown.get("hidden_holders", []):
        console.print("[dim]" + escape(_(
            "%(holder)s holds %(stages)s steps not shared with you: baliza grant request --owner %(agency)s --kind "
            "seizure --subject %(seizure)s --purpose ...", holder=holder["name"],
            stages=", ".join(label(stage) for stage in holder["stages"]), agency=holder["agency_id"],
            seizure=shown.get("seizure_id") or s["seizure_id"])) + "[/]", highlight=False)
    if shown.get("unknown_beyond"):
        console.print("[dim]" + escape(_("Beyond what you hold the chain is unknown: %(agencies)s does not disclose "
                                         "its steps.", agencies=", ".join(shown["unknown_beyond"]))) + "[/]",
                      highlight=False)
    if not shown["breaks"]:
        if shown.get("hidden_holders") or shown.get("unknown_beyond"):
            console.print("\n" + _("[green]No broken link in the steps you may read[/]; the chain is judged on "
                                    "every agency's data, so a step held elsewhere is never counted as missing."))
        else:
            console.print("\n" + _("[green]No broken link found in this chain.[/]"))
        return
    console.print("\n[bold red]" + ngettext("%(num)s broken link:", "%(num)s broken links:", len(shown["breaks"]))
                  + "[/]")
    for broken in shown["breaks"]:
        rows = ", ".join(f"{r['table']}:{r['id']}" for r in broken["evidence"][:6])
        more = _(" (+%(more)s more)", more=len(broken["evidence"]) - 6) if len(broken["evidence"]) > 6 else ""
        console.print(f"  [red]✗ {escape(broken['code'])}[/]: {escape(broken['description'])}  "
                      f"[dim]{escape(rows + more)}[/]", highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(chain)
