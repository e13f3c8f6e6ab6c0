"""The early-warning charts as server-side SVG: one panel per substance, its seizures per month against the
expected band (the central 95 % of what the same months of earlier years make likely), surge months marked,
every mark with its hover details in words."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from baliza.i18n import gettext as _
from baliza.web.formatting import number
from baliza.web.svg import _svg

LINE, BAND, ALARM, QUIET = "#0b5c8c", "#e0a400", "#b3261e", "#5d6b78"


def series_panel(series: dict[str, Any], surge_months: set[str], *, width: int = 600, height: int = 170) -> str:
    """One substance: a line of monthly seizures, the expected band behind it, surge months in red; a month
    of fewer than 5 seizures not shown to aggregate-only readers is a hollow mark on the axis."""
    points: Sequence[dict[str, Any]] = series["points"]
    if not points:
        return ""
    tops = [v for p in points for v in (p["seizures"], p.get("high")) if v is not None]
    top_value = max(tops, default=1) or 1
    left, top, bottom = 36, 8, 20
    plot_w, plot_h = width - left - 8, height - top - bottom
    step = plot_w / max(len(points) - 1, 1)

    def x(k: int) -> float:
        return left + k * step

    def y(v: float) -> float:
        return top + plot_h * (1 - v / top_value)

    body = [f'<line x1="{left}" y1="{y(0):.1f}" x2="{width - 8}" y2="{y(0):.1f}" stroke="#d7dee4"/>',
            f'<text x="{left - 4}" y="{top + 10}" text-anchor="end" font-size="10">{number(top_value, 0)}</text>',
            f'<text x="{left - 4}" y="{y(0):.1f}" text-anchor="end" font-size="10">0</text>']
    banded = [(k, p) for k, p in enumerate(points) if p.get("high") is not None]
    if len(banded) > 1:
        upper = " L".join(f"{x(k):.1f},{y(p['high']):.1f}" for k, p in banded)
        lower = " L".join(f"{x(k):.1f},{y(p['low']):.1f}" for k, p in reversed(banded))
        body.append(f'<path d="M{upper} L{lower} Z" fill="{BAND}" fill-opacity="0.25">'
                    f'<title>{escape(_("Expected band: the central 95 percent of what earlier years make likely"))}'
                    f'</title></path>')
        body.append(f'<polyline fill="none" stroke="{BAND}" stroke-dasharray="4 3" points="'
                    + " ".join(f"{x(k):.1f},{y(p['expected']):.1f}" for k, p in banded) + '"/>')
    shown = [(k, p) for k, p in enumerate(points) if p["seizures"] is not None]
    if len(shown) > 1:
        body.append(f'<polyline fill="none" stroke="{LINE}" stroke-width="1.5" points="'
                    + " ".join(f"{x(k):.1f},{y(p['seizures']):.1f}" for k, p in shown) + '"/>')
    for k, p in enumerate(points):
        if p["seizures"] is None:
            hover = _("%(month)s: fewer than 5 seizures (not shown)", month=p["month"])
            body.append(f'<circle cx="{x(k):.1f}" cy="{y(0):.1f}" r="2.5" fill="none" stroke="{QUIET}">'
                        f'<title>{escape(hover)}</title></circle>')
            continue
        hover = _("%(month)s: %(count)s seizures", month=p["month"], count=number(p["seizures"], 0))
        if p.get("expected") is not None:
            hover += " · " + _("expected about %(expected)s (95%% band %(low)s to %(high)s)",
                               expected=number(p["expected"], 1), low=number(p["low"], 0), high=number(p["high"], 0))
        alarm = p["month"] in surge_months
        if alarm:
            hover += " · " + _("surge")
        body.append(f'<circle cx="{x(k):.1f}" cy="{y(p["seizures"]):.1f}" r="{4 if alarm else 2}" '
                    f'fill="{ALARM if alarm else LINE}"><title>{escape(hover)}</title></circle>')
    for k in sorted({0, len(points) - 1}):
        anchor = "end" if k == len(points) - 1 and k > 0 else "start"
        body.append(f'<text x="{x(k):.1f}" y="{height - 5}" text-anchor="{anchor}" font-size="10">'
                    f'{escape(points[k]["month"])}</text>')
    return _svg(width, height, body, _("Seizures of %(substance)s per month against the expected band",
                                       substance=series["substance"]))


def panels(view: dict[str, Any]) -> list[dict[str, str]]:
    """Each charted substance's panel, with the months of its surges marked."""
    out = []
    for series in view["series"]:
        months = {str(m["month"]) for s in view["surges"] if s["substance"] == series["substance"]
                  for m in s.get("months", [])}
        out.append({"substance": series["substance"], "svg": series_panel(series, months)})
    return out
