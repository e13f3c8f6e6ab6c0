"""The landing page of each role: the first question that role comes with, answered on `/`.

- unit officer: how its unit does against its peers this period (its own unit: the agency's largest unless
  it picks another), from the growth report's figures;
- prosecution inspector: the findings waiting for its decision, and how the offices it oversees do;
- programme officer: its programme's outcomes, and what the growth report says moved;
- oversight: the published aggregates (small cells suppressed);
- administrator: loads, quarantine, users, grants, tokens and the audit log.
Any other role (the analyst) gets the overview of seizures by place and time.

Everything here is read through `services` (scope applied, audit written) or the analyses' cached results;
this module only chooses and arranges.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from baliza.access.principal import Principal
from baliza.access.roles import Permission, Role
from baliza.analyses.growth import GrowthLine, GrowthReport
from baliza.web import justice, services
from baliza.web.context import ServingContext

KEY_INDICATORS = ("seizures", "hit_rate", "prosecution_conversion", "conviction_conversion")


@dataclass(frozen=True)
class Landing:
    template: str
    context: dict[str, Any]


def landing(ctx: ServingContext, principal: Principal, unit: str | None = None) -> Landing:
    """The landing page for the principal's role."""
    if principal.role is Role.UNIT_OFFICER:
        return Landing("landing_unit.html", unit_view(ctx, principal, unit))
    if principal.role is Role.PROSECUTION_INSPECTOR:
        return Landing("landing_inspector.html", inspector_view(ctx, principal))
    if principal.role is Role.PROGRAMME_OFFICER:
        return Landing("landing_programme.html", programme_view(ctx, principal))
    if principal.role is Role.OVERSIGHT:
        return Landing("landing_oversight.html", oversight_view(ctx, principal))
    if principal.role is Role.ADMIN:
        from baliza.web.admin import admin_summary

        return Landing("landing_admin.html", admin_summary(ctx, principal))
    return Landing("overview.html", services.overview_page(ctx, principal))


# --- the growth report, once per warehouse state ---------------------------------------------------------

def growth(ctx: ServingContext) -> GrowthReport | None:
    """The growth report of every unit by year (`analyses.growth`), computed once per load; None if it failed."""
    from baliza.web.results import results_of

    return results_of(ctx).growth or None


def agency_units(ctx: ServingContext, principal: Principal) -> list[dict[str, Any]]:
    """The units the principal's agency runs, largest first (by seizures in the growth report's period)."""
    report = growth(ctx)
    made = {}
    if report is not None:
        for u in report.units:
            line = u.line("seizures")
            made[u.unit_id] = (line.current.value if line and line.current else 0) or 0
    with ctx.locked() as wh:
        units = wh.table("units")
        rows = units.filter(units.agency_id == principal.agency_id).select("unit_id", "name", "kind") \
            .to_pyarrow().to_pylist()
    rows = [{**r, "seizures": made.get(r["unit_id"], 0)} for r in rows]
    return sorted(rows, key=lambda r: (-r["seizures"], r["name"] or r["unit_id"]))


def unit_view(ctx: ServingContext, principal: Principal, unit: str | None) -> dict[str, Any]:
    """The unit's indicators this period, last period, the interval, the change and its peer percentile."""
    units = agency_units(ctx, principal)
    known = {u["unit_id"] for u in units}
    chosen = unit if unit in known else (units[0]["unit_id"] if units else None)
    report = growth(ctx)
    found = next((u for u in report.units if u.unit_id == chosen), None) if report and chosen else None
    lines = [line_row(line) for line in found.lines] if found else []
    return {
        "units": units, "unit_id": chosen, "unit": found, "lines": lines,
        "key": {r["indicator"]: r for r in lines if r["indicator"] in KEY_INDICATORS},
        "period": report.period if report else None, "previous_period": report.previous_period if report else None,
        "peer_count": peer_count(report, found.peer_group) if report and found else 0,
    }


def peer_count(report: GrowthReport, group: str) -> int:
    """How many units share the peer group (the unit included)."""
    return sum(1 for u in report.units if u.peer_group == group)


def line_row(line: GrowthLine) -> dict[str, Any]:
    """One growth line as plain data for a table row."""
    current, previous, peer = line.current, line.previous, line.peer
    return {
        "indicator": line.spec.name, "kind": line.spec.kind.value, "direction": line.spec.direction.value,
        "period": line.period, "previous_period": line.previous_period,
        "value": current.value if current else None,
        "numerator": current.numerator if current else None,
        "denominator": current.denominator if current else None,
        "low": line.interval[0] if line.interval else None, "high": line.interval[1] if line.interval else None,
        "previous": previous.value if previous else None,
        "change": line.change_direction(), "trend": line.trend_direction(),
        "percentile": peer.value if peer else None,
        "percentile_low": peer.low if peer else None, "percentile_high": peer.high if peer else None,
        "enough_data": line.enough_data, "note": current.note if current else "",
    }


# --- prosecution inspector -------------------------------------------------------------------------------

