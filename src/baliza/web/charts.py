"""The dashboard's charts, drawn once per distinct data (`svg`: hover details, labels, legends in words)."""

from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from baliza.i18n import current
from baliza.web import maps, svg


def _key(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, sort_keys=True, default=str)


@lru_cache(maxsize=256)
def _map(key: str, language: str, linked: bool) -> str:
    points = json.loads(key)
    located = [p for p in points if p.get("country")]
    country = Counter(p["country"] for p in located).most_common(1)[0][0] if located else None
    link = (lambda p: f"/chain?entry_point={quote(str(p.get('entry_point_id', '')))}") if linked else None
    return svg.entry_point_map(points, maps.outlines().get(country) if country else None, link=link)


@lru_cache(maxsize=256)
def _time(key: str, language: str) -> str:
    return svg.seizures_over_time(json.loads(key))


def entry_point_map(rows: list[dict[str, Any]], linked: bool = False) -> str:
    """Entry points sized by seizures (a suppressed count is drawn hollow and says so on hover); `linked`:
    each point opens the chain explorer on that entry point's seizures."""
    return _map(_key(rows), current(), linked)


def seizures_over_time(rows: list[dict[str, Any]]) -> str:
    return _time(_key([r for r in rows if r["seizures"] is not None]), current())


def indicator_chart(rows: list[dict[str, Any]], indicator: str) -> str:
    """Kept for callers of the former line chart of every unit (the API's consumers do not use it)."""
    return maps.indicator_chart(rows, indicator)
