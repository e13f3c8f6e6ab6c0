"""Rule 5: cases lost to the statute of limitations, long inactivity before it, repeated adjournments
asked for by the prosecution; and prosecutors who lose more cases to limitation than their case mix explains."""

from __future__ import annotations

from baliza.analyses.casefacts import CASE_FACTS
from baliza.analyses.integrity.common import (
    RuleResult,
    UnitTest,
    case_evidence,
    funnel_words,
    observed_expected_tests,
    observed_words,
    sql_quote,
    sure_words,
)
from baliza.analyses.integrity.rules import FlagSettings, RuleSettings
from baliza.analyses.model import Finding, Message, Reference
from baliza.analyses.wording import label, labels, named
from baliza.i18n import N_
from baliza.warehouse.store import Warehouse

RULE_CASE = "statute_barred"
RULE_ADJOURNED = "repeated_prosecution_adjournments"
RULE_PROSECUTOR = "statute_barred_concentration"
COVARIATES = ("office_id", "substance_group", "defendants_band", "offence")


def limitation_losses(warehouse: Warehouse, settings: FlagSettings) -> RuleResult:
    rule = settings.rule(RULE_PROSECUTOR)
    findings = _case_findings(warehouse, settings.rule(RULE_ADJOURNED))
    cells = warehouse.duckdb.execute(
        f"""SELECT prosecutor_id, {', '.join(COVARIATES)}, SUM(CAST(statute_barred AS INTEGER)) AS events,
                   COUNT(*) AS trials FROM {CASE_FACTS} WHERE resolved GROUP BY ALL"""
    ).df()
    per_unit, model = observed_expected_tests(cells, "prosecutor_id", COVARIATES, rule["min_cases"])
    tests: list[UnitTest] = []
    if not per_unit.empty and model is not None:
        for row in per_unit.itertuples(index=False):
            tests.append(_prosecutor_test(warehouse, row, rule))
    return RuleResult(tests, findings)


def _case_findings(warehouse: Warehouse, adjourned_rule: RuleSettings) -> list[Finding]:
    min_adjournments = int(adjourned_rule["min_adjournments"])
    rows = warehouse.duckdb.execute(
        f"""WITH adjourned AS (
                SELECT case_id, COUNT(*) AS adjournments FROM case_events
                WHERE kind = 'adjourned' AND requested_by = 'prosecution' GROUP BY case_id),
            candidates AS (
                SELECT f.case_id, f.prosecutor_id, f.statute_barred, COALESCE(a.adjournments, 0) AS adjournments
                FROM {CASE_FACTS} f LEFT JOIN adjourned a USING (case_id)
                WHERE f.statute_barred OR a.adjournments >= {min_adjournments}),
            gaps AS (  -- only the candidates' events are sorted
                SELECT case_id, date_diff('day', LAG("at") OVER (PARTITION BY case_id ORDER BY "at"), "at") AS gap
                FROM case_events SEMI JOIN candidates USING (case_id))
            SELECT c.case_id, c.prosecutor_id, c.statute_barred, COALESCE(MAX(g.gap), 0), c.adjournments
            FROM candidates c LEFT JOIN gaps g USING (case_id)
            GROUP BY c.case_id, c.prosecutor_id, c.statute_barred, c.adjournments ORDER BY c.case_id"""
    ).fetchall()
    out: list[Finding] = []
    for case_id, prosecutor, barred, gap, adjournments in rows:
        evidence = (Reference("cases", str(case_id)),)
        values = {"case": str(case_id), "gap": int(gap), "adjournments": int(adjournments)}
        if barred:
            out.append(Finding(
                RULE_CASE, Reference("cases", str(case_id)), float(gap), "", evidence, "",
                details={"longest_gap_days": int(gap), "prosecution_adjournments": int(adjournments),
                         "prosecutor_id": prosecutor},
                messages=(Message(N_("Case %(case)s was lost to the statute of limitations; its longest gap between "
                                     "recorded steps was %(gap)s days and the prosecution asked for %(adjournments)s "
                                     "adjournments."), values), sure_words(None)),
                method_messages=(Message(N_("A defendant's disposition is %(barred)s; inactivity = longest gap "
                                            "between consecutive case events; adjournments counted where requested "
                                            "by the prosecution."), {"barred": label("statute_barred")}),),
            ))
        elif adjournments >= min_adjournments:
            out.append(Finding(
                RULE_ADJOURNED, Reference("cases", str(case_id)), float(adjournments), "", evidence, "",
                details={"prosecution_adjournments": int(adjournments), "prosecutor_id": prosecutor},
                messages=(Message(N_("Case %(case)s: its longest gap between recorded steps was %(gap)s days and the "
                                     "prosecution asked for %(adjournments)s adjournments."), values),
                          sure_words(None)),
                method_messages=adjourned_rule.criteria(),
            ))
    return out


def _prosecutor_test(warehouse: Warehouse, row: tuple, rule: RuleSettings) -> UnitTest:
    prosecutor = str(row.prosecutor_id)
    observed, expected, n = float(row.observed), float(row.expected), int(row.n)
    material = observed >= rule["min_barred"] and observed >= rule["min_ratio"] * expected
    subject = Reference("staff", prosecutor)

    def make(q: float) -> Finding:
        evidence, count = case_evidence(warehouse, f"prosecutor_id = {sql_quote(prosecutor)} AND statute_barred")
        summary = Message(
            N_("Prosecutor %(prosecutor)s: %(observed)s of %(n)s resolved cases lost to the statute of limitations, "
               "where about %(expected)s would be usual for the same office and kinds of case."),
            {"prosecutor": named("staff", prosecutor), **observed_words(observed, expected, n)})
        method = (Message(N_("Logistic model of statute-barred on %(covariates)s."),
                          {"covariates": labels(COVARIATES)}), funnel_words(row), *rule.criteria())
        return Finding(RULE_PROSECUTOR, subject, round(observed / max(expected, 1e-9), 3), "", evidence,
                       "", q, details={"cases": n, "observed": int(observed), "expected": round(expected, 2),
                                       "evidence_count": count},
                       messages=(summary, sure_words(q, rule.fdr)), method_messages=method)

    return UnitTest(RULE_PROSECUTOR, subject, float(row.p), material, make, rule.fdr)
