"""Prosecution analytics and the country report as one principal may see them.

The figures are computed once per warehouse state on the whole warehouse (through `sources`); each
principal then gets the cut the access rules allow, rendered once per cut:
- roles that may read rows (inspector, admin): the prosecution offices their agency runs or was granted,
  and the prosecutors of those offices, placed against the national funnel limits;
- roles that see aggregates only (oversight): every office, cells counting fewer than 5 suppressed, and
  no names: the flag queue (which names staff and cases) stays in Findings, for roles that may read it.
The country report is an export: audited, and cut to what the reader may read (`baliza.report.readership`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from fastapi import HTTPException

from baliza.access.audit import record, record_read
from baliza.access.disclosure import MIN_CELL, protect_indicators
from baliza.access.principal import Principal
from baliza.access.roles import Permission
from baliza.analyses.model import Indicator
from baliza.analyses.periods import period_bounds
from baliza.i18n import current
from baliza.i18n import gettext as _
from baliza.web import names, sources, svg
from baliza.web.context import ServingContext

GRANULARITIES = ("year", "quarter", "month")
REPORT_FORMATS = ("html", "pdf")


def country_wide(principal: Principal) -> bool:
    """Whether the principal sees every agency's offices as aggregates (the rule of unit indicators)."""
    return not (principal.may(Permission.READ_SEIZURES) or principal.may(Permission.READ_PERSONS))


def _digest(ids: set[str]) -> str:
    return hashlib.sha256("|".join(sorted(ids)).encode()).hexdigest()[:16]


def _offices_seen(wh: Any, scope: Any, principal: Principal, trend: list[Indicator]) -> set[str]:
    """The offices the principal's agency runs, or whose rows it reported or was granted."""
    wanted = {i.subject_id for i in trend if i.subject_table == "units"}
    units = wh.table("units")
    run = set(units.filter(units.agency_id == principal.agency_id).unit_id.to_pyarrow().to_pylist())
    return (run & wanted) | sources.visible_ids(wh, scope, "units", wanted)


def _prosecutors_of(wh: Any, offices: set[str]) -> set[str]:
    staff = wh.table("staff")
    if not offices:
        return set()
    return set(staff.filter(staff.unit_id.isin(sorted(offices))).staff_id.to_pyarrow().to_pylist())


def _hidden_cells(wh: Any, ctx: ServingContext) -> set[tuple[str, ...]]:
    """The office figures aggregate-only readers may not see, decided once over the years, quarters and
    months the page publishes (small cells and their complements: `access.disclosure`)."""
    published = [sources.justice_figures(wh, ctx, g) for g in GRANULARITIES]
    trends = [figures.trend for figures in published if figures is not None]
    key = "justice_hidden:" + ":".join(str(id(trend)) for trend in trends)
    return ctx.cached(key, lambda: (trends, protect_indicators([i.to_dict() for t in trends for i in t])))[1]


def _suppressed(trend: list[Indicator], hidden: set[tuple[str, ...]]) -> list[Indicator]:
    """Values resting on fewer than 5 cases, and those that would give them away, are not shown."""
    return [replace(i, value=None, numerator=None, denominator=None, low=None, high=None)
            if (i.subject_table, i.subject_id, i.indicator, i.period) in hidden else i for i in trend]


def _unit_names(wh: Any) -> dict[str, str]:
    """Every unit's name by id (offices are shown by name, never by code)."""
    units = wh.table("units")
    rows = units.select("unit_id", "name").to_pyarrow().to_pylist()
    return {str(r["unit_id"]): str(r["name"]) for r in rows if r["name"]}


def _view(figures: Any, offices: set[str] | None, prosecutors: set[str] | None,
          hidden: set[tuple[str, ...]], unit_names: dict[str, str], label: Callable[[str], str] = str,
          linked: bool = False, cases_link: Callable[[str, str], str] | None = None) -> dict[str, Any]:
    """Charts and the latest figures of `offices` (None: every office, `hidden` cells suppressed). With
    `cases_link`, each point of the offices' trend links to the cases it sums up (`cases_of`)."""
    from baliza.report.justice import TREND_INDICATORS, trend_svg

    if offices is None:
        trend = _suppressed(list(figures.trend), hidden)
        funnels = {name: frame[frame["cases"] >= MIN_CELL].assign(unit="")  # no names: the chart's tooltips
                   for name, frame in figures.funnels.items()}
    else:
        trend = [i for i in figures.trend if i.subject_table == "units" and i.subject_id in offices]
        funnels = {name: frame[frame["unit"].isin(sorted(prosecutors or ()))]
                   for name, frame in figures.funnels.items()}
    shown = [i for i in trend if i.indicator in TREND_INDICATORS]
    latest = max((i.period for i in shown), default=None)
    return {
        # each point named on hover, outliers labelled; linked to the prosecutor's flags for who may read them
        "funnels_svg": svg.funnel_plot(funnels, label, link=flags_of if linked else None),
        "trend_svg": trend_svg(shown, unit_names, link=cases_link) if shown else "",
        "latest": latest, "offices": sorted({i.subject_id for i in trend}),
        "office_names": sorted({unit_names.get(i.subject_id, i.subject_id) for i in trend}),
        "rows": sorted(({**i.to_dict(), "office_name": unit_names.get(i.subject_id)} for i in shown
                        if i.period == latest),
                       key=lambda r: (r["subject_id"], r["indicator"])),
    }


