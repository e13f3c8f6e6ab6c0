"""Asset-recovery red flags: what happens to frozen assets around a conviction.

- `asset_released_after_conviction` (fact): a frozen asset released after its owner's conviction and never
  confiscated. The owner's own conviction is used where the owner is a defendant with a disposition in the
  case (an acquitted co-defendant's assets may rightly be released), else the case's first conviction.
- `freeze_lifted_before_verdict` (fact): a freeze lifted within a window before that conviction, never
  confiscated.
- `confiscation_shortfall` (office test): of the frozen assets of convictions old enough to judge, how many
  were not confiscated within the horizon, against the same kinds of asset elsewhere (logistic case mix on the
  asset's kind, over-dispersed funnel), p-values into the one Benjamini-Hochberg step of every rule.
"""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.types as ir
import pandas as pd

from baliza.analyses.as_of import covered_to
from baliza.analyses.definitions import CONVICTIONS
from baliza.analyses.integrity.common import (
    EVIDENCE_CAP,
    RuleResult,
    UnitTest,
    funnel_words,
    observed_expected_tests,
    observed_words,
    sure_words,
)
from baliza.analyses.integrity.rules import FlagSettings, RuleSettings
from baliza.analyses.model import Finding, Message, Reference
from baliza.analyses.wording import day, labels, money, named
from baliza.i18n import N_, N_plural
from baliza.warehouse.protocol import Warehouse

RULE_AFTER = "asset_released_after_conviction"
RULE_BEFORE = "freeze_lifted_before_verdict"
RULE_OFFICE = "confiscation_shortfall"
COVARIATES = ("kind",)


def asset_convictions(warehouse: Warehouse) -> ir.Table:
    """Frozen assets with the conviction that decides their fate (`convicted_at`, a date; null if none)."""
    assets = warehouse.table("assets")
    dispositions = warehouse.table("dispositions")
    convicted = dispositions.filter(dispositions.outcome.isin(CONVICTIONS))
    by_person = convicted.group_by(["case_id", "person_id"]).aggregate(owner_convicted_at=convicted.disposed_at.min())
    disposed = dispositions.select(d_case=dispositions.case_id, d_person=dispositions.person_id).distinct()
    by_case = convicted.group_by("case_id").aggregate(case_convicted_at=convicted.disposed_at.min())
    cases = warehouse.table("cases").select("case_id", "office_id")
    t = assets.filter(assets.frozen_at.notnull() & assets.case_id.notnull())
    t = t.left_join(cases, t.case_id == cases.case_id).select(t, cases.office_id)
    t = t.left_join(by_person, (t.case_id == by_person.case_id) & (t.owner_person_id == by_person.person_id)).select(
        t, by_person.owner_convicted_at)
    t = t.left_join(disposed, (t.case_id == disposed.d_case) & (t.owner_person_id == disposed.d_person)).select(
        t, owner_disposed=disposed.d_case.notnull())
    t = t.left_join(by_case, t.case_id == by_case.case_id).select(t, by_case.case_convicted_at)
    # an owner who was a disposed defendant counts by their own outcome; otherwise the case's
    decisive = ibis.ifelse(t.owner_disposed, t.owner_convicted_at, t.case_convicted_at)
    return t.mutate(convicted_at=decisive.cast("date"))


def asset_flags(warehouse: Warehouse, facts: ir.Table, settings: FlagSettings) -> RuleResult:
    frame = asset_convictions(warehouse).to_pandas()
    findings = _released_after(frame) + _lifted_before(frame, settings.rule(RULE_BEFORE))
    as_of = covered_to(warehouse, ("assets", "dispositions"))
    tests = _office_tests(frame, settings.rule(RULE_OFFICE), as_of) if as_of is not None else []
    return RuleResult(tests, findings)


