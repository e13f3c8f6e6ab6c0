"""Rule 4b: a case reassigned shortly before it was lost (a defendant dismissed or acquitted), per case as a
fact, and per prosecutor who received such cases more often than their caseload explains."""

from __future__ import annotations

from baliza.analyses.casefacts import CASE_FACTS
from baliza.analyses.integrity.common import (
    RuleResult,
    UnitTest,
    excess_cases_test,
    funnel_words,
    observed_expected_tests,
    sure_words,
)
from baliza.analyses.integrity.rules import FlagSettings, RuleSettings
from baliza.analyses.model import Finding, Message, Reference
from baliza.analyses.wording import decimal, label, named
from baliza.i18n import N_
from baliza.warehouse.store import Warehouse

RULE_CASE = "reassigned_before_loss"
RULE_PROSECUTOR = "reassigned_before_loss_concentration"
LOST = ("dismissed", "acquitted")
REASSIGNED = "justice_reassigned_lost"


def reassigned_before_loss(warehouse: Warehouse, settings: FlagSettings) -> RuleResult:
    per_case, per_prosecutor = settings.rule(RULE_CASE), settings.rule(RULE_PROSECUTOR)
    window = int(per_case["window_days"])
    con = warehouse.duckdb
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {REASSIGNED} AS
            SELECT e.case_id, ARG_MAX(e.event_id, e."at") AS event_id,
                   COALESCE(ARG_MAX(e.staff_id, e."at"), ANY_VALUE(f.prosecutor_id)) AS prosecutor_id,
                   MAX(e."at") AS reassigned_at, MIN(d.disposed_at) AS lost_at,
                   ARG_MIN(d.outcome, d.disposed_at) AS outcome
            FROM case_events e JOIN dispositions d USING (case_id) JOIN {CASE_FACTS} f USING (case_id)
            WHERE e.kind = 'reassigned' AND d.outcome IN {LOST}
              AND d.disposed_at >= e."at" AND d.disposed_at <= e."at" + INTERVAL {window} DAY
            GROUP BY e.case_id"""
    )
    rows = con.execute(
        f"SELECT case_id, event_id, prosecutor_id, reassigned_at, lost_at, outcome FROM {REASSIGNED} ORDER BY case_id"
    ).fetchall()
    findings = []
    by_prosecutor: dict[str, list[str]] = {}
    for case_id, event_id, prosecutor, at, lost_at, outcome in rows:
        days = (lost_at - at).days
        said = (Message(N_("Case %(case)s was reassigned to %(prosecutor)s %(days)s days before a defendant was "
                           "%(outcome)s."), {"case": str(case_id), "prosecutor": named("staff", prosecutor),
                                              "days": days, "outcome": label(outcome)}) if prosecutor else
                Message(N_("Case %(case)s was reassigned %(days)s days before a defendant was %(outcome)s."),
                        {"case": str(case_id), "days": days, "outcome": label(outcome)}))
        by_prosecutor.setdefault(str(prosecutor), []).append(str(case_id))
        findings.append(Finding(
            RULE_CASE, Reference("cases", str(case_id)), float(window - days), "",
            (Reference("case_events", str(event_id)), Reference("cases", str(case_id))), "",
            details={"days": days, "prosecutor_id": prosecutor, "outcome": outcome},
            messages=(said, sure_words(None)), method_messages=per_case.criteria(),
        ))
    cells = con.execute(
        f"""WITH per AS (SELECT prosecutor_id, COUNT(*) AS events FROM {REASSIGNED} GROUP BY 1)
            SELECT f.prosecutor_id, COALESCE(ANY_VALUE(per.events), 0) AS events, COUNT(*) AS trials
            FROM {CASE_FACTS} f LEFT JOIN per USING (prosecutor_id)
            WHERE f.prosecutor_id IS NOT NULL GROUP BY f.prosecutor_id"""
    ).df()
    cells["events"] = cells[["events", "trials"]].min(axis=1)
    per_unit, _ = (observed_expected_tests(cells, "prosecutor_id", (), per_prosecutor["min_cases"]) if rows
                   else (None, None))
    tests = [] if per_unit is None or per_unit.empty else [
        _prosecutor_test(row, by_prosecutor.get(str(row.prosecutor_id), []), per_prosecutor, window)
        for row in per_unit.itertuples(index=False)
    ]
    return RuleResult(tests, findings)


def _prosecutor_test(row: tuple, cases: list[str], rule: RuleSettings, window: int) -> UnitTest:
    observed, expected, n = float(row.observed), float(row.expected), int(row.n)
    material = observed >= rule["min_events"] and observed >= rule["min_ratio"] * expected
    summary = Message(
        N_("Prosecutor %(prosecutor)s received %(observed)s cases by reassignment within %(window)s days before they "
           "were lost (dismissed or acquitted); with a caseload of %(n)s, about %(expected)s would be usual."),
        {"prosecutor": named("staff", row.prosecutor_id), "window": window, "observed": int(observed), "n": n,
         "expected": decimal(expected, 1)})
    method = (
        Message(N_("Per prosecutor (the reassignment's staff, else the lead prosecutor): cases reassigned to them and "
                   "lost within %(window)s days, against the pooled rate per case; exact binomial tail."),
                {"window": window}),
        funnel_words(row), *rule.criteria(),
    )
    return excess_cases_test(RULE_PROSECUTOR, row, sorted(cases), material, summary, method, rule.fdr)
