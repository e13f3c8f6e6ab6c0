"""The peer-benchmark section: units side by side within their peer group, with percentile ranks whose
intervals reflect sample size, and DEA efficiency. Figures come from `analyses.growth` (which calls
`analyses.benchmarks`); nothing is computed here."""

from __future__ import annotations

import html

from baliza.analyses.growth import GrowthLine, GrowthReport, UnitGrowth
from baliza.i18n import gettext as _
from baliza.i18n import ngettext
from baliza.i18n.formatting import count, number, percent
from baliza.i18n.labels import indicator_label
from baliza.report.section import Section

RANKED = ("hit_rate", "partner_sharing_48h", "prosecution_conversion")


def benchmark_section(report: GrowthReport) -> Section:
    groups: dict[str, list[UnitGrowth]] = {}
    for unit in report.units:
        groups.setdefault(unit.peer_group, []).append(unit)
    lead = "<p class='lead'>" + html.escape(_(
        "Units compared only with units of the same kind at entry points with similar traffic, in %(period)s. A "
        "percentile of 100 is the best of the group; the interval in brackets shows how far the rank could move "
        "given the unit's sample (few inspections: a wide interval). DEA efficiency is 1 on the frontier of what "
        "the best-practice units achieve with the same staff, training and inspections; CCR assumes constant "
        "returns to scale, BCC variable returns.", period=report.period)) + "</p>"
    ranked = "".join(f"<th class='num'>{html.escape(_('%(indicator)s (percentile)', indicator=indicator_label(name)))}"
                     "</th>" for name in RANKED)
    blocks = []
    for group, units in sorted(groups.items()):
        rows = "".join(
            f"<tr><td>{html.escape(u.name)} <span class='muted'>{html.escape(u.unit_id)}</span></td>"
            + "".join(f"<td class='num'>{_rank(u.line(name))}</td>" for name in RANKED)
            + f"<td class='num'>{_score(u, 'dea_ccr')}</td><td class='num'>{_score(u, 'dea_bcc')}</td></tr>"
            for u in units
        )
        tag = f"<span class='tag'>{html.escape(group)}</span>"
        heading = ngettext("Peer group %(group)s (%(num)s unit)", "Peer group %(group)s (%(num)s units)", len(units),
                           group=tag)
        blocks.append(
            f"<h3>{heading}</h3>"
            f"<table><thead><tr><th class='wide'>{html.escape(_('Unit'))}</th>{ranked}<th class='num'>DEA CCR</th>"
            f"<th class='num'>DEA BCC</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    body = lead + ("".join(blocks) or f"<p>{html.escape(_('No units with figures in this period.'))}</p>")
    return Section(_("Peer benchmarks and DEA efficiency %(period)s", period=report.period), body, "benchmarks")


def _rank(line: GrowthLine | None) -> str:
    if line is None or line.peer is None or line.peer.value is None:
        return "–"
    peer = line.peer
    interval = f" <span class='muted'>({count(peer.low)}–{count(peer.high)})</span>" if peer.low is not None \
        and peer.high is not None else ""
    value = "" if line.current is None or line.current.value is None else \
        f"<span class='muted'>{percent(line.current.value)} · </span>"
    return f"{value}{count(peer.value)}{interval}"


def _score(unit: UnitGrowth, name: str) -> str:
    value = unit.efficiency.get(name)
    return "–" if value is None else number(value, 2)
