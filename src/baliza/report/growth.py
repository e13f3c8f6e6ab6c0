"""The comparison-based growth report (clause 5): sections for the HTML/PDF document from `analyses.growth`."""

from __future__ import annotations

import html

from baliza.analyses.growth import GrowthLine, GrowthReport, UnitGrowth
from baliza.analyses.ksi import Direction, Kind, load_catalogue
from baliza.report.growth_charts import capacity_heatmap, hit_rate_panels, standing_chart
from baliza.report.section import Section

HEADLINE = ("hit_rate", "targeting_lift", "partner_sharing_48h", "prosecution_conversion", "conviction_conversion")
CAPACITY = ("training_hours_per_staff", "mentoring_after_operational", "mentoring_hours_after_operational")


def growth_sections(report: GrowthReport) -> list[Section]:
    """Overview of all units (with every unit's chart in one figure), each unit's table, and the definitions."""
    if not report.units:
        return [Section("Growth report", "<p>No inspections or seizures in the warehouse for this window.</p>",
                        "growth")]
    return [
        Section(f"Growth report {report.period}: all units", overview_html(report), "growth"),
        Section("Each unit against its last period and its peers", units_html(report), "units"),
        Section("How each indicator is counted", catalogue_html(), "indicators"),
    ]


def units_html(report: GrowthReport) -> str:
    """Every unit's table, one block per unit (each with its own anchor `unit-<id>`)."""
    return "".join(
        f'<div class="unit" id="unit-{html.escape(unit.unit_id)}"><h3>{html.escape(unit.name)} '
        f'<span class="muted">({html.escape(unit.unit_id)})</span></h3>{_unit(report, unit)}</div>'
        for unit in report.units
    )


def overview_html(report: GrowthReport) -> str:
    compared = f" against {report.previous_period}" if report.previous_period else ""
    lead = (
        f"<p class='lead'>Each unit's key success indicators for {report.period}{compared}, "
        f"and against units of the same kind at entry points with similar traffic (peer group). "
        "Intervals are 95%: Wilson for shares, exact Poisson for counts. A change is marked only when a test "
        "says it is one (p &lt; 0.05): Fisher's exact test for shares, the exact conditional Poisson test for "
        "counts. Trends are GLM slopes over the periods of the window "
        f"({html.escape(report.periods[0])} to {html.escape(report.periods[-1])}).</p>"
    )
    header = "".join(f"<th class='num'>{html.escape(_label(name))}</th>" for name in HEADLINE)
    rows = []
    for unit in report.units:
        cells = "".join(f"<td class='num'>{_cell(unit.line(name))}</td>" for name in HEADLINE)
        dea = unit.efficiency.get("dea_ccr")
        rows.append(
            f"<tr><td>{html.escape(unit.name)}<br><span class='muted'>{html.escape(unit.unit_id)} · "
            f"{html.escape(unit.programme or 'no programme')}<br>{html.escape(unit.peer_group)}</span></td>{cells}"
            f"<td class='num'>{'–' if dea is None else f'{dea:.2f}'}</td></tr>"
        )
    table = (
        f"<table><thead><tr><th>Unit and peer group</th>{header}<th class='num'>DEA (CCR)</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    trends = "<h3>Every unit over time</h3>" + hit_rate_panels(report) + capacity_heatmap(report)
    return lead + standing_chart(report) + table + trends


def _unit(report: GrowthReport, unit: UnitGrowth) -> str:
    head = (
        f"<p class='lead'>{html.escape(_words(unit.kind))} · {html.escape(unit.programme or 'no programme')} · "
        f"peer group <span class='tag'>{html.escape(unit.peer_group)}</span>"
    )
    if unit.efficiency:
        head += (f" · DEA efficiency {unit.efficiency.get('dea_ccr', 0):.2f} (constant returns), "
                 f"{unit.efficiency.get('dea_bcc', 0):.2f} (variable returns)")
    head += "</p>"
    rows = "".join(_row(line) for line in unit.lines if line.spec.name not in CAPACITY)
    capacity = "".join(_row(line) for line in unit.lines if line.spec.name in CAPACITY)
    previous = html.escape(report.previous_period or "–")
    columns = (
        f"<thead><tr><th>Indicator</th><th class='num'>{html.escape(report.period)}</th><th class='num'>95% interval"
        f"</th><th class='num'>{previous}</th><th>Change</th><th>Trend</th><th class='num'>Peer percentile</th>"
        "</tr></thead>"
    )
    divider = "<tr class='divider'><td colspan='7'>Training and mentoring received</td></tr>"
    return head + f"<table class='unit-table'>{columns}<tbody>{rows}{divider}{capacity}</tbody></table>"


def _row(line: GrowthLine) -> str:
    spec = line.spec
    interval = f"{_format(spec.kind, line.interval[0])} – {_format(spec.kind, line.interval[1])}" if line.interval \
        else ""
    previous = _format(spec.kind, line.previous.value) if line.previous else "–"
    small = "" if line.enough_data or line.current is None else " <span class='muted'>(small sample)</span>"
    peer = ""
    if line.peer is not None and line.peer.low is not None:
        peer = f"{line.peer.value:.0f} <span class='muted'>({line.peer.low:.0f}–{line.peer.high:.0f})</span>"
    trend = line.trend.direction() if line.trend and line.trend.p_value is not None else "–"
    return (
        f"<tr><td>{html.escape(_label(spec.name))}{small}</td><td class='num'>{_cell(line)}</td>"
        f"<td class='num muted'>{interval}</td><td class='num'>{previous}</td><td>{_change(line)}</td>"
        f"<td>{html.escape(trend)}</td><td class='num'>{peer}</td></tr>"
    )


def _change(line: GrowthLine) -> str:
    change = line.change
    if change.p_value is None:
        return f"<span class='muted' title='{html.escape(change.method)}'>not tested</span>"
    direction = change.direction()
    if direction == "no change":
        return f"<span class='muted'>no change (p={change.p_value:.2f})</span>"
    better = (direction == "up") == (line.spec.direction is not Direction.LOWER_IS_BETTER)
    css = "" if line.spec.direction is Direction.NEUTRAL else ("up" if better else "down")
    arrow = "▲" if direction == "up" else "▼"
    return f"<span class='{css}'>{arrow} {direction} (p={change.p_value:.3f})</span>"


def _cell(line: GrowthLine | None) -> str:
    if line is None or line.current is None:
        return "–"
    return _format(line.spec.kind, line.current.value)


def _format(kind: Kind, value: float | None) -> str:
    if value is None:
        return "–"
    if kind is Kind.PROPORTION:
        return f"{100 * value:.1f}%"
    if kind is Kind.COUNT:
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def _label(name: str) -> str:
    return _words(name).replace("48h", "48 h").capitalize()


def _words(name: str) -> str:
    return name.replace("_", " ")


def catalogue_html() -> str:
    rows = "".join(
        f"<tr><td><b>{html.escape(spec.name)}</b><br>{html.escape(spec.meaning)}</td>"
        f"<td>{html.escape(spec.numerator)}</td><td>{html.escape(spec.denominator)}</td>"
        f"<td>{html.escape(_words(spec.direction.value))}<br><span class='muted'>minimum sample "
        f"{spec.minimum_sample}; dated by {html.escape(spec.dated_by)}</span></td></tr>"
        for spec in load_catalogue()
    )
    return ("<table><thead><tr><th>Indicator</th><th>Numerator</th><th>Denominator</th><th>Direction</th></tr>"
            f"</thead><tbody>{rows}</tbody></table>")
