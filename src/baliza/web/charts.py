"""The dashboard's charts, rendered once per distinct data (rendering SVG costs tens of milliseconds)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from baliza.web import maps


def _key(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, sort_keys=True, default=str)


@lru_cache(maxsize=256)
def _map(key: str) -> str:
    return maps.entry_point_map(json.loads(key))


@lru_cache(maxsize=256)
def _time(key: str) -> str:
    return maps.seizures_over_time(json.loads(key))


@lru_cache(maxsize=256)
def _indicator(key: str, indicator: str) -> str:
    return maps.indicator_chart(json.loads(key), indicator)


def entry_point_map(rows: list[dict[str, Any]]) -> str:
    return _map(_key([{**r, "seizures": r["seizures"] or 0} for r in rows]))


def seizures_over_time(rows: list[dict[str, Any]]) -> str:
    return _time(_key([r for r in rows if r["seizures"] is not None]))


def indicator_chart(rows: list[dict[str, Any]], indicator: str) -> str:
    return _indicator(_key([r for r in rows if r["indicator"] == indicator]), indicator)
