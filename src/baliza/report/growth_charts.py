"""Charts of the growth report, dense enough for a slide: every unit in one figure (small multiples), never one
chart per unit and indicator. Each function renders one SVG (one call to the chart renderer).

Every chart has a full title and a legend (a colour bar for the heat map). Legends sit below the plot: a legend
on the right is the SVG's last column, and a browser font wider than the renderer's cuts its title off
("Hours per sta"). `*_chart` functions return the Vega-Lite chart, so tests can read the spec.
"""

from __future__ import annotations

import html
import itertools
import re

import altair as alt
import pandas as pd

from baliza.analyses.growth import GrowthReport
from baliza.i18n import N_
from baliza.i18n import gettext as _
from baliza.i18n.formatting import count, number
from baliza.report.charts import to_svg

PALETTE = ["#1f4e79", "#c2410c", "#15803d", "#7c3aed", "#b91c1c", "#0e7490", "#a16207", "#4b5563"]
PANEL_COLUMNS = 5
TITLE_LIMIT = 1000  # pixels: never shorten a title or legend title with an ellipsis
_ids = itertools.count()


def _svg(chart: alt.TopLevelMixin) -> str:
    """The chart as SVG with ids of its own: two SVGs in one page that both define `gradient_0` share one."""
    svg = to_svg(chart)
    prefix = f"growth{next(_ids)}_"
    return re.sub(r'(id="|url\(#)(gradient_|clip)', lambda m: f"{m.group(1)}{prefix}{m.group(2)}", svg)


def standing_chart(report: GrowthReport) -> str:
    """This period's hit rate of every unit with its interval, beside its DEA efficiency: one figure."""
    chart = standing_spec(report)
    if chart is None:
        return ""
    caption = _("Units sorted by hit rate; colour is the peer group. DEA inputs: staff, training hours, inspections; "
                "outputs: seizures and seizures that became cases (input-oriented, constant returns to scale).")
    return f"<figure>{_svg(chart)}<figcaption>{html.escape(caption)}</figcaption></figure>"


def standing_spec(report: GrowthReport) -> alt.TopLevelMixin | None:
    """The chart behind `standing_chart` (None when no unit has a hit rate or a DEA score)."""
    rows = []
    for unit in report.units:
        line = unit.line("hit_rate")
        figure = line.current if line else None
        rows.append({
            "unit": unit.unit_id, "group": unit.peer_group,
            "rate": figure.value if figure else None,
            "low": line.interval[0] if line and line.interval else None,
            "high": line.interval[1] if line and line.interval else None,
            "dea": unit.efficiency.get("dea_ccr"),
        })
    data = pd.DataFrame(rows)
    if data.empty or data[["rate", "dea"]].isna().all().all():
        return None
    order = data.sort_values("rate", na_position="first")["unit"].tolist()
    y = alt.Y("unit:N", sort=order, title=None)
    legend = alt.Legend(orient="bottom", columns=2, labelLimit=300, titleLimit=TITLE_LIMIT,
                        title=_("Peer group (unit kind / traffic band)"))
    color = alt.Color("group:N", scale=alt.Scale(range=PALETTE), legend=legend)
    height = max(120, 12 * len(data))
    base = alt.Chart(data)
    rate = (base.mark_rule(strokeWidth=2).encode(y=y, x=alt.X("low:Q", axis=alt.Axis(format="%"), title=_(RATE)),
                                                 x2="high:Q", color=color)
            + base.mark_point(filled=True, size=50).encode(y=y, x="rate:Q", color=color)
            ).properties(width=230, height=height,
                         title=_("Hit rate %(period)s (95%% interval)", period=report.period))
    dea = base.mark_bar().encode(
        y=alt.Y("unit:N", sort=order, title=None, axis=alt.Axis(labels=False, ticks=False)),
        x=alt.X("dea:Q", scale=alt.Scale(domain=[0, 1]), title=_("DEA score (1 = frontier)")), color=color,
    ).properties(width=200, height=height, title=_("DEA efficiency %(period)s", period=report.period))
    return alt.hconcat(rate, dea, spacing=8).configure_view(stroke=None).configure_title(limit=TITLE_LIMIT)


def hit_rate_panels(report: GrowthReport) -> str:
    """Small multiples: each unit's hit rate per period with its 95% interval, all units in one chart."""
    chart = hit_rate_spec(report)
    if chart is None:
        return ""
    caption = _("Hit rate of each unit per period, with the 95% Wilson interval (the shaded bar): a wide bar is a "
                "small number of inspections.")
    return f"<figure>{_svg(chart)}<figcaption>{html.escape(caption)}</figcaption></figure>"


INTERVAL, RATE = N_("95% Wilson interval"), N_("Hit rate")


