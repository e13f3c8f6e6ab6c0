"""What happens to a case: charges, the procedural events, and each defendant's disposition and sentence.

Outcomes depend on the offence (possession cases are often dismissed or diverted), on the number of
defendants and a little on the quantity; durations run from weeks to years, and cases still running at the
extract stay open. Bought cases follow their corruption pattern; a corrupt judge sentences far too lightly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from baliza.demo.anomalies import Plan
from baliza.demo.draw import lognormal, pick, pick_by
from baliza.demo.institutions import Institutions
from baliza.demo.justice import Cases
from baliza.demo.timeline import EXTRACT_AT, after
from baliza.demo.traffic import Traffic

OUTCOMES = {
    "possession": {"dismissed": 0.28, "diverted": 0.2, "acquitted": 0.05, "plea_convicted": 0.27, "convicted": 0.18,
                   "withdrawn": 0.02},
    "possession_for_supply": {"dismissed": 0.12, "acquitted": 0.08, "plea_convicted": 0.35, "convicted": 0.42,
                              "withdrawn": 0.03},
    "trafficking": {"dismissed": 0.08, "acquitted": 0.09, "plea_convicted": 0.33, "convicted": 0.48,
                    "withdrawn": 0.02},
    "production": {"dismissed": 0.1, "acquitted": 0.1, "plea_convicted": 0.35, "convicted": 0.45},
    "money_laundering": {"dismissed": 0.18, "acquitted": 0.15, "plea_convicted": 0.2, "convicted": 0.45,
                         "withdrawn": 0.02},
    "organised_crime": {"dismissed": 0.15, "acquitted": 0.15, "plea_convicted": 0.25, "convicted": 0.45},
    "corruption": {"dismissed": 0.2, "acquitted": 0.2, "plea_convicted": 0.2, "convicted": 0.4},
}
MEDIAN_DAYS = {"dismissed": 120, "diverted": 90, "plea_convicted": 170, "convicted": 430, "acquitted": 460,
               "withdrawn": 200, "died": 300}
BASE_SENTENCE_MONTHS = {"possession": 10, "possession_for_supply": 50, "trafficking": 100, "production": 70,
                        "money_laundering": 80, "organised_crime": 110, "corruption": 60, "other": 24}
TRIAL = ("convicted", "acquitted", "plea_convicted", "statute_barred")
CORRUPT_JUDGE_FACTOR = 0.45
PLEA_DISCOUNT = 0.67


@dataclass
class Court:
    case_parties: dict
    charges: dict
    case_events: dict
    dispositions: dict
    case_outcome: np.ndarray
    """Per case: the first defendant's outcome ('' while open)."""
    case_disposed_at: np.ndarray
    witnesses: dict
    shrunk: np.ndarray
    limitation: np.ndarray
    evidence: np.ndarray


