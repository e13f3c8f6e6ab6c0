"""Rule 1: outcome outliers. Dismissals and acquittals of seizure cases per prosecutor, office and judge,
against what the case mix predicts, with over-dispersion, a minimum sample and one FDR across all units."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import ibis.expr.types as ir
import pandas as pd
from scipy import stats

from baliza.analyses.casefacts import case_facts
from baliza.analyses.integrity.common import (
    RuleResult,
    UnitTest,
    cached,
    case_evidence,
    event_cells,
    funnel_words,
    observed_expected_tests,
    observed_words,
    sure_words,
)
from baliza.analyses.integrity.rules import FlagSettings, RuleSettings
from baliza.analyses.model import Finding, Message, Reference
from baliza.analyses.wording import decimal, fitted, label, labels, named
from baliza.i18n import N_
from baliza.stats.funnel import funnel_limits
from baliza.warehouse.protocol import Warehouse

RULE = "outcome_outlier"
COVARIATES = ("substance_group", "quantity_band", "defendants_band", "offence")
LEVELS = {"prosecutor_id": ("staff", "prosecutor"), "office_id": ("units", "office"), "judge_id": ("staff", "judge")}
OUTCOMES = ("dismissed", "acquitted")
SUMMARIES = {
    "prosecutor": N_("Prosecutor %(unit)s: %(observed)s of %(n)s resolved seizure cases were %(outcome)s, where cases "
                     "like these (same substance, quantity, defendants and offence) would give about %(expected)s "
                     "(%(ratio)s times as many)."),
    "office": N_("Office %(unit)s: %(observed)s of %(n)s resolved seizure cases were %(outcome)s, where cases like "
                 "these (same substance, quantity, defendants and offence) would give about %(expected)s (%(ratio)s "
                 "times as many)."),
    "judge": N_("Judge %(unit)s: %(observed)s of %(n)s resolved seizure cases were %(outcome)s, where cases like "
                "these (same substance, quantity, defendants and offence) would give about %(expected)s (%(ratio)s "
                "times as many)."),
}
EXPECTED_WORDS = {
    "prosecutor": N_("Expected count = sum of the fitted probabilities of the prosecutor's cases."),
    "office": N_("Expected count = sum of the fitted probabilities of the office's cases."),
    "judge": N_("Expected count = sum of the fitted probabilities of the judge's cases."),
}


def outcome_outliers(warehouse: Warehouse, facts: ir.Table, settings: FlagSettings) -> RuleResult:
    rule = settings.rule(RULE)
    tests: list[UnitTest] = []
    office_of = prosecutor_offices(facts)
    judged = facts.filter(facts.resolved & facts.from_seizure)
    for outcome in OUTCOMES:
        for level, (table, noun) in LEVELS.items():
            by_prosecutor = () if level == "prosecutor_id" else ("prosecutor_id",)
            cells = event_cells(judged.filter(judged[level].notnull()), (level, *by_prosecutor, *COVARIATES), outcome)
            per_unit, model = observed_expected_tests(cells, level, COVARIATES, rule["min_cases"])
            if per_unit.empty or model is None:
                continue
            for row in per_unit.itertuples(index=False):
                office = unit_office(row, level, office_of)
                test = _unit_test(judged, row, level, table, noun, outcome, rule, model.method, office)
                if level != "prosecutor_id":
                    unit_id = str(getattr(row, level))
                    test = replace(test, recheck=_recheck(cells, model.fitted, level, unit_id, rule))
                tests.append(test)
    return RuleResult(tests, [])


def _recheck(cells: pd.DataFrame, fitted: pd.Series, level: str, unit_id: str,
             rule: RuleSettings) -> Callable[[frozenset[str]], bool]:
    """Whether an office's or judge's excess survives setting aside the cases of flagged prosecutors: still
    material, and an exact binomial tail below `recheck_p` on what remains."""

    def still_stands_out(excluded: frozenset[str]) -> bool:
        keep = (cells[level] == unit_id) & ~cells["prosecutor_id"].isin(excluded)
        observed = float(cells.loc[keep, "events"].sum())
        trials = float(cells.loc[keep, "trials"].sum())
        expected = float((cells.loc[keep, "trials"] * fitted[keep]).sum())
        if trials == 0 or expected <= 0:
            return False
        material = _material(observed, expected, rule)
        return material and float(stats.binom.sf(observed - 1, trials, expected / trials)) < rule["recheck_p"]

    return still_stands_out


def prosecutor_offices(facts: ir.Table) -> dict[str, str]:
    """The office each prosecutor has most cases in (of equally many, the first by id)."""
    rows = facts.filter(facts.prosecutor_id.notnull() & facts.office_id.notnull())
    counts = rows.group_by(["prosecutor_id", "office_id"]).aggregate(n=rows.count()).to_pandas()
    counts = counts.sort_values(["prosecutor_id", "n", "office_id"], ascending=[True, False, True])
    return dict(counts.drop_duplicates("prosecutor_id")[["prosecutor_id", "office_id"]].itertuples(index=False))


def unit_office(row: Any, level: str, office_of: dict[str, str]) -> str | None:
    """The office a prosecutor mostly works in, or the office itself (judges: none)."""
    unit_id = str(getattr(row, level))
    if level == "office_id":
        return unit_id
    return office_of.get(unit_id) if level == "prosecutor_id" else None


def _material(observed: float, expected: float, rule: RuleSettings) -> bool:
    return expected > 0 and observed >= rule["min_ratio"] * expected and observed - expected >= rule["min_excess"]


def _unit_test(judged: ir.Table, row: Any, level: str, table: str, noun: str, outcome: str,
               rule: RuleSettings, model_method: str, office: str | None) -> UnitTest:
    unit_id = str(getattr(row, level))
    observed, expected, n = float(row.observed), float(row.expected), int(row.n)
    material = _material(observed, expected, rule)
    subject = Reference(table, unit_id)

    def make(q: float) -> Finding:
        evidence, count = case_evidence(judged, (judged[level] == unit_id) & judged[outcome])
        summary = Message(SUMMARIES[noun], {"unit": named(table, unit_id), "outcome": label(outcome),
                                            "ratio": decimal(observed / expected, 1),
                                            **observed_words(observed, expected, n)})
        method = (
            Message(N_("%(model)s of %(outcome)s (no defendant convicted) on %(covariates)s, fitted on all resolved "
                       "seizure cases."), {"model": fitted(model_method), "outcome": label(outcome),
                                           "covariates": labels(COVARIATES)}),
            Message(EXPECTED_WORDS[noun]),
            funnel_words(row), Message(N_("One-sided test.")),
            *rule.criteria(),
            Message(N_("Evidence: %(count)s cases %(outcome)s (%(listed)s listed)."),
                    {"count": count, "outcome": label(outcome), "listed": min(count, len(evidence))}),
        )
        return Finding(RULE, subject, round(float(observed / expected), 3), "", evidence, "", q,
                       details={"outcome": outcome, "level": noun, "office_id": office, "cases": n,
                                "observed": int(observed),
                                "expected": round(expected, 2), "z": round(float(row.z), 2),
                                "tau2": round(float(row.tau2), 6), "evidence_count": count},
                       messages=(summary, sure_words(q, rule.fdr)), method_messages=method)

    return UnitTest(RULE, subject, float(row.p), material, make, rule.fdr)


def outcome_funnels(warehouse: Warehouse, level: str = "prosecutor_id",
                    settings: FlagSettings | None = None, *, facts: ir.Table | None = None) -> dict[str, pd.DataFrame]:
    """Per outcome, the points of a funnel plot: each tested unit's expected count and O/E ratio, with the
    over-dispersed 95 % and 99.8 % limits at that expected count (tau² the median of the units' leave-one-out
    estimates; for the report). `facts`: the case facts, if the caller has them (`casefacts.case_facts`)."""
    min_cases = (settings or FlagSettings.defaults()).rule(RULE)["min_cases"]
    if facts is None:
        with cached(case_facts(warehouse)) as facts:
            return outcome_funnels(warehouse, level, settings, facts=facts)
    judged = facts.filter(facts.resolved & facts.from_seizure)
    out: dict[str, pd.DataFrame] = {}
    for outcome in OUTCOMES:
        cells = event_cells(judged, (level, *COVARIATES), outcome)
        per_unit, model = observed_expected_tests(cells, level, COVARIATES, min_cases)
        if per_unit.empty or model is None:
            continue
        tau2 = per_unit.attrs["tau2"]
        expected = per_unit["expected"].to_numpy(float)
        low95, high95 = funnel_limits(expected, model.pooled_rate, tau2, z=1.96)
        low998, high998 = funnel_limits(expected, model.pooled_rate, tau2, z=3.09)
        out[outcome] = pd.DataFrame({
            "unit": per_unit[level].astype(str), "cases": per_unit["n"], "expected": expected,
            "ratio": per_unit["ratio"], "low95": low95, "high95": high95, "low998": low998, "high998": high998,
        })
    return out
