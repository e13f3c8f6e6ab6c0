"""Access requests and withholding on the command line: `baliza grant request|requests|approve|refuse`, and
`baliza grant withhold|disclose`.

Who acts: `--user NAME` signs in as that account (password from $BALIZA_PASSWORD, else asked), with its
agency and role; or `--agency AG`, the machine's operator acting as that agency's administrator (as
`baliza grant add` does), recorded in the audit log as `cli:<name>`.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.markup import escape

from baliza.access.principal import AccessDenied, Principal
from baliza.access.requests import (
    REQUEST_KINDS,
    AccessRequest,
    RequestError,
    approve,
    nothing_held,
    pending_for,
    refuse,
    request_access,
    requests_by,
    why_not_askable,
)
from baliza.access.roles import Permission, Role
from baliza.access.scope import scope_for
from baliza.access.state import StateStore
from baliza.access.users import authenticate
from baliza.access.withholding import WithholdingError, declare, withheld_tables
from baliza.cli.access import PASSWORD_VARIABLE, _actor, _state, grant_app
from baliza.cli.options import DbOption, JsonOption
from baliza.cli.output import console, fail, print_json
from baliza.i18n import gettext as _
from baliza.warehouse.store import Warehouse, open_warehouse

UserOption = Annotated[str | None, typer.Option("--user", help="Act as this account (asks its password).")]
AgencyOption = Annotated[str | None, typer.Option(
    "--agency", help="Act for this agency as the operator (its administrator), without an account.")]


def _caller(store: StateStore, user: str | None, agency: str | None) -> Principal:
    """The principal named by `--user` (signed in) or `--agency` (the operator)."""
    if user is None and agency is None:
        fail(_("say who acts: --user NAME (an account) or --agency AG (the operator, as that agency's "
               "administrator)"))
    if user is not None:
        password = os.environ.get(PASSWORD_VARIABLE) or typer.prompt(_("Password"), hide_input=True)
        found = authenticate(store, user, password)
        if found is None:
            fail(_("cannot sign in as %(user)s: wrong name or password, or the account is disabled", user=user))
        assert found is not None
        if agency is not None and agency != found.agency_id:
            fail(_("%(user)s belongs to %(agency)s, not %(other)s", user=user, agency=found.agency_id, other=agency))
        return found.principal("cli")
    assert agency is not None
    return Principal(_actor(), agency, Role.ADMIN, via="cli")


def _warehouse(db: object) -> Warehouse:
    try:
        return open_warehouse(db, read_only=True)  # type: ignore[arg-type]
    except FileNotFoundError as error:
        fail(str(error))
        raise


def _line(r: AccessRequest) -> str:
    answer = {"pending": lambda: _("pending"),
              "approved": lambda: _("approved by %(who)s (grant %(grant)s)", who=r.decided_by, grant=r.grant_id),
              "refused": lambda: _("refused by %(who)s: %(reason)s", who=r.decided_by, reason=r.reason)}[r.status]()
    return f"[bold]{escape(r.request_id)}[/] " + escape(_(
        "%(requester)s → %(owner)s: %(kind)s %(subject)s (%(day)s, %(by)s) “%(purpose)s” — %(answer)s",
        requester=r.requester_agency_id, owner=r.owner_agency_id, kind=r.kind, subject=r.subject_id,
        day=f"{r.created_at:%Y-%m-%d}", by=r.requested_by, purpose=r.purpose, answer=answer))


def grant_request(
    owner: Annotated[str, typer.Option("--owner", help="The agency that holds the rows.")],
    subject: Annotated[str, typer.Option("--subject", help="The seizure or case id.")],
    purpose: Annotated[str, typer.Option(help="Why your agency needs it (kept with the request and the grant).")],
    kind: Annotated[str, typer.Option(help=f"One of: {', '.join(REQUEST_KINDS)}.")] = "seizure",
    user: UserOption = None,
    agency: AgencyOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Ask another agency for its part of a seizure's chain, or for a case, with a purpose."""
    store = _state(db)
    principal = _caller(store, user, agency)
    if kind in REQUEST_KINDS:
        with _warehouse(db) as wh:
            problem = why_not_askable(wh, scope_for(wh, store, principal), owner.strip(), kind, subject.strip())
        if problem is not None:
            fail(problem)
    try:
        made = request_access(store, principal, owner, kind, subject, purpose)
    except (RequestError, AccessDenied) as error:
        fail(str(error))
        return
    if as_json:
        print_json(made.to_dict())
    else:
        console.print(_("request [bold]%(request)s[/] sent to %(owner)s: it waits for their answer",
                        request=made.request_id, owner=escape(made.owner_agency_id)), highlight=False)


