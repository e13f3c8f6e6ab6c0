"""Accounts, sharing, tokens and the audit log: `baliza user|grant|token|audit ...`.

These commands are run by whoever administers the machine; what they change is recorded in the audit
log under the operating-system user (actor `cli:<name>`).
"""

from __future__ import annotations

import getpass
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from baliza.access.agencies import known_agencies
from baliza.access.audit import anchor, head, read_anchor, record, verify
from baliza.access.files import write_private
from baliza.access.grants import GrantError, add_grant, list_grants, revoke_grant
from baliza.access.roles import Role
from baliza.access.state import StateStore, open_state_beside
from baliza.access.tokens import add_token, revoke_token
from baliza.access.users import PROGRAMMES, UserError, add_user, disable_user, list_users
from baliza.cli.options import DbOption, JsonOption
from baliza.cli.output import console, errors, fail, print_json
from baliza.cli.tables import listing, show, text_column
from baliza.i18n import gettext as _
from baliza.warehouse.store import open_warehouse, resolve_db_path

user_app = typer.Typer(help="Local accounts: one agency and one role each.", no_args_is_help=True)
grant_app = typer.Typer(help="Share a seizure, a case or a dataset with another agency.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for machine clients.", no_args_is_help=True)
audit_app = typer.Typer(help="The MAC-chained audit log and its anchors.", no_args_is_help=True)

PASSWORD_VARIABLE = "BALIZA_PASSWORD"


def _state(db: object) -> StateStore:
    return open_state_beside(resolve_db_path(db))  # type: ignore[arg-type]


def _agency_ids(db: object) -> list[str] | None:
    """The warehouse's agency ids, to check the ones an administrator types; None (not checked, with a
    warning) while no warehouse with agencies exists yet."""
    path = resolve_db_path(db)  # type: ignore[arg-type]
    found: list[str] = []
    if path.exists():
        with open_warehouse(path, read_only=True) as wh:
            found = [a["agency_id"] for a in known_agencies(wh)]
    if not found:
        errors.print("[yellow]" + escape(_("agency ids not checked: no agencies loaded in %(path)s yet", path=path))
                     + "[/]", highlight=False)
        return None
    return found


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # pragma: no cover - no login name in some containers
        return "cli"


