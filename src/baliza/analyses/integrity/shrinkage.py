"""Rule 2: quantity shrinkage. The charged quantity well below what was seized (or what the laboratory
confirmed), per case, and concentrations of it per prosecutor."""

from __future__ import annotations

from baliza.analyses.casefacts import CASE_FACTS
from baliza.analyses.integrity.common import (
    RuleResult,
    UnitTest,
    excess_cases_test,
    observed_expected_tests,
    sure_words,
)
from baliza.analyses.model import Finding, Reference
from baliza.warehouse.store import Warehouse
from baliza.warehouse.views import base_quantity_sql, base_unit_sql

RULE_CASE = "quantity_shrinkage"
RULE_PROSECUTOR = "quantity_shrinkage_concentration"
TOLERANCE = 0.8  # charged below 80 % of the laboratory (else seized) quantity, both in base units
MIN_CASES = 10
MIN_SHRUNK = 3
MIN_RATIO = 2.0
COMPARABLE = "justice_comparable_quantities"


def _comparable_sql() -> str:
    """Cases with a seizure quantity and a charged quantity in the same base unit."""
    return f"""
    WITH charged AS (
        SELECT case_id,
               SUM({base_quantity_sql("quantity", "quantity_unit")}) AS charged_base,
               MIN({base_unit_sql("quantity_unit")}) AS charged_unit,
               COUNT(DISTINCT {base_unit_sql("quantity_unit")}) AS n_units
        FROM charges WHERE quantity IS NOT NULL AND quantity_unit IS NOT NULL GROUP BY case_id
    )
    SELECT f.case_id, f.prosecutor_id, f.seizure_id, f.case_quantity AS reference_base, c.charged_base,
           f.quantity_unit AS base_unit, f.substance_group,
           c.charged_base < {TOLERANCE} * f.case_quantity AS shrunk
    FROM {CASE_FACTS} f JOIN charged c USING (case_id)
    WHERE f.seizure_id IS NOT NULL AND f.case_quantity > 0 AND c.n_units = 1 AND c.charged_unit = f.quantity_unit
    """


def quantity_shrinkage(warehouse: Warehouse) -> RuleResult:
    con = warehouse.duckdb
    con.execute(f"CREATE OR REPLACE TEMP TABLE {COMPARABLE} AS {_comparable_sql()}")
    rows = con.execute(f"SELECT * FROM {COMPARABLE} WHERE shrunk ORDER BY case_id").df()
    findings: list[Finding] = []
    for r in rows.itertuples(index=False):
        share = float(r.charged_base) / float(r.reference_base)
        findings.append(
            Finding(
                RULE_CASE,
                Reference("cases", str(r.case_id)),
                round(1 - share, 3),
                f"Case {r.case_id} charges {r.charged_base:.4g} {r.base_unit} where seizure {r.seizure_id} held "
                f"{r.reference_base:.4g} {r.base_unit} ({share:.0%}). {sure_words(None)}",
                (Reference("cases", str(r.case_id)), Reference("seizures", str(r.seizure_id))),
                f"Sum of the case's charged quantities against the seizure's laboratory quantity (else the seized "
                f"quantity), both converted to {r.base_unit}; fires below {TOLERANCE:.0%}.",
                details={"charged": float(r.charged_base), "reference": float(r.reference_base),
                         "unit": r.base_unit, "prosecutor_id": r.prosecutor_id},
            )
        )
    cells = con.execute(
        f"""SELECT prosecutor_id, substance_group, SUM(CAST(shrunk AS INTEGER)) AS events, COUNT(*) AS trials
            FROM {COMPARABLE} GROUP BY ALL"""
    ).df()
    per_unit, _ = observed_expected_tests(cells, "prosecutor_id", ("substance_group",), MIN_CASES)
    tests: list[UnitTest] = []
    shrunk_by = rows.groupby("prosecutor_id")["case_id"].apply(sorted).to_dict() if len(rows) else {}
    for row in per_unit.itertuples(index=False) if not per_unit.empty else []:
        tests.append(_prosecutor_test(row, shrunk_by.get(row.prosecutor_id, []), per_unit.attrs))
    return RuleResult(tests, findings)


def _prosecutor_test(row: tuple, shrunk_cases: list[str], fit: dict) -> UnitTest:
    observed, expected, n = float(row.observed), float(row.expected), int(row.n)
    material = observed >= MIN_SHRUNK and (expected == 0 or observed >= MIN_RATIO * expected)
    summary = (
        f"Prosecutor {row.prosecutor_id}: {int(observed)} of {n} seizure cases charge less than "
        f"{TOLERANCE:.0%} of the seized quantity, where about {expected:.1f} would be usual for the same "
        f"substances."
    )
    method = (
        f"Per case: charged < {TOLERANCE:.0%} of the laboratory (else seized) quantity in base units. Per "
        f"prosecutor: observed against expected shrunk cases (logistic model on substance group), additive "
        f"random-effects funnel (tau² = {fit['tau2']:.4f}), z = {row.z:.2f}; tested with >= {MIN_CASES} "
        f"comparable cases; flagged at BH q <= 0.05, >= {MIN_SHRUNK} shrunk cases and O/E >= {MIN_RATIO}."
    )
    return excess_cases_test(RULE_PROSECUTOR, row, shrunk_cases, material, summary, method)
