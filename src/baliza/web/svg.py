"""The dashboard's charts drawn as plain SVG on the server, so that every mark carries its hover details
(`<title>`, which browsers show as a tooltip, no script needed), its label and, where there is one, a link
to its rows.

- `entry_point_map`: the country outline and its entry points sized by seizures, the busiest labelled;
  points that would sit on top of each other (Lima's airport, port, postal hub and dry port) are spread
  round their centre with a leader line to where they really are.
- `seizures_over_time`: seizures per month stacked by substance group, with a legend in words.
- `indicator_panel`: one indicator of one unit over the periods, its 95 % interval as a band, every unit's
  median as a dashed line for context.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape
from typing import Any

from baliza.i18n import gettext as _
from baliza.web.formatting import number, words

PALETTE = ("#0b5c8c", "#e0a400", "#b3261e", "#1e7b34", "#7a4fa3", "#d9730d", "#5d6b78", "#2a9d8f", "#a83279")
CLUSTER_PX = 16  # points closer than this on the map are spread out
LABELLED = 8  # the busiest entry points get a label


def _attr(text: object) -> str:
    return escape(str(text), quote=True)


def _svg(width: int, height: int, body: list[str], label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-label="{_attr(label)}" class="chart">' + "".join(body) + "</svg>")


# --- the map ---------------------------------------------------------------------------------------------

def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    return [polygon[0] for polygon in geometry["coordinates"]]


def entry_point_map(points: Sequence[dict[str, Any]], outline: dict[str, Any] | None, *, width: int = 440,
                    height: int = 560, link: Callable[[dict[str, Any]], str] | None = None) -> str:
    """Entry points as circles sized by their seizures over the country's outline (None: suppressed)."""
    located = [p for p in points if p.get("latitude") is not None and p.get("longitude") is not None]
    if not located:
        return ""
    rings = _rings(outline["geometry"]) if outline else []
    lons = [c[0] for ring in rings for c in ring] + [p["longitude"] for p in located]
    lats = [c[1] for ring in rings for c in ring] + [p["latitude"] for p in located]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    squeeze = math.cos(math.radians((north + south) / 2))
    pad = 24
    scale = min((width - 2 * pad) / ((east - west) * squeeze or 1), (height - 2 * pad) / ((north - south) or 1))

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return pad + (lon - west) * squeeze * scale, pad + (north - lat) * scale

    body = [f'<path d="{" ".join(_path(ring, xy) for ring in rings)}" fill="#eef2f5" stroke="#7a8a99"/>']
    most = max((p["seizures"] or 0 for p in located), default=0) or 1
    kinds = sorted({p["kind"] for p in located})
    colour = {kind: PALETTE[k % len(PALETTE)] for k, kind in enumerate(kinds)}
    placed = _spread([(p, *xy(p["longitude"], p["latitude"])) for p in located], spacing=2 * (3 + 16) + 4,
                     box=(width, height))
    order = sorted(placed, key=lambda item: -(item[0]["seizures"] or 0))
    labelled = {id(p) for p, *_ in order[:LABELLED] if (p["seizures"] or 0) > 0}
    for p, x, y, true_x, true_y, side in sorted(placed, key=lambda item: item[0]["seizures"] or 0, reverse=True):
        count = p["seizures"]
        radius = 3 + 16 * math.sqrt((count or 0) / most)
        hover = _("%(name)s (%(kind)s): %(count)s seizures", name=p["name"], kind=words(p["kind"]),
                  count=number(count) if count is not None else _("suppressed"))
        if (x, y) != (true_x, true_y):
            body.append(f'<line x1="{true_x:.1f}" y1="{true_y:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#7a8a99"/>'
                        f'<circle cx="{true_x:.1f}" cy="{true_y:.1f}" r="1.5" fill="#7a8a99"/>')
        fill = colour[p["kind"]] if count is not None else "none"
        mark = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{fill}" fill-opacity="0.75" '
                f'stroke="{colour[p["kind"]]}" data-entry-point="{_attr(p.get("entry_point_id", ""))}">'
                f'<title>{escape(hover)}</title></circle>')
        body.append(f'<a href="{_attr(link(p))}">{mark}</a>' if link else mark)
        if id(p) in labelled:
            short = str(p["name"]).split(",")[0].split(" (")[0]
            left_side = side < 0 or (side == 0 and x > width * 0.62)
            anchor, dx = ("end", -radius - 3) if left_side else ("start", radius + 3)
            body.append(f'<text x="{x + dx:.1f}" y="{y + 4:.1f}" text-anchor="{anchor}" font-size="11" '
                        f'fill="#1f2a33" paint-order="stroke" stroke="#fff" stroke-width="3">{escape(short)}</text>')
    for k, kind in enumerate(kinds):  # the legend: colours by kind of entry point
        body.append(f'<circle cx="{width - 120}" cy="{14 + 16 * k}" r="5" fill="{colour[kind]}"/>'
                    f'<text x="{width - 110}" y="{18 + 16 * k}" font-size="11">{escape(words(kind))}</text>')
    return _svg(width, height, body, _("Map of entry points by seizures"))


