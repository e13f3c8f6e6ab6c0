"""The country report as one reader may see it, by the same permission table and agency scope as the pages.

The figures are computed once on the whole warehouse (`country_figures`); `figures_for` then keeps what the
reader may read, so that nothing of another agency reaches the document, its charts or their tooltips:
- units: those the reader's agency runs or was granted (the rule of the indicators page); peer ranks and
  DEA scores of the reader's units stay, other units' names, ids and figures go;
- entry points: counted again on the rows in scope (seizures, consignments, operations, trainings), other
  agencies' units named by number only;
- prosecution analytics (funnels, offices' efficiency, justice headlines) only for roles that may read
  them on the Justice page (READ_JUSTICE), and then only the offices in scope and their prosecutors;
- the flag queue only for roles that may read findings, each finding redacted (`access.redaction`);
- what the data covers: the rows in scope and the agency's own loads.

Without a reader (`baliza report country` with no `--user`) the report is the operator's view of the whole
warehouse, and says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from baliza.access.principal import AccessDenied
from baliza.access.roles import Permission
from baliza.access.scope import Scope, ScopedWarehouse
from baliza.analyses.coverage import visible_coverage
from baliza.analyses.entry_points import CountryView, entry_point_views
from baliza.analyses.model import Finding
from baliza.i18n import N_
from baliza.i18n import gettext as _
from baliza.report.country import CountryFigures
from baliza.report.justice import JusticeFigures
from baliza.warehouse.store import Warehouse

AGENCY_AUDIENCE = N_("the rows agency %(agency)s reported or was granted, as its role (%(role)s) may read them")


def readable_units(wh: Warehouse, scope: Scope, wanted: set[str]) -> set[str]:
    """The units among `wanted` the reader's agency runs, or whose rows it reported or was granted."""
    from baliza.access.finding_scope import visible_ids

    units = wh.table("units")
    run = set(units.filter(units.agency_id == scope.principal.agency_id).unit_id.to_pyarrow().to_pylist())
    return (run & wanted) | visible_ids(wh, scope, "units", wanted)


def figures_for(wh: Warehouse, scope: Scope, figures: CountryFigures, results: Any = None) -> CountryFigures:
    """`figures` cut to what `scope.principal` may read. Refused to roles that may not export (as the
    Reports page is): the report is an export."""
    principal = scope.principal
    if not principal.may(Permission.EXPORT):
        raise AccessDenied(_("role %(role)s may not export reports", role=principal.role.value))
    scoped = ScopedWarehouse(wh, scope)
    views = entry_point_views(scoped)  # type: ignore[arg-type]  # reads only through table()
    wanted = {u.unit_id for u in figures.growth.units} | {u.unit_id for v in views for ep in v.entry_points
                                                         for u in ep.units}
    units = readable_units(wh, scope, wanted)
    growth = replace(figures.growth, units=tuple(u for u in figures.growth.units if u.unit_id in units))
    views, others = _entry_points_in(views, units)
    shown = _findings_shown(wh, scope, figures.justice, results)
    return replace(
        figures,
        coverage=visible_coverage(scoped, wh, principal.agency_id),
        growth=growth,
        justice=_justice_in(wh, scope, figures.justice, [f for f, _ in shown]),
        entry_points=views,
        flags=[plain for _, plain in shown],
        others_units=others,
        audience=AGENCY_AUDIENCE, audience_values={"agency": principal.agency_id, "role": principal.role.value},
        justice_shown=principal.may(Permission.READ_JUSTICE),
        assets=_on_scope(scoped, principal, Permission.READ_ASSETS, "assets"),
        early_warning=_on_scope(scoped, principal, Permission.READ_EARLY_WARNING, "early_warning"),
    )


def _on_scope(scoped: ScopedWarehouse, principal: Any, permission: Permission, what: str) -> dict[str, Any] | None:
    """Asset recovery or early warning computed again on the rows in scope, for roles whose page shows them."""
    if not principal.may(permission):
        return None
    if what == "assets":
        from baliza.report.assets import asset_figures

        return asset_figures(scoped, detail=False)
    from baliza.report.early_warning import early_warning_figures

    return early_warning_figures(scoped)


def _entry_points_in(views: list[CountryView], units: set[str]) -> tuple[list[CountryView], Mapping[str, int]]:
    """Entry-point views keeping only the readable units; how many other units each entry point has."""
    others: dict[str, int] = {}
    cut = []
    for view in views:
        points = []
        for ep in view.entry_points:
            kept = tuple(u for u in ep.units if u.unit_id in units)
            if len(kept) < len(ep.units):
                others[ep.entry_point_id] = len(ep.units) - len(kept)
            points.append(replace(ep, units=kept,
                                  programmes=tuple(sorted({u.programme for u in kept if u.programme
                                                           and u.programme != "none"}))))
        trainings = tuple(replace(t, unit_ids=tuple(u for u in t.unit_ids if u in units))
                          for t in view.separate_trainings)
        cut.append(replace(view, entry_points=tuple(points),
                           separate_trainings=tuple(t for t in trainings if t.unit_ids)))
    return cut, others


def _justice_in(wh: Warehouse, scope: Scope, justice: JusticeFigures, findings: list[Finding]) -> JusticeFigures:
    """Prosecution analytics of the offices in scope (roles that may read them), else none."""
    principal = scope.principal
    if not principal.may(Permission.READ_JUSTICE):
        return JusticeFigures(findings, {}, [])
    offices = readable_units(wh, scope, {i.subject_id for i in justice.trend if i.subject_table == "units"})
    staff = wh.table("staff")
    prosecutors = set(staff.filter(staff.unit_id.isin(sorted(offices))).staff_id.to_pyarrow().to_pylist()) \
        if offices else set()
    return JusticeFigures(
        findings,
        {name: frame[frame["unit"].isin(sorted(prosecutors))] for name, frame in justice.funnels.items()},
        [i for i in justice.trend if i.subject_table == "units" and i.subject_id in offices],
    )


def _findings_shown(wh: Warehouse, scope: Scope, justice: JusticeFigures,
                    results: Any) -> list[tuple[Finding, dict[str, Any]]]:
    """The findings the reader may see, each redacted to what it may read (none for roles that may not)."""
    from baliza.access.finding_scope import shown_findings

    if not scope.principal.may(Permission.READ_FINDINGS):
        return []
    return shown_findings(wh, scope, justice.findings, results)
