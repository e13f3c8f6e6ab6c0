"""The dashboard: server-rendered pages over the same services as the API. Forms carry a CSRF token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from markupsafe import Markup

from baliza.access.audit import record
from baliza.access.decisions import DECISIONS
from baliza.access.roles import Permission as P
from baliza.i18n import current as current_language
from baliza.i18n import gettext as _
from baliza.web import (
    charts,
    exports,
    figures,
    indicator_view,
    justice,
    landing,
    names,
    quarantine_view,
    requests,
    services,
)
from baliza.web import findings_queue as queue
from baliza.web.answers import Answer, answers_of
from baliza.web.callers import (
    AggregateReader,
    CaseReader,
    Exporter,
    FindingDecider,
    FindingReader,
    GrantManager,
    GrantReader,
    IndicatorReader,
    JusticeReader,
    PersonReader,
    QuarantineReader,
    SeizureReader,
)
from baliza.web.growth_report import document as growth_document
from baliza.web.security import context
from baliza.web.templates import render, templates

router = APIRouter(include_in_schema=False)
figures.install(templates.env)



@router.get("/")
def overview(request: Request, principal: AggregateReader, unit: str = "") -> Response:
    """Each role's landing page (`web.landing`): the first question it comes with, answered."""
    page = landing.landing(context(request), principal, unit[:120] or None)
    extra: dict[str, object] = {"names": names.directory(context(request))}
    if "by_entry_point" in page.context:
        extra["map_svg"] = charts.entry_point_map(page.context["by_entry_point"],
                                                  linked=principal.may(P.READ_SEIZURES))
        extra["time_svg"] = charts.seizures_over_time(page.context["by_month"])
    return render(request, page.template, {**page.context, **extra})


@router.get("/chain/seizure/{seizure_id}")
def seizure_page(request: Request, seizure_id: str, principal: SeizureReader) -> Response:
    ctx = context(request)
    chain = services.seizure_chain(ctx, principal, seizure_id)
    can_share = principal.may(P.MANAGE_GRANTS)

    def body() -> Answer:
        html = Markup(templates.get_template("seizure_body.html").render(
            {"chain": chain, "seizure_id": seizure_id, "can_share": can_share, "principal": principal}))
        return Answer(html, 2 * len(html), keeps=chain)
    # The chain's HTML is kept beside the chain (`web.answers`): `chain` is the answer kept for this reader's
    # view, role, language and withholding (its id is not reused while the HTML keeps it alive); the HTML
    # also depends on the agency (whether it holds the seizure) and the right to share, named here too.
    key = ("chain.html", id(chain), principal.agency_id, can_share, current_language())
    html = answers_of(ctx).get(key, body)
    assert html is not None
    return render(request, "seizure.html", {"body": html.value, "seizure_id": seizure_id})


@router.get("/chain/case/{case_id}")
def case_page(request: Request, case_id: str, principal: CaseReader) -> Response:
    return render(request, "case.html", {"file": services.case_file(context(request), principal, case_id)})


@router.get("/chain/person/{person_id}")
def person_page(request: Request, person_id: str, principal: PersonReader) -> Response:
    return render(request, "person.html", {"file": services.person_file(context(request), principal, person_id)})


