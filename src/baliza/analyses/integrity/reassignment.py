"""Rule 4b: a case reassigned shortly before it was lost (a defendant dismissed or acquitted), per case as a
fact, and per prosecutor who received such cases more often than their caseload explains."""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from baliza.analyses.integrity.common import (
    RuleResult,
    UnitTest,
    cached,
    excess_cases_test,
    first_per,
    funnel_words,
    observed_expected_tests,
    sure_words,
)
from baliza.analyses.integrity.rules import FlagSettings, RuleSettings
from baliza.analyses.model import Finding, Message, Reference
from baliza.analyses.wording import decimal, label, named
from baliza.i18n import N_
from baliza.warehouse.protocol import Warehouse

RULE_CASE = "reassigned_before_loss"
RULE_PROSECUTOR = "reassigned_before_loss_concentration"
LOST = ("dismissed", "acquitted")


def reassigned_before_loss(warehouse: Warehouse, facts: ir.Table, settings: FlagSettings) -> RuleResult:
    per_case, per_prosecutor = settings.rule(RULE_CASE), settings.rule(RULE_PROSECUTOR)
    window = int(per_case["window_days"])
    with cached(reassigned_before_lost(warehouse, facts, window)) as reassigned:  # read twice
        return _reassigned(reassigned, facts, per_case, per_prosecutor)


def _reassigned(reassigned: ir.Table, facts: ir.Table, per_case: RuleSettings,
                per_prosecutor: RuleSettings) -> RuleResult:
    window = int(per_case["window_days"])
    rows = [(r["case_id"], r["event_id"], r["prosecutor_id"], r["reassigned_at"], r["lost_at"], r["outcome"])
            for r in reassigned.order_by("case_id").to_pyarrow().to_pylist()]
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
    per = reassigned.group_by("prosecutor_id").aggregate(events=reassigned.count())
    led = facts.filter(facts.prosecutor_id.notnull())
    caseloads = led.group_by("prosecutor_id").aggregate(trials=led.count())
    cells = caseloads.left_join(per, "prosecutor_id").select(
        caseloads.prosecutor_id, events=per.events.fill_null(0), trials=caseloads.trials).to_pandas()
    cells["events"] = cells[["events", "trials"]].min(axis=1)
    per_unit, _ = (observed_expected_tests(cells, "prosecutor_id", (), per_prosecutor["min_cases"]) if rows
                   else (None, None))
    tests = [] if per_unit is None or per_unit.empty else [
        _prosecutor_test(row, by_prosecutor.get(str(row.prosecutor_id), []), per_prosecutor, window)
        for row in per_unit.itertuples(index=False)
    ]
    return RuleResult(tests, findings)


def reassigned_before_lost(warehouse: Warehouse, facts: ir.Table, window: int) -> ir.Table:
    """Per case reassigned within `window` days before a defendant was dismissed or acquitted: the latest such
    reassignment (`event_id`, `reassigned_at`), who received it (its staff, else the lead prosecutor), the
    first such loss (`lost_at`, `outcome`). Of simultaneous events the greatest id, of simultaneous losses the
    outcome first by name, so that every engine agrees."""
    events, dispositions = warehouse.table("case_events"), warehouse.table("dispositions")
    e = events.filter(events.kind == "reassigned").select("case_id", "event_id", "staff_id", "at")
    d = dispositions.filter(dispositions.outcome.isin(LOST)).select(
        d_case=dispositions.case_id, disposed_at=dispositions.disposed_at, outcome=dispositions.outcome)
    f = facts.select(f_case=facts.case_id, lead=facts.prosecutor_id)
    pairs = e.join(d, (e.case_id == d.d_case) & (d.disposed_at >= e["at"])
                   & (d.disposed_at <= e["at"] + ibis.interval(days=window)))
    pairs = pairs.join(f, pairs.case_id == f.f_case).select("case_id", "event_id", "staff_id", "at", "disposed_at",
                                                           "outcome", "lead")
    latest = first_per(pairs, "case_id", pairs["at"].desc(), pairs.event_id.desc())
    named = pairs.filter(pairs.staff_id.notnull())
    staff = first_per(named, "case_id", named["at"].desc(), named.staff_id.desc())
    lost = first_per(pairs, "case_id", pairs.disposed_at.asc(), pairs.outcome.asc())
    lost = lost.select(l_case=lost.case_id, lost_at=lost.disposed_at, lost_outcome=lost.outcome)
    staff = staff.select(s_case=staff.case_id, receiver=staff.staff_id)
    joined = latest.join(lost, latest.case_id == lost.l_case)
    joined = joined.left_join(staff, joined.case_id == staff.s_case)
    return joined.select("case_id", "event_id", prosecutor_id=ibis.coalesce(joined.receiver, joined.lead),
                         reassigned_at=joined["at"], lost_at=joined.lost_at, outcome=joined.lost_outcome)


def _prosecutor_test(row: Any, cases: list[str], rule: RuleSettings, window: int) -> UnitTest:
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
