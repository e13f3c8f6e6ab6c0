"""Server-rendered pages: Jinja2 with autoescaping, one base layout, navigation by permission."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from baliza import i18n
from baliza.access.roles import Permission
from baliza.analyses.wording import quantity
from baliza.i18n import N_

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.filters["quantity"] = quantity  # 1,149,160 tablets; 941.98 kg
i18n.install(templates.env)

NAVIGATION: tuple[tuple[str, str, Permission], ...] = (
    ("/", N_("Overview"), Permission.READ_AGGREGATES),
    ("/chain", N_("Chain explorer"), Permission.READ_SEIZURES),
    ("/findings", N_("Findings"), Permission.READ_FINDINGS),
    ("/crypto", N_("Crypto tracing"), Permission.READ_FINDINGS),
    ("/indicators", N_("Unit indicators"), Permission.READ_INDICATORS),
    ("/justice", N_("Justice"), Permission.READ_JUSTICE),
    ("/assets", N_("Asset recovery"), Permission.READ_ASSETS),
    ("/early-warning", N_("Early warning"), Permission.READ_EARLY_WARNING),
    ("/quarantine", N_("Quarantine"), Permission.READ_QUARANTINE),
    ("/sharing", N_("Sharing"), Permission.READ_GRANTS),
    ("/requests", N_("Access requests"), Permission.READ_GRANTS),
    ("/reports", N_("Reports"), Permission.READ_INDICATORS),
    ("/admin/users", N_("Administration"), Permission.MANAGE_USERS),
    ("/markets", N_("Online markets"), Permission.READ_FINDINGS),
    ("/programmes", N_("Programme outcomes"), Permission.READ_PROGRAMMES),
    ("/oversight", N_("Published aggregates"), Permission.OVERSEE_PROGRAMMES),
)


def _agency_name(request: Request, principal: Any) -> str:
    """The signed-in agency's name for the header (its id where the directory does not know it)."""
    agency = getattr(principal, "agency_id", None)
    ctx = getattr(request.app.state, "baliza", None)
    if not agency or ctx is None:
        return str(agency or "")
    from baliza.web.names import directory

    try:
        return directory(ctx).get(agency) or str(agency)
    except Exception:  # a warehouse not loaded yet: the header still shows the id
        return str(agency)


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    principal = getattr(request.state, "principal", None)
    session = getattr(request.state, "session", None)
    if principal is None and session is None and hasattr(request.app.state, "baliza"):
        # a page no route answered (a 404): the signed-in layout still, with its navigation
        from baliza.web.security import identify

        principal, session = identify(request)
    values = {
        "principal": principal,
        "agency_name": _agency_name(request, principal),
        "csrf_token": session.csrf_token if session is not None else "",
        "navigation": [(href, label) for href, label, p in NAVIGATION if principal is not None and principal.may(p)],
        "path": request.url.path,
        **(context or {}),
    }
    return templates.TemplateResponse(request, name, values, status_code=status_code)
