"""The comparison-based growth report (clause 5): sections for the HTML/PDF document from `analyses.growth`.

It leads with a summary in words (`summary_html`): what changed after the correction for multiplicity, how
sure we are, and which indicators wait for their outcome (censoring).
"""

from __future__ import annotations

import html

from baliza.analyses.growth import GrowthLine, GrowthReport, Movement, UnitGrowth
from baliza.analyses.ksi import Direction, Kind, Ripeness, get_spec, load_catalogue
from baliza.report.growth_charts import capacity_heatmap, hit_rate_panels, standing_chart
from baliza.report.section import Section
from baliza.stats.change import format_p

HEADLINE = ("hit_rate", "targeting_lift", "partner_sharing_48h", "prosecution_conversion", "conviction_conversion")
CAPACITY = ("training_hours_per_staff", "mentoring_after_operational", "mentoring_hours_after_operational")
LISTED = 12  # movements spelled out in the summary; the rest are counted


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


def summary_html(report: GrowthReport) -> str:
    """One page in words: what changed (after the correction), how sure we are, and what is too recent to judge."""
    family, found = report.family, report.movements()
    window = f"{report.periods[0]} to {report.periods[-1]}" if report.periods else report.period
    level = f"{100 * family.level:.0f}%"
    tests = (
        f"<p>This report runs <b>{family.size} tests</b>: {family.changes} of a unit's indicator against its last "
        f"period and {family.trends} of its trend over {html.escape(window)}. Among so many, some pass p &lt; 0.05 "
        f"by chance alone ({report.uncorrected()} did here), so all {family.size} are one family and the false "
        f"discovery rate is held at {level} across it ({html.escape(family.method)}). A change is called one only "
        f"when its q-value is below {family.level:g}: of the changes so called, about one in "
        f"{round(1 / family.level)} may still be chance.</p>"
    )
    if not found:
        verdict = (f"<p class='lead'><b>No change stands after the correction for multiplicity.</b> "
                   f"{report.uncorrected()} of the {family.size} tests had p &lt; 0.05; chance alone would give "
                   f"about {0.05 * family.size:.0f} if nothing had changed anywhere.</p>")
        listed = ""
    else:
        verdict = (f"<p class='lead'><b>{len(found)} change{'s' if len(found) != 1 else ''} stand"
                   f"{'s' if len(found) == 1 else ''} after the correction</b>, the surest first:</p>")
        items = "".join(f"<li>{_movement(report, m)}</li>" for m in found[:LISTED])
        more = f"<li>and {len(found) - LISTED} more (each unit's table below)</li>" if len(found) > LISTED else ""
        listed = f"<ul class='movements'>{items}{more}</ul>"
    return verdict + listed + tests + _censoring_html(report)


def _movement(report: GrowthReport, m: Movement) -> str:
    spec, line = m.line.spec, m.line
    judged = "" if spec.direction is Direction.NEUTRAL else (
        " (better)" if (m.direction in ("up", "rising")) == (spec.direction is Direction.HIGHER_IS_BETTER)
        else " (worse)")
    sure = f"{format_p(m.p_value)}, {format_p(m.q_value, 'q')}"
    if m.test == "change":
        before = _format(spec.kind, line.previous.value if line.previous else None)
        now = _format(spec.kind, line.current.value if line.current else None)
        what = (f"{html.escape(_label(spec.name).lower())} {m.direction} from {before} "
                f"({html.escape(line.previous_period or '')}) to {now} ({html.escape(line.period or '')})")
    else:
        what = f"{html.escape(_label(spec.name).lower())} {m.direction} over {html.escape(_span(report))}"
    return f"<b>{html.escape(m.unit.name)}</b>: {what}{judged}; <span class='muted'>{sure}</span>"


def _span(report: GrowthReport) -> str:
    return f"{report.periods[0]}–{report.periods[-1]}" if report.periods else report.period


def _censoring_html(report: GrowthReport) -> str:
    """Which indicators wait for an outcome, and which periods they therefore compare."""
    if not report.horizons:
        return ""
    items = []
    for horizon in report.horizons:
        spec = get_spec(horizon.indicator)
        line = next((u.line(spec.name) for u in report.units if u.line(spec.name)), None)
        compared = ""
        if line is not None and line.period:
            cut = horizon.cutoff
            partial = horizon.ripeness(line.period) is Ripeness.PARTIAL and cut is not None
            compared = f": compares {html.escape(line.period)}" + (
                f" (its seizures before {cut.date().isoformat()})" if partial and cut else "") + (
                f" with {html.escape(line.previous_period)}" if line.previous_period else "")
        items.append(f"<li><b>{html.escape(_label(spec.name))}</b>{compared}: "
                     f"{html.escape(horizon.method())}.</li>")
    return (
        "<p>Outcomes that take time are compared like with like. A seizure made last month has not had time to "
        "become a case or reach a verdict, so counting it would make every recent period look worse. Each such "
        "indicator counts its outcome within a fixed horizon of the seizure, on seizures old enough to have had it "
        "by the end of the data (fixed-horizon cohorts, not a survival model):</p>"
        f"<ul>{''.join(items)}</ul>"
    )


