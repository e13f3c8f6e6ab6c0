"""`baliza export ftm`: people, organisations, cases, their parties and same-person links as FollowTheMoney
entities (JSON lines, for Aleph). The export is `baliza.export.ftm`; this module only writes it."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated, Any

import typer

from baliza.cli.options import DbOption, JsonOption
from baliza.cli.output import console, errors, fail, print_json
from baliza.cli.steps import step
from baliza.i18n import gettext as _

export_app = typer.Typer(help="Export for investigators' tools (FollowTheMoney for Aleph).", no_args_is_help=True)

OutOption = Annotated[Path, typer.Option("--out", help="File to write (FollowTheMoney JSON lines, .ftm.json).")]
UserOption = Annotated[str | None, typer.Option(
    "--user", help="Export as this user may read: only the rows the user's agency loaded or was granted.")]


def _principal_and_scope(warehouse: Any, state: Any, username: str) -> tuple[Any, Any]:
    from baliza.access.roles import Permission
    from baliza.access.scope import scope_for
    from baliza.access.users import get_user

    found = get_user(state, username)
    if found is None or found.disabled:
        raise LookupError(_("no active user '%(user)s' (see baliza user list)", user=username))
    principal = found.principal(via="cli")
    if not principal.may(Permission.EXPORT):
        raise LookupError(_("user %(user)s (%(role)s) may not export", user=username, role=found.role))
    return principal, scope_for(warehouse, state, principal)


@export_app.command("ftm")
def ftm(out: OutOption, db: DbOption = None, user: UserOption = None, as_json: JsonOption = False) -> None:
    """People, organisations, cases, case parties and same-person links as FollowTheMoney entities;
    protected people withheld; with --user, only what that user may read (audited)."""
    from baliza.access.audit import record
    from baliza.access.state import open_state_beside
    from baliza.export.ftm import export_ftm
    from baliza.warehouse import open_warehouse

    try:
        with open_warehouse(db, read_only=True) as warehouse:
            state = open_state_beside(warehouse.home)
            try:
                principal, scope = _principal_and_scope(warehouse, state, user) if user else (None, None)
                with step(_("Writing the FollowTheMoney entities")):
                    exported = export_ftm(warehouse, scope)
                    out.write_text(exported.lines(), encoding="utf-8")
                actor = principal.username if principal else f"cli:{getpass.getuser()}"
                record(state, actor, principal.agency_id if principal else "", "export", "ftm",
                       {"entities": exported.counts(), "withheld_people": exported.withheld_people})
            finally:
                state.close()
    except (FileNotFoundError, LookupError) as error:
        fail(str(error))
    if as_json:
        print_json({"out": str(out), "entities": exported.counts(), "withheld_people": exported.withheld_people})
        return
    console.print(_("%(n)s entities written to %(out)s.", n=f"{len(exported.entities):,}", out=out))
    if exported.withheld_people:
        errors.print(_("%(n)s person records withheld (protected, or not readable in clear by this user).",
                       n=f"{exported.withheld_people:,}"))


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")
