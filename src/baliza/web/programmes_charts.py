"""The programme pages' charts, as plain SVG drawn on the server (`web.svg`'s conventions: every mark has
its hover text, no script needed).

- `survival_curve`: a Kaplan-Meier curve (share not yet placed, or still in the programme) over days, its
  95 % band shaded; published only while 5 or more people remain at risk (`web.programmes_data`).
- `funnel_plot`: providers' observed against expected (a ratio, or a difference in score change) by their
  volume, with the 95 % and 99.8 % control limits; providers beyond the outer limits are named and link to
  their finding.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from baliza.i18n import gettext as _
from baliza.web.formatting import number
from baliza.web.svg import PALETTE, _svg


def survival_curve(curve: dict[str, Any] | None, title: str, *, width: int = 420, height: int = 220) -> str:
    """A step curve of the share still waiting (or staying) by days since enrolment, with its band."""
    if not curve or not curve.get("times"):
        return "<p>" + escape(_("Too few people to draw this curve.")) + "</p>"
    left, top, bottom = 40, 24, 30
    plot_w, plot_h = width - left - 12, height - top - bottom
    times = [0.0, *curve["times"]]
    most = max(times) or 1.0

    def x(v: float) -> float:
        return left + plot_w * v / most

    def y(v: float) -> float:
        return top + plot_h * (1 - v)

    def steps(values: Sequence[float]) -> list[tuple[float, float]]:
        points = [(x(0), y(1.0))]
        for t, v in zip(curve["times"], values, strict=True):
            points += [(x(t), points[-1][1]), (x(t), y(v))]
        return points

    upper, lower = steps(curve["high"]), steps(curve["low"])
    band = " ".join(f"{a:.1f},{b:.1f}" for a, b in upper + lower[::-1])
    line = " ".join(f"{a:.1f},{b:.1f}" for a, b in steps(curve["surviving"]))
    body = [f'<text x="{left}" y="14" font-size="12" font-weight="600">{escape(title)}</text>',
            f'<polygon points="{band}" fill="#0b5c8c" opacity="0.15">'
            f'<title>{escape(_("95% interval"))}</title></polygon>',
            f'<polyline fill="none" stroke="#0b5c8c" stroke-width="2" points="{line}"/>',
            f'<text x="{left - 4}" y="{y(1) + 4:.1f}" text-anchor="end" font-size="10">100%</text>',
            f'<text x="{left - 4}" y="{y(0) + 4:.1f}" text-anchor="end" font-size="10">0%</text>',
            f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle" font-size="10">'
            f'{escape(_("days since enrolment or admission, up to %(days)s", days=number(most, 0)))}</text>']
    return _svg(width, height, body, title)


def funnel_plot(measure: str, title: str, funnel: dict[str, Any], kind: str, points: list[dict[str, Any]], *,
                width: int = 420, height: int = 260) -> str:
    """One measure's funnel: each point is {name, x, y, outside, anchor}; x is expected events (ratios) or
    people (differences)."""
    limits = funnel or {}
    volume = limits.get("volume") or []
    if not points or not volume:
        return "<p>" + escape(_("Too few providers with enough people for a funnel plot.")) + "</p>"
    left, top, bottom = 44, 24, 32
    plot_w, plot_h = width - left - 12, height - top - bottom
    most_x = max([*volume, *(p["x"] for p in points)]) or 1.0
    ys = [v for c in ("low998", "high998") for v in limits.get(c) or []] + [p["y"] for p in points]
    low_y, high_y = min(ys), max(ys)
    span = (high_y - low_y) or 1.0

    def x(v: float) -> float:
        return left + plot_w * v / most_x

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - low_y) / span)

    target = limits.get("target", 1.0 if kind == "ratio" else 0.0)
    axis = _("expected events") if kind == "ratio" else _("people")
    body = [f'<text x="{left}" y="14" font-size="12" font-weight="600">{escape(title)}</text>',
            f'<line x1="{left}" y1="{y(target):.1f}" x2="{width - 12}" y2="{y(target):.1f}" stroke="#7a8a99"/>',
            f'<text x="{left - 4}" y="{y(target) + 4:.1f}" text-anchor="end" font-size="10">{number(target)}</text>',
            f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle" font-size="10">'
            f'{escape(axis)}</text>']
    for column, dash in (("low95", "4 3"), ("high95", "4 3"), ("low998", ""), ("high998", "")):
        line = " ".join(f"{x(v):.1f},{y(w):.1f}" for v, w in zip(volume, limits.get(column) or [], strict=False))
        body.append(f'<polyline fill="none" stroke="#9aa7b3" stroke-dasharray="{dash}" points="{line}"/>')
    for p in points:
        colour = "#b3261e" if p["outside"] else "#1f4e79"
        hover = _("%(name)s: %(value)s", name=p["name"], value=number(p["y"]))
        mark = (f'<circle cx="{x(p["x"]):.1f}" cy="{y(p["y"]):.1f}" r="5" fill="{colour}">'
                f'<title>{escape(hover)}</title></circle>')
        if p["outside"] and p.get("anchor"):
            mark = (f'<a href="#{escape(p["anchor"], quote=True)}">{mark}<text x="{x(p["x"]) + 7:.1f}" '
                    f'y="{y(p["y"]) + 4:.1f}" font-size="10" fill="{colour}">{escape(p["name"])}</text></a>')
        body.append(mark)
    return _svg(width, height, body, title)


def survival_curves(series: Sequence[tuple[str, dict[str, Any] | None]], title: str, *, width: int = 420,
                    height: int = 240) -> str:
    """Several groups' curves (an office's, a provider's) on one chart, each its colour, named in a legend
    and on hover; a group whose curve is not published (too few people) is left out."""
    drawn = [(name, curve) for name, curve in series if curve and curve.get("times")]
    if not drawn:
        return "<p>" + escape(_("Too few people to draw these curves.")) + "</p>"
    left, top, bottom = 40, 24, 30 + 14 * len(drawn)
    plot_w, plot_h = width - left - 12, height - top - bottom
    most = max(max(c["times"]) for _n, c in drawn) or 1.0

    def x(v: float) -> float:
        return left + plot_w * v / most

    def y(v: float) -> float:
        return top + plot_h * (1 - v)

    body = [f'<text x="{left}" y="14" font-size="12" font-weight="600">{escape(title)}</text>',
            f'<text x="{left - 4}" y="{y(1) + 4:.1f}" text-anchor="end" font-size="10">100%</text>',
            f'<text x="{left - 4}" y="{y(0) + 4:.1f}" text-anchor="end" font-size="10">0%</text>',
            f'<text x="{left + plot_w / 2:.1f}" y="{top + plot_h + 20:.1f}" text-anchor="middle" font-size="10">'
            f'{escape(_("days, up to %(days)s", days=number(most, 0)))}</text>']
    for k, (name, curve) in enumerate(drawn):
        colour = PALETTE[k % len(PALETTE)]
        points = [(x(0), y(1.0))]
        for t, v in zip(curve["times"], curve["surviving"], strict=True):
            points += [(x(t), points[-1][1]), (x(t), y(v))]
        line = " ".join(f"{a:.1f},{b:.1f}" for a, b in points)
        body.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{line}">'
                    f'<title>{escape(name)}</title></polyline>')
        legend_y = top + plot_h + 34 + 14 * k
        body.append(f'<rect x="{left}" y="{legend_y - 8}" width="10" height="10" fill="{colour}"/>'
                    f'<text x="{left + 14}" y="{legend_y + 1}" font-size="10">{escape(name)}</text>')
    return _svg(width, height, body, title)
