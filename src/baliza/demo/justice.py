"""From seizure to case file: arrests, defendants, the decision to open a case, and who gets it.

Seizures with arrests mostly become cases within days or weeks (a low-conversion unit's rarely do); some
cases start from an arrest, a referral, an investigation or a complaint. Each case goes to a prosecution
office of the seizing unit's region and, in most offices, to a prosecutor drawn at random.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from baliza.demo.anomalies import BOUGHT_SHARE, Plan
from baliza.demo.draw import digits, join, letters, lognormal, pick, pick_by
from baliza.demo.geography import REGIONS
from baliza.demo.institutions import Institutions
from baliza.demo.people import concat_persons, link_codefendants, make_persons
from baliza.demo.substances import offence_for
from baliza.demo.timeline import EXTRACT_AT, after, day_weights, sample_times
from baliza.demo.traffic import Traffic

ARRESTS_BY_MODE = {
    "air_passenger": {1: 0.93, 2: 0.05, 0: 0.02}, "sea_container": {0: 0.45, 1: 0.25, 2: 0.15, 3: 0.1, 4: 0.05},
    "vessel": {0: 0.1, 2: 0.3, 3: 0.3, 4: 0.2, 5: 0.1}, "air_cargo": {0: 0.5, 1: 0.35, 2: 0.15},
    "air_mail": {0: 0.6, 1: 0.4}, "postal": {0: 0.6, 1: 0.4}, "land_vehicle": {1: 0.6, 2: 0.3, 0: 0.1},
    "investigation": {1: 0.3, 2: 0.3, 3: 0.2, 4: 0.1, 0: 0.1}, "street": {1: 0.9, 2: 0.1},
}
LIMITATION_YEARS = {"possession": 2, "possession_for_supply": 3, "trafficking": 4, "production": 3,
                    "money_laundering": 5, "organised_crime": 5, "corruption": 5, "other": 3}
OTHER_ORIGINS = {"arrest": 0.35, "referral": 0.2, "investigation": 0.3, "complaint": 0.15}
OTHER_OFFENCES = {"money_laundering": 0.3, "organised_crime": 0.2, "possession_for_supply": 0.3, "corruption": 0.05,
                  "trafficking": 0.15}
LARGE_KG = 50.0
STEERED_SHARE = 0.35
HONEST_REASSIGNMENT = 0.02
"""Share of an office's largest cases (its top tenth by quantity) steered to a steering prosecutor."""


@dataclass
class Cases:
    arrests: dict
    persons: dict
    cases: dict
    # one entry per case:
    office: np.ndarray
    prosecutor: np.ndarray
    first_prosecutor: np.ndarray
    offence: np.ndarray
    seizure_row: np.ndarray
    """Row of the case's seizure in the chunk's seizures, -1 when none."""
    bought: np.ndarray
    pattern: np.ndarray
    """'' or the corruption pattern a bought case follows: plain, shrink, limitation, evidence, reassign."""
    reassigned_honestly: np.ndarray
    defendant_case: np.ndarray
    """Per defendant (in case order): the case row; `defendant_person` the person id."""
    defendant_person: np.ndarray
    steered_group_cases: list[str]