def judge_cases(rng: np.random.Generator, cases: Cases, traffic: Traffic, inst: Institutions, plan: Plan,
                ids, office_speed: np.ndarray) -> Court:
    c = cases.cases
    n_case = len(c["case_id"])
    s = traffic.seizures
    dc, dp = cases.defendant_case, cases.defendant_person
    n_d = len(dc)
    first = np.r_[True, dc[1:] != dc[:-1]] if n_d else np.zeros(0, bool)
    n_def = np.bincount(dc, minlength=n_case)
    offence = cases.offence
    pattern = cases.pattern

    # Outcomes: a case-level draw shared by most defendants.
    case_outcome = pick_by(rng, offence, OUTCOMES)
    own = pick_by(rng, offence[dc], OUTCOMES)
    outcome = np.where(first | (rng.random(n_d) < 0.75), case_outcome[dc], own).astype(object)
    later = ~first & (rng.random(n_d) < 0.1)
    outcome[later] = "acquitted"
    outcome[rng.random(n_d) < 0.003] = "died"
    bought = cases.bought[dc]
    outcome[bought] = pick(rng, {"dismissed": 0.6, "acquitted": 0.4}, int(bought.sum()))
    shrink_sold = (pattern[dc] == "shrink") & (rng.random(n_d) < 0.3)
    shrink_sold = np.where(first, shrink_sold, shrink_sold[np.maximum.accumulate(np.where(first, np.arange(n_d), 0))])
    outcome[shrink_sold] = "plea_convicted"
    outcome[pattern[dc] == "reassign"] = "dismissed"
    outcome[pattern[dc] == "evidence"] = pick(rng, {"dismissed": 0.5, "acquitted": 0.5},
                                              int((pattern[dc] == "evidence").sum()))

    # Durations.
    case_jitter = np.exp(rng.normal(0, 0.45, n_case))
    days = np.array([MEDIAN_DAYS[o] for o in outcome]) * case_jitter[dc] * office_speed[cases.office[dc]]
    days = days * np.exp(rng.normal(0, 0.1, n_d)) + rng.uniform(0, 10, n_d)
    disposed = after(c["opened_at"][dc], days)
    limitation_at = c["limitation_date"][dc].astype("datetime64[s]") + np.timedelta64(12 * 3600, "s")
    barred = disposed > limitation_at
    outcome[barred] = "statute_barred"
    disposed[barred] = after(limitation_at[barred], rng.uniform(1, 20, int(barred.sum())))
    lim = pattern[dc] == "limitation"
    outcome[lim] = "statute_barred"
    disposed[lim] = after(limitation_at[lim], rng.uniform(1, 10, int(lim.sum())))
    done = disposed <= EXTRACT_AT

    # Judges and sentences.
    region = np.array([o.region for o in inst.offices], dtype=object)[cases.office]
    judge = np.zeros(n_case, dtype=np.int64)
    for r in np.unique(region):
        rows = np.flatnonzero(region == r)
        pool = np.flatnonzero(inst.judge_region == r)
        judge[rows] = pool[rng.integers(0, len(pool), len(rows))]
    s_row = cases.seizure_row
    kg = np.where(s_row >= 0, traffic.kg_equiv[np.maximum(s_row, 0)], 0.0)
    convicted = np.isin(outcome, ["convicted", "plea_convicted"])
    months = np.array([BASE_SENTENCE_MONTHS.get(o, 24) for o in offence[dc]]) * (1 + 0.12 * np.log10(1 + kg[dc]))
    months *= np.where(outcome == "plea_convicted", PLEA_DISCOUNT, 1.0) * np.exp(rng.normal(0, 0.25, n_d))
    months *= np.where(shrink_sold, 0.5, 1.0)
    corrupt_judge = np.isin(judge[dc], list(plan.corrupt_judges)) if plan.corruption else np.zeros(n_d, bool)
    months *= np.where(corrupt_judge, CORRUPT_JUDGE_FACTOR, 1.0)
    fine = np.round(months * lognormal(rng, 150, 0.5, n_d), -1)
    dispositions = {
        "case_id": c["case_id"][dc][done], "person_id": dp[done], "disposed_at": disposed[done],
        "outcome": outcome[done], "judge_id": np.where(outcome == "withdrawn", None, inst.judges[judge[dc]])[done],
        "sentence_months": np.where(convicted, np.round(months, 1), np.nan)[done],
        "fine_usd": np.where(convicted & (rng.random(n_d) < 0.7), fine, np.nan)[done],
    }

    # Charges: the main charge per defendant, the quantity split among them; some added charges.
    lab = np.where(s_row >= 0, np.where(np.isnan(s["lab_quantity"][np.maximum(s_row, 0)]),
                                        s["quantity"][np.maximum(s_row, 0)],
                                        s["lab_quantity"][np.maximum(s_row, 0)]), np.nan)
    unit = np.where(s_row >= 0, s["quantity_unit"][np.maximum(s_row, 0)], None)
    group = np.where(s_row >= 0, s["substance_group"][np.maximum(s_row, 0)], None)
    shrink_factor = np.where(pattern == "shrink", rng.uniform(0.25, 0.6, n_case), 1.0)
    counted = np.isin(unit, ["tablets", "doses", "plants"])
    share = lab * shrink_factor / np.maximum(n_def, 1)
    share = np.where(counted, np.ceil(share), np.round(share, 3))
    filed = after(c["opened_at"], lognormal(rng, 8, 0.7, n_case))
    organised = (n_def >= 3) & (rng.random(n_case) < 0.5)
    laundering = (offence == "trafficking") & (kg >= 50) & (rng.random(n_case) < 0.15)
    add_case = np.concatenate([np.flatnonzero(organised), np.flatnonzero(laundering)])
    add_offence = np.concatenate([np.full(organised.sum(), "organised_crime", object),
                                  np.full(laundering.sum(), "money_laundering", object)])
    add_person = dp[np.searchsorted(dc, add_case)] if n_d else np.zeros(0, object)
    ch_case = np.concatenate([dc, add_case])
    ch_filed = np.concatenate([filed[dc], after(filed[add_case], rng.uniform(5, 60, len(add_case)))])
    keep = ch_filed <= EXTRACT_AT
    charges = {
        "charge_id": None,
        "case_id": c["case_id"][ch_case][keep], "person_id": np.concatenate([dp, add_person])[keep],
        "filed_at": ch_filed[keep], "offence": np.concatenate([offence[dc], add_offence])[keep],
        "substance_group": np.concatenate([group[dc], np.full(len(add_case), None, object)])[keep],
        "quantity": np.concatenate([share[dc], np.full(len(add_case), np.nan)])[keep],
        "quantity_unit": np.concatenate([unit[dc], np.full(len(add_case), None, object)])[keep],
    }
    charges["charge_id"] = ids.take("charges", int(keep.sum()))

    # Witnesses (a few protected) beside the defendants.
    n_wit = int((rng.random(n_case) < 0.2).sum())
    wit_case = np.sort(rng.choice(n_case, n_wit, replace=False)) if n_wit else np.zeros(0, np.int64)
    wit_role = np.where(rng.random(n_wit) < 0.1, "protected_witness", "witness").astype(object)
    witnesses = {"case": wit_case, "role": wit_role, "person_id": ids.take("persons", n_wit)}
    case_parties = {
        "case_id": np.concatenate([c["case_id"][dc], c["case_id"][wit_case]]),
        "person_id": np.concatenate([dp, witnesses["person_id"]]),
        "role": np.concatenate([np.full(n_d, "defendant", object), wit_role]),
    }

    case_out = np.where(first, outcome, "")
    per_case_outcome = np.full(n_case, "", dtype=object)
    per_case_outcome[dc[first]] = case_out[first]
    last = np.full(n_case, np.datetime64("NaT"), dtype="datetime64[s]")
    resolved = np.ones(n_case, dtype=bool)
    np.logical_and.at(resolved, dc, done)
    np.maximum.at(last.view(np.int64), dc, np.where(done, disposed, np.datetime64("1970-01-01", "s")).view(np.int64))
    last[~resolved | (n_def == 0)] = np.datetime64("NaT")
    first_disposed = np.full(n_case, np.datetime64("NaT"), dtype="datetime64[s]")
    first_disposed[dc[first]] = disposed[first]
    events = _events(rng, cases, traffic, inst, judge, per_case_outcome, first_disposed, last, filed)
    events["event_id"] = ids.take("case_events", len(events["case_id"]))
    return Court(case_parties, charges, events, dispositions, per_case_outcome, first_disposed, witnesses,
                 np.flatnonzero(pattern == "shrink"), np.flatnonzero(pattern == "limitation"),
                 np.flatnonzero(pattern == "evidence"))