def overview_html(report: GrowthReport) -> str:
    """The summary in words, then every unit's headline figures and the charts (also used by the country report)."""
    compared = f" against {report.previous_period}" if report.previous_period else ""
    lead = (
        f"<h3>What changed, and how sure we are</h3>{summary_html(report)}"
        f"<h3>Every unit</h3><p class='lead'>Each unit's key success indicators for {report.period}{compared}, "
        f"and against units of the same kind at entry points with similar traffic (peer group). "
        "Intervals are 95%: Wilson for shares, exact Poisson for counts. Changes: Fisher's exact test for shares, "
        "the exact conditional Poisson test for counts; trends are GLM slopes over the periods of the window "
        f"({html.escape(report.periods[0])} to {html.escape(report.periods[-1])}). Each shows its p-value and its "
        f"q-value within the family of the report's {report.family.size} tests.</p>"
    )
    header = "".join(f"<th class='num'>{html.escape(_label(name))}{_period_note(report, name)}</th>"
                     for name in HEADLINE)
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


def _period_note(report: GrowthReport, name: str) -> str:
    """' (2024)' under a headline whose figure is of an older period than the report's (too recent to judge)."""
    line = next((u.line(name) for u in report.units if u.line(name) is not None), None)
    if line is None or line.period is None or line.period == report.period:
        return ""
    return f"<br><span class='muted'>{html.escape(line.period)}</span>"


def _unit(report: GrowthReport, unit: UnitGrowth) -> str:
    head = (
        f"<p class='lead'>{html.escape(_words(unit.kind))} · {html.escape(unit.programme or 'no programme')} · "
        f"peer group <span class='tag'>{html.escape(unit.peer_group)}</span>"
    )
    if unit.efficiency:
        head += (f" · DEA efficiency {unit.efficiency.get('dea_ccr', 0):.2f} (constant returns), "
                 f"{unit.efficiency.get('dea_bcc', 0):.2f} (variable returns)")
    head += "</p>"
    rows = "".join(_row(report, line) for line in unit.lines if line.spec.name not in CAPACITY)
    capacity = "".join(_row(report, line) for line in unit.lines if line.spec.name in CAPACITY)
    previous = html.escape(report.previous_period or "–")
    columns = (
        f"<thead><tr><th>Indicator</th><th class='num'>{html.escape(report.period)}</th><th class='num'>95% interval"
        f"</th><th class='num'>{previous}</th><th>Change</th><th>Trend</th><th class='num'>Peer percentile</th>"
        "</tr></thead>"
    )
    divider = "<tr class='divider'><td colspan='7'>Training and mentoring received</td></tr>"
    return head + f"<table class='unit-table'>{columns}<tbody>{rows}{divider}{capacity}</tbody></table>"


def _row(report: GrowthReport, line: GrowthLine) -> str:
    spec = line.spec
    interval = f"{_format(spec.kind, line.interval[0])} – {_format(spec.kind, line.interval[1])}" if line.interval \
        else ""
    previous = _format(spec.kind, line.previous.value) if line.previous else "–"
    small = "" if line.enough_data or line.current is None else " <span class='muted'>(small sample)</span>"
    peer = ""
    if line.peer is not None and line.peer.low is not None:
        peer = f"{line.peer.value:.0f} <span class='muted'>({line.peer.low:.0f}–{line.peer.high:.0f})</span>"
    now = _cell(line) + _older(line.period, report.period)
    previous += _older(line.previous_period, report.previous_period)
    return (
        f"<tr><td>{html.escape(_label(spec.name))}{small}</td><td class='num'>{now}</td>"
        f"<td class='num muted'>{interval}</td><td class='num'>{previous}</td><td>{_change(report, line)}</td>"
        f"<td>{_trend(report, line)}</td><td class='num'>{peer}</td></tr>"
    )


def _older(period: str | None, column: str | None) -> str:
    """The period of a figure shown under a column of another period (an outcome still too recent to judge)."""
    return "" if period is None or period == column else f" <span class='muted'>({html.escape(period)})</span>"


def _family(report: GrowthReport, method: str) -> str:
    family = report.family
    return html.escape(f"{method}; family: the {family.name} ({family.size} tests, {family.method}, "
                       f"FDR {family.level:g})", quote=True)


def _change(report: GrowthReport, line: GrowthLine) -> str:
    change = line.change
    if change.p_value is None or line.change_q is None:
        return f"<span class='muted' title='{html.escape(change.method, quote=True)}'>not tested</span>"
    sure = f"{format_p(change.p_value)}, {format_p(line.change_q, 'q')}"
    title = _family(report, change.method)
    direction = line.change_direction(report.family.level)
    if direction == "no change":
        return f"<span class='muted' title='{title}'>no change ({sure})</span>"
    better = (direction == "up") == (line.spec.direction is not Direction.LOWER_IS_BETTER)
    css = "" if line.spec.direction is Direction.NEUTRAL else ("up" if better else "down")
    arrow = "▲" if direction == "up" else "▼"
    return f"<span class='{css}' title='{title}'>{arrow} {direction} ({sure})</span>"


def _trend(report: GrowthReport, line: GrowthLine) -> str:
    """The trend's direction at the report's FDR; its p and q beside a trend that stands, in the tooltip otherwise."""
    trend = line.trend
    if trend is None or trend.p_value is None or line.trend_q is None:
        return "–"
    direction = line.trend_direction(report.family.level)
    sure = f"{format_p(trend.p_value)}, {format_p(line.trend_q, 'q')}"
    title = _family(report, f"{trend.method}; {sure}")
    if direction == "no trend":
        return f"<span class='muted' title='{title}'>no trend</span>"
    return f"<span title='{title}'>{direction} <span class='muted'>({sure})</span></span>"


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
