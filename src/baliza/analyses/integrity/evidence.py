"""Rule 6: evidence recorded missing or destroyed before trial (before the case's first hearing, or before
any disposition), per case; and prosecutors with more such cases than their office's cases explain."""

from __future__ import annotations

from baliza.analyses.casefacts import CASE_FACTS
from baliza.analyses.definitions import EVIDENCE_LOST, sql_list
from baliza.analyses.integrity.common import (
    RuleResult,
    UnitTest,
    excess_cases_test,
    funnel_words,
    observed_expected_tests,
    observed_words,
    sure_words,
)
from baliza.analyses.integrity.rules import FlagSettings, RuleSettings
from baliza.analyses.model import Finding, Message, Reference
from baliza.analyses.wording import day, label, named
from baliza.i18n import N_
from baliza.warehouse.store import Warehouse

RULE_CASE = "evidence_lost_before_trial"
RULE_PROSECUTOR = "evidence_loss_concentration"


def _lost_sql() -> str:
    kinds = sql_list(EVIDENCE_LOST)
    return f"""
    WITH first_hearing AS (SELECT case_id, MIN("at") AS at FROM case_events WHERE kind = 'hearing' GROUP BY 1),
    first_disposition AS (SELECT case_id, MIN(disposed_at) AS at FROM dispositions GROUP BY 1)
    SELECT e.case_id, e.event_id, e.kind, e."at"
    FROM case_events e
    LEFT JOIN first_hearing h USING (case_id)
    LEFT JOIN first_disposition d USING (case_id)
    WHERE e.kind IN {kinds}
      AND e."at" < COALESCE(h.at, d.at, TIMESTAMP '9999-12-31')
    """


LOST = "justice_evidence_lost"


def evidence_losses(warehouse: Warehouse, settings: FlagSettings) -> RuleResult:
    rule = settings.rule(RULE_PROSECUTOR)
    warehouse.duckdb.execute(f"CREATE OR REPLACE TEMP TABLE {LOST} AS {_lost_sql()}")
    rows = warehouse.duckdb.execute(
        f"""SELECT l.case_id, l.event_id, l.kind, f.prosecutor_id, strftime(l."at", '%Y-%m-%d') AS at
            FROM {LOST} l JOIN {CASE_FACTS} f USING (case_id) ORDER BY l.case_id"""
    ).fetchall()
    method = (Message(N_("A case event %(missing)s or %(destroyed)s dated before the first hearing (else before the "
                         "first disposition)."),
                      {"missing": label("evidence_missing"), "destroyed": label("evidence_destroyed")}),)
    findings = [
        Finding(
            RULE_CASE, Reference("cases", case_id), 1.0, "",
            (Reference("case_events", event_id), Reference("cases", case_id)), "",
            details={"kind": kind, "prosecutor_id": prosecutor},
            messages=(Message(N_("Case %(case)s: %(kind)s on %(day)s, before trial."),
                              {"case": str(case_id), "kind": label(kind), "day": day(at)}), sure_words(None)),
            method_messages=method,
        )
        for case_id, event_id, kind, prosecutor, at in rows
    ]
    cells = warehouse.duckdb.execute(
        f"""WITH lost AS (SELECT DISTINCT case_id FROM {LOST})
            SELECT f.prosecutor_id, f.office_id, COUNT(lost.case_id) AS events, COUNT(*) AS trials
            FROM {CASE_FACTS} f LEFT JOIN lost USING (case_id) GROUP BY ALL"""
    ).df()
    per_unit, _ = observed_expected_tests(cells, "prosecutor_id", ("office_id",), rule["min_cases"])
    lost_by: dict[str, list[str]] = {}
    for case_id, _event, _kind, prosecutor, _at in rows:
        lost_by.setdefault(str(prosecutor), []).append(str(case_id))
    tests = [] if per_unit.empty else [
        _prosecutor_test(row, sorted(set(lost_by.get(str(row.prosecutor_id), []))), rule)
        for row in per_unit.itertuples(index=False)
    ]
    return RuleResult(tests, findings)


def _prosecutor_test(row: tuple, cases: list[str], rule: RuleSettings) -> UnitTest:
    observed, expected, n = float(row.observed), float(row.expected), int(row.n)
    material = observed >= rule["min_lost"] and observed >= rule["min_ratio"] * expected
    summary = Message(
        N_("Prosecutor %(prosecutor)s: evidence went missing or was destroyed before trial in %(observed)s of "
           "%(n)s cases, where about %(expected)s would be usual in the same office."),
        {"prosecutor": named("staff", row.prosecutor_id), **observed_words(observed, expected, n)})
    method = (Message(N_("Observed against expected (office rate) cases with evidence lost before trial.")),
              funnel_words(row), *rule.criteria())
    return excess_cases_test(RULE_PROSECUTOR, row, cases, material, summary, method, rule.fdr)
