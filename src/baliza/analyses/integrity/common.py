"""What every red-flag rule shares: unit tests with p-values, one FDR across them all, evidence lists.

The thresholds live in `rules.yaml` (see `baliza.analyses.integrity.rules`); nothing here sets one.
Findings say why and how as messages (`baliza.analyses.model.Message`), worded by the surfaces.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from baliza.analyses.model import Finding, Message, Reference
from baliza.analyses.wording import decimal, fitted, significant
from baliza.i18n import N_
from baliza.stats.casemix import CaseMixModel, fit_case_mix, observed_expected
from baliza.stats.funnel import fit_funnel
from baliza.warehouse.store import Warehouse

EVIDENCE_CAP = 25  # rows listed per finding; the full count is always given


@dataclass(frozen=True)
class UnitTest:
    """One unit (a prosecutor, judge, office, seizing unit) tested by one rule.

    `material` says whether the effect is big enough to matter if it is also statistically clear;
    `make_finding(q)` builds the finding (evidence is fetched only for units that are flagged).
    """

    rule: str
    subject: Reference
    p_value: float
    material: bool
    make_finding: Callable[[float], Finding]
    fdr_level: float  # the rule's level from rules.yaml (or the agency's settings)
    # True if the unit still stands out once the cases of these (flagged) prosecutors are set aside
    recheck: Callable[[frozenset[str]], bool] | None = None


@dataclass(frozen=True)
class RuleResult:
    """A rule's output: unit tests (flagged after the FDR step) and findings that need no test (per case)."""

    tests: list[UnitTest]
    findings: list[Finding]


def observed_expected_tests(
    cells: pd.DataFrame, unit: str, covariates: Sequence[str], min_items: int
) -> tuple[pd.DataFrame, CaseMixModel | None]:
    """Case-mix-adjusted O/E per unit with an over-dispersed funnel; units below `min_items` are not tested.

    The sampling z of each unit is the exact binomial tail (n items at the unit's mean expected rate), then
    deflated for the between-unit variance tau², estimated without the unit (`baliza.stats.funnel`).

    `cells` has one row per (unit, covariates...) with `events` and `trials`. Returns per unit: n, observed,
    expected, variance, ratio, tau2 (and tau2_method, in words), z, p (one-sided, excess), and the fitted
    model; `attrs["tau2"]` is the median of the units' tau².
    """
    cells = cells[cells[unit].notna()].reset_index(drop=True)
    if cells.empty or cells["trials"].sum() == 0:
        return pd.DataFrame(), None
    model = fit_case_mix(cells, covariates)
    per_unit = observed_expected(cells, unit, model)
    per_unit = per_unit[per_unit["n"] >= min_items].reset_index(drop=True)
    if per_unit.empty:
        return per_unit, model
    fit = fit_funnel(
        per_unit["observed"].to_numpy(), per_unit["expected"].to_numpy(), per_unit["variance"].to_numpy(),
        per_unit["n"].to_numpy(),
    )
    per_unit["ratio"] = per_unit["observed"] / per_unit["expected"].where(per_unit["expected"] > 0)
    per_unit["tau2"] = fit.tau2
    per_unit["z"] = fit.z
    per_unit["p"] = np.where(np.isnan(fit.p_upper), 1.0, fit.p_upper)
    per_unit["tau2_method"] = fit.method
    per_unit.attrs["tau2"] = fit.typical_tau2
    return per_unit, model


def funnel_words(row: Any) -> Message:
    """How the unit's over-dispersion was allowed for, for its method text."""
    return Message(N_("Additive random-effects funnel on O/E, %(estimator)s: tau² = %(tau2)s, z = %(z)s"),
                   {"estimator": fitted(str(row.tau2_method)), "tau2": decimal(float(row.tau2), 4),
                    "z": decimal(float(row.z), 2)})


def case_evidence(warehouse: Warehouse, sql_filter: str, table: str = "cases") -> tuple[tuple[Reference, ...], int]:
    """The case ids (capped) and how many there are, for a SQL condition over the case facts."""
    from baliza.analyses.casefacts import CASE_FACTS

    rows = warehouse.duckdb.execute(
        f"SELECT case_id FROM {CASE_FACTS} WHERE {sql_filter} ORDER BY case_id"
    ).fetchall()
    return tuple(Reference(table, str(r[0])) for r in rows[:EVIDENCE_CAP]), len(rows)


def sure_words(q: float | None, fdr_level: float = 0.05) -> Message:
    """How sure a flag is, in plain words (`fdr_level`: the level the flag was held to)."""
    if q is None:
        return Message(N_("This is a fact in the records, not a statistical estimate."))
    if q < 0.001:
        return Message(N_("Very unlikely to be chance (q = %(q)s: under 1 in 1,000 such flags would be false "
                          "alarms)."), {"q": significant(q)})
    if q < 0.01:
        return Message(N_("Unlikely to be chance (q = %(q)s: about 1 in 100 such flags would be false alarms)."),
                       {"q": significant(q)})
    return Message(N_("Probably not chance (q = %(q)s: up to 1 in %(n)s such flags could be false alarms)."),
                   {"q": significant(q), "n": round(1 / fdr_level)})


def observed_words(observed: float, expected: float, n: int) -> dict[str, Any]:
    """The values most summaries quote: observed (a count), n (a count), expected (one decimal)."""
    return {"observed": int(observed), "n": int(n), "expected": decimal(expected, 1)}


def sql_quote(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def excess_cases_test(rule: str, row: Any, cases: list[str], material: bool, summary: Message,
                      method: tuple[Message, ...], fdr_level: float) -> UnitTest:
    """A prosecutor tested for an excess of some kind of case (observed against expected, `row` from
    `observed_expected_tests`): the finding's score is O/E, its evidence the cases (capped), its summary the
    given words followed by how sure the test is."""
    observed, expected, n = float(row.observed), float(row.expected), int(row.n)
    subject = Reference("staff", str(row.prosecutor_id))

    def make(q: float) -> Finding:
        evidence = tuple(Reference("cases", c) for c in cases[:EVIDENCE_CAP])
        return Finding(rule, subject, round(observed / max(expected, 1e-9), 3), "", evidence, "", q,
                       details={"cases": n, "observed": int(observed), "expected": round(expected, 2),
                                "evidence_count": len(cases)},
                       messages=(summary, sure_words(q, fdr_level)), method_messages=method)

    return UnitTest(rule, subject, float(row.p), material, make, fdr_level)