def cases_link(granularity: str) -> Callable[[str, str], str]:
    """(office, period) -> the justice page listing that office's cases opened in the period: the rows a
    point of the offices' trend sums up."""
    return lambda office, period: "/justice?" + urlencode(
        {"granularity": granularity, "office": office, "period": period}) + "#cases"


def cases_of(ctx: ServingContext, principal: Principal, office: str, period: str) -> dict[str, Any] | None:
    """The cases of `office` opened in `period` that the principal may read (None for roles that see
    aggregates only, or a period that is not one); each with its outcome so far."""
    if country_wide(principal) or not principal.may(Permission.READ_CASES) or not office or not period:
        return None
    try:
        first, last = period_bounds(period[:10])
    except ValueError:
        return None
    with ctx.reading(principal) as (wh, scope):
        cases = scope.filter(wh, "cases")
        rows = (cases.filter((cases.office_id == office[:120]) & (cases.opened_at >= first)
                             & (cases.opened_at <= last))
                .select("case_id", "opened_at", "origin", "seizure_id").order_by("opened_at", "case_id")
                .to_pyarrow().to_pylist())
    record_read(ctx.state, principal, "read_case", [f"cases/{r['case_id']}" for r in rows],
                what=f"cases of {office[:120]} opened in {period[:10]}")
    return {"office": office, "office_name": names.directory(ctx).get(office, office), "period": period,
            "rows": rows}


def flags_of(prosecutor: str) -> str:
    """The findings queue filtered to one prosecutor's flags on case outcomes: the rows a funnel point sums up."""
    return "/findings?" + urlencode({"rule": "outcome_outlier", "who": prosecutor})


def _prosecutor_label(ctx: ServingContext, prosecutors: set[str] | None) -> Callable[[str], str]:
    """'ST-00206, Specialised Drug Prosecution Office Lima no. 1': a prosecutor with the office's name."""
    if not prosecutors:
        return str
    with ctx.locked() as wh:
        staff = wh.table("staff")
        rows = staff.filter(staff.staff_id.isin(sorted(prosecutors))).select("staff_id", "unit_id")
        office = {r["staff_id"]: r["unit_id"] for r in rows.to_pyarrow().to_pylist()}
    named = names.directory(ctx)
    return lambda who: f"{who}, {named.get(office.get(who, ''), office.get(who, ''))}" if who in office else who


def justice_view(ctx: ServingContext, principal: Principal, granularity: str) -> dict[str, Any]:
    """The justice page's content for `principal`; each distinct cut is rendered once per warehouse state."""
    with ctx.reading(principal) as (wh, scope):
        figures = sources.justice_figures(wh, ctx, granularity)
        unit_names = ctx.cached(f"justice_view:unit_names:{principal.agency_id}", lambda: _unit_names(wh))
        if figures is None:
            return {"available": False}
        hidden: set[tuple[str, ...]] = set()
        if country_wide(principal):
            offices = prosecutors = None
            hidden = _hidden_cells(wh, ctx)
            key = "all"
        else:
            offices = _offices_seen(wh, scope, principal, figures.trend)
            prosecutors = _prosecutors_of(wh, offices)
            key = _digest(offices)
    label = _prosecutor_label(ctx, prosecutors)
    linked = principal.may(Permission.READ_FINDINGS)
    to_cases = cases_link(granularity) if offices is not None and principal.may(Permission.READ_CASES) else None
    view = ctx.cached(f"justice_view:{granularity}:{id(figures)}:{key}:{current()}:{linked}:{bool(to_cases)}",
                      lambda: (figures, _view(figures, offices, prosecutors, hidden, unit_names, label, linked,
                                              to_cases)))[1]  # charts in words
    return {"available": True, "country_wide": offices is None, **view}


def country_report(ctx: ServingContext, principal: Principal, fmt: str) -> bytes:
    """The country report as HTML or PDF bytes, made on demand and kept per warehouse state and per reader's
    cut (agency, role and live grants). Computed on what the reader may read (`report.readership`): its
    units, entry points counted on its rows, prosecution analytics only for roles that read them, and the
    flag queue redacted. The export is audited."""
    if fmt not in REPORT_FORMATS:
        raise HTTPException(404, _("The country report comes as HTML or PDF."))
    from baliza.report.readership import figures_for

    with ctx.reading(principal) as (wh, scope):
        figures = sources.country_figures(wh, ctx)
        if figures is None:
            raise HTTPException(503, _("The country report could not be made from this warehouse; see the log."))
        reader = f"{principal.agency_id}:{principal.role.value}:{_digest({g.grant_id for g in scope.grants})}"
        cut = ctx.cached(f"country_report:figures:{id(figures)}:{reader}",
                         lambda: (figures, figures_for(wh, scope, figures)))[1]  # no nested cache: one lock
    key = f"{id(figures)}:{reader}:{current()}"  # the document is written in the reader's language

    def document() -> tuple[Any, str]:
        from baliza.report.country import country_document

        return figures, country_document(cut)

    html = ctx.cached(f"country_report:html:{key}", document)[1]
    if fmt == "pdf":
        from baliza.report.pdf import html_to_pdf

        body = ctx.cached(f"country_report:pdf:{key}", lambda: (figures, html_to_pdf(html)))[1]
    else:
        body = html.encode("utf-8")
    record(ctx.state, principal.username, principal.agency_id, "export", f"reports/country.{fmt}",
           {"format": fmt, "flags": len(cut.flags or []), "bytes": len(body)})
    return body
