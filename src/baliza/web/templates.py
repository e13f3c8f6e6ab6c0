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

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.filters["quantity"] = quantity  # 1,149,160 tablets; 941.98 kg
i18n.install(templates.env)

NAVIGATION: tuple[tuple[str, str, Permission], ...] = (
    ("/", "Overview", Permission.READ_AGGREGATES),
    ("/chain", "Chain explorer", Permission.READ_SEIZURES),
    ("/findings", "Findings", Permission.READ_FINDINGS),
    ("/indicators", "Unit indicators", Permission.READ_INDICATORS),
    ("/justice", "Justice", Permission.READ_JUSTICE),
    ("/quarantine", "Quarantine", Permission.READ_QUARANTINE),
    ("/sharing", "Sharing", Permission.READ_GRANTS),
    ("/requests", "Access requests", Permission.READ_GRANTS),
    ("/reports", "Reports", Permission.EXPORT),
    ("/markets", "Online markets", Permission.READ_FINDINGS),
)


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    principal = getattr(request.state, "principal", None)
    session = getattr(request.state, "session", None)
    values = {
        "principal": principal,
        "csrf_token": session.csrf_token if session is not None else "",
        "navigation": [(href, label) for href, label, p in NAVIGATION if principal is not None and principal.may(p)],
        "path": request.url.path,
        **(context or {}),
    }
    return templates.TemplateResponse(request, name, values, status_code=status_code)
