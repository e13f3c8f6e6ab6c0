"""What every red-flag rule shares: unit tests with p-values, one FDR across them all, evidence lists.

The thresholds live in `rules.yaml` (see `baliza.analyses.integrity.rules`); nothing here sets one.
Findings say why and how as messages (`baliza.analyses.model.Message`), worded by the surfaces.

Every rule reads the warehouse as Ibis expressions (`warehouse.table`, the case facts of
`baliza.analyses.casefacts.case_facts`), so it runs on any engine Ibis reaches and on a principal's scoped
view; only the aggregates come back, and the statistics are computed on them in Python.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from baliza.analyses.integrity.rules import FlagSettings
from baliza.analyses.model import Finding, Message, Reference
from baliza.analyses.wording import decimal, fitted, significant
from baliza.i18n import N_
from baliza.stats.casemix import CaseMixModel, fit_case_mix, observed_expected
from baliza.stats.funnel import fit_funnel
from baliza.warehouse.protocol import Warehouse

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


class FactsRule(Protocol):
    """A rule over the warehouse and its case facts (computed once per run and shared by every rule)."""

    def __call__(self, warehouse: Warehouse, facts: ir.Table, settings: FlagSettings, /) -> RuleResult: ...


def column(expr: ir.Table, name: str) -> list[Any]:
    """One column of a (small) result, in its order, as Python values."""
    return expr.select(name).to_pyarrow()[name].to_pylist()


@contextmanager
def cached(expr: ir.Table) -> Iterator[ir.Table]:
    """`expr` computed once on its engine for the block (as a temporary table), and released after it, unless
    a caller had cached it already: Ibis keeps one cache for equal expressions, so releasing it would pull the
    caller's table from under it (the case facts a report caches for several analyses)."""
    backend = expr._find_backend(use_default=True)
    mine = expr.op() not in getattr(backend, "_cache_op_to_entry", {})
    table = expr.cache()
    try:
        yield table
    finally:
        if mine:
            table.release()


def first_per(table: ir.Table, by: str, *order_by: ir.Value) -> ir.Table:
    """The first row of each `by` group in `order_by` order (give an order that leaves no ties, so that
    every engine picks the same row)."""
    rank = ibis.row_number().over(ibis.window(group_by=table[by], order_by=list(order_by)))
    return table.mutate(_first=rank).filter(lambda t: t._first == 0).drop("_first")


def event_cells(rows: ir.Table, by: Sequence[str], event: str | ir.BooleanValue) -> pd.DataFrame:
    """Per combination of `by` (nulls a group of their own): `trials`, the rows, and `events`, those where
    `event` (a boolean column or expression) is true; the cells `observed_expected_tests` fits on."""
    flag = rows[event] if isinstance(event, str) else event
    return rows.group_by(list(by)).aggregate(events=flag.cast("int32").sum(), trials=rows.count()).to_pandas()


def case_evidence(facts: ir.Table, condition: ir.BooleanValue) -> tuple[tuple[Reference, ...], int]:
    """The case ids (capped, in id order) and how many there are, for a condition over the case facts."""
    ids = column(facts.filter(condition).order_by("case_id"), "case_id")
    return tuple(Reference("cases", str(c)) for c in ids[:EVIDENCE_CAP]), len(ids)


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