OFFICE_INDICATORS = ("clearance_rate", "disposition_time_days", "dismissal_rate",
                     "conviction_rate")


def inspector_view(ctx: ServingContext, principal: Principal) -> dict[str, Any]:
    """The findings waiting for a decision (by rule, the first few) and the offices' latest efficiency."""
    found = services.findings(ctx, principal) if principal.may(Permission.READ_FINDINGS) else []
    waiting = [f for f in found if f["decision"] is None]
    by_rule: dict[str, int] = {}
    for f in waiting:
        by_rule[f["rule"]] = by_rule.get(f["rule"], 0) + 1
    view = justice.justice_view(ctx, principal, "year")
    offices: dict[str, dict[str, Any]] = {}
    for row in view.get("rows", []):
        offices.setdefault(row["subject_id"], {})[row["indicator"]] = row
    return {
        "findings_total": len(found), "waiting": len(waiting), "first_waiting": waiting[:5],
        "by_rule": sorted(by_rule.items(), key=lambda item: (-item[1], item[0])),
        "offices": offices, "office_indicators": OFFICE_INDICATORS, "latest": view.get("latest"),
        "trend_svg": view.get("trend_svg", ""),
    }


# --- programme officer -----------------------------------------------------------------------------------

def programme_view(ctx: ServingContext, principal: Principal) -> dict[str, Any]:
    """The programme's outcomes (its agency's enrolments or episodes) and the growth report's movements."""
    outcomes = published_outcomes(ctx, principal)
    report = growth(ctx)
    hidden = services.hidden_indicator_cells(ctx, principal)
    movements = []
    if report is not None:
        for m in report.movements():
            cells = {(m.unit.unit_id, m.line.spec.name, p) for p in (m.line.period, m.line.previous_period)}
            if not cells & hidden:
                movements.append(m)
    return {**outcomes, "report": report, "movements": movements[:8], "movement_count": len(movements),
            "growth_units": growth_glance(ctx, principal)}


def published_outcomes(ctx: ServingContext, principal: Principal) -> dict[str, Any]:
    """The programme's headline figures as published (`web.programmes_data`: small cells and their
    complements hidden, as on the programme pages), in the shape the landing page reads; the read audited."""
    from baliza.access.audit import record
    from baliza.web.programmes_data import publication

    found = publication(ctx, principal)
    record(ctx.state, principal.username, principal.agency_id, "read_programme_outcomes",
           f"programmes/{found['programme']}", {"programme": found["programme"], "via": "landing"})
    totals = found["totals"]
    if found["programme"] == "treatment":
        return {"programme": "treatment", "treatment": {"totals": totals, "by_year": found["years"]}}
    income = totals.get("income") or {}
    return {"programme": "livelihood", "livelihood": {
        "totals": totals, "by_year": found["years"], "by_status": found["statuses"],
        "income": {"people": totals.get("income_people"), "before": income.get("median_before"),
                   "after": income.get("median_after")}}}


GLANCE_INDICATORS = ("seizures", "hit_rate", "prosecution_conversion")


def growth_glance(ctx: ServingContext, principal: Principal, top: int = 8) -> list[dict[str, Any]]:
    """The growth report's largest units (by seizures this period): each key indicator now and before, as
    the principal may see them (lines touching a suppressed cell are empty)."""
    from baliza.web.growth_report import report_for

    report = report_for(ctx, principal)
    if report is None:
        return []
    out = []
    for unit in report.units:
        lines = {name: line_row(line) for name in GLANCE_INDICATORS if (line := unit.line(name)) is not None}
        out.append({"unit_id": unit.unit_id, "name": unit.name, "lines": lines})
    out.sort(key=lambda u: -((u["lines"].get("seizures") or {}).get("value") or 0))
    return out[:top]


# --- oversight -------------------------------------------------------------------------------------------

def oversight_view(ctx: ServingContext, principal: Principal) -> dict[str, Any]:
    """Seizures by place and time, the units' key indicators and the offices' figures, all as published."""
    page = services.overview_page(ctx, principal)
    rows = services.indicators(ctx, principal, "year")
    latest = max((r["period"] for r in rows if r["indicator"] == "seizures"), default=None)
    units: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r["period"] == latest and r["indicator"] in KEY_INDICATORS and r["subject_table"] == "units":
            units.setdefault(r["subject_id"], {})[r["indicator"]] = r
    ordered = sorted(units.items(), key=lambda item: -((item[1].get("seizures") or {}).get("value") or 0))
    view = justice.justice_view(ctx, principal, "year")
    offices: dict[str, dict[str, Any]] = {}
    for row in view.get("rows", []):
        offices.setdefault(row["subject_id"], {})[row["indicator"]] = row
    return {**page, "latest": latest, "units": [u for u, figures in ordered if figures.get("seizures")],
            "unit_figures": units, "key_indicators": KEY_INDICATORS, "offices": offices,
            "office_indicators": OFFICE_INDICATORS, "justice_latest": view.get("latest")}
