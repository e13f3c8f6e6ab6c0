"""The comparison-based growth report (clause 5): sections for the HTML/PDF document from `analyses.growth`."""

from __future__ import annotations

import html

import altair as alt
import pandas as pd

from baliza.analyses.growth import GrowthLine, GrowthReport, UnitGrowth
from baliza.analyses.ksi import Direction, Kind, load_catalogue
from baliza.report.charts import to_svg
from baliza.report.section import Section
from baliza.stats.intervals import wilson_interval

HEADLINE = ("hit_rate", "targeting_lift", "partner_sharing_48h", "prosecution_conversion", "conviction_conversion")
CAPACITY = ("training_hours_per_staff", "mentoring_after_operational", "mentoring_hours_after_operational")
PALETTE = ["#1f4e79", "#c2410c", "#15803d", "#7c3aed", "#b91c1c", "#0e7490", "#a16207", "#4b5563"]


def growth_sections(report: GrowthReport) -> list[Section]:
    """Overview of all units, one section per unit, and what each indicator means."""
    if not report.units:
        return [Section("Growth report", "<p>No inspections or seizures in the warehouse for this window.</p>",
                        "growth")]
    sections = [Section(f"Growth report {report.period}: all units", _overview(report), "growth")]
    sections += [Section(f"{unit.name} ({unit.unit_id})", _unit(report, unit), f"unit-{unit.unit_id}")
                 for unit in report.units]
    sections.append(Section("How each indicator is counted", _catalogue(), "indicators"))
    return sections


def _overview(report: GrowthReport) -> str:
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
    charts = f"<div class='grid'>{_hit_rate_chart(report)}{_dea_chart(report)}</div>"
    return lead + charts + table


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
    return (
        head + f"<figure>{_unit_chart(report, unit)}<figcaption>Hit rate per period with its 95% interval, beside "
        "the training hours and mentoring the unit received.</figcaption></figure>"
        f"<h3>Outcomes</h3><table>{columns}<tbody>{rows}</tbody></table>"
        f"<h3>Training and mentoring received</h3><table>{columns}<tbody>{capacity}</tbody></table>"
    )


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


def _catalogue() -> str:
    rows = "".join(
        f"<tr><td><b>{html.escape(spec.name)}</b><br>{html.escape(spec.meaning)}</td>"
        f"<td>{html.escape(spec.numerator)}</td><td>{html.escape(spec.denominator)}</td>"
        f"<td>{html.escape(_words(spec.direction.value))}<br><span class='muted'>minimum sample "
        f"{spec.minimum_sample}; dated by {html.escape(spec.dated_by)}</span></td></tr>"
        for spec in load_catalogue()
    )
    return ("<table><thead><tr><th>Indicator</th><th>Numerator</th><th>Denominator</th><th>Direction</th></tr>"
            f"</thead><tbody>{rows}</tbody></table>")


def _hit_rate_chart(report: GrowthReport) -> str:
    rows = []
    for unit in report.units:
        line = unit.line("hit_rate")
        if line and line.current and line.current.value is not None and line.interval:
            rows.append({"unit": unit.unit_id, "group": unit.peer_group, "rate": line.current.value,
                         "low": line.interval[0], "high": line.interval[1]})
    if not rows:
        return ""
    data = pd.DataFrame(rows)
    order = data.sort_values("rate")["unit"].tolist()
    y = alt.Y("unit:N", sort=order, title=None)
    legend = alt.Legend(orient="bottom", columns=1, labelLimit=400)
    color = alt.Color("group:N", title="Peer group", scale=alt.Scale(range=PALETTE), legend=legend)
    base = alt.Chart(data)
    chart = (base.mark_rule(strokeWidth=2).encode(y=y, x=alt.X("low:Q", axis=alt.Axis(format="%"), title="Hit rate"),
                                                  x2="high:Q", color=color)
             + base.mark_point(filled=True, size=60).encode(y=y, x="rate:Q", color=color))
    chart = chart.properties(width=240, height=max(120, 11 * len(rows)),
                             title=f"Hit rate {report.period}, with 95% interval")
    return f"<figure>{to_svg(chart)}</figure>"


def _dea_chart(report: GrowthReport) -> str:
    rows = [{"unit": u.unit_id, "score": u.efficiency["dea_ccr"], "group": u.peer_group}
            for u in report.units if "dea_ccr" in u.efficiency]
    if not rows:
        return ""
    data = pd.DataFrame(rows)
    chart = alt.Chart(data).mark_bar().encode(
        y=alt.Y("unit:N", sort="-x", title=None),
        x=alt.X("score:Q", scale=alt.Scale(domain=[0, 1]), title="Efficiency (1 = on the frontier)"),
        color=alt.Color("group:N", scale=alt.Scale(range=PALETTE), legend=None),
    ).properties(width=200, height=max(120, 11 * len(rows)), title=f"DEA efficiency {report.period}")
    return (f"<figure>{to_svg(chart)}<figcaption>Inputs: staff, training hours, inspections. Outputs: seizures and "
            "seizures that became cases. Input-oriented, constant returns to scale.</figcaption></figure>")


def _unit_chart(report: GrowthReport, unit: UnitGrowth) -> str:
    hit, hours, mentoring = unit.line("hit_rate"), unit.line("training_hours_per_staff"), \
        unit.line("mentoring_after_operational")
    rows = []
    for k, period in enumerate(report.periods):
        figure = hit.history[k] if hit else None
        interval = None
        if figure is not None and figure.denominator > 0:
            interval = wilson_interval(figure.numerator, figure.denominator)
        rows.append({
            "period": period,
            "rate": figure.value if figure else None,
            "low": interval[0] if interval else None,
            "high": interval[1] if interval else None,
            "hours": (hours.history[k].value or 0.0) if hours and hours.history[k] else 0.0,
            "mentoring": (mentoring.history[k].value or 0.0) if mentoring and mentoring.history[k] else 0.0,
        })
    data = pd.DataFrame(rows)
    x = alt.X("period:O", title=None, sort=list(report.periods))
    base = alt.Chart(data)
    rate = (base.mark_rule(color=PALETTE[0], opacity=0.5, strokeWidth=3).encode(x=x, y="low:Q", y2="high:Q")
            + base.mark_line(color=PALETTE[0], point=True).encode(
                x=x, y=alt.Y("rate:Q", axis=alt.Axis(format="%"), title="Hit rate"))
            ).properties(width=250, height=160, title="Hit rate (95% interval)")
    capacity = data.melt(id_vars="period", value_vars=["hours", "mentoring"], var_name="what", value_name="amount")
    capacity["what"] = capacity["what"].map({"hours": "training hours per staff", "mentoring": "mentoring sessions"})
    support = alt.Chart(capacity).mark_bar().encode(
        x=x, xOffset="what:N", y=alt.Y("amount:Q", title=None),
        color=alt.Color("what:N", scale=alt.Scale(range=[PALETTE[1], PALETTE[2]]), title=None,
                        legend=alt.Legend(orient="bottom")),
    ).properties(width=250, height=160, title="Training and mentoring received")
    return to_svg(alt.hconcat(rate, support).resolve_scale(color="independent"))
