"""Seizures per month by substance and place, with empty months filled in (a month with none is a zero)."""

from __future__ import annotations

from typing import Protocol

import ibis.expr.types as ir
import pandas as pd

PLACES = ("country", "entry_point")


class Tables(Protocol):
    def table(self, name: str) -> ir.Table: ...


def seizure_months(tables: Tables) -> ir.Table:
    """One row per seizure: substance (as written, lower case), group, entry point and month."""
    s = tables.table("seizures")
    return s.select(
        "seizure_id", "substance_group", "entry_point_id", "seized_at",
        substance=s.substance.strip().lower(), month=s.seized_at.truncate("M").cast("date"),
    )


def monthly_counts(tables: Tables, place: str = "country", level: str = "substance") -> pd.DataFrame:
    """Counts per (substance or group, place, month) over every month of the data, zeros included."""
    if place not in PLACES:
        raise ValueError(f"place must be one of {PLACES}")
    if level not in ("substance", "substance_group"):
        raise ValueError("level must be substance or substance_group")
    t = seizure_months(tables)
    keys = [level] + (["entry_point_id"] if place == "entry_point" else [])
    if place == "entry_point":
        t = t.filter(t.entry_point_id.notnull())
    counts = t.group_by([*keys, "month"]).aggregate(seizures=t.count()).to_pandas()
    if counts.empty:
        return counts
    counts["month"] = pd.to_datetime(counts["month"]).dt.to_period("M")
    months = pd.period_range(counts["month"].min(), counts["month"].max(), freq="M")
    series = counts[keys].drop_duplicates()
    grid = series.merge(pd.DataFrame({"month": months}), how="cross")
    full = grid.merge(counts, on=[*keys, "month"], how="left")
    full["seizures"] = full["seizures"].fillna(0).astype(int)
    return full.sort_values([*keys, "month"]).reset_index(drop=True)
