"""Access requests on the web: the API (`/api/access-requests`) and the pages (`/requests`), over the rules in
`access.requests`; and the form on the sharing page that declares which tables an agency withholds.

A viewer who meets a link of a chain held by another agency asks for it (`/requests/new?owner=&kind=&subject=`);
the holding agency's administrators and analysts answer on `/requests`; the requester reads the answer there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from baliza.access.principal import AccessDenied, Principal
from baliza.access.requests import (
    ID_PATTERN,
    MAX_GRANT_DAYS,
    MAX_PURPOSE,
    MAX_REASON,
    REQUEST_KINDS,
    RequestConflict,
    RequestError,
    RequestNotFound,
    approve,
    nothing_held,
    pending_for,
    refuse,
    request_access,
    requests_by,
    why_not_askable,
)
from baliza.access.roles import Permission
from baliza.access.withholding import WITHHOLDABLE, WithholdingError, declare, may_declare, withheld_tables
from baliza.web.api import REFUSALS, Problem
from baliza.web.callers import GrantManager, SeizureReader
from baliza.web.context import ServingContext
from baliza.web.security import context
from baliza.web.templates import render

Json = dict[str, Any]
T = TypeVar("T")


# --- services: the rules applied, errors as HTTP answers --------------------------------------------------

def _answered(call: Callable[[], T]) -> T:
    try:
        return call()
    except AccessDenied as error:
        raise HTTPException(403, str(error)) from None
    except RequestNotFound as error:
        raise HTTPException(404, str(error)) from None
    except RequestConflict as error:
        raise HTTPException(409, str(error)) from None
    except (RequestError, WithholdingError) as error:
        raise HTTPException(422, str(error)) from None


def ask(ctx: ServingContext, principal: Principal, owner: str, kind: str, subject: str, purpose: str) -> Json:
    """Ask `owner` for a seizure's chain (one the caller already sees) or a case, with a purpose (audited)."""
    if kind in REQUEST_KINDS:
        with ctx.reading(principal) as (wh, scope):
            problem = why_not_askable(wh, scope, owner.strip(), kind, subject.strip())
        if problem is not None:
            raise HTTPException(404, problem)
    return _answered(lambda: request_access(ctx.state, principal, owner, kind, subject, purpose)).to_dict()


def listing(ctx: ServingContext, principal: Principal) -> dict[str, list[Json]]:
    """Requests waiting for the caller's agency (for those who answer them) and those its agency made."""
    incoming = pending_for(ctx.state, principal.agency_id) if principal.may(Permission.MANAGE_GRANTS) else []
    return {"incoming": [r.to_dict() for r in incoming],
            "outgoing": [r.to_dict() for r in requests_by(ctx.state, principal.agency_id)]}


def grant_request(ctx: ServingContext, principal: Principal, request_id: str, days: int,
                  purpose: str | None = None) -> Json:
    """Approve: a grant from the caller's agency to the requester's, for `days` (audited)."""
    with ctx.locked() as wh:
        _answered(lambda: nothing_held(wh, ctx.state, principal, request_id))
    answered, grant = _answered(lambda: approve(ctx.state, principal, request_id, days, purpose))
    return {**answered.to_dict(), "grant": grant.to_dict()}


def refuse_request(ctx: ServingContext, principal: Principal, request_id: str, reason: str) -> Json:
    """Refuse with a reason that the requesting agency reads (audited)."""
    return _answered(lambda: refuse(ctx.state, principal, request_id, reason)).to_dict()


def withholding(ctx: ServingContext, principal: Principal) -> Json:
    """What the caller's agency withholds, for the sharing page."""
    return {"withheld": sorted(withheld_tables(ctx.state).get(principal.agency_id, ())),
            "withholdable": WITHHOLDABLE, "can_withhold": may_declare(principal)}


# --- API ---------------------------------------------------------------------------------------------------

api = APIRouter(prefix="/api/access-requests", tags=["api"], responses={
    code: {**answer, "model": Problem} for code, answer in REFUSALS.items()
})
RequestId = Annotated[str, Field(min_length=1, max_length=32)]


NOT_BLANK = r"\S"  # at least one character that is not a space


class AccessRequestIn(BaseModel):
    owner_agency_id: str = Field(min_length=1, max_length=120, pattern=ID_PATTERN,
                                 description="The agency that holds the rows.")
    kind: Literal["seizure", "case"] = Field(description="A seizure's chain as the owner holds it, or a case.")
    subject_id: str = Field(min_length=1, max_length=200, pattern=ID_PATTERN)
    purpose: str = Field(min_length=1, max_length=MAX_PURPOSE, pattern=NOT_BLANK)


class ApprovalIn(BaseModel):
    days: int = Field(90, ge=1, le=MAX_GRANT_DAYS, description="Days until the grant expires.")
    purpose: str | None = Field(None, max_length=MAX_PURPOSE, description="The grant's purpose, if narrower.")


