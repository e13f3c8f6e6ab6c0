"""One view of all entry points (clause 4): per country, who works where, how well, together or apart.

Per country: every entry point with the units and programmes present (CCP, AIRCOP, SEACOP), their headline
indicators over all the data, the joint operations and trainings touching them; entry points with traffic but no
unit; and programmes in the same country that train separately on the same topic (the case for joint trainings).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import ibis.expr.types as ir
import pandas as pd

from baliza.analyses.benchmarks.peers import natural_key
from baliza.analyses.ksi.inspections import inspection_counts
from baliza.analyses.ksi.ratios import share
from baliza.analyses.ksi.seizures import seizure_counts
from baliza.analyses.periods import Granularity
from baliza.warehouse.protocol import Warehouse

PROGRAMMES = ("CCP", "AIRCOP", "SEACOP")


@dataclass(frozen=True)
class UnitPresence:
    unit_id: str
    name: str
    kind: str
    programme: str | None
    inspections: int
    hit_rate: float | None
    seizures: int
    partner_sharing_48h: float | None
    prosecution_conversion: float | None
    trainings: int
    training_hours: float


@dataclass(frozen=True)
class EntryPointView:
    entry_point_id: str
    name: str
    kind: str
    code: str | None
    annual_traffic: int | None
    consignments: int
    seizures: int
    programmes: tuple[str, ...]
    units: tuple[UnitPresence, ...]
    joint_operations: tuple[str, ...]  # operation ids

    @property
    def has_traffic(self) -> bool:
        return bool(self.annual_traffic) or self.consignments > 0 or self.seizures > 0


@dataclass(frozen=True)
class SeparateTraining:
    """Two or more programmes in one country trained on the same topic, each on its own."""

    topic: str
    programmes: tuple[str, ...]
    training_ids: tuple[str, ...]
    unit_ids: tuple[str, ...]


@dataclass(frozen=True)
class CountryView:
    country: str
    entry_points: tuple[EntryPointView, ...]
    uncovered: tuple[str, ...]  # entry points with traffic and no unit
    operations: tuple[dict[str, Any], ...]
    separate_trainings: tuple[SeparateTraining, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for entry, view in zip(out["entry_points"], self.entry_points, strict=True):
            entry["has_traffic"] = view.has_traffic
        return out


def entry_point_views(warehouse: Warehouse, country: str | None = None) -> list[CountryView]:
    entry_points = warehouse.table("entry_points").to_pandas()
    units = _units_with_country(warehouse)
    if country is not None:
        entry_points = entry_points[entry_points["country"] == country]
        units = units[units["country"] == country]
    presence = _unit_presence(warehouse, units)
    operations = warehouse.table("operations").to_pandas()
    consignments = _count_by(warehouse, "consignments", "entry_point_id")
    located = seizure_entry_points(warehouse)
    known = located.filter(located.entry_point_id.notnull())
    counts = known.group_by("entry_point_id").aggregate(n=known.count()).to_pandas()
    seizures = dict(zip(counts["entry_point_id"].astype(str), counts["n"].astype(int), strict=True))
    op_seizures = located.select("entry_point_id", "operation_id").distinct().to_pandas()
    countries = sorted(set(entry_points["country"].dropna()) | set(units["country"].dropna()))
    views: list[CountryView] = []
    for code in countries:
        eps = entry_points[entry_points["country"] == code]
        eps = eps.iloc[sorted(range(len(eps)), key=lambda k: natural_key(str(eps["entry_point_id"].iloc[k])))]
        ep_views = []
        for ep in eps.itertuples(index=False):
            present = tuple(presence[u] for u in units.loc[units["entry_point_id"] == ep.entry_point_id, "unit_id"])
            unit_ids = {p.unit_id for p in present}
            joint = _operations_at(operations, op_seizures, str(ep.entry_point_id), unit_ids)
            ep_views.append(
                EntryPointView(
                    str(ep.entry_point_id), str(ep.name), str(ep.kind), _optional(ep.code),
                    None if pd.isna(ep.annual_traffic) else int(ep.annual_traffic),
                    consignments.get(str(ep.entry_point_id), 0), seizures.get(str(ep.entry_point_id), 0),
                    tuple(sorted({p.programme for p in present if p.programme and p.programme != "none"})),
                    present, joint,
                )
            )
        country_units = set(units.loc[units["country"] == code, "unit_id"])
        country_eps = set(eps["entry_point_id"])
        ops = tuple(
            _operation(row) for row in operations.itertuples(index=False)
            if country_units & set(_listed(row.unit_ids)) or country_eps & set(_listed(row.entry_point_ids))
        )
        views.append(
            CountryView(
                code, tuple(ep_views), tuple(v.entry_point_id for v in ep_views if v.has_traffic and not v.units),
                ops, tuple(separate_trainings(warehouse, units[units["country"] == code])),
            )
        )
    return views


def separate_trainings(warehouse: Warehouse, units: pd.DataFrame) -> list[SeparateTraining]:
    """Topics on which units of two or more programmes were trained, each programme on its own."""
    trainings = warehouse.table("trainings").to_pandas()
    trainings = trainings.merge(units[["unit_id", "programme"]], on="unit_id", how="inner")
    if trainings.empty:
        return []
    trainings["joint"] = trainings["programmes"].map(lambda p: len(_listed(p)) > 1)
    # the unit's programme; where the unit names none, the one programme the training lists
    listed_alone = trainings["programmes"].map(lambda p: _listed(p)[0] if len(_listed(p)) == 1 else None)
    trainings["programme"] = trainings["programme"].where(trainings["programme"].isin(PROGRAMMES), listed_alone)
    trainings["topic_key"] = trainings["topic"].str.strip().str.lower()
    trainings = trainings[trainings["kind"] == "training"]  # mentoring and equipment are given unit by unit
    alone = trainings[~trainings["joint"] & trainings["programme"].isin(PROGRAMMES)]
    out = []
    for topic, rows in alone.groupby("topic_key", sort=True):
        programmes = tuple(sorted(set(rows["programme"])))
        if len(programmes) > 1:
            out.append(SeparateTraining(str(topic), programmes, tuple(sorted(rows["training_id"])),
                                        tuple(sorted(set(rows["unit_id"])))))
    return out


def _units_with_country(warehouse: Warehouse) -> pd.DataFrame:
    units = warehouse.table("units").to_pandas()
    agencies = warehouse.table("agencies").select("agency_id", agency_country="country").to_pandas()
    eps = warehouse.table("entry_points").select("entry_point_id", ep_country="country").to_pandas()
    units = units.merge(agencies, on="agency_id", how="left").merge(eps, on="entry_point_id", how="left")
    units["country"] = units["ep_country"].fillna(units["agency_country"])
    return units


def _unit_presence(warehouse: Warehouse, units: pd.DataFrame) -> dict[str, UnitPresence]:
    inspected = inspection_counts(warehouse, Granularity.YEAR).to_pandas().groupby("unit_id").sum(numeric_only=True)
    seized = seizure_counts(warehouse, Granularity.YEAR).to_pandas().groupby("unit_id").sum(numeric_only=True)
    trainings = warehouse.table("trainings").to_pandas()
    trained = trainings.groupby("unit_id").agg(trainings=("training_id", "count"), hours=("hours", "sum"))
    out = {}
    for unit in units.itertuples(index=False):
        i = inspected.loc[unit.unit_id] if unit.unit_id in inspected.index else None
        s = seized.loc[unit.unit_id] if unit.unit_id in seized.index else None
        t = trained.loc[unit.unit_id] if unit.unit_id in trained.index else None
        out[unit.unit_id] = UnitPresence(
            str(unit.unit_id), str(unit.name), str(unit.kind), _optional(unit.programme),
            int(i["inspections"]) if i is not None else 0,
            share(i["hits"], i["inspections"]) if i is not None else None,
            int(s["seizures"]) if s is not None else 0,
            share(s["shared_48h"], s["seizures"]) if s is not None else None,
            share(s["arrest_case_90d"], s["with_arrest"]) if s is not None else None,
            int(t["trainings"]) if t is not None else 0,
            float(t["hours"]) if t is not None and not pd.isna(t["hours"]) else 0.0,
        )
    return out


def _operations_at(operations: pd.DataFrame, op_seizures: pd.DataFrame, ep: str, unit_ids: set[str]) -> tuple[str, ...]:
    by_seizure = set(op_seizures.loc[(op_seizures["entry_point_id"] == ep), "operation_id"].dropna())
    listed = {
        str(row.operation_id) for row in operations.itertuples(index=False)
        if ep in _listed(row.entry_point_ids) or unit_ids & set(_listed(row.unit_ids))
    }
    return tuple(sorted(listed | {str(o) for o in by_seizure}))


def _operation(row: Any) -> dict[str, Any]:
    return {"operation_id": str(row.operation_id), "name": str(row.name), "starts_on": row.starts_on,
            "ends_on": row.ends_on, "programmes": list(_listed(row.programmes))}


def seizure_entry_points(warehouse: Warehouse) -> ir.Table:
    """Each seizure with its entry point: its own, else that of the consignment it was inspected in."""
    s = warehouse.table("seizures")
    inspections = warehouse.table("inspections")
    consignments = warehouse.table("consignments")
    where = inspections.join(consignments, "consignment_id").select(
        "inspection_id", inspected_entry_point_id=consignments.entry_point_id
    )
    joined = s.left_join(where, "inspection_id")
    return joined.select(
        "seizure_id", "operation_id",
        entry_point_id=joined.entry_point_id.coalesce(joined.inspected_entry_point_id),
    )


def _count_by(warehouse: Warehouse, table: str, column: str) -> dict[str, int]:
    t = warehouse.table(table)
    t = t.filter(t[column].notnull())
    counts = t.group_by(column).aggregate(n=t.count()).to_pandas()
    return dict(zip(counts[column].astype(str), counts["n"].astype(int), strict=True))


def _listed(value: Iterable[str] | None) -> tuple[str, ...]:
    if value is None or (not isinstance(value, list | tuple) and not hasattr(value, "__len__")):
        return ()
    return tuple(str(v) for v in value if v is not None)


def _optional(value: object) -> str | None:
    return None if value is None or pd.isna(value) else str(value)