@user_app.command("add")
def user_add(
    username: str,
    agency: Annotated[str, typer.Option("--agency", help="The agency_id the user belongs to.")],
    role: Annotated[Role, typer.Option("--role", help="What the user may do.")],
    programme: Annotated[str | None, typer.Option(help=f"For programme officers: {', '.join(PROGRAMMES)}.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create an account. The password is read from $BALIZA_PASSWORD or asked for (never an argument)."""
    password = os.environ.get(PASSWORD_VARIABLE) or typer.prompt(_("Password"), hide_input=True,
                                                                  confirmation_prompt=True)
    store = _state(db)
    try:
        user = add_user(store, username, password, agency, role, programme, known_agencies=_agency_ids(db))
    except UserError as error:
        fail(str(error))
    record(store, _actor(), agency, "user_add", f"users/{username}", {"role": role.value, "programme": programme})
    if as_json:
        print_json({"username": user.username, "agency_id": user.agency_id, "role": user.role.value})
    else:
        console.print(_("user [bold]%(user)s[/] (%(role)s, %(agency)s) created", user=escape(username),
                        role=role.value, agency=escape(agency)), highlight=False)


@user_app.command("list")
def user_list(
    agency: Annotated[str | None, typer.Option(help="Only this agency's users.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List accounts with their agency, role and whether they are disabled."""
    found = list_users(_state(db), agency)
    rows = [{"username": u.username, "agency_id": u.agency_id, "role": u.role.value, "programme": u.programme,
             "disabled": u.disabled} for u in found]
    if as_json:
        print_json(rows)
        return
    table = listing()
    for heading in (_("user"), _("agency"), _("role"), _("programme"), _("disabled")):
        text_column(table, heading)
    for r in rows:
        table.add_row(r["username"], r["agency_id"], r["role"], r["programme"] or "", _("yes") if r["disabled"] else "")
    show(table)


@user_app.command("disable")
def user_disable(username: str, db: DbOption = None) -> None:
    """Disable an account: it can no longer sign in and its sessions end now."""
    store = _state(db)
    try:
        disable_user(store, username)
    except UserError as error:
        fail(str(error))
    record(store, _actor(), "-", "user_disable", f"users/{username}")
    console.print(_("user [bold]%(user)s[/] disabled", user=escape(username)), highlight=False)


@grant_app.command("add")
def grant_add(
    owner: Annotated[str, typer.Option("--from", help="The agency that owns the rows and shares them.")],
    grantee: Annotated[str, typer.Option("--to", help="The agency that receives them.")],
    purpose: Annotated[str, typer.Option(help="Why they are shared (kept with the grant).")],
    seizure: Annotated[str | None, typer.Option(help="Share this seizure and its chain.")] = None,
    case: Annotated[str | None, typer.Option(help="Share this case.")] = None,
    dataset: Annotated[int | None, typer.Option(help="Share every row of this load (a load_id).")] = None,
    days: Annotated[int, typer.Option(help="Days until the grant expires.")] = 90,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Share one seizure (with its chain), one case or one dataset with another agency."""
    chosen = [(k, v) for k, v in (("seizure", seizure), ("case", case), ("dataset", dataset)) if v is not None]
    if len(chosen) != 1:
        fail(_("name exactly one of --seizure, --case or --dataset"))
    kind, subject = chosen[0]
    store = _state(db)
    try:
        grant = add_grant(store, owner, grantee, kind, str(subject), purpose,
                          datetime.now(UTC) + timedelta(days=days), _actor(), known_agencies=_agency_ids(db))
    except GrantError as error:
        fail(str(error))
    record(store, _actor(), owner, "grant_add", f"grants/{grant.grant_id}", grant.to_dict())
    if as_json:
        print_json(grant.to_dict())
    else:
        console.print(_("grant [bold]%(grant)s[/]: %(owner)s shares %(kind)s %(subject)s with %(grantee)s until "
                        "%(day)s", grant=grant.grant_id, owner=escape(owner), kind=kind, subject=escape(str(subject)),
                        grantee=escape(grantee), day=f"{grant.expires_at:%Y-%m-%d}"), highlight=False)


@grant_app.command("list")
def grant_list(
    agency: Annotated[str | None, typer.Option(help="Only grants given or received by this agency.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List grants, given and received, live and revoked."""
    found = [g.to_dict() for g in list_grants(_state(db), agency)]
    if as_json:
        print_json(found)
        return
    table = listing()
    for heading in (_("grant"), _("from"), _("to"), _("shares"), _("purpose"), _("expires"), _("state")):
        text_column(table, heading)
    for g in found:
        state = _("live") if g["active"] else (_("revoked") if g["revoked_at"] else _("expired"))
        table.add_row(g["grant_id"], g["owner_agency_id"], g["grantee_agency_id"], f"{g['kind']} {g['subject_id']}",
                      g["purpose"], str(g["expires_at"])[:10], state)
    show(table)


@grant_app.command("revoke")
def grant_revoke(grant_id: str, db: DbOption = None) -> None:
    """Revoke a grant: the receiving agency stops seeing the rows at once."""
    store = _state(db)
    try:
        grant = revoke_grant(store, grant_id, _actor())
    except GrantError as error:
        fail(str(error))
    record(store, _actor(), grant.owner_agency_id, "grant_revoke", f"grants/{grant_id}")
    console.print(_("grant [bold]%(grant)s[/] revoked", grant=escape(grant_id)), highlight=False)


@token_app.command("add")
def token_add(
    username: str,
    label: Annotated[str, typer.Option(help="What the token is for.")] = "",
    days: Annotated[int | None, typer.Option(help="Days until it expires (default: never).")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create an API token for a user; it is printed once and stored only as a hash."""
    store = _state(db)
    expires = datetime.now(UTC) + timedelta(days=days) if days else None
    try:
        token_id, secret = add_token(store, username, label, expires)
    except ValueError as error:
        fail(str(error))
    record(store, _actor(), "-", "token_add", f"tokens/{token_id}", {"username": username, "label": label})
    if as_json:
        print_json({"token_id": token_id, "token": secret})
    else:
        console.print(_("token [bold]%(token)s[/] for %(user)s (shown once):", token=token_id,
                        user=escape(username)), highlight=False)
        console.print(secret, highlight=False, soft_wrap=True)


@token_app.command("revoke")
def token_revoke(token_id: str, db: DbOption = None) -> None:
    """Revoke an API token at once."""
    store = _state(db)
    try:
        revoke_token(store, token_id)
    except ValueError as error:
        fail(str(error))
    record(store, _actor(), "-", "token_revoke", f"tokens/{token_id}")
    console.print(_("token [bold]%(token)s[/] revoked", token=escape(token_id)), highlight=False)


@audit_app.command("verify")
def audit_verify(
    anchor_file: Annotated[Path | None, typer.Option("--anchor", help="An anchor from `baliza audit anchor`: also "
                                                     "find the log cut short or rewritten since it was made.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check the audit chain; exits 1 and says where if an entry was edited, removed or reordered."""
    store = _state(db)
    kept = None
    if anchor_file is not None:
        try:
            kept = read_anchor(anchor_file.read_text(encoding="utf-8"), str(anchor_file))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            fail(_("cannot read the anchor %(file)s: %(error)s", file=anchor_file, error=error))
    problems = verify(store, kept)
    seq, digest = head(store)
    if as_json:
        print_json({"ok": not problems, "entries": seq, "head": digest,
                    "problems": [{"seq": p.seq, "reason": p.reason} for p in problems]})
    elif problems:
        for p in problems:
            console.print(_("[bold red]entry %(seq)s[/]: %(reason)s", seq=p.seq, reason=escape(p.reason)),
                          highlight=False)
    else:
        if kept:
            console.print(_("audit log intact: %(entries)s entries, head %(head)s, and holds the anchor of %(at)s "
                            "(%(kept)s entries)", entries=seq, head=digest, at=kept.at, kept=kept.entries),
                          highlight=False)
        else:
            console.print(_("audit log intact: %(entries)s entries, head %(head)s", entries=seq, head=digest),
                          highlight=False)
    if problems:
        raise typer.Exit(1)


@audit_app.command("anchor")
def audit_anchor(
    out: Annotated[Path | None, typer.Option("--out", help="Write the anchor to this file (mode 0600) instead "
                                             "of printing it.")] = None,
    db: DbOption = None,
) -> None:
    """Write a signed checkpoint of the log (entry count, head hash, time). Keep it away from this machine;
    `baliza audit verify --anchor FILE` then finds entries removed or rewritten since."""
    store = _state(db)
    problems = verify(store)
    if problems:
        fail(_("the audit log is already broken at entry %(seq)s (%(reason)s): not anchoring it",
               seq=problems[0].seq, reason=problems[0].reason))
    made = anchor(store)
    if out is None:
        typer.echo(made.to_json(), nl=False)
        return
    write_private(out, made.to_json())
    console.print(_("anchor of %(entries)s entries (head %(head)s) written to %(file)s", entries=made.entries,
                    head=made.head, file=out), highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
    app.add_typer(grant_app, name="grant")
    app.add_typer(token_app, name="token")
    app.add_typer(audit_app, name="audit")
