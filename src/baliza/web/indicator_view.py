"""The unit indicators page: a small multiple per chosen indicator for one unit, with its 95 % interval and
every unit's median beside it, and the table of figures, filtered, paginated (never cut silently) and
downloadable with the same filters.

The rows come from `services.indicators` (scope, suppression and audit applied there). Intervals are the
ones the growth report draws (Wilson for shares, exact Poisson for counts), from the row's own numerator
and denominator; suppressed rows have none.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from statistics import median
from typing import Any
from urllib.parse import urlencode

from fastapi import HTTPException

from baliza.analyses.periods import period_bounds
from baliza.i18n import gettext as _
from baliza.i18n.labels import indicator_heading as indicator_label
from baliza.stats.intervals import poisson_interval, wilson_interval
from baliza.web import figures, svg

DEFAULT_INDICATORS = ("hit_rate", "seizures", "prosecution_conversion", "conviction_conversion")
PER_PAGE = 200
GRANULARITIES = ("year", "quarter", "month")
EVERY_UNIT = "*"


@dataclass(frozen=True)
class IndicatorQuery:
    granularity: str = "year"
    unit: str = ""
    indicators: tuple[str, ...] = DEFAULT_INDICATORS
    page: int = 1

    @classmethod
    def parse(cls, params: Any) -> IndicatorQuery:
        granularity = params.get("granularity", "year") or "year"
        if granularity not in GRANULARITIES:
            raise HTTPException(400, _("granularity must be one of: %(choices)s", choices=", ".join(GRANULARITIES)))
        page = params.get("page", "1") or "1"
        if not page.isdigit() or int(page) < 1:
            raise HTTPException(400, _("page must be a whole number from 1, not %(value)r", value=page[:20]))
        chosen = tuple(dict.fromkeys(v[:60] for v in params.getlist("indicator") if v)) or DEFAULT_INDICATORS
        return cls(granularity, (params.get("unit", "") or "")[:120], chosen[:12], int(page[:6]))

    def link(self, **changes: Any) -> str:
        values: dict[str, Any] = {"granularity": self.granularity, "unit": self.unit,
                                  "indicator": list(self.indicators), "page": ""}
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v}, doseq=True)


def interval(row: dict[str, Any]) -> tuple[float, float] | None:
    """The 95 % interval of a share or a count from its numerator and denominator (None otherwise)."""
    kind = figures.kind_of(row["indicator"])
    n, d = row.get("numerator"), row.get("denominator")
    if n is None or d is None or row.get("suppressed"):
        return None
    if kind == "proportion" and d > 0:
        return wilson_interval(n, d)
    if kind == "count":
        return poisson_interval(n)
    return None


def rows_of(unit: str, period: str) -> str:
    """The chain explorer filtered to one unit's seizures in one period: the rows a chart's point sums up."""
    first, last = period_bounds(period)
    return "/chain?" + urlencode({"unit": unit, "date_from": first.isoformat(), "date_to": last.isoformat()})


def units_by_size(rows: list[dict[str, Any]]) -> list[str]:
    """The units with figures, most seizures first (then by id)."""
    made: dict[str, float] = defaultdict(float)
    for r in rows:
        if r["subject_table"] == "units":
            made[r["subject_id"]] += (r["value"] or 0) if r["indicator"] == "seizures" else 0
    return sorted(made, key=lambda u: (-made[u], u))


def view(rows: list[dict[str, Any]], query: IndicatorQuery, names: dict[str, str],
         preferred: str | None, *, linked: bool = False) -> dict[str, Any]:
    """Charts and table for the page; `linked` (the reader may read seizures): each point of a chart links
    to the unit's seizure chains of that period in the chain explorer."""
    units = units_by_size(rows)
    unit = query.unit if query.unit in units or query.unit == EVERY_UNIT else (
        preferred if preferred in units else (units[0] if units else ""))
    present = sorted({r["indicator"] for r in rows})
    chosen = [name for name in query.indicators if name in present]
    panels = []
    if unit and unit != EVERY_UNIT:
        for name in chosen:
            mine = sorted((r for r in rows if r["subject_id"] == unit and r["indicator"] == name),
                          key=lambda r: r["period"])
            series = []
            for r in mine:
                found = interval(r)
                series.append({**r, "low": found[0] if found else None, "high": found[1] if found else None})
            by_period: dict[str, list[float]] = defaultdict(list)
            for r in rows:
                if r["indicator"] == name and r["value"] is not None and r["subject_table"] == "units":
                    by_period[r["period"]].append(r["value"])
            context = {p: median(v) for p, v in by_period.items()}
            title = _("%(indicator)s of %(unit)s", indicator=indicator_label(name), unit=names.get(unit, unit))
            panels.append({"indicator": name, "svg": svg.indicator_panel(
                series, context, title, lambda v, name=name: figures.figure(v, name),
                link=(lambda period, unit=unit: rows_of(unit, period)) if linked else None)})
    table = [r for r in rows if (unit in ("", EVERY_UNIT) or r["subject_id"] == unit)]
    table.sort(key=lambda r: (r["subject_id"], r["indicator"], r["period"]))
    pages = max(1, -(-len(table) // PER_PAGE))
    page = min(query.page, pages)
    first = (page - 1) * PER_PAGE
    return {"units": units, "unit": unit, "present": present, "chosen": chosen, "panels": panels,
            "table": table[first:first + PER_PAGE], "table_total": len(table), "first": first + 1,
            "page": page, "pages": pages, "query": IndicatorQuery(query.granularity, unit, query.indicators, page)}


def export_table(rows: list[dict[str, Any]], names: dict[str, str]) -> tuple[list[str], list[list[Any]]]:
    header = [_("Unit"), _("Indicator"), _("Period"), _("Value"), _("Numerator"), _("Denominator"),
              _("95% low"), _("95% high"), _("Suppressed"), _("Note"), "subject_id", "indicator"]
    body = []
    for r in rows:
        found = interval(r)
        body.append([names.get(r["subject_id"], r["subject_id"]), indicator_label(r["indicator"]), r["period"],
                     r["value"], r["numerator"], r["denominator"], found[0] if found else None,
                     found[1] if found else None, bool(r.get("suppressed")), r.get("note", ""),
                     r["subject_id"], r["indicator"]])
    return header, body
