"""The REST API under /api. Every route declares the permission it needs; scope and audit are applied
in `services`. Rows outside the caller's scope answer 404, exactly as rows that do not exist.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from baliza.web import services
from baliza.web.callers import (
    AggregateReader,
    AnyUser,
    CaseReader,
    Exporter,
    FindingDecider,
    FindingReader,
    GrantManager,
    GrantReader,
    IndicatorReader,
    PersonReader,
    QuarantineReader,
    SeizureReader,
)
from baliza.web.security import context


class Problem(BaseModel):
    detail: str


REFUSALS: dict[int | str, dict[str, Any]] = {
    400: {"description": "The request body could not be read."},
    401: {"description": "Not signed in and no valid bearer token."},
    403: {"description": "Your role does not allow this, or the CSRF token is missing."},
    404: {"description": "No such row in your agency's scope."},
}
PROBLEM_JSON = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}

router = APIRouter(prefix="/api", tags=["api"], responses={
    code: {**answer, "model": Problem} for code, answer in REFUSALS.items()
})

Json = dict[str, Any]
ItemId = Annotated[str, Field(min_length=1, max_length=200)]




class Me(BaseModel):
    username: str
    agency_id: str
    role: str
    programme: str | None
    via: str
    csrf_token: str | None = None  # for a browser session: send it back as X-CSRF-Token on POST/DELETE


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a field the API does not know is refused, as documented

    decision: Literal["confirmed", "dismissed", "needs_more_data"]
    note: str = Field("", max_length=4000)


class GrantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a field the API does not know is refused, as documented

    grantee_agency_id: str = Field(min_length=1, max_length=120)
    kind: Literal["seizure", "case", "dataset"]
    subject_id: str = Field(min_length=1, max_length=200)
    purpose: str = Field(min_length=1, max_length=2000)
    days: int = Field(90, ge=1, le=services.MAX_GRANT_DAYS)


@router.get("/me", response_model=Me)
def me(request: Request, principal: AnyUser) -> Me:
    """Who the API thinks you are (and, for a browser session, the CSRF token its requests must carry)."""
    session = request.state.session
    return Me(username=principal.username, agency_id=principal.agency_id, role=principal.role.value,
              programme=principal.programme, via=principal.via,
              csrf_token=session.csrf_token if session is not None else None)


@router.get("/overview")
def overview(request: Request, principal: AggregateReader) -> Json:
    """Seizures per month and per entry point (small cells suppressed for aggregate-only roles)."""
    return services.overview(context(request), principal)


@router.get("/seizures")
def seizures(
    request: Request, principal: SeizureReader,
    q: Annotated[str, Query(max_length=100)] = "",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[Json]:
    """Seizures your agency reported or was granted, newest first."""
    return services.seizures(context(request), principal, q, limit, offset)


@router.get("/seizures/{seizure_id}/chain")
def seizure_chain(request: Request, seizure_id: ItemId, principal: SeizureReader) -> Json:
    """A seizure's timeline from inspection to verdict and assets, with its broken links."""
    return services.seizure_chain(context(request), principal, seizure_id)


@router.get("/cases/{case_id}")
def case(request: Request, case_id: ItemId, principal: CaseReader) -> Json:
    """A case with its parties, charges, events, dispositions and assets (audited)."""
    return services.case_file(context(request), principal, case_id)


@router.get("/persons/{person_id}")
def person(request: Request, person_id: ItemId, principal: PersonReader) -> Json:
    """A person as your role may see them: protected identities masked (audited)."""
    return services.person_file(context(request), principal, person_id)


@router.get("/search")
def search(request: Request, principal: SeizureReader, q: Annotated[str, Query(max_length=100)] = "",
           ) -> list[Json]:
    """Seizures, cases, units, entry points, agencies, substances, places and (for roles that may read them)
    persons whose id or name holds `q`, in any case; only what you may read, protected people masked."""
    return services.search(context(request), principal, q)


@router.get("/findings", response_model=list[Json])
def findings(request: Request, principal: FindingReader,
             rule: Annotated[str | None, Query(max_length=100)] = None) -> Response:
    """Red flags on subjects your agency owns or was granted, undecided first, with your agency's decision."""
    # hundreds of findings with their evidence: encoded in one pass (pydantic-core), not value by value
    return Response(services.findings_json(context(request), principal, rule), media_type="application/json")


@router.post("/findings/{finding_id}/decision")
def decide(request: Request, finding_id: ItemId, body: DecisionIn, principal: FindingDecider) -> Json:
    """Confirm, dismiss or ask for more data on a finding, with a note (audited)."""
    return services.decide_finding(context(request), principal, finding_id, body.decision, body.note)


@router.get("/indicators")
def indicators(request: Request, principal: IndicatorReader,
               granularity: Literal["year", "quarter", "month"] = "year") -> list[Json]:
    """Key success indicators per unit and period, with numerator and denominator."""
    return services.indicators(context(request), principal, granularity)


@router.get("/quarantine")
def quarantine(request: Request, principal: QuarantineReader) -> list[Json]:
    """Rows of your agency's loads that were quarantined, with the reason."""
    return services.quarantine(context(request), principal)


@router.get("/grants")
def grants(request: Request, principal: GrantReader) -> Json:
    """Grants your agency gave and received."""
    return services.grants(context(request), principal)


@router.post("/grants", status_code=201, responses={409: {
    "model": Problem, "description": "Refused: an agency that does not exist, or your own agency."}})
def share(request: Request, body: GrantIn, principal: GrantManager) -> Json:
    """Share one of your agency's seizures (with its chain), cases or datasets with another agency."""
    return services.share(context(request), principal, body.grantee_agency_id, body.kind, body.subject_id,
                          body.purpose, body.days)


@router.delete("/grants/{grant_id}", responses={409: {"model": Problem, "description": "Already revoked."}})
def revoke(request: Request, grant_id: ItemId, principal: GrantManager) -> Json:
    """Revoke a grant your agency gave; it stops at once."""
    return services.revoke(context(request), principal, grant_id)


class CsvResponse(PlainTextResponse):
    media_type = "text/csv"


@router.get("/export/seizures.csv", response_class=CsvResponse, responses={
    code: {**answer, "content": PROBLEM_JSON} for code, answer in REFUSALS.items()
})
def export_seizures(request: Request, principal: Exporter) -> CsvResponse:
    """The seizures in your scope as CSV (audited)."""
    return CsvResponse(services.export_seizures(context(request), principal))