def _events(rng, cases: Cases, traffic: Traffic, inst: Institutions, judge, outcome, decided, closed, filed) -> dict:
    c = cases.cases
    n = len(c["case_id"])
    opened = c["opened_at"]
    horizon = np.where(np.isnat(decided), EXTRACT_AT, decided)
    span_days = np.maximum((horizon - opened).astype(np.int64) / 86400, 1)
    rows: list[tuple] = []  # (case rows, times, kind, staff, requested_by)

    def add(case_rows, at, kind, staff=None, requested=None):
        k = len(case_rows)
        rows.append((case_rows, at, np.full(k, kind, object),
                     staff if staff is not None else np.full(k, None, object),
                     requested if requested is not None else np.full(k, None, object)))

    everyone = np.arange(n)
    prosecutor_ids = inst.prosecutors[cases.first_prosecutor]
    add(everyone, opened, "assigned", prosecutor_ids)
    reassigned = np.flatnonzero(cases.pattern == "reassign")
    add(reassigned, after(horizon[reassigned], -rng.uniform(3, 30, len(reassigned))), "reassigned",
        inst.prosecutors[cases.prosecutor[reassigned]])
    honest = np.flatnonzero(cases.reassigned_honestly)
    add(honest, after(opened[honest], rng.uniform(0.1, 0.8, len(honest)) * span_days[honest]), "reassigned",
        inst.prosecutors[cases.prosecutor[honest]])
    seized = np.flatnonzero(cases.seizure_row >= 0)
    s_unit = traffic.seizure_unit[cases.seizure_row[seized]]
    officer = np.array([inst.officers_by_unit[u][rng.integers(len(inst.officers_by_unit[u]))] for u in s_unit],
                       dtype=object)
    add(seized, after(opened[seized], rng.uniform(0.5, 10, len(seized))), "evidence_filed", officer)
    lab_at = traffic.seizures["lab_confirmed_at"][cases.seizure_row[seized]]
    has_lab = ~np.isnat(lab_at)
    lab_rows = seized[has_lab]
    add(lab_rows, np.maximum(lab_at[has_lab], after(opened[lab_rows], 1)), "evidence_filed",
        inst.lab_analysts[rng.integers(0, len(inst.lab_analysts), len(lab_rows))])
    trial = np.isin(outcome, TRIAL) | np.isnat(decided)
    indicted = np.flatnonzero(trial & (span_days > 40))
    indicted_at = after(opened[indicted], np.minimum(lognormal(rng, 40, 0.4, len(indicted)),
                                                    span_days[indicted] * 0.4))
    add(indicted, indicted_at, "indicted", inst.prosecutors[cases.prosecutor[indicted]])
    n_hear = np.clip(np.round(span_days[indicted] / 120), 1, 6).astype(np.int64)
    h_case = np.repeat(indicted, n_hear)
    h_start = np.repeat(indicted_at, n_hear)
    h_frac = np.sort(rng.uniform(0.1, 1.0, len(h_case)))
    h_at = after(h_start, h_frac * (horizon[h_case] - h_start).astype(np.int64) / 86400 * 0.98)
    add(h_case, h_at, "hearing", inst.judges[judge[h_case]], np.full(len(h_case), "court", object))
    n_adj = rng.poisson(0.8, len(indicted))
    lim = cases.pattern[indicted] == "limitation"
    n_adj[lim] = rng.integers(5, 10, lim.sum())
    a_case = np.repeat(indicted, n_adj)
    a_start = np.repeat(indicted_at, n_adj)
    a_at = after(a_start, rng.uniform(0.05, 0.97, len(a_case)) * (horizon[a_case] - a_start).astype(np.int64) / 86400)
    requested = pick(rng, {"defence": 0.55, "court": 0.3, "prosecution": 0.15}, len(a_case))
    requested[cases.pattern[a_case] == "limitation"] = "prosecution"
    add(a_case, a_at, "adjourned", inst.judges[judge[a_case]], requested)
    evid = np.flatnonzero(cases.pattern == "evidence")
    honest_missing = np.flatnonzero((cases.pattern == "") & (cases.seizure_row >= 0) & (rng.random(n) < 0.005))
    missing = np.concatenate([evid, honest_missing])
    kinds = pick(rng, {"evidence_missing": 0.6, "evidence_destroyed": 0.4}, len(missing))
    # Before trial: within the first weeks, ahead of the indictment and the hearings.
    at = after(opened[missing], np.minimum(rng.uniform(0.1, 0.5, len(missing)) * span_days[missing],
                                           rng.uniform(5, 30, len(missing))))
    for kind in ("evidence_missing", "evidence_destroyed"):
        m = kinds == kind
        add(missing[m], at[m], kind)
    # Routine destruction of the drugs once a conviction is final.
    destroyed = np.flatnonzero(np.isin(outcome, ["convicted", "plea_convicted"]) & (cases.seizure_row >= 0)
                               & ~np.isnat(closed) & (rng.random(n) < 0.3))
    add(destroyed, after(closed[destroyed], rng.uniform(60, 200, len(destroyed))), "evidence_destroyed",
        inst.lab_analysts[rng.integers(0, len(inst.lab_analysts), len(destroyed))])
    plea = np.flatnonzero(outcome == "plea_convicted")
    add(plea, after(decided[plea], -rng.uniform(5, 40, len(plea))), "plea_offered",
        inst.prosecutors[cases.prosecutor[plea]])
    for kind, outcomes in (("convicted", ("convicted", "plea_convicted")), ("acquitted", ("acquitted",)),
                           ("dismissed", ("dismissed",))):
        r = np.flatnonzero(np.isin(outcome, outcomes))
        add(r, decided[r], kind, inst.judges[judge[r]])
    conv = np.flatnonzero(np.isin(outcome, ["convicted", "plea_convicted"]))
    add(conv, after(decided[conv], rng.uniform(0, 20, len(conv))), "sentenced", inst.judges[judge[conv]])
    appeal = np.flatnonzero(np.isin(outcome, ["convicted", "acquitted"]) & (rng.random(n) < 0.12))
    add(appeal, after(decided[appeal], rng.uniform(10, 30, len(appeal))), "appealed", None,
        np.where(outcome[appeal] == "acquitted", "prosecution", "defence").astype(object))
    done = np.flatnonzero(~np.isnat(closed))
    add(done, after(closed[done], rng.uniform(20, 60, len(done))), "closed")
    case_rows = np.concatenate([r[0] for r in rows])
    at = np.concatenate([r[1] for r in rows])
    keep = ~np.isnat(at) & (at <= EXTRACT_AT) & (at >= opened[case_rows])
    order = np.lexsort((at[keep], case_rows[keep]))
    pick_ = lambda i: np.concatenate([r[i] for r in rows])[keep][order]  # noqa: E731
    return {"event_id": None, "case_id": c["case_id"][pick_(0)], "at": pick_(1), "kind": pick_(2),
            "staff_id": pick_(3), "requested_by": pick_(4)}
