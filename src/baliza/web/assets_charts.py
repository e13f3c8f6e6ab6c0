"""The asset-recovery charts as server-side SVG (hover details in `<title>`, legends in words, no script):
the pipeline as bars (count and value per stage) and the times between stages as survival curves."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from baliza.i18n import gettext as _
from baliza.web.formatting import money, number
from baliza.web.svg import PALETTE, _attr, _svg


def pipeline_bars(stages: Sequence[dict[str, Any]], *, width: int = 640) -> str:
    """One bar per stage, as long as its value; the count and the value written beside it."""
    shown = [s for s in stages if s.get("assets") is not None]
    if not shown or not any(s["assets"] for s in shown):
        return ""
    row, left, right = 30, 190, 210
    height = row * len(stages) + 10
    widest = max(float(s["value_usd"] or 0) for s in shown) or 1.0
    body = []
    for k, s in enumerate(stages):
        y = 6 + k * row
        body.append(f'<text x="{left - 8}" y="{y + 17}" text-anchor="end" font-size="12">{escape(s["label"])}</text>')
        if s.get("assets") is None:
            text = _("fewer than 5 assets: not shown")
            body.append(f'<text x="{left}" y="{y + 17}" font-size="12" fill="#5d6b78">{escape(text)}</text>')
            continue
        length = (width - left - right) * float(s["value_usd"] or 0) / widest
        text = _("%(count)s assets, %(value)s", count=number(s["assets"], 0), value=money(s["value_usd"]))
        colour = "#b3261e" if s["stage"] == "released" else PALETTE[0]
        body.append(f'<rect x="{left}" y="{y + 4}" width="{max(length, 1):.1f}" height="20" fill="{colour}">'
                    f'<title>{escape(s["label"] + ": " + text)}</title></rect>'
                    f'<text x="{left + max(length, 1) + 6:.1f}" y="{y + 18}" font-size="12">{escape(text)}</text>')
    return _svg(width, height, body, _("Assets reaching each stage of recovery, by value"))


def survival_chart(steps: Sequence[dict[str, Any]], *, width: int = 640, height: int = 300) -> str:
    """Each step's share of assets that have not reached the next stage against days since the earlier one
    (`analyses.assets.timing`: still waiting is censored, released is a competing end)."""
    drawn = [s for s in steps if len(s.get("curve") or ()) > 1]
    if not drawn:
        return ""
    legend_rows = (len(drawn) + 1) // 2
    left, top, bottom = 44, 10, 34 + 18 * legend_rows
    plot_w, plot_h = width - left - 12, height - top - bottom
    longest = max(p[0] for s in drawn for p in s["curve"]) or 1.0

    def x(days: float) -> float:
        return left + plot_w * days / longest

    def y(share: float) -> float:
        return top + plot_h * (1 - share)

    body = [f'<line x1="{left}" y1="{y(0):.1f}" x2="{left + plot_w}" y2="{y(0):.1f}" stroke="#d7dee4"/>',
            f'<line x1="{left}" y1="{y(0.5):.1f}" x2="{left + plot_w}" y2="{y(0.5):.1f}" stroke="#eef1f4"/>',
            f'<text x="{left - 4}" y="{y(1) + 4:.1f}" text-anchor="end" font-size="10">100%</text>',
            f'<text x="{left - 4}" y="{y(0.5) + 4:.1f}" text-anchor="end" font-size="10">50%</text>',
            f'<text x="{left - 4}" y="{y(0):.1f}" text-anchor="end" font-size="10">0%</text>',
            f'<text x="{left}" y="{top + plot_h + 14}" font-size="10">0</text>',
            f'<text x="{left + plot_w}" y="{top + plot_h + 14}" text-anchor="end" font-size="10">'
            f'{escape(_("%(days)s days", days=number(longest, 0)))}</text>']
    for k, step in enumerate(drawn):
        colour = PALETTE[k % len(PALETTE)]
        path = f"M{x(0):.1f},{y(1):.1f}"
        for days, share in step["curve"][1:]:
            path += f" H{x(days):.1f} V{y(share):.1f}"
        median = step.get("median_days")
        hover = _("%(step)s: %(reached)s of %(followed)s reached it; median %(median)s", step=step["label"],
                  reached=number(step["reached"], 0), followed=number(step["followed"], 0),
                  median=_("%(days)s days", days=number(median, 0)) if median is not None else _("not reached"))
        body.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2">'
                    f'<title>{_attr(hover)}</title></path>')
        lx, ly = left + (k % 2) * (plot_w / 2), top + plot_h + 32 + 18 * (k // 2)
        body.append(f'<rect x="{lx:.1f}" y="{ly - 10}" width="12" height="12" fill="{colour}"/>'
                    f'<text x="{lx + 16:.1f}" y="{ly}" font-size="12">{escape(step["label"])}</text>')
    return _svg(width, height, body, _("Share of assets still waiting for the next stage, by days"))
