"""Who is who in the justice system: the planted corruption and the honest outliers.

Corrupt prosecutors have a share of their seizure-originated cases "bought": dismissed or acquitted, with one
of the patterns they use (shrinking the charged quantity below the lab quantity, steering large cases or a
linked group of defendants to themselves, being reassigned a case shortly before dismissing it, asking for
adjournments until the limitation date, evidence going missing before trial). A corrupt judge hands down
abnormally light sentences; a low-conversion unit's seizures with arrests rarely become cases.

Honest outliers exist in every world: a prosecutor who handles the small possession cases of her office
(high dismissal rate explained by case mix), a prosecutor who joined weeks before the extract, and a busy one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from baliza.demo.institutions import INTERDICTION_UNITS, Institutions
from baliza.demo.scales import Scale

PATTERNS: tuple[frozenset[str], ...] = (
    frozenset({"shrink", "steer_large"}),
    frozenset({"limitation", "reassign"}),
    frozenset({"evidence", "steer_group", "shrink"}),
    frozenset({"limitation", "evidence"}),
    frozenset({"reassign", "shrink"}),
    frozenset({"steer_large", "limitation"}),
)
BOUGHT_SHARE = 0.55
"""Share of a corrupt prosecutor's seizure-originated cases that are bought."""
NEW_PROSECUTOR_CASES = 6
"""About how many cases the new prosecutor receives before the extract."""
BUSY_WEIGHT = 2.5
MIN_CASELOAD = 40
"""Seizure cases over the five years a prosecutor needs before a corrupt one is planted in the office."""
REGION_CASE_SHARE = {"LIMA": 0.62, "NORTE": 0.08, "SUR": 0.13, "ORIENTE": 0.12}
"""Roughly how the seizure cases split between the regions (from the traffic's unit activity)."""
LOW_CONVERSION_CANDIDATES = ("U-BOR-TUMBES", "U-PCU-PAITA", "U-BOR-TACNA", "U-BOR-DESAG")


@dataclass
class Plan:
    corruption: bool
    office_assignment: np.ndarray
    """'random' or 'rota' per office."""
    prosecutor_weight: np.ndarray
    small_possession_prosecutor: int
    new_prosecutor: int
    busy_prosecutor: int
    corrupt: dict[int, frozenset[str]] = field(default_factory=dict)
    corrupt_judges: set[int] = field(default_factory=set)
    low_conversion_units: tuple[str, ...] = ()

    def has(self, pattern: str) -> list[int]:
        return [p for p, patterns in self.corrupt.items() if pattern in patterns]


def plan_justice(rng: np.random.Generator, scale: Scale, inst: Institutions, corruption: bool) -> Plan:
    n_offices = len(inst.offices)
    assignment = np.full(n_offices, "random", dtype=object)
    oriente = inst.office_index("ORIENTE")
    assignment[oriente[-1]] = "rota"
    first, second = 0, 1 if n_offices > 1 else 0
    in_first = np.flatnonzero(inst.prosecutor_office == first)
    in_second = np.flatnonzero(inst.prosecutor_office == second)
    small_possession = int(rng.choice(in_first))
    busy, new = (int(p) for p in rng.choice(in_second[in_second != small_possession], 2, replace=False))
    inst.prosecutor_joined[new] = _joined_for_a_handful(scale)
    weight = np.ones(len(inst.prosecutors))
    weight[busy] = BUSY_WEIGHT
    plan = Plan(corruption, assignment, weight, small_possession, new, busy)
    if not corruption:
        return plan
    honest = {small_possession, busy, new}
    # Corrupt prosecutors sit in randomly assigning offices where a prosecutor handles enough cases for the
    # pattern to be seen at all; spread over those offices, busiest first.
    load = caseload_per_prosecutor(scale, inst)
    random_offices = sorted((i for i in range(n_offices) if assignment[i] == "random"), key=lambda i: -load[i])
    busy_enough = [i for i in random_offices if load[i] >= MIN_CASELOAD] or random_offices[:1]
    chosen: list[int] = []
    for k in range(scale.corrupt_prosecutors):
        office = busy_enough[k % len(busy_enough)]
        candidates = [int(p) for p in np.flatnonzero(inst.prosecutor_office == office)
                      if int(p) not in honest and int(p) not in chosen]
        if candidates:
            chosen.append(int(rng.choice(candidates)))
    plan.corrupt = {p: PATTERNS[k % len(PATTERNS)] for k, p in enumerate(chosen)}
    lima_judges = np.flatnonzero(inst.judge_region == "LIMA")
    plan.corrupt_judges = {int(j) for j in rng.choice(lima_judges, min(scale.corrupt_judges, len(lima_judges)),
                                                      replace=False)}
    known = [u for u in LOW_CONVERSION_CANDIDATES if u in {x.unit_id for x in INTERDICTION_UNITS}]
    plan.low_conversion_units = tuple(str(u) for u in rng.choice(known, scale.low_conversion_units, replace=False))
    return plan


def _joined_for_a_handful(scale: Scale) -> np.datetime64:
    """A joining date late enough that the new prosecutor gets only a handful of cases by the extract."""
    lima_cases_a_year = scale.seizures * 0.75 * 0.6 / 5
    per_prosecutor = lima_cases_a_year / (scale.offices_per_region["LIMA"] * scale.prosecutors_per_office)
    days = int(365 * NEW_PROSECUTOR_CASES / max(per_prosecutor, 1.0))
    return np.datetime64("2025-12-31", "D") - np.timedelta64(min(days, 540), "D")


def caseload_per_prosecutor(scale: Scale, inst: Institutions) -> np.ndarray:
    """Expected seizure cases per prosecutor over the period, per office."""
    cases = scale.seizures * 0.75
    load = np.zeros(len(inst.offices))
    for i, office in enumerate(inst.offices):
        prosecutors = int((inst.prosecutor_office == i).sum())
        load[i] = cases * REGION_CASE_SHARE[office.region] / scale.offices_per_region[office.region] / prosecutors
    return load