def _path(ring: list[list[float]], xy: Callable[[float, float], tuple[float, float]]) -> str:
    return "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in (xy(c[0], c[1]) for c in ring)) + " Z"


Placed = tuple[dict[str, Any], float, float, float, float, int]


def _spread(items: list[tuple[dict[str, Any], float, float]], spacing: float = 30,
            box: tuple[float, float] = (1e9, 1e9)) -> list[Placed]:
    """(point, x, y, true x, true y, side): points of a cluster closer than CLUSTER_PX set round its centre
    `spacing` apart; `side` says where its label goes (-1 left, 1 right, 0 as the map decides)."""
    clusters: list[list[tuple[dict[str, Any], float, float]]] = []
    for item in items:
        home = next((c for c in clusters if any(math.dist(item[1:], other[1:]) < CLUSTER_PX for other in c)), None)
        if home is None:
            clusters.append([item])
        else:
            home.append(item)
    out = []
    for cluster in clusters:
        if len(cluster) == 1:
            p, x, y = cluster[0]
            out.append((p, x, y, x, y, 0))
            continue
        cx = sum(x for _, x, _ in cluster) / len(cluster)
        cy = sum(y for _, _, y in cluster) / len(cluster)
        ring = spacing * len(cluster) / (2 * math.pi) + spacing / 2
        margin = ring + spacing / 2  # the spread cluster stays inside the drawing
        cx, cy = min(max(cx, margin), box[0] - margin), min(max(cy, margin), box[1] - margin)
        for k, (p, x, y) in enumerate(sorted(cluster, key=lambda item: str(item[0]["name"]))):
            angle = 2 * math.pi * k / len(cluster) - math.pi / 2
            px, py = cx + ring * math.cos(angle), cy + ring * math.sin(angle)
            out.append((p, px, py, x, y, -1 if px < cx - 1 else 1))
    return out


# --- seizures over time ----------------------------------------------------------------------------------

