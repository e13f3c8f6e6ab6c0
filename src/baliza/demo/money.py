"""Assets traced in cases: identified, frozen, confiscated after conviction, recovered, or released when the
case collapses."""

from __future__ import annotations

import numpy as np

from baliza.demo.court import Court
from baliza.demo.draw import lognormal, pick
from baliza.demo.justice import Cases
from baliza.demo.timeline import EXTRACT_AT, after, nat

ASSETS_PER_CASE = {"possession": 0.15, "possession_for_supply": 0.5, "trafficking": 1.1, "production": 0.6,
                   "money_laundering": 2.0, "organised_crime": 1.8, "corruption": 1.2}
KINDS = {"cash": 0.35, "vehicle": 0.25, "bank_account": 0.15, "real_estate": 0.1, "jewellery": 0.05,
         "company_share": 0.04, "crypto": 0.04, "vessel": 0.02}
VALUE = {"cash": 8_000, "vehicle": 15_000, "bank_account": 25_000, "real_estate": 120_000, "jewellery": 6_000,
         "company_share": 80_000, "crypto": 30_000, "vessel": 150_000}
RELEASED_WHEN = ("dismissed", "acquitted", "statute_barred", "withdrawn")


def trace_assets(rng: np.random.Generator, cases: Cases, court: Court, organizations: np.ndarray, ids) -> dict:
    c = cases.cases
    n_case = len(c["case_id"])
    lam = np.array([ASSETS_PER_CASE.get(o, 0.5) for o in cases.offence])
    count = rng.poisson(lam)
    row = np.repeat(np.arange(n_case), count)
    n = len(row)
    kind = pick(rng, KINDS, n)
    value = np.round(lognormal(rng, np.array([VALUE[k] for k in kind]), 0.8, n), -1)
    identified = after(c["opened_at"][row], rng.uniform(0, 60, n))
    frozen = np.where(rng.random(n) < 0.75, after(identified, lognormal(rng, 10, 0.8, n)), nat(n))
    outcome = court.case_outcome[row]
    decided = court.case_disposed_at[row]
    decided_ok = ~np.isnat(decided) & (decided <= EXTRACT_AT)
    won = decided_ok & np.isin(outcome, ["convicted", "plea_convicted"]) & ~np.isnat(frozen)
    confiscated = np.where(won & (rng.random(n) < 0.8), after(decided, rng.uniform(30, 200, n)), nat(n))
    recovered = np.where(~np.isnat(confiscated) & (rng.random(n) < 0.6),
                         after(confiscated, rng.uniform(30, 400, n)), nat(n))
    foreign = rng.random(n) < 0.06
    jurisdiction = np.where(foreign, pick(rng, {"ESP": 1, "PAN": 1, "USA": 1, "NLD": 0.5}, n), "PER").astype(object)
    returned = np.where(foreign & ~np.isnat(recovered) & (rng.random(n) < 0.5),
                        after(recovered, rng.uniform(60, 300, n)), nat(n))
    lost = decided_ok & np.isin(outcome, RELEASED_WHEN) & ~np.isnat(frozen)
    released = np.where(lost, after(np.maximum(decided, frozen), rng.uniform(5, 60, n)), nat(n))
    owner_person = cases.defendant_person[np.searchsorted(cases.defendant_case, row)] if n else np.zeros(0, object)
    by_company = np.isin(kind, ["company_share", "bank_account", "real_estate", "vessel"]) & (rng.random(n) < 0.3)

    def dated(times: np.ndarray) -> np.ndarray:
        return np.where(times <= EXTRACT_AT, times, nat(len(times))).astype("datetime64[D]")

    return {
        "asset_id": ids.take("assets", n), "kind": kind, "estimated_value_usd": value,
        "case_id": c["case_id"][row],
        "owner_person_id": np.where(by_company, None, owner_person),
        "owner_organization_id": np.where(by_company, organizations[rng.integers(0, len(organizations), n)], None),
        "jurisdiction": jurisdiction, "identified_at": dated(identified), "frozen_at": dated(frozen),
        "confiscated_at": dated(confiscated), "recovered_at": dated(recovered), "returned_at": dated(returned),
        "released_at": dated(released),
    }
