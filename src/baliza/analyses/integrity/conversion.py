"""Rule 3: seizures with arrests that never become a case within the window, per seizing unit.

Against peers seizing the same substances in the same quantities (case-mix model, over-dispersed funnel
with tau² estimated leaving the unit out, FDR). Where seizing units are few (Caribbean and Central American
countries often have four or five), peers are a thin yardstick, so each unit is also compared with its own
past: its recent seizures against its earlier ones (one-sided Fisher exact test).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir
from scipy import stats

from baliza.analyses.casefacts import quantity_band
from baliza.analyses.integrity.common import (
    EVIDENCE_CAP,
    RuleResult,
    UnitTest,
    column,
    event_cells,
    funnel_words,
    observed_expected_tests,
    observed_words,
    sure_words,
)
from baliza.analyses.integrity.rules import FlagSettings, RuleSettings
from baliza.analyses.model import Finding, Message, Reference
from baliza.analyses.wording import day, fitted, labels, named, share, significant
from baliza.i18n import N_
from baliza.warehouse.protocol import Warehouse
from baliza.warehouse.views import base_quantity, base_unit

RULE = "seizure_not_converted"
RULE_HISTORY = "seizure_not_converted_against_history"
COVARIATES = ("substance_group", "quantity_band")  # seizure-level only: a unit-level covariate would absorb the unit


def eligible_seizures(warehouse: Warehouse, end: str, window_days: int) -> ir.Table:
    """Seizures with an arrest, seized at least `window_days` before `end`: seizure_id, unit_id, seized_at,
    substance_group, quantity_band, unit_kind and `unconverted` (no case opened within the window)."""
    seizures, arrests, cases, units = (warehouse.table(n) for n in ("seizures", "arrests", "cases", "units"))
    window = ibis.interval(days=int(window_days))
    arrested = arrests.filter(arrests.seizure_id.notnull()).select("seizure_id").distinct()
    opened = cases.filter(cases.seizure_id.notnull())
    first_case = opened.group_by("seizure_id").aggregate(opened_at=opened.opened_at.min())
    kinds = units.select(kind_unit=units.unit_id, kind=units.kind)
    z = seizures.filter(seizures.seized_at <= ibis.date(end).cast("timestamp") - window)
    z = z.semi_join(arrested, "seizure_id")
    z = z.left_join(first_case, "seizure_id").select(z, first_case.opened_at)
    z = z.left_join(kinds, z.unit_id == kinds.kind_unit).select(z, kinds.kind)
    base = base_quantity(z.lab_quantity.coalesce(z.quantity), z.quantity_unit)
    return z.select(
        "seizure_id", "unit_id", "seized_at", "substance_group",
        quantity_band=quantity_band(base, base_unit(z.quantity_unit)),
        unit_kind=z.kind.coalesce("unknown"),
        unconverted=~(z.opened_at.notnull() & (z.opened_at <= z.seized_at + window)),
    )


def unconverted_seizures(warehouse: Warehouse, end: str, settings: FlagSettings) -> RuleResult:
    rule = settings.rule(RULE)
    eligible = eligible_seizures(warehouse, end, rule["window_days"])
    cells = event_cells(eligible, ("unit_id", *COVARIATES), "unconverted")
    per_unit, model = observed_expected_tests(cells, "unit_id", COVARIATES, rule["min_seizures"])
    tests: list[UnitTest] = []
    if model is None:
        return RuleResult(tests, [])
    evidence = _evidence(eligible)
    for row in per_unit.itertuples(index=False):
        tests.append(_unit_test(row, rule, model.method, evidence))
    history = settings.rule(RULE_HISTORY)
    if len(per_unit) < history["few_units"]:
        tests += _history_tests(warehouse, end, history)
    return RuleResult(tests, [])


def _evidence(eligible: ir.Table) -> Callable[..., list[str]]:
    """The unconverted seizures of a unit (seized after a date, if given), fetched only for flagged units."""

    def fetch(unit_id: str, after: str | None = None) -> list[str]:
        chosen = eligible.filter((eligible.unit_id == unit_id) & eligible.unconverted)
        if after is not None:
            chosen = chosen.filter(chosen.seized_at > ibis.date(after).cast("timestamp"))
        return [str(s) for s in column(chosen.order_by("seizure_id"), "seizure_id")]

    return fetch


def _unit_test(row: Any, rule: RuleSettings, model_method: str, evidence: Callable[..., list[str]]) -> UnitTest:
    unit_id = str(row.unit_id)
    observed, expected, n = float(row.observed), float(row.expected), int(row.n)
    material = observed >= rule["min_ratio"] * expected and observed - expected >= rule["min_excess"]
    subject = Reference("units", unit_id)
    window = rule["window_days"]

    def make(q: float) -> Finding:
        ids = evidence(unit_id)
        summary = Message(
            N_("Unit %(unit)s: %(observed)s of %(n)s seizures with an arrest had no case within %(window)s days, "
               "where peers seizing the same substances and quantities would leave about %(expected)s."),
            {"unit": named("units", unit_id), "window": window, **observed_words(observed, expected, n)})
        method = (
            Message(N_("Seizures with at least one arrest, seized at least %(window)s days before the data's end."),
                    {"window": window}),
            Message(N_("%(model)s on %(covariates)s"),
                    {"model": fitted(model_method), "covariates": labels(COVARIATES)}),
            funnel_words(row), *rule.criteria(),
        )
        return Finding(RULE, subject, round(observed / max(expected, 1e-9), 3), "",
                       tuple(Reference("seizures", str(i)) for i in ids[:EVIDENCE_CAP]), "", q,
                       details={"seizures": n, "observed": int(observed), "expected": round(expected, 2),
                                "tau2": round(float(row.tau2), 6), "evidence_count": len(ids)},
                       messages=(summary, sure_words(q, rule.fdr)), method_messages=method)

    return UnitTest(RULE, subject, float(row.p), material, make, rule.fdr)


def _history_tests(warehouse: Warehouse, end: str, rule: RuleSettings) -> list[UnitTest]:
    """Each unit's recent judged seizures against its earlier ones."""
    last_judged = date.fromisoformat(end) - timedelta(days=rule["window_days"])
    since = (last_judged - timedelta(days=rule["recent_days"])).isoformat()
    eligible = eligible_seizures(warehouse, end, rule["window_days"])
    evidence = _evidence(eligible)
    spans = eligible.filter(eligible.unit_id.notnull()).mutate(
        recent=eligible.seized_at > ibis.date(since).cast("timestamp"))
    spans = event_cells(spans, ("unit_id", "recent"), "unconverted").rename(columns={"events": "x", "trials": "n"})
    if spans.empty:
        return []
    table = spans.pivot_table(index="unit_id", columns="recent", values=["x", "n"], fill_value=0)
    tests: list[UnitTest] = []
    for unit_id, row in table.iterrows():
        x1, n1 = int(row.get(("x", True), 0)), int(row.get(("n", True), 0))
        x0, n0 = int(row.get(("x", False), 0)), int(row.get(("n", False), 0))
        if min(n1, n0) < rule["min_seizures"]:
            continue
        p = float(stats.fisher_exact([[x1, n1 - x1], [x0, n0 - x0]], alternative="greater").pvalue)
        tests.append(_history_test(str(unit_id), x1, n1, x0, n0, p, rule, since, evidence))
    return tests


