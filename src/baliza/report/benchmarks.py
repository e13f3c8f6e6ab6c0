"""The peer-benchmark section: units side by side within their peer group, with percentile ranks whose
intervals reflect sample size, and DEA efficiency. Figures come from `analyses.growth` (which calls
`analyses.benchmarks`); nothing is computed here."""

from __future__ import annotations

import html

from baliza.analyses.growth import GrowthLine, GrowthReport, UnitGrowth
from baliza.report.section import Section

RANKED = ("hit_rate", "partner_sharing_48h", "prosecution_conversion")


def benchmark_section(report: GrowthReport) -> Section:
    groups: dict[str, list[UnitGrowth]] = {}
    for unit in report.units:
        groups.setdefault(unit.peer_group, []).append(unit)
    lead = (
        f"<p class='lead'>Units compared only with units of the same kind at entry points with similar traffic, in "
        f"{html.escape(report.period)}. A percentile of 100 is the best of the group; the interval in brackets "
        "shows how far the rank could move given the unit's sample (few inspections: a wide interval). DEA "
        "efficiency is 1 on the frontier of what the best-practice units achieve with the same staff, training "
        "and inspections; CCR assumes constant returns to scale, BCC variable returns.</p>"
    )
    ranked = "".join(f"<th class='num'>{html.escape(name.replace('_', ' ').replace('48h', '48 h'))} "
                     "(percentile)</th>" for name in RANKED)
    blocks = []
    for group, units in sorted(groups.items()):
        rows = "".join(
            f"<tr><td>{html.escape(u.name)} <span class='muted'>{html.escape(u.unit_id)}</span></td>"
            + "".join(f"<td class='num'>{_rank(u.line(name))}</td>" for name in RANKED)
            + f"<td class='num'>{_score(u, 'dea_ccr')}</td><td class='num'>{_score(u, 'dea_bcc')}</td></tr>"
            for u in units
        )
        blocks.append(
            f"<h3>Peer group <span class='tag'>{html.escape(group)}</span> ({len(units)} units)</h3>"
            f"<table><thead><tr><th class='wide'>Unit</th>{ranked}<th class='num'>DEA CCR</th>"
            f"<th class='num'>DEA BCC</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    body = lead + ("".join(blocks) or "<p>No units with figures in this period.</p>")
    return Section(f"Peer benchmarks and DEA efficiency {report.period}", body, "benchmarks")


def _rank(line: GrowthLine | None) -> str:
    if line is None or line.peer is None or line.peer.value is None:
        return "–"
    peer = line.peer
    interval = f" <span class='muted'>({peer.low:.0f}–{peer.high:.0f})</span>" if peer.low is not None \
        and peer.high is not None else ""
    value = "" if line.current is None or line.current.value is None else \
        f"<span class='muted'>{100 * line.current.value:.0f}% · </span>"
    return f"{value}{peer.value:.0f}{interval}"


def _score(unit: UnitGrowth, name: str) -> str:
    value = unit.efficiency.get(name)
    return "–" if value is None else f"{value:.2f}"
