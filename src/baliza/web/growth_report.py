"""The growth report on the dashboard, cut to what its reader may see (an audited export).

Readers who may read seizures get the units their agency runs or was granted; readers who see unit
indicators only as published aggregates (oversight, programme officers) get every unit, with each line
that touches a suppressed cell left empty: its figures, its change and its trend (a test on a hidden count
would give it away).
"""

from __future__ import annotations

from dataclasses import replace

from fastapi import HTTPException

from baliza.access.audit import record
from baliza.access.principal import Principal
from baliza.analyses.growth import GrowthLine, GrowthReport, UnitGrowth
from baliza.stats.change import Change
from baliza.web import landing, services
from baliza.web.context import ServingContext

FORMATS = ("html", "pdf")


def report_for(ctx: ServingContext, principal: Principal) -> GrowthReport | None:
    """The growth report's units and lines the principal may see; None when it could not be made."""
    report = landing.growth(ctx)
    if report is None:
        return None
    if services.country_wide(principal):
        hidden = services.hidden_indicator_cells(ctx, principal)
        units = tuple(_without_hidden(unit, report.periods, hidden) for unit in report.units)
    else:
        seen = {r["subject_id"] for r in services.indicators(ctx, principal, "year") if r["subject_table"] == "units"}
        units = tuple(unit for unit in report.units if unit.unit_id in seen)
    return replace(report, units=units)


def _without_hidden(unit: UnitGrowth, periods: tuple[str, ...],
                    hidden: set[tuple[str, str, str]]) -> UnitGrowth:
    lines = tuple(_empty(line) if any((unit.unit_id, line.spec.name, p) in hidden for p in periods) else line
                  for line in unit.lines)
    return replace(unit, lines=lines)


def _empty(line: GrowthLine) -> GrowthLine:
    return replace(line, current=None, previous=None, interval=None, peer=None, trend=None, change_q=None,
                   trend_q=None, change=Change(None, None, None, line.change.method),
                   history=tuple(None for _ in line.history))


def document(ctx: ServingContext, principal: Principal, fmt: str) -> bytes:
    """The growth report as HTML or PDF bytes for the principal; recorded as an export."""
    if fmt not in FORMATS:
        raise HTTPException(404, "the growth report comes as html or pdf")
    report = report_for(ctx, principal)
    if report is None:
        raise HTTPException(503, "the growth report could not be made from this warehouse; see the log")
    from baliza.i18n import gettext as _
    from baliza.report.document import render_document
    from baliza.report.growth import growth_sections

    subtitle = _("Period %(period)s", period=report.period)
    if report.previous_period:
        subtitle = _("Period %(period)s, compared with %(previous)s", period=report.period,
                     previous=report.previous_period)
    html = render_document(_("Growth report"), growth_sections(report), subtitle)
    body = html.encode("utf-8")
    if fmt == "pdf":
        from baliza.report.pdf import html_to_pdf

        body = html_to_pdf(html)
    record(ctx.state, principal.username, principal.agency_id, "export", f"reports/growth.{fmt}",
           {"format": fmt, "units": len(report.units), "bytes": len(body)})
    return body
