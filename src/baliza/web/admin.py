"""What an agency's administrator looks after: its loads, quarantine, users, grants, API tokens and the audit
log. Each list is cut to the administrator's agency, read-only, with the filters its page offers; the
changes the CLI makes (disabling a user, revoking a token) are offered where they already exist in `access`.

Token secrets are never stored, so never shown; only their id, label, owner and dates.
"""

from __future__ import annotations

import json
from typing import Any

import ibis
import sqlalchemy as sa
from fastapi import HTTPException

from baliza.access.audit import entries, record
from baliza.access.grants import list_grants
from baliza.access.principal import Principal
from baliza.access.state import tokens, users
from baliza.access.tokens import revoke_token
from baliza.access.users import UserError, disable_user, get_user, list_users
from baliza.web.context import ServingContext

AUDIT_SHOWN = 500


def admin_summary(ctx: ServingContext, principal: Principal) -> dict[str, Any]:
    """Counts and the newest few of each list, for the administrator's landing page."""
    loaded = loads(ctx, principal)
    people = agency_users(ctx, principal)
    keys = agency_tokens(ctx, principal)
    granted = [g.to_dict() for g in list_grants(ctx.state, principal.agency_id)]
    log = audit_log(ctx, principal, limit=10)
    from baliza.web.services import quarantine

    quarantined = len(quarantine(ctx, principal))
    return {
        "loads": loaded[:5], "load_count": len(loaded), "quarantined": quarantined,
        "users": people, "user_count": len(people), "active_users": sum(1 for u in people if not u["disabled"]),
        "tokens": keys, "live_tokens": sum(1 for t in keys if t["live"]),
        "grants_live": sum(1 for g in granted if g["active"]), "grants_total": len(granted),
        "audit": log,
    }


def loads(ctx: ServingContext, principal: Principal) -> list[dict[str, Any]]:
    """The agency's loads (and the loads of several agencies holding its files), newest first, with what
    each accepted and set aside (over all its files)."""
    from baliza.web.results import results_of

    shared = sorted({load for (load, _f), agency in results_of(ctx).file_agencies.items()
                     if agency == principal.agency_id})
    with ctx.locked() as wh:
        t = wh.table("loads")
        mine = t.filter((t.agency_id == principal.agency_id) | t.load_id.isin(shared or [-1]))
        rows = mine.order_by(ibis.desc("load_id")).select(
            "load_id", "started_at", "finished_at", "dataset", "status", "summary").to_pyarrow().to_pylist()
    for row in rows:
        summary = json.loads(row.pop("summary") or "{}") if isinstance(row.get("summary"), str) else {}
        row["accepted"] = _total(summary, "accepted")
        row["quarantined"] = _total(summary, "quarantined")
    return rows


def _total(summary: Any, key: str) -> int | None:
    """A load summary's count over its tables (summaries are {table: {accepted, quarantined, ...}})."""
    if not isinstance(summary, dict):
        return None
    tables = summary.get("tables", summary)
    counts = [v.get(key) for v in tables.values() if isinstance(v, dict) and isinstance(v.get(key), int)]
    return sum(counts) if counts else None


def agency_users(ctx: ServingContext, principal: Principal, role: str = "", state: str = "") -> list[dict[str, Any]]:
    """The agency's accounts (never a password hash), filtered by role and by enabled/disabled."""
    created = _created(ctx)
    out = []
    for u in list_users(ctx.state, principal.agency_id):
        wanted_state = {"enabled": False, "disabled": True}.get(state)
        if (role and u.role.value != role) or (wanted_state is not None and u.disabled != wanted_state):
            continue
        out.append({"username": u.username, "role": u.role.value, "programme": u.programme or "",
                    "disabled": u.disabled, "created_at": created.get(u.username)})
    return out


def _created(ctx: ServingContext) -> dict[str, Any]:
    with ctx.state.engine.connect() as conn:
        return {r.username: r.created_at for r in conn.execute(sa.select(users.c.username, users.c.created_at))}


def agency_tokens(ctx: ServingContext, principal: Principal, owner: str = "") -> list[dict[str, Any]]:
    """The API tokens of the agency's accounts: id, label, owner, dates, and whether it still works."""
    from baliza.access.clock import as_utc, now

    query = (sa.select(tokens.c.token_id, tokens.c.username, tokens.c.label, tokens.c.created_at,
                       tokens.c.expires_at, tokens.c.revoked_at)
             .join(users, users.c.username == tokens.c.username)
             .where(users.c.agency_id == principal.agency_id).order_by(tokens.c.created_at.desc()))
    if owner:
        query = query.where(tokens.c.username == owner)
    with ctx.state.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    moment = now()
    for r in rows:
        expired = r["expires_at"] is not None and as_utc(r["expires_at"]) <= moment
        r["live"] = r["revoked_at"] is None and not expired
        r["expired"] = expired
    return rows


def audit_log(ctx: ServingContext, principal: Principal, *, limit: int = AUDIT_SHOWN, actor: str = "",
              action: str = "") -> list[dict[str, Any]]:
    """The newest entries of the agency's audit log (its people's reads, exports, grants and decisions)."""
    wanted = entries(ctx.state, limit=None if actor or action else limit, agency_id=principal.agency_id)
    found = [e for e in wanted if (not actor or e.actor == actor) and (not action or e.action == action)]
    return [{"seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action, "subject": e.subject,
             "detail": e.detail} for e in reversed(found[-limit:])]


def disable(ctx: ServingContext, principal: Principal, username: str) -> None:
    """Disable one of the agency's accounts (as `baliza user disable`); an administrator keeps its own."""
    user = get_user(ctx.state, username)
    if user is None or user.agency_id != principal.agency_id:
        raise HTTPException(404, "no account of your agency with that name")
    if username == principal.username:
        raise HTTPException(409, "you cannot disable your own account")
    try:
        disable_user(ctx.state, username)
    except UserError as error:
        raise HTTPException(409, str(error)) from None
    record(ctx.state, principal.username, principal.agency_id, "user_disable", f"users/{username}")


def revoke(ctx: ServingContext, principal: Principal, token_id: str) -> None:
    """Revoke one of the agency's live tokens (as `baliza token revoke`)."""
    if not any(t["token_id"] == token_id and t["live"] for t in agency_tokens(ctx, principal)):
        raise HTTPException(404, "no live token of your agency with that id")
    revoke_token(ctx.state, token_id)
    record(ctx.state, principal.username, principal.agency_id, "token_revoke", f"tokens/{token_id}")
