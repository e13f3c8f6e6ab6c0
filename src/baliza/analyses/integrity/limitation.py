"""Rule 5: cases lost to the statute of limitations, long inactivity before it, repeated adjournments
asked for by the prosecution; and prosecutors who lose more cases to limitation than their case mix explains."""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from baliza.analyses.integrity.common import (
    RuleResult,
    UnitTest,
    case_evidence,
    event_cells,
    funnel_words,
    observed_expected_tests,
    observed_words,
    sure_words,
)
from baliza.analyses.integrity.rules import FlagSettings, RuleSettings
from baliza.analyses.model import Finding, Message, Reference
from baliza.analyses.wording import label, labels, named
from baliza.i18n import N_
from baliza.warehouse.protocol import Warehouse

RULE_CASE = "statute_barred"
RULE_ADJOURNED = "repeated_prosecution_adjournments"
RULE_PROSECUTOR = "statute_barred_concentration"
COVARIATES = ("office_id", "substance_group", "defendants_band", "offence")


def limitation_losses(warehouse: Warehouse, facts: ir.Table, settings: FlagSettings) -> RuleResult:
    rule = settings.rule(RULE_PROSECUTOR)
    findings = _case_findings(warehouse, facts, settings.rule(RULE_ADJOURNED))
    cells = event_cells(facts.filter(facts.resolved), ("prosecutor_id", *COVARIATES), "statute_barred")
    per_unit, model = observed_expected_tests(cells, "prosecutor_id", COVARIATES, rule["min_cases"])
    tests: list[UnitTest] = []
    if not per_unit.empty and model is not None:
        for row in per_unit.itertuples(index=False):
            tests.append(_prosecutor_test(facts, row, rule))
    return RuleResult(tests, findings)


def _case_findings(warehouse: Warehouse, facts: ir.Table, adjourned_rule: RuleSettings) -> list[Finding]:
    min_adjournments = int(adjourned_rule["min_adjournments"])
    events = warehouse.table("case_events")
    asked = events.filter((events.kind == "adjourned") & (events.requested_by == "prosecution"))
    adjourned = asked.group_by("case_id").aggregate(adjournments=asked.count())
    joined = facts.left_join(adjourned, "case_id")
    candidates = joined.filter(joined.statute_barred | (joined.adjournments >= min_adjournments)).select(
        "case_id", "prosecutor_id", "statute_barred", adjournments=joined.adjournments.fill_null(0))
    # only the candidates' events are sorted
    steps = events.semi_join(candidates, "case_id")
    before = steps["at"].lag().over(group_by="case_id", order_by="at")
    gaps = steps.select("case_id", gap=steps["at"].date().delta(before.date(), unit="day"))
    found = candidates.left_join(gaps, "case_id")
    per_case = found.group_by(["case_id", "prosecutor_id", "statute_barred", "adjournments"]).aggregate(
        gap=ibis.coalesce(found.gap.max(), 0)).order_by("case_id")
    rows = [(r["case_id"], r["prosecutor_id"], r["statute_barred"], r["gap"], r["adjournments"])
            for r in per_case.to_pyarrow().to_pylist()]
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


def _prosecutor_test(facts: ir.Table, row: Any, rule: RuleSettings) -> UnitTest:
    prosecutor = str(row.prosecutor_id)
    observed, expected, n = float(row.observed), float(row.expected), int(row.n)
    material = observed >= rule["min_barred"] and observed >= rule["min_ratio"] * expected
    subject = Reference("staff", prosecutor)

    def make(q: float) -> Finding:
        evidence, count = case_evidence(facts, (facts.prosecutor_id == prosecutor) & facts.statute_barred)
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
