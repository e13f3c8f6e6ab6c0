"""The comparison-based growth report (clause 5): sections for the HTML/PDF document from `analyses.growth`.

It leads with a summary in words (`summary_html`): what changed after the correction for multiplicity, how
sure we are, and which indicators wait for their outcome (censoring).
"""

from __future__ import annotations

import html

from baliza.analyses.growth import GrowthLine, GrowthReport, Movement, UnitGrowth
from baliza.analyses.ksi import Direction, Kind, Ripeness, get_spec, load_catalogue
from baliza.i18n import gettext as _
from baliza.i18n import ngettext
from baliza.i18n.formatting import count, day, number, percent
from baliza.i18n.labels import indicator_label, label
from baliza.report.growth_charts import capacity_heatmap, hit_rate_panels, standing_chart
from baliza.report.section import Section
from baliza.stats.change import format_p

HEADLINE = ("hit_rate", "targeting_lift", "partner_sharing_48h", "prosecution_conversion", "conviction_conversion")
CAPACITY = ("training_hours_per_staff", "mentoring_after_operational", "mentoring_hours_after_operational")
LISTED = 12  # movements spelled out in the summary; the rest are counted


def growth_sections(report: GrowthReport) -> list[Section]:
    """Overview of all units (with every unit's chart in one figure), each unit's table, and the definitions."""
    if not report.units:
        empty = html.escape(_("No inspections or seizures in the warehouse for this window."))
        return [Section(_("Growth report"), f"<p>{empty}</p>", "growth")]
    return [
        Section(_("Growth report %(period)s: all units", period=report.period), overview_html(report), "growth"),
        Section(_("Each unit against its last period and its peers"), units_html(report), "units"),
        Section(_("How each indicator is counted"), catalogue_html(), "indicators"),
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
    window = _("%(first)s to %(last)s", first=report.periods[0], last=report.periods[-1]) if report.periods \
        else report.period
    tests = "<p>" + _(
        "This report runs <b>%(size)s tests</b>: %(changes)s of a unit's indicator against its last period and "
        "%(trends)s of its trend over %(window)s. Among so many, some pass p &lt; 0.05 by chance alone (%(lucky)s "
        "did here), so all %(size)s are one family and the false discovery rate is held at %(level)s across it "
        "(%(method)s). A change is called one only when its q-value is below %(q)s: of the changes so called, "
        "about one in %(one_in)s may still be chance.", size=family.size, changes=family.changes,
        trends=family.trends, window=html.escape(window), lucky=report.uncorrected(), level=percent(family.level),
        method=html.escape(family.method), q=number(family.level, 3), one_in=round(1 / family.level)) + "</p>"
    if not found:
        verdict = "<p class='lead'>" + _(
            "<b>No change stands after the correction for multiplicity.</b> %(lucky)s of the %(size)s tests had "
            "p &lt; 0.05; chance alone would give about %(expected)s if nothing had changed anywhere.",
            lucky=report.uncorrected(), size=family.size, expected=count(0.05 * family.size)) + "</p>"
        listed = ""
    else:
        verdict = "<p class='lead'>" + ngettext(
            "<b>%(num)s change stands after the correction</b>, the surest first:",
            "<b>%(num)s changes stand after the correction</b>, the surest first:", len(found)) + "</p>"
        items = "".join(f"<li>{_movement(report, m)}</li>" for m in found[:LISTED])
        more = "<li>" + html.escape(_("and %(more)s more (each unit's table below)", more=len(found) - LISTED)) \
            + "</li>" if len(found) > LISTED else ""
        listed = f"<ul class='movements'>{items}{more}</ul>"
    return verdict + listed + tests + _censoring_html(report)


def _movement(report: GrowthReport, m: Movement) -> str:
    spec, line = m.line.spec, m.line
    judged = "" if spec.direction is Direction.NEUTRAL else (
        " " + _("(better)") if (m.direction in ("up", "rising")) == (spec.direction is Direction.HIGHER_IS_BETTER)
        else " " + _("(worse)"))
    sure = f"{format_p(m.p_value)}, {format_p(m.q_value, 'q')}"
    name = html.escape(indicator_label(spec.name))
    if m.test == "change":
        before = _format(spec.kind, line.previous.value if line.previous else None)
        now = _format(spec.kind, line.current.value if line.current else None)
        values = {"indicator": name, "before": before, "previous": html.escape(line.previous_period or ""),
                  "now": now, "period": html.escape(line.period or "")}
        what = (_("%(indicator)s up from %(before)s (%(previous)s) to %(now)s (%(period)s)", **values)
                if m.direction == "up" else
                _("%(indicator)s down from %(before)s (%(previous)s) to %(now)s (%(period)s)", **values))
    else:
        what = _("%(indicator)s %(direction)s over %(span)s", indicator=name, direction=_direction(m.direction),
                 span=html.escape(_span(report)))
    return f"<b>{html.escape(m.unit.name)}</b>: {what}{judged}; <span class='muted'>{sure}</span>"


def _direction(word: str) -> str:
    """A change's or trend's direction ('up', 'rising', 'no change'...) in the report's language."""
    words = {"up": _("up"), "down": _("down"), "rising": _("rising"), "falling": _("falling"),
             "no change": _("no change"), "no trend": _("no trend")}
    return words.get(word, word)


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
            period = html.escape(line.period) + (" " + _("(its seizures before %(day)s)", day=day(cut))
                                                 if partial and cut else "")
            compared = ": " + (_("compares %(period)s with %(previous)s", period=period,
                                 previous=html.escape(line.previous_period)) if line.previous_period
                               else _("compares %(period)s", period=period))
        items.append(f"<li><b>{html.escape(_label(spec.name))}</b>{compared}: "
                     f"{html.escape(horizon.method())}.</li>")
    intro = _("Outcomes that take time are compared like with like. A seizure made last month has not had time to "
              "become a case or reach a verdict, so counting it would make every recent period look worse. Each "
              "such indicator counts its outcome within a fixed horizon of the seizure, on seizures old enough to "
              "have had it by the end of the data (fixed-horizon cohorts, not a survival model):")
    return f"<p>{html.escape(intro)}</p><ul>{''.join(items)}</ul>"


def overview_html(report: GrowthReport) -> str:
    """The summary in words, then every unit's headline figures and the charts (also used by the country report)."""
    period = _("%(period)s against %(previous)s", period=report.period, previous=report.previous_period) \
        if report.previous_period else report.period
    explained = _(
        "Each unit's key success indicators for %(period)s, and against units of the same kind at entry points with "
        "similar traffic (peer group). Intervals are 95%%: Wilson for shares, exact Poisson for counts. Changes: "
        "Fisher's exact test for shares, the exact conditional Poisson test for counts; trends are GLM slopes over "
        "the periods of the window (%(first)s to %(last)s). Each shows its p-value and its q-value within the "
        "family of the report's %(size)s tests.", period=period, first=report.periods[0], last=report.periods[-1],
        size=report.family.size)
    lead = (
        f"<h3>{html.escape(_('What changed, and how sure we are'))}</h3>{summary_html(report)}"
        f"<h3>{html.escape(_('Every unit'))}</h3><p class='lead'>{html.escape(explained)}</p>"
    )
    header = "".join(f"<th class='num'>{html.escape(_label(name))}{_period_note(report, name)}</th>"
                     for name in HEADLINE)
    rows = []
    for unit in report.units:
        cells = "".join(f"<td class='num'>{_cell(unit.line(name))}</td>" for name in HEADLINE)
        dea = unit.efficiency.get("dea_ccr")
        rows.append(
            f"<tr><td>{html.escape(unit.name)}<br><span class='muted'>{html.escape(unit.unit_id)} · "
            f"{html.escape(unit.programme or _('no programme'))}<br>{html.escape(unit.peer_group)}</span></td>{cells}"
            f"<td class='num'>{'–' if dea is None else number(dea, 2)}</td></tr>"
        )
    table = (
        f"<table><thead><tr><th>{html.escape(_('Unit and peer group'))}</th>{header}"
        f"<th class='num'>DEA (CCR)</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    trends = f"<h3>{html.escape(_('Every unit over time'))}</h3>" + hit_rate_panels(report) + capacity_heatmap(report)
    return lead + standing_chart(report) + table + trends


def _period_note(report: GrowthReport, name: str) -> str:
    """' (2024)' under a headline whose figure is of an older period than the report's (too recent to judge)."""
    line = next((u.line(name) for u in report.units if u.line(name) is not None), None)
    if line is None or line.period is None or line.period == report.period:
        return ""
    return f"<br><span class='muted'>{html.escape(line.period)}</span>"


def _unit(report: GrowthReport, unit: UnitGrowth) -> str:
    group = f"<span class='tag'>{html.escape(unit.peer_group)}</span>"
    head = (
        f"<p class='lead'>{html.escape(label(unit.kind))} · {html.escape(unit.programme or _('no programme'))} · "
        + _("peer group %(group)s", group=group)
    )
    if unit.efficiency:
        head += " · " + html.escape(_("DEA efficiency %(constant)s (constant returns), %(variable)s (variable returns)",
                                      constant=number(unit.efficiency.get("dea_ccr", 0), 2),
                                      variable=number(unit.efficiency.get("dea_bcc", 0), 2)))
    head += "</p>"
    rows = "".join(_row(report, line) for line in unit.lines if line.spec.name not in CAPACITY)
    capacity = "".join(_row(report, line) for line in unit.lines if line.spec.name in CAPACITY)
    previous = html.escape(report.previous_period or "–")
    columns = (
        f"<thead><tr><th>{html.escape(_('Indicator'))}</th><th class='num'>{html.escape(report.period)}</th>"
        f"<th class='num'>{html.escape(_('95% interval'))}</th><th class='num'>{previous}</th>"
        f"<th>{html.escape(_('Change'))}</th><th>{html.escape(_('Trend'))}</th>"
        f"<th class='num'>{html.escape(_('Peer percentile'))}</th></tr></thead>"
    )
    divider = f"<tr class='divider'><td colspan='7'>{html.escape(_('Training and mentoring received'))}</td></tr>"
    return head + f"<table class='unit-table'>{columns}<tbody>{rows}{divider}{capacity}</tbody></table>"


def _row(report: GrowthReport, line: GrowthLine) -> str:
    spec = line.spec
    interval = f"{_format(spec.kind, line.interval[0])} – {_format(spec.kind, line.interval[1])}" if line.interval \
        else ""
    previous = _format(spec.kind, line.previous.value) if line.previous else "–"
    small = "" if line.enough_data or line.current is None else \
        f" <span class='muted'>{html.escape(_('(small sample)'))}</span>"
    peer = ""
    if line.peer is not None and line.peer.low is not None:
        peer = f"{count(line.peer.value)} <span class='muted'>({count(line.peer.low)}–{count(line.peer.high)})</span>"
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
    return html.escape(_("%(method)s; family: the %(family)s (%(size)s tests, %(correction)s, FDR %(level)s)",
                         method=method, family=family.name, size=family.size, correction=family.method,
                         level=number(family.level, 3)), quote=True)


def _change(report: GrowthReport, line: GrowthLine) -> str:
    change = line.change
    if change.p_value is None or line.change_q is None:
        method = html.escape(change.method, quote=True)
        return f"<span class='muted' title='{method}'>{html.escape(_('not tested'))}</span>"
    sure = f"{format_p(change.p_value)}, {format_p(line.change_q, 'q')}"
    title = _family(report, change.method)
    direction = line.change_direction(report.family.level)
    if direction == "no change":
        return f"<span class='muted' title='{title}'>{html.escape(_direction(direction))} ({sure})</span>"
    better = (direction == "up") == (line.spec.direction is not Direction.LOWER_IS_BETTER)
    css = "" if line.spec.direction is Direction.NEUTRAL else ("up" if better else "down")
    arrow = "▲" if direction == "up" else "▼"
    return f"<span class='{css}' title='{title}'>{arrow} {html.escape(_direction(direction))} ({sure})</span>"


def _trend(report: GrowthReport, line: GrowthLine) -> str:
    """The trend's direction at the report's FDR; its p and q beside a trend that stands, in the tooltip otherwise."""
    trend = line.trend
    if trend is None or trend.p_value is None or line.trend_q is None:
        return "–"
    direction = line.trend_direction(report.family.level)
    sure = f"{format_p(trend.p_value)}, {format_p(line.trend_q, 'q')}"
    title = _family(report, f"{trend.method}; {sure}")
    if direction == "no trend":
        return f"<span class='muted' title='{title}'>{html.escape(_direction(direction))}</span>"
    return f"<span title='{title}'>{html.escape(_direction(direction))} <span class='muted'>({sure})</span></span>"


def _cell(line: GrowthLine | None) -> str:
    if line is None or line.current is None:
        return "–"
    return _format(line.spec.kind, line.current.value)


def _format(kind: Kind, value: float | None) -> str:
    if value is None:
        return "–"
    if kind is Kind.PROPORTION:
        return percent(value, 1)
    if kind is Kind.COUNT:
        return count(value)
    return number(value, 2)


def _label(name: str) -> str:
    return indicator_label(name).capitalize()


def _words(name: str) -> str:
    return name.replace("_", " ")


def catalogue_html() -> str:
    rows = "".join(
        f"<tr><td><b>{html.escape(_label(spec.name))}</b> <span class='muted'>{html.escape(spec.name)}</span><br>"
        f"{html.escape(_(spec.meaning))}</td><td>{html.escape(_(spec.numerator))}</td>"
        f"<td>{html.escape(_(spec.denominator))}</td>"  # definitions are catalogue msgids (i18n.extract)
        f"<td>{html.escape(_direction_words(spec.direction))}<br><span class='muted'>"
        f"{html.escape(_('minimum sample %(n)s; dated by %(column)s', n=spec.minimum_sample, column=spec.dated_by))}"
        "</span></td></tr>"
        for spec in load_catalogue()
    )
    headings = "".join(f"<th>{html.escape(text)}</th>" for text in (_("Indicator"), _("Numerator"),
                                                                     _("Denominator"), _("Direction")))
    return f"<table><thead><tr>{headings}</tr></thead><tbody>{rows}</tbody></table>"


def _direction_words(direction: Direction) -> str:
    if direction is Direction.HIGHER_IS_BETTER:
        return _("higher is better")
    if direction is Direction.LOWER_IS_BETTER:
        return _("lower is better")
    return _("neutral")
