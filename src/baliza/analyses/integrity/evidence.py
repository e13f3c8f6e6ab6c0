"""Rule 6: evidence recorded missing or destroyed before trial (before the case's first hearing, or before
any disposition), per case; and prosecutors with more such cases than their office's cases explain."""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from baliza.analyses.definitions import EVIDENCE_LOST
from baliza.analyses.integrity.common import (
    RuleResult,
    UnitTest,
    cached,
    event_cells,
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
from baliza.warehouse.protocol import Warehouse

RULE_CASE = "evidence_lost_before_trial"
RULE_PROSECUTOR = "evidence_loss_concentration"


def lost_before_trial(warehouse: Warehouse) -> ir.Table:
    """Case events recording evidence missing or destroyed before the case's first hearing (else its first
    disposition): case_id, event_id, kind, at."""
    events, dispositions = warehouse.table("case_events"), warehouse.table("dispositions")
    hearings = events.filter(events.kind == "hearing")
    first_hearing = hearings.group_by("case_id").aggregate(hearing_at=hearings["at"].min())
    first_disposition = dispositions.group_by("case_id").aggregate(disposed_at=dispositions.disposed_at.min())
    lost = events.filter(events.kind.isin(EVIDENCE_LOST)).select("case_id", "event_id", "kind", "at")
    lost = lost.left_join(first_hearing, "case_id").select(lost, first_hearing.hearing_at)
    lost = lost.left_join(first_disposition, "case_id").select(lost, first_disposition.disposed_at)
    trial = ibis.coalesce(lost.hearing_at, lost.disposed_at, ibis.timestamp("9999-12-31 00:00:00"))
    return lost.filter(lost["at"] < trial).select("case_id", "event_id", "kind", "at")


def evidence_losses(warehouse: Warehouse, facts: ir.Table, settings: FlagSettings) -> RuleResult:
    with cached(lost_before_trial(warehouse)) as lost:  # read twice: the events listed, then the cells
        return _losses(lost, facts, settings.rule(RULE_PROSECUTOR))


def _losses(lost: ir.Table, facts: ir.Table, rule: RuleSettings) -> RuleResult:
    prosecutors = facts.select("case_id", "prosecutor_id")
    listed = lost.join(prosecutors, "case_id").select(lost, prosecutors.prosecutor_id).order_by(["case_id", "event_id"])
    rows = [(r["case_id"], r["event_id"], r["kind"], r["prosecutor_id"], r["at"].date().isoformat())
            for r in listed.to_pyarrow().to_pylist()]
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
    lost_cases = lost.select(lost_case=lost.case_id).distinct()
    with_loss = facts.left_join(lost_cases, facts.case_id == lost_cases.lost_case)
    cells = event_cells(with_loss, ("prosecutor_id", "office_id"), with_loss.lost_case.notnull())
    per_unit, _ = observed_expected_tests(cells, "prosecutor_id", ("office_id",), rule["min_cases"])
    lost_by: dict[str, list[str]] = {}
    for case_id, _event, _kind, prosecutor, _at in rows:
        lost_by.setdefault(str(prosecutor), []).append(str(case_id))
    tests = [] if per_unit.empty else [
        _prosecutor_test(row, sorted(set(lost_by.get(str(row.prosecutor_id), []))), rule)
        for row in per_unit.itertuples(index=False)
    ]
    return RuleResult(tests, findings)


def _prosecutor_test(row: Any, cases: list[str], rule: RuleSettings) -> UnitTest:
    observed, expected, n = float(row.observed), float(row.expected), int(row.n)
    material = observed >= rule["min_lost"] and observed >= rule["min_ratio"] * expected
    summary = Message(
        N_("Prosecutor %(prosecutor)s: evidence went missing or was destroyed before trial in %(observed)s of "
           "%(n)s cases, where about %(expected)s would be usual in the same office."),
        {"prosecutor": named("staff", row.prosecutor_id), **observed_words(observed, expected, n)})
    method = (Message(N_("Observed against expected (office rate) cases with evidence lost before trial.")),
              funnel_words(row), *rule.criteria())
    return excess_cases_test(RULE_PROSECUTOR, row, cases, material, summary, method, rule.fdr)