def _dates(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_datetime(frame[column])


def _per_case(rule: str, chosen: pd.DataFrame, words: tuple[str, str], method: tuple[Message, ...]
              ) -> list[Finding]:
    """One finding per case; `words`: the summary's singular and plural msgids (%(num)s assets, %(money)s,
    %(days)s, %(convicted)s)."""
    out: list[Finding] = []
    for case_id, part in chosen.groupby("case_id", sort=True):
        value = float(part["estimated_value_usd"].fillna(0).sum())
        convicted = _dates(part, "convicted_at").min().date().isoformat()
        gaps = sorted(int(g) for g in part["gap_days"])
        span = f"{gaps[0]}" if gaps[0] == gaps[-1] else f"{gaps[0]}-{gaps[-1]}"
        count = len(part)
        summary = Message.counted(words, {"case": str(case_id), "num": count, "money": money(value), "days": span,
                                          "convicted": day(convicted)})
        evidence = (Reference("cases", str(case_id)),
                    *(Reference("assets", str(a)) for a in sorted(part["asset_id"])[:EVIDENCE_CAP]))
        out.append(Finding(rule, Reference("cases", str(case_id)), value, "", evidence, "",
                           details={"assets": sorted(str(a) for a in part["asset_id"]), "value_usd": value,
                                    "convicted_at": convicted, "office_id": part["office_id"].iloc[0],
                                    "days": gaps},
                           messages=(summary, sure_words(None)), method_messages=method))
    return out


def _unconfiscated(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["released_at"].notna() & frame["confiscated_at"].isna() & frame["convicted_at"].notna()]


def _released_after(frame: pd.DataFrame) -> list[Finding]:
    chosen = _unconfiscated(frame)
    gap = (_dates(chosen, "released_at") - _dates(chosen, "convicted_at")).dt.days
    chosen = chosen.assign(gap_days=gap)[gap >= 0]
    words = N_plural("Case %(case)s: %(num)s frozen asset worth %(money)s released %(days)s days after the "
                     "conviction of %(convicted)s, never confiscated.",
                     "Case %(case)s: %(num)s frozen assets worth %(money)s released %(days)s days after the "
                     "conviction of %(convicted)s, never confiscated.")
    method = Message(N_("A frozen asset (frozen_at set) with released_at on or after its owner's first conviction in "
                        "the case (the case's first conviction where the owner is not a disposed defendant) and no "
                        "confiscated_at."))
    return _per_case(RULE_AFTER, chosen, words, (method,))


def _lifted_before(frame: pd.DataFrame, rule: RuleSettings) -> list[Finding]:
    chosen = _unconfiscated(frame)
    gap = (_dates(chosen, "convicted_at") - _dates(chosen, "released_at")).dt.days
    chosen = chosen.assign(gap_days=gap)[(gap > 0) & (gap <= rule["window_days"])]
    words = N_plural("Case %(case)s: %(num)s frozen asset worth %(money)s released %(days)s days before the "
                     "conviction of %(convicted)s, never confiscated.",
                     "Case %(case)s: %(num)s frozen assets worth %(money)s released %(days)s days before the "
                     "conviction of %(convicted)s, never confiscated.")
    method = Message(N_("A frozen asset released before its owner's (else the case's) first conviction and never "
                        "confiscated."))
    return _per_case(RULE_BEFORE, chosen, words, (method, *rule.criteria()))


def _office_tests(frame: pd.DataFrame, rule: RuleSettings, as_of: date) -> list[UnitTest]:
    horizon = int(rule["horizon_days"])
    judged = frame[frame["convicted_at"].notna() & frame["office_id"].notna()].copy()
    convicted = _dates(judged, "convicted_at")
    judged = judged[convicted <= pd.Timestamp(as_of) - pd.Timedelta(days=horizon)]
    if judged.empty:
        return []
    confiscated = _dates(judged, "confiscated_at")
    deadline = _dates(judged, "convicted_at") + pd.Timedelta(days=horizon)
    judged["missed"] = ~(confiscated.notna() & (confiscated <= deadline))
    cells = (judged.groupby(["office_id", *COVARIATES], dropna=False)
             .agg(events=("missed", "sum"), trials=("missed", "size")).reset_index())
    per_unit, model = observed_expected_tests(cells, "office_id", COVARIATES, rule["min_assets"])
    if per_unit.empty or model is None:
        return []
    tests: list[UnitTest] = []
    for row in per_unit.itertuples(index=False):
        office = str(row.office_id)
        observed, expected, n = float(row.observed), float(row.expected), int(row.n)
        material = observed >= rule["min_missed"] and observed >= rule["min_ratio"] * expected
        missed = sorted(judged.loc[(judged["office_id"] == office) & judged["missed"], "asset_id"].astype(str))

        def make(q: float, office: str = office, observed: float = observed, expected: float = expected,
                 n: int = n, missed: list[str] = missed, row: object = row) -> Finding:
            summary = Message(
                N_("Office %(office)s: %(observed)s of %(n)s frozen assets of convicted defendants were not "
                   "confiscated within %(horizon)s days of the conviction, where about %(expected)s would be usual "
                   "for the same kinds of asset."),
                {"office": named("units", office), "horizon": horizon, **observed_words(observed, expected, n)})
            method = (Message(N_("Logistic model of not confiscated on %(covariates)s."),
                              {"covariates": labels(COVARIATES)}), funnel_words(row), *rule.criteria())
            return Finding(RULE_OFFICE, Reference("units", office), round(observed / max(expected, 1e-9), 3),
                           "", tuple(Reference("assets", a) for a in missed[:EVIDENCE_CAP]), "", q,
                           details={"assets": n, "observed": int(observed), "expected": round(expected, 2),
                                    "evidence_count": len(missed)},
                           messages=(summary, sure_words(q, rule.fdr)), method_messages=method)

        tests.append(UnitTest(RULE_OFFICE, Reference("units", office), float(row.p), material, make, rule.fdr))
    return tests