def grant_requests(user: UserOption = None, agency: AgencyOption = None, db: DbOption = None,
                   as_json: JsonOption = False) -> None:
    """Requests waiting for your agency's answer, and those your agency made with their answers."""
    store = _state(db)
    principal = _caller(store, user, agency)
    incoming = pending_for(store, principal.agency_id) if principal.may(Permission.MANAGE_GRANTS) else []
    outgoing = requests_by(store, principal.agency_id)
    if as_json:
        print_json({"incoming": [r.to_dict() for r in incoming], "outgoing": [r.to_dict() for r in outgoing]})
        return
    console.print(_("[bold]Waiting for the answer of %(agency)s[/] (%(count)s)", agency=escape(principal.agency_id),
                    count=len(incoming)), highlight=False)
    for r in incoming:
        console.print("  " + _line(r), highlight=False)
    console.print(_("[bold]Asked by %(agency)s[/] (%(count)s)", agency=escape(principal.agency_id),
                    count=len(outgoing)), highlight=False)
    for r in outgoing:
        console.print("  " + _line(r), highlight=False)


def grant_approve(
    request_id: Annotated[str, typer.Argument(help="The request to approve.")],
    days: Annotated[int, typer.Option(help="Days until the grant expires.")] = 90,
    purpose: Annotated[str | None, typer.Option(help="The grant's purpose, if narrower than the request's.")] = None,
    user: UserOption = None,
    agency: AgencyOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Approve a request to your agency: a grant to the requesting agency, for --days."""
    store = _state(db)
    principal = _caller(store, user, agency)
    try:
        with _warehouse(db) as wh:
            nothing_held(wh, store, principal, request_id)
    except RequestError as error:
        fail(str(error))
    try:
        answered, grant = approve(store, principal, request_id, days, purpose)
    except (RequestError, AccessDenied) as error:
        fail(str(error))
        return
    if as_json:
        print_json({**answered.to_dict(), "grant": grant.to_dict()})
    else:
        console.print(_("request [bold]%(request)s[/] approved: grant [bold]%(grant)s[/] to %(grantee)s until "
                        "%(day)s", request=escape(request_id), grant=grant.grant_id,
                        grantee=escape(grant.grantee_agency_id), day=f"{grant.expires_at:%Y-%m-%d}"),
                      highlight=False)


def grant_refuse(
    request_id: Annotated[str, typer.Argument(help="The request to refuse.")],
    reason: Annotated[str, typer.Option(help="Why (the requesting agency reads it).")],
    user: UserOption = None,
    agency: AgencyOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Refuse a request to your agency, with a reason."""
    store = _state(db)
    principal = _caller(store, user, agency)
    try:
        answered = refuse(store, principal, request_id, reason)
    except (RequestError, AccessDenied) as error:
        fail(str(error))
        return
    if as_json:
        print_json(answered.to_dict())
    else:
        console.print(_("request [bold]%(request)s[/] refused", request=escape(request_id)), highlight=False)


def _declare(table: str, withheld: bool, user: str | None, agency: str | None, db: object, as_json: bool) -> None:
    store = _state(db)
    principal = _caller(store, user, agency)
    try:
        changed = declare(store, principal, table, withheld)
    except (WithholdingError, AccessDenied) as error:
        fail(str(error))
    tables = sorted(withheld_tables(store).get(principal.agency_id, ()))
    if as_json:
        print_json({"agency_id": principal.agency_id, "changed": changed, "withheld": tables})
        return
    done = (_("withheld") if withheld else _("disclosed")) if changed else (
        _("already withheld") if withheld else _("was not withheld"))
    console.print(_("%(agency)s %(table)s: %(done)s; withheld now: %(tables)s", agency=principal.agency_id,
                    table=table, done=done, tables=", ".join(tables) or _("none")), highlight=False)


def grant_withhold(
    table: Annotated[str, typer.Argument(help="A table of the contract, e.g. case_parties.")],
    user: UserOption = None, agency: AgencyOption = None, db: DbOption = None, as_json: JsonOption = False,
) -> None:
    """Declare that other agencies may not even learn that your agency's rows of TABLE exist."""
    _declare(table, True, user, agency, db, as_json)


def grant_disclose(
    table: Annotated[str, typer.Argument(help="A table your agency withholds.")],
    user: UserOption = None, agency: AgencyOption = None, db: DbOption = None, as_json: JsonOption = False,
) -> None:
    """Lift a withholding: other agencies learn again that your rows of TABLE exist (not their content)."""
    _declare(table, False, user, agency, db, as_json)


def register(_app: typer.Typer) -> None:
    """Adds the commands to `baliza grant` (defined in `cli.access`)."""
    grant_app.command("request")(grant_request)
    grant_app.command("requests")(grant_requests)
    grant_app.command("approve")(grant_approve)
    grant_app.command("refuse")(grant_refuse)
    grant_app.command("withhold")(grant_withhold)
    grant_app.command("disclose")(grant_disclose)
