"""The report section for clause 4: all entry points of each country in one view."""

from __future__ import annotations

import html
from collections.abc import Mapping

from baliza.analyses.entry_points import CountryView, EntryPointView
from baliza.report.section import Section


def entry_point_sections(views: list[CountryView], others: Mapping[str, int] | None = None) -> list[Section]:
    """One section per country. `others`: per entry point, how many units of other agencies work there that
    the reader may not see (named by number only)."""
    return [Section(f"Entry points: {view.country}", _country(view, others or {}), f"entry-points-{view.country}")
            for view in views]


def _country(view: CountryView, others: Mapping[str, int]) -> str:
    lead = (
        "<p class='lead'>Every entry point, the programmes and units working there, their figures over all the "
        "data, and the joint operations that touched them.</p>"
    )
    rows = "".join(_entry_point(ep, others.get(ep.entry_point_id, 0)) for ep in view.entry_points)
    table = (
        "<table><thead><tr><th class='wide'>Entry point</th><th class='num'>Annual traffic</th>"
        "<th>Units (programme)</th>"
        "<th class='num'>Inspections</th><th class='num'>Hit rate</th><th class='num'>Seizures</th>"
        "<th class='num'>Shared in 48 h</th><th class='num'>Prosecuted</th><th class='num'>Trainings (h)</th>"
        f"<th class='num'>Joint ops</th></tr></thead><tbody>{rows}</tbody></table>"
    )
    uncovered = ", ".join(
        f"{html.escape(ep.name)} ({html.escape(ep.kind)})" for ep in view.entry_points
        if ep.entry_point_id in view.uncovered
    )
    gaps = f"<h3>Traffic but no unit</h3><p>{uncovered or 'None: every entry point with traffic has a unit.'}</p>"
    separate = "".join(
        f"<tr><td>{html.escape(s.topic)}</td><td>{html.escape(', '.join(s.programmes))}</td>"
        f"<td>{len(s.training_ids)}</td><td>{html.escape(', '.join(s.unit_ids))}</td></tr>"
        for s in view.separate_trainings
    )
    trainings = (
        "<h3>Programmes training separately on the same topic</h3>"
        + (
            "<table><thead><tr><th>Topic</th><th>Programmes</th><th>Trainings</th><th>Units</th></tr></thead>"
            f"<tbody>{separate}</tbody></table><p class='muted'>Candidates for joint trainings.</p>"
            if separate
            else "<p>None found.</p>"
        )
    )
    operations = "".join(
        f"<li>{html.escape(op['name'])} ({html.escape(_day(op['starts_on']))} to {html.escape(_day(op['ends_on']))}"
        f"; {html.escape(', '.join(op['programmes']) or 'programmes not listed')})</li>"
        for op in view.operations
    )
    joint = f"<h3>Joint operations</h3><ul>{operations}</ul>" if operations else "<h3>Joint operations</h3><p>None.</p>"
    return lead + table + gaps + trainings + joint


def _entry_point(ep: EntryPointView, others: int = 0) -> str:
    where = f"{html.escape(ep.kind)} · {html.escape(ep.entry_point_id)}"
    name = f"{html.escape(ep.name)}<br><span class='muted'>{where}</span>"
    traffic = f"{ep.annual_traffic:,}" if ep.annual_traffic is not None else "–"
    operations = str(len(ep.joint_operations)) if ep.joint_operations else "–"
    hidden = f"<span class='muted'>{others} unit{'s' if others != 1 else ''} of other agencies</span>" \
        if others else ""
    if not ep.units:
        flag = hidden or ("<b class='down'>no unit</b>" if ep.has_traffic else "<span class='muted'>no unit</span>")
        return (f"<tr><td>{name}</td><td class='num'>{traffic}</td><td>{flag}</td>"
                f"<td></td><td></td><td class='num'>{ep.seizures}</td><td></td><td></td><td></td>"
                f"<td class='num'>{operations}</td></tr>")
    rows = []
    for k, unit in enumerate(ep.units):
        lead = f"<td rowspan='{len(ep.units)}'>{name}</td><td class='num' rowspan='{len(ep.units)}'>{traffic}</td>" \
            if k == 0 else ""
        tail = f"<td class='num' rowspan='{len(ep.units)}'>{operations}</td>" if k == 0 else ""
        rows.append(
            f"<tr>{lead}<td>{html.escape(unit.name)} ({html.escape(unit.programme or 'none')})</td>"
            f"<td class='num'>{unit.inspections:,}</td><td class='num'>{_share(unit.hit_rate)}</td>"
            f"<td class='num'>{unit.seizures:,}</td><td class='num'>{_share(unit.partner_sharing_48h)}</td>"
            f"<td class='num'>{_share(unit.prosecution_conversion)}</td>"
            f"<td class='num'>{unit.trainings} ({unit.training_hours:,.0f})</td>{tail}</tr>"
        )
    if hidden:
        rows.append(f"<tr><td colspan='10'>{hidden}</td></tr>")
    return "".join(rows)


def _share(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def _day(value: object) -> str:
    """A date or timestamp as its day (2025-03-01), whatever type the warehouse returned."""
    return "–" if value is None else str(value)[:10]
