"""Maps drawn offline: a country outline shipped with the package (`geodata/outlines.geojson`, one
feature per ISO alpha-3 country) and the entry points on it, rendered to inline SVG on the server.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from importlib import resources
from typing import Any

import altair as alt

from baliza.report.charts import to_svg


@cache
def outlines() -> dict[str, dict[str, Any]]:
    """Country outlines by ISO alpha-3 code."""
    text = resources.files("baliza.web").joinpath("geodata/outlines.geojson").read_text(encoding="utf-8")
    return {f["properties"]["iso3"]: f for f in json.loads(text)["features"]}


def entry_point_map(points: list[dict[str, Any]], width: int = 420, height: int = 520) -> str:
    """SVG map of entry points sized by their seizures, over the outline of their (main) country."""
    located = [p for p in points if p.get("latitude") is not None and p.get("longitude") is not None]
    if not located:
        return ""
    country = Counter(p["country"] for p in located).most_common(1)[0][0]
    layers: list[alt.Chart] = []
    outline = outlines().get(country)
    projection = {"type": "equirectangular"}
    if outline is not None:
        layers.append(alt.Chart(alt.Data(values=[outline])).mark_geoshape(
            fill="#eef2f5", stroke="#7a8a99", strokeWidth=1).project(**projection))
    data = [{k: p[k] for k in ("name", "kind", "latitude", "longitude", "seizures")} for p in located]
    layers.append(alt.Chart(alt.Data(values=data)).mark_circle(opacity=0.75, stroke="white").encode(
        longitude="longitude:Q", latitude="latitude:Q",
        size=alt.Size("seizures:Q", title="seizures", scale=alt.Scale(range=[20, 900])),
        color=alt.Color("kind:N", title="entry point"),
        tooltip=["name:N", "kind:N", "seizures:Q"],
    ).project(**projection))
    return to_svg(alt.layer(*layers).properties(width=width, height=height))


def seizures_over_time(rows: list[dict[str, Any]], width: int = 560, height: int = 220) -> str:
    """SVG stacked bars of seizures per month and substance group."""
    if not rows:
        return ""
    data = [{"month": str(r["month"]), "substance_group": r["substance_group"], "seizures": r["seizures"]}
            for r in rows]
    chart = alt.Chart(alt.Data(values=data)).mark_bar().encode(
        x=alt.X("month:T", title=None), y=alt.Y("seizures:Q", title="seizures"),
        color=alt.Color("substance_group:N", title="substance"),
    ).properties(width=width, height=height)
    return to_svg(chart)


def indicator_chart(rows: list[dict[str, Any]], indicator: str, width: int = 560, height: int = 220) -> str:
    """SVG lines of one indicator per unit over the periods."""
    data = [{"period": r["period"], "unit": r["subject_id"], "value": r["value"]} for r in rows
            if r["indicator"] == indicator and r["value"] is not None]
    if not data:
        return ""
    chart = alt.Chart(alt.Data(values=data)).mark_line(point=True).encode(
        x=alt.X("period:O", title=None), y=alt.Y("value:Q", title=indicator), color=alt.Color("unit:N"),
    ).properties(width=width, height=height)
    return to_svg(chart)