def seizures_over_time(rows: Sequence[dict[str, Any]], *, width: int = 600, height: int = 260) -> str:
    """Stacked bars of seizures per month and substance group, with hover details and a legend in words."""
    shown = [r for r in rows if r.get("seizures")]
    if not shown:
        return ""
    months = sorted({str(r["month"])[:7] for r in shown})
    groups = sorted({r["substance_group"] for r in shown}, key=lambda g: -sum(
        r["seizures"] for r in shown if r["substance_group"] == g))
    colour = {g: PALETTE[k % len(PALETTE)] for k, g in enumerate(groups)}
    counts = {(str(r["month"])[:7], r["substance_group"]): r["seizures"] for r in shown}
    tallest = max(sum(counts.get((m, g), 0) for g in groups) for m in months) or 1
    legend_rows = math.ceil(len(groups) / 3)
    left, top, bottom = 36, 8, 24 + 18 * legend_rows
    plot_w, plot_h = width - left - 8, height - top - bottom
    step = plot_w / len(months)
    body = [f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 8}" y2="{top + plot_h}" stroke="#d7dee4"/>',
            f'<text x="{left - 4}" y="{top + 10}" text-anchor="end" font-size="10">{number(tallest)}</text>',
            f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" font-size="10">0</text>']
    for k, month in enumerate(months):
        x, base = left + k * step, top + plot_h
        for g in groups:
            n = counts.get((month, g), 0)
            if not n:
                continue
            h = plot_h * n / tallest
            base -= h
            hover = _("%(month)s, %(group)s: %(count)s seizures", month=month, group=words(g), count=number(n))
            body.append(f'<rect x="{x + 0.5:.1f}" y="{base:.1f}" width="{max(step - 1, 1):.1f}" height="{h:.1f}" '
                        f'fill="{colour[g]}"><title>{escape(hover)}</title></rect>')
        if month.endswith("-01"):
            body.append(f'<text x="{x:.1f}" y="{top + plot_h + 12}" font-size="10">{month[:4]}</text>')
    for k, g in enumerate(groups):
        lx, ly = left + (k % 3) * (plot_w / 3), top + plot_h + 30 + 18 * (k // 3)
        body.append(f'<rect x="{lx:.1f}" y="{ly - 10}" width="12" height="12" fill="{colour[g]}"/>'
                    f'<text x="{lx + 16:.1f}" y="{ly}" font-size="12">{escape(words(g))}</text>')
    return _svg(width, height, body, _("Seizures per month by substance group"))


# --- one indicator of one unit ---------------------------------------------------------------------------

def indicator_panel(series: Sequence[dict[str, Any]], context: dict[str, float], title: str,
                    fmt: Callable[[float | None], str], *, width: int = 360, height: int = 180,
                    link: Callable[[str], str] | None = None) -> str:
    """`series`: the unit's {period, value, low, high, numerator, denominator} in order; `context`: every
    unit's median by period. A band for the interval, a line through the values, a dashed median; with
    `link` (period -> address), each point links to the rows it summarises."""
    periods = [s["period"] for s in series] or sorted(context)
    if not periods:
        return ""
    values = [v for s in series for v in (s["value"], s.get("low"), s.get("high")) if v is not None]
    values += [v for v in context.values() if v is not None]
    if not values:
        return ""
    low, high = min(0.0, min(values)), max(values) or 1.0
    left, top, bottom = 44, 10, 22
    plot_w, plot_h = width - left - 10, height - top - bottom
    step = plot_w / max(len(periods) - 1, 1)

    def x(k: int) -> float:
        return left + (k * step if len(periods) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - low) / ((high - low) or 1))

    body = [f'<line x1="{left}" y1="{y(low):.1f}" x2="{width - 10}" y2="{y(low):.1f}" stroke="#d7dee4"/>',
            f'<text x="{left - 4}" y="{y(high) + 4:.1f}" text-anchor="end" font-size="10">{escape(fmt(high))}</text>',
            f'<text x="{left - 4}" y="{y(low):.1f}" text-anchor="end" font-size="10">{escape(fmt(low))}</text>']
    band = [(k, s) for k, s in enumerate(series) if s.get("low") is not None and s.get("high") is not None]
    if len(band) > 1:
        upper = " L".join(f"{x(k):.1f},{y(s['high']):.1f}" for k, s in band)
        lower = " L".join(f"{x(k):.1f},{y(s['low']):.1f}" for k, s in reversed(band))
        body.append(f'<path d="M{upper} L{lower} Z" fill="#0b5c8c" fill-opacity="0.15"/>')
    median = [(periods.index(p), v) for p, v in context.items() if p in periods and v is not None]
    if len(median) > 1:
        body.append('<polyline fill="none" stroke="#5d6b78" stroke-dasharray="4 3" points="'
                    + " ".join(f"{x(k):.1f},{y(v):.1f}" for k, v in sorted(median)) + '"/>')
    line = [(k, s) for k, s in enumerate(series) if s["value"] is not None]
    if len(line) > 1:
        body.append('<polyline fill="none" stroke="#0b5c8c" stroke-width="2" points="'
                    + " ".join(f"{x(k):.1f},{y(s['value']):.1f}" for k, s in line) + '"/>')
    for k, s in line:
        hover = _("%(period)s: %(value)s", period=s["period"], value=fmt(s["value"]))
        if s.get("low") is not None and s.get("high") is not None:
            hover += " " + _("(95%% interval %(low)s to %(high)s)", low=fmt(s["low"]), high=fmt(s["high"]))
        if s.get("numerator") is not None and s.get("denominator") not in (None, 1, 1.0):
            hover += " · " + _("%(numerator)s of %(denominator)s", numerator=number(s["numerator"]),
                                denominator=number(s["denominator"]))
        mark = (f'<circle cx="{x(k):.1f}" cy="{y(s["value"]):.1f}" r="3.5" fill="#0b5c8c">'
                f'<title>{escape(hover)}</title></circle>')
        body.append(f'<a href="{_attr(link(s["period"]))}">{mark}</a>' if link else mark)
    for k in sorted({0, len(periods) - 1}):
        anchor = "end" if k == len(periods) - 1 and k > 0 else "start"
        body.append(f'<text x="{x(k):.1f}" y="{height - 6}" text-anchor="{anchor}" font-size="10">'
                    f'{escape(periods[k])}</text>')
    return _svg(width, height, body, title)