def hit_rate_spec(report: GrowthReport) -> alt.TopLevelMixin | None:
    """The chart behind `hit_rate_panels` (None when no unit has a hit rate)."""
    rows = []
    for unit in report.units:
        line = unit.line("hit_rate")
        if line is None:
            continue
        for period, figure, interval in zip(report.periods, line.history, line.intervals, strict=True):
            if figure is None or figure.value is None or interval is None:
                continue
            rows.append({"unit": unit.unit_id, "period": period, "rate": figure.value,
                         "low": interval[0], "high": interval[1]})
    if not rows:
        return None
    data = pd.DataFrame(rows)
    x = alt.X("period:O", sort=list(report.periods), title=None, axis=alt.Axis(labelAngle=0, labelFontSize=8))
    y_axis = alt.Axis(format="%", tickCount=3, labelFontSize=8)
    rate, interval_words = _(RATE), _(INTERVAL)
    series = alt.Scale(domain=[rate, interval_words], range=[PALETTE[0], "#a5b4c8"])
    legend = alt.Legend(orient="bottom", title=None, labelLimit=TITLE_LIMIT, symbolStrokeWidth=4)
    base = alt.Chart().encode(x=x)
    layer = alt.layer(
        base.mark_rule(strokeWidth=4).transform_calculate(series=f"'{interval_words}'").encode(
            y=alt.Y("low:Q", axis=y_axis, title=None), y2="high:Q",
            color=alt.Color("series:N", scale=series, legend=legend)),
        base.mark_line(point=alt.OverlayMarkDef(size=18)).transform_calculate(series=f"'{rate}'").encode(
            y="rate:Q", color=alt.Color("series:N", scale=series, legend=legend)),
        data=data,
    ).properties(width=122, height=70)
    span = f"{report.periods[0]}–{report.periods[-1]}" if report.periods else report.period
    return layer.facet(
        facet=alt.Facet("unit:N", title=None, header=alt.Header(labelFontSize=9, labelFontWeight="bold")),
        columns=PANEL_COLUMNS, spacing=10,
    ).properties(title=alt.Title(_("Hit rate of each unit per period, %(span)s, with its 95%% interval", span=span),
                                 anchor="start", limit=TITLE_LIMIT))


def capacity_heatmap(report: GrowthReport) -> str:
    """Training hours per staff member of every unit per period, as one table of coloured cells."""
    chart = capacity_spec(report)
    if chart is None:
        return ""
    caption = _("Training hours per staff member received in each period; “m” counts mentoring sessions after the "
                "unit became operational.")
    return f"<figure>{_svg(chart)}<figcaption>{html.escape(caption)}</figcaption></figure>"


def capacity_spec(report: GrowthReport) -> alt.TopLevelMixin | None:
    """The chart behind `capacity_heatmap` (None without units)."""
    rows = []
    for unit in report.units:
        line = unit.line("training_hours_per_staff")
        mentoring = unit.line("mentoring_after_operational")
        for k, period in enumerate(report.periods):
            hours = line.history[k] if line else None
            sessions = mentoring.history[k] if mentoring else None
            rows.append({"unit": unit.unit_id, "period": period,
                         "hours": hours.value if hours and hours.value is not None else 0.0,
                         "mentoring": sessions.value if sessions and sessions.value is not None else 0.0})
    if not rows:
        return None
    data = pd.DataFrame(rows)
    data["label"] = [number(h, 1) + (f" · {count(m)}m" if m else "") for h, m in zip(data["hours"], data["mentoring"],
                                                                                      strict=True)]
    order = [unit.unit_id for unit in report.units]
    x = alt.X("period:O", sort=list(report.periods), title=None, axis=alt.Axis(orient="top", labelAngle=0))
    y = alt.Y("unit:N", sort=order, title=None)
    base = alt.Chart(data).encode(x=x, y=y)
    width = max(260, 60 * len(report.periods))  # wide enough for the title whatever the window
    bar = alt.Legend(orient="bottom", direction="horizontal", gradientLength=min(width, 240), gradientThickness=10,
                     titleLimit=TITLE_LIMIT, title=_("Training hours per staff member"))
    return (base.mark_rect().encode(color=alt.Color("hours:Q", scale=alt.Scale(scheme="blues"), legend=bar))
            + base.mark_text(fontSize=8).encode(
                text="label:N",
                color=alt.condition(alt.datum.hours > data["hours"].max() * 0.6, alt.value("white"),
                                    alt.value("#111827")))
            ).properties(width=width, height=max(100, 13 * len(order)),
                         title=alt.Title(_("Training hours per staff member"),
                                         anchor="start", limit=TITLE_LIMIT))
