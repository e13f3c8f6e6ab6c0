"""A small justice world with known structure, written straight into a temporary warehouse.

Twenty prosecutors in an office that assigns at random, six in a second office (manual assignment),
eight judges and eight seizing units. Outcomes depend on case mix only (small possession cases are
dismissed far more often than trafficking cases). With `corruption=True` the world plants:
- P01 dismisses large cases (corrupt prosecutor), P02 charges shrunk quantities,
  P03 receives large cases more than chance and P06 every case of a linked group (steered),
  J1 sentences lightly, unit U8 rarely opens cases,
  P04 lets cases run into the statute of limitations, P05 loses evidence before trial,
  P07 receives cases by reassignment days before they are dismissed;
every world reassigns 3 % of cases at a random time;
every world has background rates of statute-barred cases (2 %) and lost evidence (2 %);
always present (honest outliers, never to be flagged): P19 handles only small possession cases,
P20 is new with a handful of cases, P18 is busy (three times the usual share).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from baliza.warehouse.store import Warehouse

OFFICE_RANDOM, OFFICE_MANUAL = "O1", "O2"
RANDOM_PROSECUTORS = [f"P{i:02d}" for i in range(1, 21)]
MANUAL_PROSECUTORS = [f"Q{i:02d}" for i in range(1, 7)]
JUDGES = [f"J{i}" for i in range(1, 9)]
SEIZING_UNITS = [f"U{i}" for i in range(1, 9)]
GROUPS = ["cocaine_type", "cannabis_type", "ats", "opiates"]


@dataclass
class Truth:
    corrupt_prosecutors: set[str] = field(default_factory=set)
    shrinking_prosecutors: set[str] = field(default_factory=set)
    steered_prosecutors: set[str] = field(default_factory=set)
    corrupt_judges: set[str] = field(default_factory=set)
    limitation_prosecutors: set[str] = field(default_factory=set)
    evidence_prosecutors: set[str] = field(default_factory=set)
    reassignment_prosecutors: set[str] = field(default_factory=set)
    low_conversion_units: set[str] = field(default_factory=set)
    honest_outliers: set[str] = field(default_factory=lambda: {"P18", "P19", "P20"})


def _insert(warehouse: Warehouse, table: str, frame: pd.DataFrame) -> None:
    con = warehouse.duckdb
    con.register("_frame", frame)
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _frame")
    con.unregister("_frame")


def build_world(warehouse: Warehouse, seed: int = 0, *, corruption: bool = True, n_seizures: int = 3000) -> Truth:
    rng = np.random.default_rng(seed)
    truth = Truth()
    if corruption:
        truth.corrupt_prosecutors = {"P01"}
        truth.shrinking_prosecutors = {"P02"}
        truth.steered_prosecutors = {"P03"}
        truth.corrupt_judges = {"J1"}
        truth.low_conversion_units = {"U8"}
        truth.limitation_prosecutors = {"P04"}
        truth.evidence_prosecutors = {"P05"}
        truth.reassignment_prosecutors = {"P07"}
    _insert(warehouse, "units", pd.DataFrame({
        "unit_id": [*SEIZING_UNITS, OFFICE_RANDOM, OFFICE_MANUAL, "COURT"],
        "agency_id": "A1", "name": "unit",
        "kind": ["port_control_unit"] * 8 + ["prosecution_office"] * 2 + ["court"],
    }))
    _insert(warehouse, "staff", pd.DataFrame({
        "staff_id": RANDOM_PROSECUTORS + MANUAL_PROSECUTORS + JUDGES,
        "unit_id": [OFFICE_RANDOM] * 20 + [OFFICE_MANUAL] * 6 + ["COURT"] * 8,
        "role": ["prosecutor"] * 26 + ["judge"] * 8,
    }))
    n = n_seizures
    ids = np.array([f"S{i:05d}" for i in range(n)])
    seized_at = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 3 * 365, n), unit="D")
    group = rng.choice(GROUPS, n)
    small = rng.random(n) < 0.4  # small possession seizures
    quantity = np.where(small, rng.lognormal(np.log(0.02), 0.6, n), rng.lognormal(np.log(5), 1.2, n))
    unit = rng.choice(SEIZING_UNITS, n)
    _insert(warehouse, "seizures", pd.DataFrame({
        "seizure_id": ids, "unit_id": unit, "seized_at": seized_at, "substance": group,
        "substance_group": group, "quantity": quantity, "quantity_unit": "kg", "lab_quantity": quantity,
    }))
    _insert(warehouse, "arrests", pd.DataFrame({
        "arrest_id": [f"A{i:05d}" for i in range(n)], "person_id": [f"X{i:05d}" for i in range(n)],
        "unit_id": unit, "arrested_at": seized_at, "seizure_id": ids,
    }))
    convert_p = np.where(np.isin(unit, list(truth.low_conversion_units)), 0.45, 0.93)
    converted = rng.random(n) < convert_p
    opened_at = seized_at + pd.to_timedelta(rng.integers(1, 60, n), unit="D")
    random_office = rng.random(n) < 0.75
    prosecutor = _assign(rng, small, quantity, random_office, corruption)
    c = pd.DataFrame({
        "case_id": np.char.add("C", np.char.lstrip(ids, "S")), "seizure_id": ids, "opened_at": opened_at,
        "office_id": np.where(random_office, OFFICE_RANDOM, OFFICE_MANUAL), "lead_prosecutor_id": prosecutor,
        "assignment": np.where(random_office, "random", "manual"), "origin": "seizure",
        "person_id": [f"X{i:05d}" for i in range(n)], "small": small, "quantity": quantity, "group": group,
    })[converted].reset_index(drop=True)
    phone = np.array([f"+1-555-{i:06d}" for i in range(len(c))], dtype=object)
    if corruption:  # a linked group: six defendants sharing one phone, all their cases with P06
        members = rng.choice(np.flatnonzero(c.assignment == "random"), 6, replace=False)
        phone[members] = "+1-555-999999"
        c.loc[members, "lead_prosecutor_id"] = "P06"
        truth.steered_prosecutors.add("P06")
    _insert(warehouse, "persons", pd.DataFrame({"person_id": c.person_id, "full_name": "Test Person",
                                                "phone": phone, "address": c.person_id}))
    _insert(warehouse, "cases", c[["case_id", "office_id", "opened_at", "origin", "seizure_id",
                                   "lead_prosecutor_id", "assignment"]])
    _insert(warehouse, "case_parties", c[["case_id", "person_id"]].assign(role="defendant"))
    shrink = np.isin(c.lead_prosecutor_id, list(truth.shrinking_prosecutors)) & (rng.random(len(c)) < 0.6)
    charged = np.where(shrink, c.quantity * 0.4, c.quantity * rng.uniform(0.95, 1.0, len(c)))
    _insert(warehouse, "charges", pd.DataFrame({
        "charge_id": np.char.add("H", c.case_id.to_numpy().astype(str)), "case_id": c.case_id,
        "person_id": c.person_id, "filed_at": c.opened_at,
        "offence": np.where(c.small, "possession", "trafficking"), "substance_group": c.group,
        "quantity": charged, "quantity_unit": "kg",
    }))
    _dispose(warehouse, rng, c, truth)
    return truth


def _assign(rng: np.random.Generator, small: np.ndarray, quantity: np.ndarray, random_office: np.ndarray,
            corruption: bool) -> np.ndarray:
    n = len(small)
    regular = [p for p in RANDOM_PROSECUTORS if p not in ("P19", "P20")]
    weights = np.array([3.0 if p == "P18" else 1.0 for p in regular])
    out = rng.choice(regular, n, p=weights / weights.sum())
    # honest outliers: P19 takes only small possession cases; P20 is new with six cases
    p19 = small & (rng.random(n) < 0.08)
    out[p19] = "P19"
    out[np.flatnonzero(~p19)[:6]] = "P20"
    if corruption:  # steering: large cases go to P03 far more often than chance
        large = quantity > np.quantile(quantity, 0.9)
        out[large & (rng.random(n) < 0.3)] = "P03"
    manual = rng.choice(MANUAL_PROSECUTORS, n)
    return np.where(random_office, out, manual)


def _dispose(warehouse: Warehouse, rng: np.random.Generator, c: pd.DataFrame, truth: Truth) -> None:
    n = len(c)
    end = pd.Timestamp("2025-06-30")
    days = rng.gamma(2.0, 150, n)
    disposed_at = c.opened_at + pd.to_timedelta(days.astype(int), unit="D")
    done = disposed_at <= end
    p_dismiss = np.where(c.small, 0.35, 0.10)
    p_dismiss = np.where(np.isin(c.lead_prosecutor_id, list(truth.corrupt_prosecutors)) & ~c.small, 0.55, p_dismiss)
    p_acquit = 0.10
    u = rng.random(n)
    outcome = np.where(u < p_dismiss, "dismissed", np.where(u < p_dismiss + p_acquit, "acquitted", "convicted"))
    plea = (outcome == "convicted") & (rng.random(n) < 0.3)
    outcome = np.where(plea, "plea_convicted", outcome)
    p_barred = np.where(np.isin(c.lead_prosecutor_id, list(truth.limitation_prosecutors)), 0.25, 0.02)
    outcome = np.where(rng.random(n) < p_barred, "statute_barred", outcome)
    judge = rng.choice(JUDGES, n)
    base = np.where(c.small, 6.0, 36.0) * np.exp(rng.normal(0, 0.4, n)) * np.where(plea, 0.7, 1.0)
    base = np.where(np.isin(judge, list(truth.corrupt_judges)), base * 0.4, base)
    sentence = np.where(np.isin(outcome, ["convicted", "plea_convicted"]), np.round(base, 1), np.nan)
    d = pd.DataFrame({"case_id": c.case_id, "person_id": c.person_id, "disposed_at": disposed_at,
                      "outcome": outcome, "judge_id": judge, "sentence_months": sentence})[done]
    _insert(warehouse, "dispositions", d)
    case_ids = c.case_id.to_numpy().astype(str)
    assigned = pd.DataFrame({"event_id": np.char.add("E", case_ids), "case_id": c.case_id,
                             "at": c.opened_at, "kind": "assigned", "staff_id": c.lead_prosecutor_id})
    hearing = pd.DataFrame({"event_id": np.char.add("H", case_ids), "case_id": c.case_id,
                            "at": c.opened_at + pd.to_timedelta(days.astype(int) // 2 + 1, unit="D"),
                            "kind": "hearing", "staff_id": judge})
    p_lost = np.where(np.isin(c.lead_prosecutor_id, list(truth.evidence_prosecutors)), 0.3, 0.02)
    lost = rng.random(n) < p_lost
    evidence = pd.DataFrame({"event_id": np.char.add("L", case_ids), "case_id": c.case_id,
                             "at": c.opened_at + pd.to_timedelta(1, unit="D"),
                             "kind": rng.choice(["evidence_missing", "evidence_destroyed"], n),
                             "staff_id": c.lead_prosecutor_id})[lost]
    lost_soon = np.isin(outcome, ["dismissed", "acquitted"]) & done.to_numpy()
    planted = np.flatnonzero(lost_soon & (rng.random(n) < 0.02))[:8] if truth.reassignment_prosecutors else []
    background = rng.random(n) < 0.03
    reassigned_at = c.opened_at + pd.to_timedelta(rng.uniform(0, 1, n) * days, unit="D")
    reassigned_at = np.where(np.isin(np.arange(n), planted), disposed_at - pd.to_timedelta(10, unit="D"),
                             reassigned_at)
    to = np.where(np.isin(np.arange(n), planted), "P07", rng.choice(RANDOM_PROSECUTORS[:17], n))
    reassigned = pd.DataFrame({"event_id": np.char.add("R", case_ids), "case_id": c.case_id,
                               "at": reassigned_at, "kind": "reassigned", "staff_id": to})
    reassigned = reassigned[background | np.isin(np.arange(n), planted)]
    _insert(warehouse, "case_events", pd.concat([assigned, hearing, evidence, reassigned], ignore_index=True))
