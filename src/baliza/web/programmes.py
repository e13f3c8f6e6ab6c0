"""The programme officer's pages and API: its programme's outcomes as published (`web.programmes_data`,
small cells and their complements hidden), never a person.

- `/programmes`: the officer's own programme; `/programmes/livelihood` and `/programmes/treatment` for
  either (cut to the rows its agency may read, like every read);
- `/api/programmes/{programme}`: the same figures as JSON, the same cells hidden.
Reads are audited. Other roles are refused (`Permission.READ_PROGRAMMES`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from baliza.access.audit import record
from baliza.access.principal import Principal
from baliza.access.roles import Permission
from baliza.i18n import N_
from baliza.i18n import gettext as _
from baliza.web.api import REFUSALS, Problem
from baliza.web.formatting import install
from baliza.web.programmes_charts import funnel_plot, survival_curve, survival_curves
from baliza.web.programmes_data import publication
from baliza.web.security import context, require
from baliza.web.templates import render, templates

install(templates.env)  # the count, share, money and date filters these pages use
ProgrammeReader = Annotated[Principal, Depends(require(Permission.READ_PROGRAMMES))]
PROGRAMMES = ("livelihood", "treatment")
MEASURE_TITLES = {
    "completion": N_("Completion, observed/expected"),
    "abstinence": N_("Abstinence at discharge, observed/expected"),
    "physical": N_("Physical score change, observed minus expected"),
    "mental": N_("Mental score change, observed minus expected"),
}

pages = APIRouter(include_in_schema=False)
api_routes = APIRouter(prefix="/api/programmes", tags=["api"], responses={
    code: {**answer, "model": Problem} for code, answer in REFUSALS.items()})


def published(request: Request, principal: Principal, programme: str) -> dict[str, Any]:
    """The programme's figures as published to `principal`, the read audited."""
    if programme not in PROGRAMMES:
        raise HTTPException(404, _("No programme %(name)s: livelihood or treatment.", name=programme[:40]))
    ctx = context(request)
    found = publication(ctx, principal, programme)
    record(ctx.state, principal.username, principal.agency_id, "read_programme_outcomes", f"programmes/{programme}",
           {"programme": programme})
    return found


def funnel_points(providers: list[dict[str, Any]], column: str, anchors: dict[tuple[str, str], str]
                  ) -> list[dict[str, Any]]:
    """The providers on one measure's funnel: those whose comparison is shown (not hidden, tested)."""
    points = []
    for row in providers:
        compared = row.get(f"compared_{column}")
        if not compared or compared.get("ratio") is None or compared.get("q") is None:
            continue
        ratio_kind = column in ("completion", "abstinence")
        points.append({"name": row["name"], "x": compared["expected"] if ratio_kind else compared["n"],
                       "y": compared["ratio"], "outside": compared.get("outside"),
                       "anchor": anchors.get((row["provider"], column))})
    return points


def treatment_charts(found: dict[str, Any]) -> dict[str, str]:
    anchors = {(f["subject"]["id"], a.rsplit("-", 1)[-1]): a for f in found["findings"] if (a := f["anchor"])}
    charts = {}
    for column, spec in found["funnels"].items():
        charts[column] = funnel_plot(column, _(MEASURE_TITLES.get(column, column)), spec["funnel"], spec["kind"],
                                     funnel_points(found["providers"], column, anchors))
    charts["length_of_stay"] = survival_curve(found["length_of_stay"], _("Share still in treatment, by days"))
    charts["providers_stay"] = survival_curves(
        [(p["name"], (p.get("curves") or {}).get("length_of_stay")) for p in found["providers"]],
        _("Share still in treatment, per provider"))
    return charts


def livelihood_charts(found: dict[str, Any]) -> dict[str, str]:
    return {"time_to_placement": survival_curve(found["time_to_placement"],
                                                _("Share not yet placed in legal work, by days")),
            "retention": survival_curve(found["retention"], _("Share still in the programme, by days")),
            "offices_placement": survival_curves(_group_curves(found["offices"], "placement"),
                                                 _("Share not yet placed, per programme office")),
            "offices_drop_out": survival_curves(_group_curves(found["offices"], "drop_out"),
                                                _("Share not dropped out, per programme office")),
            "regions_placement": survival_curves(_group_curves(found["regions"], "placement"),
                                                 _("Share not yet placed, per region"))}


def _group_curves(groups: list[dict[str, Any]], event: str) -> list[tuple[str, dict[str, Any] | None]]:
    return [(g["name"], (g.get("curves") or {}).get(event)) for g in groups]


@pages.get("/programmes")
def own_programme(principal: ProgrammeReader) -> Response:
    return RedirectResponse(f"/programmes/{principal.programme or 'livelihood'}", status_code=303)


@pages.get("/programmes/{programme}")
def programme_page(request: Request, principal: ProgrammeReader, programme: str) -> Response:
    found = published(request, principal, programme)
    charts = treatment_charts(found) if programme == "treatment" else livelihood_charts(found)
    return render(request, f"programmes_{programme}.html", {**found, "charts": charts})


@pages.get("/reports/programmes.{extension}")
def programme_report_file(request: Request, principal: ProgrammeReader, extension: str) -> Response:
    """The programme report of the officer's own programme, as HTML or PDF (the export is audited)."""
    from baliza.report.programmes import programme_report

    if extension not in ("html", "pdf"):
        raise HTTPException(404, _("The programme report is made as html or pdf."))
    programme = principal.programme or "livelihood"
    document = programme_report({programme: published(request, principal, programme)})
    ctx = context(request)
    record(ctx.state, principal.username, principal.agency_id, "export", f"reports/programmes.{extension}",
           {"programme": programme})
    if extension == "pdf":
        from baliza.report.pdf import html_to_pdf

        return Response(html_to_pdf(document), media_type="application/pdf",
                        headers={"Content-Disposition": 'attachment; filename="programme-report.pdf"'})
    return Response(document, media_type="text/html; charset=utf-8")


@api_routes.get("/{programme}")
def api_programme(request: Request, principal: ProgrammeReader, programme: str) -> dict[str, Any]:
    """Your programme's outcomes (livelihood or treatment), as published: a count under 5, and the
    figures that would give it away, are null and listed in each row's `suppressed`."""
    return published(request, principal, programme)


router = APIRouter()
router.include_router(pages)
router.include_router(api_routes)