# --- funnel plots ----------------------------------------------------------------------------------------

def funnel_plot(funnels: dict[str, Any], label: Callable[[str], str], *, width: int = 330,
                height: int = 240, link: Callable[[str], str] | None = None) -> str:
    """Each outcome's funnel (observed / expected against expected cases, 95 % and 99.8 % limits), side by
    side. Every point names its prosecutor on hover (`label`; '' for readers who may not see names), and
    points beyond the 99.8 % limits are labelled on the plot. With `link` (prosecutor id -> address), each
    named point links to that prosecutor's flags."""
    panels = []
    for outcome, frame in funnels.items():
        rows = frame.sort_values("expected").to_dict("records") if not frame.empty else []
        if rows:
            panels.append(_funnel(outcome, rows, label, width, height, link))
    if not panels:
        return "<p>" + escape(_("Too few resolved seizure cases per prosecutor for a funnel plot.")) + "</p>"
    return '<figure class="funnel">' + "".join(panels) + "</figure>"


def _funnel(outcome: str, rows: list[dict[str, Any]], label: Callable[[str], str], width: int, height: int,
            link: Callable[[str], str] | None = None) -> str:
    left, top, bottom = 40, 26, 30
    plot_w, plot_h = width - left - 10, height - top - bottom
    most_x = max(r["expected"] for r in rows) or 1.0
    most_y = max(max(r["ratio"], r["high998"]) for r in rows) or 1.0

    def x(v: float) -> float:
        return left + plot_w * v / most_x

    def y(v: float) -> float:
        return top + plot_h * (1 - v / most_y)

    title = _("%(outcome)s per prosecutor", outcome=words(outcome).capitalize())
    body = [f'<text x="{left}" y="14" font-size="12" font-weight="600">{escape(title)}</text>',
            f'<line x1="{left}" y1="{y(1):.1f}" x2="{width - 10}" y2="{y(1):.1f}" stroke="#d7dee4"/>',
            f'<text x="{left - 4}" y="{y(1) + 4:.1f}" text-anchor="end" font-size="10">1</text>',
            f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle" font-size="10">'
            f'{escape(_("expected cases"))}</text>']
    for column, dash in (("low95", "4 3"), ("high95", "4 3"), ("low998", ""), ("high998", "")):
        points = " ".join(f"{x(r['expected']):.1f},{y(r[column]):.1f}" for r in rows)
        body.append(f'<polyline fill="none" stroke="#7a8a99" stroke-dasharray="{dash}" points="{points}"/>')
    for r in rows:
        outside = r["ratio"] > r["high998"] or r["ratio"] < r["low998"]
        who = label(str(r["unit"])) if r["unit"] else ""
        hover = _("%(who)s observed/expected %(ratio)s over %(cases)s resolved cases",
                  who=who + ":" if who else "", ratio=number(r["ratio"]), cases=number(r["cases"]))
        colour = "#b3261e" if outside else "#1f4e79"
        mark = (f'<circle cx="{x(r["expected"]):.1f}" cy="{y(r["ratio"]):.1f}" r="4" fill="{colour}">'
                f'<title>{escape(hover.strip())}</title></circle>')
        body.append(f'<a href="{_attr(link(str(r["unit"])))}">{mark}</a>' if link and r["unit"] else mark)
        if outside and who:
            body.append(f'<text x="{x(r["expected"]) + 6:.1f}" y="{y(r["ratio"]) + 4:.1f}" font-size="10" '
                        f'fill="{colour}">{escape(str(r["unit"]))}</text>')
    return _svg(width, height, body, title)
