"""A small country's seizing units (issue 10): four to six units, one of which may leak.

Each unit's seizures with an arrest become a prosecution case within 90 days at its own rate: ordinary units
at a rate drawn between 88 % and 94 % (real differences between ordinary units, not only chance), the
leaking unit at 54 %. Substances and quantities vary as in a real caseload, so the case-mix model has work
to do. Written straight into a warehouse, like `justice_world`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from baliza.warehouse.store import Warehouse

GROUPS = ["cocaine_type", "cannabis_type", "ats", "opiates"]
LEAK_RATE = 0.54
ORDINARY_RATES = (0.88, 0.94)


@dataclass(frozen=True)
class SmallCountry:
    units: tuple[str, ...]
    leaking_unit: str | None
    conversion: dict[str, float]  # each unit's true rate


def _insert(warehouse: Warehouse, table: str, frame: pd.DataFrame) -> None:
    con = warehouse.duckdb
    con.register("_frame", frame)
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _frame")
    con.unregister("_frame")


def build_small_country(
    warehouse: Warehouse, seed: int, *, leak: bool = True, seizures: tuple[int, int] = (40, 160),
    units: int | None = None,
) -> SmallCountry:
    """`units` seizing units (default 4, 5 or 6 by seed, in turn) with `seizures` (low, high) seizures with an
    arrest each over three years."""
    rng = np.random.default_rng(seed)
    n_units = units if units is not None else 4 + seed % 3
    names = tuple(f"SU{i}" for i in range(1, n_units + 1))
    rates = {u: float(rng.uniform(*ORDINARY_RATES)) for u in names}
    leaking = str(rng.choice(names)) if leak else None
    if leaking is not None:
        rates[leaking] = LEAK_RATE
    sizes = rng.integers(seizures[0], seizures[1] + 1, n_units)
    unit = np.repeat(np.array(names), sizes)
    n = len(unit)
    ids = np.array([f"S{i:05d}" for i in range(n)])
    seized_at = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 3 * 365, n), unit="D")
    group = rng.choice(GROUPS, n)
    small = rng.random(n) < 0.4
    quantity = np.where(small, rng.lognormal(np.log(0.02), 0.6, n), rng.lognormal(np.log(5), 1.2, n))
    _insert(warehouse, "units", pd.DataFrame({"unit_id": [*names, "OFFICE"], "agency_id": "A1", "name": "unit",
                                              "kind": ["port_control_unit"] * n_units + ["prosecution_office"]}))
    _insert(warehouse, "seizures", pd.DataFrame({
        "seizure_id": ids, "unit_id": unit, "seized_at": seized_at, "substance": group, "substance_group": group,
        "quantity": quantity, "quantity_unit": "kg", "lab_quantity": quantity,
    }))
    _insert(warehouse, "arrests", pd.DataFrame({
        "arrest_id": np.char.add("A", ids), "person_id": np.char.add("X", ids), "unit_id": unit,
        "arrested_at": seized_at, "seizure_id": ids,
    }))
    converted = rng.random(n) < np.array([rates[u] for u in unit])
    opened_at = seized_at + pd.to_timedelta(rng.integers(1, 60, n), unit="D")
    cases = pd.DataFrame({"case_id": np.char.add("C", ids), "seizure_id": ids, "opened_at": opened_at,
                          "office_id": "OFFICE", "origin": "seizure", "assignment": "manual"})[converted]
    _insert(warehouse, "cases", cases)
    # the data run to the end of June 2025: every seizure is old enough to be judged
    _insert(warehouse, "case_events", pd.DataFrame({"event_id": ["END"], "case_id": [cases.case_id.iloc[0]],
                                                    "at": [pd.Timestamp("2025-06-30")], "kind": ["hearing"]}))
    return SmallCountry(names, leaking, rates)
