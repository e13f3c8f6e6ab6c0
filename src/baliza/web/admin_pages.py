"""The administrator's pages: loads, users, API tokens and the audit log of its agency, each a filtered
list with CSV and Excel downloads, and the actions the CLI already has (disable a user, revoke a token)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from baliza.access.audit import record
from baliza.access.principal import Principal
from baliza.access.roles import Permission as P
from baliza.access.roles import Role
from baliza.i18n import gettext as _
from baliza.web import admin, exports
from baliza.web.security import context, require
from baliza.web.templates import render

router = APIRouter(include_in_schema=False)

UserManager = Annotated[Principal, Depends(require(P.MANAGE_USERS))]
TokenManager = Annotated[Principal, Depends(require(P.MANAGE_TOKENS))]
AuditReader = Annotated[Principal, Depends(require(P.VERIFY_AUDIT))]

COLUMNS: dict[str, tuple[str, ...]] = {
    "users": ("username", "role", "programme", "disabled", "created_at"),
    "tokens": ("token_id", "username", "label", "created_at", "expires_at", "revoked_at", "live"),
    "audit": ("seq", "at", "actor", "action", "subject", "detail"),
    "loads": ("load_id", "started_at", "finished_at", "dataset", "status", "accepted", "quarantined"),
}


def column_labels() -> dict[str, str]:
    """Each listed column's heading, in the request's language."""
    return {
        "username": _("Account"), "role": _("Role"), "programme": _("Programme"), "disabled": _("Disabled"),
        "created_at": _("Created"), "token_id": _("Token"), "label": _("Label"), "expires_at": _("Expires"),
        "revoked_at": _("Revoked"), "live": _("Works"), "seq": _("No."), "at": _("When"), "actor": _("Who"),
        "action": _("What"), "subject": _("On"), "detail": _("Detail"), "load_id": _("Load"),
        "started_at": _("Started"), "finished_at": _("Finished"), "dataset": _("Dataset"), "status": _("Status"),
        "accepted": _("Accepted"), "quarantined": _("Quarantined"),
    }


def _table(kind: str, rows: list[dict[str, Any]]) -> exports.Sheet:
    return COLUMNS[kind], [[r.get(c) for c in COLUMNS[kind]] for r in rows]


def _page(request: Request, principal: Principal, kind: str, rows: list[dict[str, Any]], fmt: str | None,
          filters: dict[str, str]) -> Response:
    if fmt:
        record(context(request).state, principal.username, principal.agency_id, "export", f"admin/{kind}.{fmt}",
               {"rows": len(rows)})
        return exports.download(fmt, kind, {kind: _table(kind, rows)})
    return render(request, "admin_list.html", {"kind": kind, "rows": rows, "columns": COLUMNS[kind],
                                               "labels": column_labels(),
                                               "filters": filters, "roles": [r.value for r in Role]})


@router.get("/admin/users")
@router.get("/admin/users.{fmt}")
def users_page(request: Request, principal: UserManager, role: str = "", state: str = "",
               fmt: str | None = None) -> Response:
    rows = admin.agency_users(context(request), principal, role[:40], state[:10])
    return _page(request, principal, "users", rows, fmt, {"role": role[:40], "state": state[:10]})


@router.post("/admin/users/{username}/disable")
def disable_user(request: Request, username: str, principal: UserManager) -> Response:
    admin.disable(context(request), principal, username)
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/admin/tokens")
@router.get("/admin/tokens.{fmt}")
def tokens_page(request: Request, principal: TokenManager, owner: str = "", fmt: str | None = None) -> Response:
    rows = admin.agency_tokens(context(request), principal, owner[:120])
    return _page(request, principal, "tokens", rows, fmt, {"owner": owner[:120]})


@router.post("/admin/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: str, principal: TokenManager) -> Response:
    admin.revoke(context(request), principal, token_id)
    return RedirectResponse("/admin/tokens", status_code=303)


@router.get("/admin/audit")
@router.get("/admin/audit.{fmt}")
def audit_page(request: Request, principal: AuditReader, actor: str = "", action: str = "",
               fmt: str | None = None) -> Response:
    rows = admin.audit_log(context(request), principal, actor=actor[:120], action=action[:60])
    return _page(request, principal, "audit", rows, fmt, {"actor": actor[:120], "action": action[:60]})


@router.get("/admin/loads")
@router.get("/admin/loads.{fmt}")
def loads_page(request: Request, principal: UserManager, fmt: str | None = None) -> Response:
    return _page(request, principal, "loads", admin.loads(context(request), principal), fmt, {})