def build_cases(rng: np.random.Generator, traffic: Traffic, inst: Institutions, plan: Plan, ids,
                first_chunk: bool) -> Cases:
    s = traffic.seizures
    n_s = len(s["seizure_id"])
    table = {m: {str(k): v for k, v in options.items()} for m, options in ARRESTS_BY_MODE.items()}
    n_arrests = pick_by(rng, traffic.seizure_mode, table).astype(np.int64)
    arrest_seizure = np.repeat(np.arange(n_s), n_arrests)
    n_a = len(arrest_seizure)
    lag = np.where(np.r_[True, arrest_seizure[1:] != arrest_seizure[:-1]] if n_a else [],
                   lognormal(rng, 0.1, 1.0, n_a), lognormal(rng, 3, 1.2, n_a))
    arrested_at = after(s["seized_at"][arrest_seizure], lag)
    keep = arrested_at <= EXTRACT_AT
    arrest_seizure, arrested_at = arrest_seizure[keep], arrested_at[keep]
    n_a = len(arrest_seizure)
    airport = np.isin(traffic.seizure_mode[arrest_seizure], ["air_passenger", "air_cargo", "air_mail"])
    persons = make_persons(rng, ids.take("persons", n_a), foreign_share=0.0)
    foreign = airport & (rng.random(n_a) < 0.4) | (rng.random(n_a) < 0.08)
    persons["nationality"][foreign] = pick(rng, {"ESP": 1, "NLD": 0.6, "COL": 1.5, "BOL": 1, "VEN": 1.5,
                                                 "MEX": 0.8, "NGA": 0.3, "ZAF": 0.3}, int(foreign.sum()))
    persons["id_document"][foreign] = np.asarray(join(letters(rng, int(foreign.sum()), 2),
                                                      digits(rng, int(foreign.sum()), 7)), dtype=object)
    link_codefendants(rng, persons, arrest_seizure)

    # Seizure cases: those with arrests, mostly within days; a few without arrests.
    has_arrest = np.bincount(arrest_seizure, minlength=n_s) > 0
    low = np.isin(traffic.seizure_unit, plan.low_conversion_units) if plan.corruption else np.zeros(n_s, bool)
    u = rng.random(n_s)
    p_soon = np.where(low, 0.25, 0.9)
    p_late = np.where(low, 0.15, 0.03)
    case_lag = np.where(u < p_soon, np.clip(lognormal(rng, 6, 0.9, n_s), 0.5, 85),
                        np.where(u < p_soon + p_late, rng.uniform(100, 400, n_s), np.nan))
    case_lag[~has_arrest] = np.where(rng.random((~has_arrest).sum()) < 0.1,
                                     rng.uniform(20, 200, (~has_arrest).sum()), np.nan)
    opens = ~np.isnan(case_lag)
    opened = after(s["seized_at"], np.nan_to_num(case_lag))
    opens &= opened <= EXTRACT_AT
    seizure_row = np.flatnonzero(opens)
    n_sc = len(seizure_row)

    # Cases from arrests without seizure, referrals, investigations and complaints.
    n_oc = max(1, round(n_sc * 0.12))
    other_opened = sample_times(rng, n_oc, day_weights(season_amplitude=0.05), day_hours=True)
    other_region = pick(rng, {"LIMA": 0.55, "NORTE": 0.18, "SUR": 0.17, "ORIENTE": 0.1}, n_oc)
    n_case = n_sc + n_oc
    case_ids = ids.take("cases", n_case)
    opened_at = np.concatenate([opened[seizure_row], other_opened])
    region = np.concatenate([traffic.seizure_region[seizure_row], other_region])
    origin = np.concatenate([np.full(n_sc, "seizure", dtype=object), pick(rng, OTHER_ORIGINS, n_oc)])
    offence = np.concatenate([
        offence_for(s["substance_group"][seizure_row], s["substance"][seizure_row], traffic.kg_equiv[seizure_row]),
        pick(rng, OTHER_OFFENCES, n_oc)])
    kg = np.concatenate([traffic.kg_equiv[seizure_row], np.zeros(n_oc)])
    case_seizure_row = np.concatenate([seizure_row, np.full(n_oc, -1)])

    # Defendants: the seizure's arrested persons, else new persons.
    first_arrest = np.searchsorted(arrest_seizure, seizure_row)
    count = np.bincount(arrest_seizure, minlength=n_s)[seizure_row]
    def_case = np.repeat(np.arange(n_sc), count)
    def_arrest = np.concatenate([np.arange(f, f + c) for f, c in zip(first_arrest, count, strict=True)]) \
        if n_sc else np.zeros(0, np.int64)
    def_person = persons["person_id"][def_arrest] if n_sc else np.zeros(0, dtype=object)
    no_def = np.flatnonzero(count == 0)
    n_extra = rng.integers(1, 4, n_oc)
    extra_case = np.concatenate([no_def, n_sc + np.repeat(np.arange(n_oc), n_extra)])
    extra = make_persons(rng, ids.take("persons", len(extra_case)))
    link_codefendants(rng, extra, extra_case)
    all_case = np.concatenate([def_case, extra_case])
    all_person = np.concatenate([def_person, extra["person_id"]])
    order = np.argsort(all_case, kind="stable")
    def_case, def_person = all_case[order], all_person[order]
    n_def = np.bincount(def_case, minlength=n_case)

    # Arrests of the defendants of arrest-origin cases (no seizure).
    arrest_origin = np.flatnonzero(origin == "arrest")
    first_extra = np.searchsorted(extra_case, arrest_origin)
    extra_arrested = extra["person_id"][first_extra]
    arrests = {
        "arrest_id": ids.take("arrests", n_a + len(arrest_origin)),
        "person_id": np.concatenate([persons["person_id"], extra_arrested]),
        "unit_id": np.concatenate([traffic.seizure_unit[arrest_seizure],
                                   np.where(region[arrest_origin] == "ORIENTE", "U-INV-HUALLAGA", "U-INV-LIMA")]),
        "arrested_at": np.concatenate([arrested_at, after(opened_at[arrest_origin], -rng.uniform(0.2, 3, len(
            arrest_origin)))]),
        "seizure_id": np.concatenate([s["seizure_id"][arrest_seizure], np.full(len(arrest_origin), None, object)]),
    }

    office = _choose_offices(rng, region, inst)
    prosecutor, assignment = _assign(rng, office, opened_at, offence, kg, inst, plan)
    bought = np.zeros(n_case, dtype=bool)
    pattern = np.full(n_case, "", dtype=object)
    first_prosecutor = prosecutor.copy()
    steered: list[str] = []
    if plan.corruption:
        _plant(rng, plan, inst, office, prosecutor, first_prosecutor, origin, kg, opened_at, offence, n_def,
               bought, pattern)
        if first_chunk and plan.has("steer_group"):
            rows = _steer_group(rng, plan, inst, office, prosecutor, first_prosecutor, origin, n_def, bought, pattern,
                                def_case, def_person, persons, extra)
            steered = [case_ids[r] for r in rows]
    # Honest reassignments (leave, workload, conflicts of interest) happen at any time in a few cases.
    reassigned_honestly = (pattern == "") & (assignment == "random") & (rng.random(n_case) < HONEST_REASSIGNMENT)
    for row in np.flatnonzero(reassigned_honestly):
        day = opened_at[row].astype("datetime64[D]")
        pool = np.flatnonzero((inst.prosecutor_office == office[row]) & (inst.prosecutor_joined <= day))
        pool = pool[(pool != prosecutor[row]) & (pool != plan.small_possession_prosecutor)]
        if len(pool):
            prosecutor[row] = pool[rng.integers(len(pool))]
        else:
            reassigned_honestly[row] = False
    limitation = opened_at.astype("datetime64[D]") + (
        np.array([LIMITATION_YEARS.get(o, 3) for o in offence]) * 365).astype("timedelta64[D]")
    # A limitation date is a deadline: it may lie in the future, as in any real case file.
    cases = {
        "case_id": case_ids, "office_id": np.array([o.unit_id for o in inst.offices], dtype=object)[office],
        "opened_at": opened_at, "origin": origin,
        "seizure_id": np.concatenate([s["seizure_id"][seizure_row], np.full(n_oc, None, object)]),
        "lead_prosecutor_id": inst.prosecutors[prosecutor], "assignment": assignment,
        "limitation_date": limitation,
    }
    return Cases(arrests, concat_persons([persons, extra]), cases, office, prosecutor, first_prosecutor, offence,
                 case_seizure_row, bought, pattern, reassigned_honestly, def_case, def_person, steered)