class RefusalIn(BaseModel):
    reason: str = Field(min_length=1, max_length=MAX_REASON, pattern=NOT_BLANK)


@api.post("", status_code=201, responses={
    409: {"model": Problem, "description": "Asks your own agency, or the same request is pending."}})
def api_ask(request: Request, body: AccessRequestIn, principal: SeizureReader) -> Json:
    """Ask another agency for a seizure's chain or a case it holds, with a purpose."""
    return ask(context(request), principal, body.owner_agency_id, body.kind, body.subject_id, body.purpose)


@api.get("")
def api_listing(request: Request, principal: SeizureReader) -> dict[str, list[Json]]:
    """Requests waiting for your agency's answer (`incoming`), and those your agency made with their answers."""
    return listing(context(request), principal)


@api.post("/{request_id}/approve", responses={
    409: {"model": Problem, "description": "Already answered, or your agency holds nothing of it."}})
def api_approve(request: Request, request_id: RequestId, body: ApprovalIn, principal: GrantManager) -> Json:
    """Approve a request to your agency: the requester's agency is granted the subject for `days`."""
    return grant_request(context(request), principal, request_id, body.days, body.purpose)


@api.post("/{request_id}/refuse", responses={409: {"model": Problem, "description": "Already answered."}})
def api_refuse(request: Request, request_id: RequestId, body: RefusalIn, principal: GrantManager) -> Json:
    """Refuse a request to your agency, with a reason the requester reads."""
    return refuse_request(context(request), principal, request_id, body.reason)


# --- pages -------------------------------------------------------------------------------------------------

pages = APIRouter(include_in_schema=False)


@pages.get("/requests/new")
def new_request_page(request: Request, principal: SeizureReader, owner: str = "", kind: str = "seizure",
                     subject: str = "") -> Response:
    return render(request, "requests_new.html", {
        "owner": owner[:120], "kind": kind if kind in REQUEST_KINDS else "seizure", "subject": subject[:200],
        "purpose": "", "error": None, "max_purpose": MAX_PURPOSE,
    })


@pages.post("/requests")
def new_request(request: Request, principal: SeizureReader, owner_agency_id: Annotated[str, Form()],
                kind: Annotated[str, Form()], subject_id: Annotated[str, Form()],
                purpose: Annotated[str, Form()] = "") -> Response:
    try:
        ask(context(request), principal, owner_agency_id[:120], kind, subject_id[:200], purpose[:MAX_PURPOSE + 1])
    except HTTPException as refused:
        return render(request, "requests_new.html", {
            "owner": owner_agency_id[:120], "kind": kind if kind in REQUEST_KINDS else "seizure",
            "subject": subject_id[:200], "purpose": purpose[:MAX_PURPOSE], "error": refused.detail,
            "max_purpose": MAX_PURPOSE,
        }, status_code=refused.status_code)
    return RedirectResponse("/requests", status_code=303)


def _requests_page(request: Request, principal: Principal, error: str | None = None,
                   status_code: int = 200) -> Response:
    return render(request, "requests.html", {
        **listing(context(request), principal), "can_answer": principal.may(Permission.MANAGE_GRANTS),
        "error": error, "max_days": MAX_GRANT_DAYS, "max_reason": MAX_REASON,
    }, status_code=status_code)


@pages.get("/requests")
def requests_page(request: Request, principal: SeizureReader) -> Response:
    return _requests_page(request, principal)


@pages.post("/requests/{request_id}/approve")
def approve_form(request: Request, request_id: str, principal: GrantManager, days: Annotated[int, Form()] = 90,
                 purpose: Annotated[str, Form()] = "") -> Response:
    try:
        grant_request(context(request), principal, request_id[:32], days, purpose[:MAX_PURPOSE + 1] or None)
    except HTTPException as refused:
        return _requests_page(request, principal, refused.detail, refused.status_code)
    return RedirectResponse("/requests", status_code=303)


@pages.post("/requests/{request_id}/refuse")
def refuse_form(request: Request, request_id: str, principal: GrantManager,
                reason: Annotated[str, Form()] = "") -> Response:
    try:
        refuse_request(context(request), principal, request_id[:32], reason[:MAX_REASON + 1])
    except HTTPException as refused:
        return _requests_page(request, principal, refused.detail, refused.status_code)
    return RedirectResponse("/requests", status_code=303)


@pages.post("/sharing/withholding")
def withholding_form(request: Request, principal: GrantManager, table: Annotated[str, Form()],
                     action: Annotated[Literal["withhold", "disclose"], Form()]) -> Response:
    _answered(lambda: declare(context(request).state, principal, table[:60], action == "withhold"))
    return RedirectResponse("/sharing#withholding", status_code=303)


routers: tuple[APIRouter, ...] = (api, pages)