def _history_test(unit_id: str, x1: int, n1: int, x0: int, n0: int, p: float, rule: RuleSettings, since: str,
                  evidence: Callable[..., list[str]]) -> UnitTest:
    earlier = x0 / n0
    expected = n1 * earlier
    material = x1 / n1 >= rule["min_ratio"] * earlier and x1 - expected >= rule["min_excess"]
    subject = Reference("units", unit_id)
    window = rule["window_days"]

    def make(q: float) -> Finding:
        ids = evidence(unit_id, since)
        summary = Message(
            N_("Unit %(unit)s: %(x1)s of its last %(n1)s seizures with an arrest had no case within %(window)s days "
               "(%(recent)s), against %(x0)s of its %(n0)s earlier ones (%(earlier)s)."),
            {"unit": named("units", unit_id), "x1": x1, "n1": n1, "window": window, "recent": share(x1 / n1), "x0": x0,
             "n0": n0, "earlier": share(earlier)})
        method = (
            Message(N_("The unit against its own past (seizing units are too few for peers alone to be a "
                       "yardstick): seizures with at least one arrest seized after %(since)s against those before, "
                       "one-sided Fisher exact test (p = %(p)s)."), {"since": day(since), "p": significant(p)}),
            *rule.criteria(),
        )
        return Finding(RULE_HISTORY, subject, round(x1 / n1 / max(earlier, 1e-9), 3), "",
                       tuple(Reference("seizures", str(i)) for i in ids[:EVIDENCE_CAP]), "", q,
                       details={"recent": [x1, n1], "earlier": [x0, n0], "since": since,
                                "evidence_count": len(ids)},
                       messages=(summary, sure_words(q, rule.fdr)), method_messages=method)

    return UnitTest(RULE_HISTORY, subject, p, material, make, rule.fdr)