def _choose_offices(rng: np.random.Generator, region: np.ndarray, inst: Institutions) -> np.ndarray:
    office = np.zeros(len(region), dtype=np.int64)
    for r in REGIONS:
        mask = region == r
        choices = inst.office_index(r)
        office[mask] = choices[rng.integers(0, len(choices), mask.sum())]
    return office


def _assign(rng, office, opened_at, offence, kg, inst: Institutions, plan: Plan):
    n = len(office)
    prosecutor = np.zeros(n, dtype=np.int64)
    assignment = np.full(n, "random", dtype=object)
    opened_day = opened_at.astype("datetime64[D]")
    for o in np.unique(office):
        rows = np.flatnonzero(office == o)
        pool = np.flatnonzero(inst.prosecutor_office == o)
        weight = plan.prosecutor_weight[pool].copy()
        weight[pool == plan.small_possession_prosecutor] = 0.0
        if plan.office_assignment[o] == "rota":
            order = rows[np.argsort(opened_at[rows], kind="stable")]
            prosecutor[order] = pool[np.arange(len(order)) % len(pool)]
            assignment[rows] = "rota"
            continue
        drawn = pool[rng.choice(len(pool), len(rows), p=weight / weight.sum())]
        not_yet = inst.prosecutor_joined[drawn] > opened_day[rows]
        while not_yet.any():
            redraw = pool[rng.choice(len(pool), not_yet.sum(), p=weight / weight.sum())]
            drawn[not_yet] = redraw
            not_yet = inst.prosecutor_joined[drawn] > opened_day[rows]
        prosecutor[rows] = drawn
    # The office with the small-possession specialist sends her most possession cases.
    specialist = plan.small_possession_prosecutor
    to_specialist = (office == inst.prosecutor_office[specialist]) & (offence == "possession") & (
        rng.random(n) < 0.8)
    prosecutor[to_specialist] = specialist
    assignment[to_specialist] = "specialised"
    return prosecutor, assignment


