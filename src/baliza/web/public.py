"""Civil oversight: the published aggregates (`web.public_data`) on the oversight role's page and, when
`BALIZA_PUBLIC_PAGE=1` (`web.settings`), on a public read-only page with no sign-in, with a CSV download
and the day of publication. Nothing personal is in them: counts per place, region and year, small cells
and their complements suppressed.

- `/oversight`, `/oversight.csv`, `/api/published`: the oversight role (`Permission.OVERSEE_PROGRAMMES`);
- `/public`, `/public.csv`: anyone, only when the setting is on (otherwise 404, as if absent); each
  address may ask 60 times a minute (429 with `Retry-After` beyond: the page is cheap, but open to all).
"""

from __future__ import annotations

import math
import threading
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from baliza.access.audit import record
from baliza.access.principal import Principal
from baliza.access.roles import Permission
from baliza.i18n import gettext as _
from baliza.web.api import REFUSALS, Problem
from baliza.web.public_data import as_csv, published
from baliza.web.ratelimit import _Failures
from baliza.web.security import client_address, context, require
from baliza.web.templates import render

Overseer = Annotated[Principal, Depends(require(Permission.OVERSEE_PROGRAMMES))]
PUBLIC_REQUESTS_PER_MINUTE = 60


class RequestBudget:
    """At most `limit` requests per address over `window` seconds (bounded memory, like the sign-in
    throttle whose counting it shares)."""

    def __init__(self, limit: int = PUBLIC_REQUESTS_PER_MINUTE, window: float = 60.0) -> None:
        self.limit, self._seen, self._lock = limit, _Failures(window), threading.Lock()

    def wait(self, address: str) -> int:
        """Seconds before the address may ask again (0: now), counting this request when it may."""
        at = time.monotonic()
        with self._lock:
            recent = self._seen.recent(address, at)
            if len(recent) >= self.limit:
                return max(1, math.ceil(recent[0][0] + self._seen.window - at))
            self._seen.add(address, at, "")
        return 0


pages = APIRouter(include_in_schema=False)
api_routes = APIRouter(prefix="/api", tags=["api"], responses={
    code: {**answer, "model": Problem} for code, answer in REFUSALS.items()})


def _open_to_public(request: Request) -> Response | None:
    """None when the request may go on; the refusal otherwise (404 when the page is off, 429 when the
    address spent its budget)."""
    ctx = context(request)
    if not ctx.settings.public_page:
        raise HTTPException(404, _("Not found"))
    budget = getattr(request.app.state, "public_budget", None)
    if budget is None:
        budget = request.app.state.public_budget = RequestBudget()
    wait = budget.wait(client_address(request))
    return _too_many(request, wait) if wait else None


def _too_many(request: Request, wait: int) -> Response:
    answer = render(request, "error.html", {"status": 429, "detail": _(
        "Too many requests: try again in %(seconds)s seconds.", seconds=wait)}, status_code=429)
    answer.headers["Retry-After"] = str(wait)
    return answer


def _csv(text: str) -> Response:
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="baliza-published-aggregates.csv"'})


def _audited(request: Request, principal: Principal) -> dict[str, Any]:
    ctx = context(request)
    record(ctx.state, principal.username, principal.agency_id, "read_published_aggregates", "published", {})
    return published(ctx)


@pages.get("/public")
def public_page(request: Request) -> Response:
    if (refused := _open_to_public(request)) is not None:
        return refused
    return render(request, "public.html", {**published(context(request)), "public": True, "csv": "/public.csv"})


@pages.get("/public.csv")
def public_csv(request: Request) -> Response:
    if (refused := _open_to_public(request)) is not None:
        return refused
    return _csv(as_csv(published(context(request))))


@pages.get("/oversight")
def oversight_page(request: Request, principal: Overseer) -> Response:
    return render(request, "public.html", {**_audited(request, principal), "public": False, "csv": "/oversight.csv"})


@pages.get("/oversight.csv")
def oversight_csv(request: Request, principal: Overseer) -> Response:
    return _csv(as_csv(_audited(request, principal)))


@api_routes.get("/published")
def api_published(request: Request, principal: Overseer) -> dict[str, Any]:
    """The published aggregates: seizures, cases and verdicts per place and year; growers enrolled, placed
    and back to cultivation per region and year; treatment episodes per year. A count under 5, and those
    that would give it away, are null and named in the row's `suppressed`."""
    return _audited(request, principal)


router = APIRouter()
router.include_router(pages)
router.include_router(api_routes)