@router.get("/findings")
def findings_page(request: Request, principal: FindingReader) -> Response:
    """The findings as a work queue: filters with counts, a sort, decisions in place (static/findings.js)."""
    query = queue.QueueQuery.parse(dict(request.query_params))
    every = queue.placed(context(request), principal, services.findings(context(request), principal))
    kept = queue.matching(every, query)
    pages = max(1, -(-len(kept) // queue.PER_PAGE))
    page = min(query.page, pages)
    first = (page - 1) * queue.PER_PAGE
    return render(request, "findings.html", {
        "findings": kept[first:first + queue.PER_PAGE], "total": len(kept), "every": len(every),
        "first": first + 1, "page": page, "pages": pages, "query": query, "facets": queue.facets(every),
        "statuses": queue.STATUSES, "sorts": queue.SORTS, "meanings": queue.rule_meanings(),
        "decisions": DECISIONS, "can_decide": principal.may(P.DECIDE_FINDINGS),
        "names": names.with_staff(context(request)), "decided": request.query_params.get("decided", "")[:40],
    })


@router.get("/findings.{fmt}")
def findings_export(request: Request, fmt: str, principal: FindingReader) -> Response:
    """The filtered queue as CSV or Excel: the same findings, filters and order as the page (an export)."""
    query = queue.QueueQuery.parse(dict(request.query_params))
    if fmt not in exports.FORMATS:
        raise HTTPException(404, "findings download as csv or xlsx")
    kept = queue.matching(queue.placed(context(request), principal,
                                       services.findings(context(request), principal)), query)
    header, rows = queue.export_table(kept, names.with_staff(context(request)))
    record(context(request).state, principal.username, principal.agency_id, "export", f"findings.{fmt}",
           {"rows": len(rows), "filters": query.link()})
    return exports.download(fmt, "findings", {"findings": (header, rows)})


@router.post("/findings/{finding_id}/decision")
def decide(request: Request, finding_id: str, principal: FindingDecider, decision: Annotated[str, Form()],
           note: Annotated[str, Form()] = "", back: Annotated[str, Form()] = "") -> Response:
    """Record a decision; a script asking for JSON stays on the page, a plain form comes back to its place."""
    made = services.decide_finding(context(request), principal, finding_id, decision, note[:4000])
    if "application/json" in request.headers.get("accept", ""):
        said = _("Marked %(decision)s by %(who)s on %(day)s", decision=names.decision_label(decision),
                 who=made["decided_by"], day=str(made["decided_at"])[:10])
        return JSONResponse({**made, "label": names.decision_label(decision),
                             "text": said + (f": “{made['note']}”" if made.get("note") else ""),
                             "message": _("Marked %(decision)s. The finding stays in the queue with its decision.",
                                          decision=names.decision_label(decision).lower())})
    kept = back if back.startswith("?") and "\n" not in back and len(back) < 600 else ""
    separator = "&" if kept else "?"
    return RedirectResponse(f"/findings{kept}{separator}decided={finding_id}#f-{finding_id}", status_code=303)


@router.get("/indicators")
def indicators_page(request: Request, principal: IndicatorReader) -> Response:
    """A small multiple per chosen indicator of one unit (intervals, the median of every unit), a unit
    picker, and the table of figures paginated, never cut silently."""
    query = indicator_view.IndicatorQuery.parse(request.query_params)
    rows = services.indicators(context(request), principal, query.granularity)
    own = landing.agency_units(context(request), principal) if not services.country_wide(principal) else []
    directory = names.directory(context(request))
    return render(request, "indicators.html", {
        **indicator_view.view(rows, query, directory, own[0]["unit_id"] if own else None,
                              linked=principal.may(P.READ_SEIZURES)),
        "granularity": query.granularity, "names": directory, "granularities": indicator_view.GRANULARITIES,
        "every_unit": indicator_view.EVERY_UNIT,
    })


@router.get("/indicators.{fmt}")
def indicators_export(request: Request, fmt: str, principal: IndicatorReader) -> Response:
    """Every row the page's filters keep (all pages), as CSV or Excel; an export in the audit log."""
    query = indicator_view.IndicatorQuery.parse(request.query_params)
    if fmt not in exports.FORMATS:
        raise HTTPException(404, "indicators download as csv or xlsx")
    rows = services.indicators(context(request), principal, query.granularity)
    kept = [r for r in rows if query.unit in ("", indicator_view.EVERY_UNIT) or r["subject_id"] == query.unit]
    header, body = indicator_view.export_table(kept, names.directory(context(request)))
    record(context(request).state, principal.username, principal.agency_id, "export", f"indicators.{fmt}",
           {"rows": len(body), "granularity": query.granularity, "unit": query.unit})
    return exports.download(fmt, f"indicators-{query.granularity}", {"indicators": (header, body)})


@router.get("/justice")
def justice_page(request: Request, principal: JusticeReader, granularity: str = "quarter", office: str = "",
                 period: str = "") -> Response:
    granularity = granularity if granularity in justice.GRANULARITIES else "quarter"
    view = justice.justice_view(context(request), principal, granularity)
    can_read_findings = principal.may(P.READ_FINDINGS)
    return render(request, "justice.html", {
        **view, "granularity": granularity, "can_read_findings": can_read_findings,
        "cases": justice.cases_of(context(request), principal, office, period),  # a trend point's rows
        "flags": len(services.findings(context(request), principal)) if can_read_findings else None,
    })


@router.get("/reports")
def reports_page(request: Request, principal: IndicatorReader) -> Response:
    """The reports the principal may download: the growth report for every indicator reader, the country
    report for roles that may export rows."""
    return render(request, "reports_list.html", {
        "can_export": principal.may(P.EXPORT), "can_read_findings": principal.may(P.READ_FINDINGS),
        "country_wide": services.country_wide(principal),
    })


REPORT_MEDIA = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


@router.get("/reports/growth.{fmt}")
def growth_report(request: Request, fmt: str, principal: IndicatorReader) -> Response:
    body = growth_document(context(request), principal, fmt)
    return Response(body, media_type=REPORT_MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="growth-report.{fmt}"'})


@router.get("/reports/country.{fmt}")
def country_report(request: Request, fmt: str, principal: Exporter) -> Response:
    body = justice.country_report(context(request), principal, fmt)
    return Response(body, media_type=REPORT_MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="country-report.{fmt}"'})


@router.get("/quarantine")
def quarantine_page(request: Request, principal: QuarantineReader) -> Response:
    """Root causes first, each with the rows refused because of it; a download to fix and load again."""
    rows = services.quarantine(context(request), principal)
    causes = quarantine_view.group(rows)
    return render(request, "quarantine.html", {
        "causes": causes, "rows": len(rows), "knock_on": sum(len(c.knock_on) for c in causes),
        "tables": sorted({r["table_name"] for r in rows}),
    })


@router.get("/quarantine.{fmt}")
def quarantine_export(request: Request, fmt: str, principal: QuarantineReader, table: str = "") -> Response:
    """The refused rows with a reason column, one sheet per table (CSV: one table, or all of them)."""
    rows = [r for r in services.quarantine(context(request), principal) if not table or r["table_name"] == table]
    tables = sorted({r["table_name"] for r in rows})
    sheets = {name: quarantine_view.refused_rows([r for r in rows if r["table_name"] == name]) for name in tables}
    if fmt == "csv" and len(tables) != 1:
        sheets = {"refused": quarantine_view.refused_rows(rows)}
    record(context(request).state, principal.username, principal.agency_id, "export", f"quarantine.{fmt}",
           {"rows": len(rows), "table": table[:60]})
    return exports.download(fmt, f"quarantine-{table[:40] or 'all'}", sheets or {"refused": ([], [])})


@router.get("/sharing")
def sharing_page(request: Request, principal: GrantReader, subject: str = "", kind: str = "seizure") -> Response:
    return render(request, "sharing.html", {
        **services.grants(context(request), principal), "can_share": principal.may(P.MANAGE_GRANTS),
        "subject": subject[:200], "kind": kind, "error": None, **requests.withholding(context(request), principal),
        "agencies": [a for a in services.agencies(context(request)) if a["agency_id"] != principal.agency_id],
    })


@router.get("/sharing.{fmt}")
def sharing_export(request: Request, fmt: str, principal: GrantReader) -> Response:
    """The grants given and received by the agency, as CSV or Excel (an export in the audit log)."""
    found = services.grants(context(request), principal)
    directory = names.directory(context(request))
    columns = ("grant_id", "owner_agency_id", "grantee_agency_id", "kind", "subject_id", "purpose", "expires_at",
               "revoked_at", "active")
    header = [_("Direction"), _("From"), _("To"), *columns]
    rows = [[label, directory.get(g["owner_agency_id"], g["owner_agency_id"]),
             directory.get(g["grantee_agency_id"], g["grantee_agency_id"]), *[g.get(c) for c in columns]]
            for label, grants in ((_("given"), found["given"]), (_("received"), found["received"])) for g in grants]
    record(context(request).state, principal.username, principal.agency_id, "export", f"grants.{fmt}",
           {"rows": len(rows)})
    return exports.download(fmt, "grants", {"grants": (header, rows)})


@router.post("/sharing")
def share(request: Request, principal: GrantManager,  # the same limits as the API's GrantIn
          grantee_agency_id: Annotated[str, Form(min_length=1, max_length=120)],
          kind: Annotated[str, Form(max_length=20)], subject_id: Annotated[str, Form(min_length=1, max_length=200)],
          purpose: Annotated[str, Form(min_length=1, max_length=2000)],
          days: Annotated[int, Form(ge=1, le=services.MAX_GRANT_DAYS)] = 90) -> Response:
    services.share(context(request), principal, grantee_agency_id.strip(), kind, subject_id.strip(), purpose, days)
    return RedirectResponse("/sharing", status_code=303)


@router.post("/sharing/{grant_id}/revoke")
def revoke(request: Request, grant_id: str, principal: GrantManager) -> Response:
    services.revoke(context(request), principal, grant_id)
    return RedirectResponse("/sharing", status_code=303)