def _plant(rng, plan: Plan, inst, office, prosecutor, first_prosecutor, origin, kg, opened_at, offence, n_def,
           bought, pattern) -> None:
    n = len(office)
    for p in plan.has("steer_large"):
        in_office = office == inst.prosecutor_office[p]
        top = np.quantile(kg[in_office], 0.9) if in_office.any() else np.inf
        large = in_office & (kg >= max(top, LARGE_KG / 10)) & (rng.random(n) < STEERED_SHARE)
        prosecutor[large] = p
        first_prosecutor[large] = p
    years = np.array([LIMITATION_YEARS.get(o, 3) for o in offence])
    reaches_limitation = after(opened_at, years * 365 + 10) <= EXTRACT_AT
    for p, patterns in plan.corrupt.items():
        mine = np.flatnonzero((prosecutor == p) & (origin == "seizure") & (n_def > 0))
        is_bought = mine[rng.random(len(mine)) < BOUGHT_SHARE]
        bought[is_bought] = True
        options = ["plain", *sorted(patterns & {"shrink", "limitation", "evidence", "reassign"})]
        chosen = np.array(options, dtype=object)[rng.integers(0, len(options), len(is_bought))]
        chosen[(chosen == "limitation") & ~reaches_limitation[is_bought]] = "plain"
        pattern[is_bought] = chosen
        reassigned = is_bought[chosen == "reassign"]
        pool = np.flatnonzero((inst.prosecutor_office == inst.prosecutor_office[p]) & (np.arange(len(
            inst.prosecutors)) != p) & (np.arange(len(inst.prosecutors)) != plan.small_possession_prosecutor))
        first_prosecutor[reassigned] = pool[rng.integers(0, len(pool), len(reassigned))]


def _steer_group(rng, plan: Plan, inst: Institutions, office, prosecutor, first_prosecutor, origin, n_def, bought,
                 pattern, def_case, def_person, persons, extra) -> np.ndarray:
    """A linked group of defendants (kin sharing surname and address, and a shared phone) whose cases all go to
    one corrupt prosecutor."""
    p = plan.has("steer_group")[0]
    p_office = int(inst.prosecutor_office[p])
    candidates = np.flatnonzero((office == p_office) & (origin == "seizure")
                                & (n_def > 0))
    rows = np.sort(rng.choice(candidates, min(4, len(candidates)), replace=False))
    prosecutor[rows] = p
    first_prosecutor[rows] = p
    bought[rows] = True
    pattern[rows] = "plain"
    everyone = concat_persons([persons, extra])
    index = {pid: i for i, pid in enumerate(everyone["person_id"])}
    leaders = [def_person[np.searchsorted(def_case, r)] for r in rows]
    lead = [index[x] for x in leaders]
    for part in (persons, extra):
        ids_here = part["person_id"]
        for k, pid in enumerate(leaders):
            where = np.flatnonzero(ids_here == pid)
            if not len(where):
                continue
            i = where[0]
            src = lead[0] if k < 2 else lead[2] if len(lead) > 2 else lead[0]
            part["surname1"][i] = everyone["surname1"][src]
            part["address"][i] = everyone["address"][src] or "Jr. Junin 455, Callao"
            part["phone"][i] = everyone["phone"][lead[0]] or "+51 987654321"
    return rows
