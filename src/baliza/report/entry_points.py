"""The report section for clause 4: all entry points of each country in one view."""

from __future__ import annotations

import html
from collections.abc import Mapping

from baliza.analyses.entry_points import CountryView, EntryPointView
from baliza.i18n import gettext as _
from baliza.i18n import ngettext
from baliza.i18n.formatting import count, day, percent
from baliza.i18n.labels import label
from baliza.report.section import Section


def entry_point_sections(views: list[CountryView], others: Mapping[str, int] | None = None) -> list[Section]:
    """One section per country. `others`: per entry point, how many units of other agencies work there that
    the reader may not see (named by number only)."""
    return [Section(_("Entry points: %(country)s", country=view.country), _country(view, others or {}),
                    f"entry-points-{view.country}") for view in views]


def _e(text: str) -> str:
    return html.escape(text)


def _headings(*names: tuple[str, str]) -> str:
    return "".join(f"<th{css}>{_e(name)}</th>" for name, css in names)


def _country(view: CountryView, others: Mapping[str, int]) -> str:
    lead = "<p class='lead'>" + _e(_("Every entry point, the programmes and units working there, their figures "
                                     "over all the data, and the joint operations that touched them.")) + "</p>"
    num = " class='num'"
    rows = "".join(_entry_point(ep, others.get(ep.entry_point_id, 0)) for ep in view.entry_points)
    headings = _headings((_("Entry point"), " class='wide'"), (_("Annual traffic"), num), (_("Units (programme)"), ""),
                         (_("Inspections"), num), (_("Hit rate"), num), (_("Seizures"), num),
                         (_("Shared in 48 h"), num), (_("Prosecuted"), num), (_("Trainings (h)"), num),
                         (_("Joint ops"), num))
    table = f"<table><thead><tr>{headings}</tr></thead><tbody>{rows}</tbody></table>"
    uncovered = ", ".join(
        f"{html.escape(ep.name)} ({html.escape(label(ep.kind))})" for ep in view.entry_points
        if ep.entry_point_id in view.uncovered
    )
    gaps = (f"<h3>{_e(_('Traffic but no unit'))}</h3>"
            f"<p>{uncovered or _e(_('None: every entry point with traffic has a unit.'))}</p>")
    separate = "".join(
        f"<tr><td>{html.escape(s.topic)}</td><td>{html.escape(', '.join(s.programmes))}</td>"
        f"<td>{count(len(s.training_ids))}</td><td>{html.escape(', '.join(s.unit_ids))}</td></tr>"
        for s in view.separate_trainings
    )
    training_headings = _headings((_("Topic"), ""), (_("Programmes"), ""), (_("Trainings"), ""), (_("Units"), ""))
    trainings = (
        f"<h3>{_e(_('Programmes training separately on the same topic'))}</h3>"
        + (
            f"<table><thead><tr>{training_headings}</tr></thead>"
            f"<tbody>{separate}</tbody></table><p class='muted'>{_e(_('Candidates for joint trainings.'))}</p>"
            if separate
            else f"<p>{_e(_('None found.'))}</p>"
        )
    )
    operations = "".join(
        "<li>" + _e(_("%(name)s (%(start)s to %(end)s; %(programmes)s)", name=op["name"], start=_day(op["starts_on"]),
                      end=_day(op["ends_on"]), programmes=", ".join(op["programmes"]) or _("programmes not listed")))
        + "</li>" for op in view.operations
    )
    heading = f"<h3>{_e(_('Joint operations'))}</h3>"
    joint = f"{heading}<ul>{operations}</ul>" if operations else f"{heading}<p>{_e(_('None.'))}</p>"
    return lead + table + gaps + trainings + joint


def _entry_point(ep: EntryPointView, others: int = 0) -> str:
    where = f"{html.escape(label(ep.kind))} · {html.escape(ep.entry_point_id)}"
    name = f"{html.escape(ep.name)}<br><span class='muted'>{where}</span>"
    traffic = count(ep.annual_traffic) if ep.annual_traffic is not None else "–"
    operations = count(len(ep.joint_operations)) if ep.joint_operations else "–"
    others_text = ngettext("%(num)s unit of other agencies", "%(num)s units of other agencies", others)
    hidden = f"<span class='muted'>{_e(others_text)}</span>" if others else ""
    if not ep.units:
        no_unit = _e(_("no unit"))
        flag = hidden or (f"<b class='down'>{no_unit}</b>" if ep.has_traffic
                          else f"<span class='muted'>{no_unit}</span>")
        return (f"<tr><td>{name}</td><td class='num'>{traffic}</td><td>{flag}</td>"
                f"<td></td><td></td><td class='num'>{count(ep.seizures)}</td><td></td><td></td><td></td>"
                f"<td class='num'>{operations}</td></tr>")
    rows = []
    for k, unit in enumerate(ep.units):
        lead = f"<td rowspan='{len(ep.units)}'>{name}</td><td class='num' rowspan='{len(ep.units)}'>{traffic}</td>" \
            if k == 0 else ""
        tail = f"<td class='num' rowspan='{len(ep.units)}'>{operations}</td>" if k == 0 else ""
        rows.append(
            f"<tr>{lead}<td>{html.escape(unit.name)} ({html.escape(unit.programme or label('none'))})</td>"
            f"<td class='num'>{count(unit.inspections)}</td><td class='num'>{_share(unit.hit_rate)}</td>"
            f"<td class='num'>{count(unit.seizures)}</td><td class='num'>{_share(unit.partner_sharing_48h)}</td>"
            f"<td class='num'>{_share(unit.prosecution_conversion)}</td>"
            f"<td class='num'>{count(unit.trainings)} ({count(unit.training_hours)})</td>{tail}</tr>"
        )
    if hidden:
        rows.append(f"<tr><td colspan='10'>{hidden}</td></tr>")
    return "".join(rows)


def _share(value: float | None) -> str:
    return "–" if value is None else percent(value)


def _day(value: object) -> str:
    """A date or timestamp as its day in the report's language, whatever type the warehouse returned."""
    return "–" if value is None else day(str(value)[:10])
