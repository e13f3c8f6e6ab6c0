"""Rule 3: seizures with arrests that never become a case within 90 days, per seizing unit, against peers
seizing the same substances in the same quantities (case-mix model, over-dispersed funnel, FDR)."""

from __future__ import annotations

from baliza.analyses.casefacts import quantity_band_sql
from baliza.analyses.integrity.common import EVIDENCE_CAP, RuleResult, UnitTest, observed_expected_tests, sure_words
from baliza.analyses.model import Finding, Reference
from baliza.warehouse.store import Warehouse
from baliza.warehouse.views import base_quantity_sql, base_unit_sql

RULE = "seizure_not_converted"
WINDOW_DAYS = 90
MIN_SEIZURES = 20
MIN_RATIO = 1.5
MIN_EXCESS = 5.0
COVARIATES = ("substance_group", "quantity_band")  # seizure-level only: a unit-level covariate would absorb the unit


def _eligible_sql(end: str) -> str:
    band = quantity_band_sql("base", "base_unit")
    return f"""
    WITH arrested AS (SELECT DISTINCT seizure_id FROM arrests WHERE seizure_id IS NOT NULL),
    first_case AS (SELECT seizure_id, MIN(opened_at) AS opened_at FROM cases
                   WHERE seizure_id IS NOT NULL GROUP BY seizure_id),
    s AS (
        SELECT z.seizure_id, z.unit_id, z.seized_at, z.substance_group,
               {base_quantity_sql("COALESCE(z.lab_quantity, z.quantity)", "z.quantity_unit")} AS base,
               {base_unit_sql("z.quantity_unit")} AS base_unit,
               COALESCE(u.kind, 'unknown') AS unit_kind,
               NOT (c.opened_at IS NOT NULL AND c.opened_at <= z.seized_at + INTERVAL {WINDOW_DAYS} DAY)
                   AS unconverted
        FROM seizures z JOIN arrested USING (seizure_id)
        LEFT JOIN first_case c USING (seizure_id)
        LEFT JOIN units u ON u.unit_id = z.unit_id
        WHERE z.seized_at <= DATE '{end}' - INTERVAL {WINDOW_DAYS} DAY
    )
    SELECT *, {band} AS quantity_band FROM s
    """


def unconverted_seizures(warehouse: Warehouse, end: str) -> RuleResult:
    sql = _eligible_sql(end)
    cells = warehouse.duckdb.execute(
        f"""SELECT unit_id, {', '.join(COVARIATES)}, SUM(CAST(unconverted AS INTEGER)) AS events,
                   COUNT(*) AS trials FROM ({sql}) GROUP BY ALL"""
    ).df()
    per_unit, model = observed_expected_tests(cells, "unit_id", COVARIATES, MIN_SEIZURES)
    tests: list[UnitTest] = []
    if per_unit.empty or model is None:
        return RuleResult(tests, [])
    for row in per_unit.itertuples(index=False):
        tests.append(_unit_test(warehouse, sql, row, per_unit.attrs, model.method))
    return RuleResult(tests, [])


def _unit_test(warehouse: Warehouse, sql: str, row: tuple, fit: dict, model_method: str) -> UnitTest:
    unit_id = str(row.unit_id)
    observed, expected, n = float(row.observed), float(row.expected), int(row.n)
    material = observed >= MIN_RATIO * expected and observed - expected >= MIN_EXCESS
    subject = Reference("units", unit_id)

    def make(q: float) -> Finding:
        ids = [r[0] for r in warehouse.duckdb.execute(
            f"SELECT seizure_id FROM ({sql}) WHERE unit_id = ? AND unconverted ORDER BY seizure_id", [unit_id]
        ).fetchall()]
        summary = (
            f"Unit {unit_id}: {int(observed)} of {n} seizures with an arrest had no case within {WINDOW_DAYS} "
            f"days, where peers seizing the same substances and quantities would leave about {expected:.1f}. "
            f"{sure_words(q)}"
        )
        method = (
            f"Seizures with >= 1 arrest, seized at least {WINDOW_DAYS} days before the data's end; unconverted = "
            f"no case with this seizure_id opened within {WINDOW_DAYS} days. {model_method} on "
            f"{', '.join(COVARIATES)}; additive random-effects funnel on O/E (tau² = {fit['tau2']:.4f}), "
            f"z = {row.z:.2f}; tested with >= {MIN_SEIZURES} seizures; flagged at BH q <= 0.05, O/E >= {MIN_RATIO}"
            f" and O - E >= {MIN_EXCESS}."
        )
        evidence = tuple(Reference("seizures", str(i)) for i in ids[:EVIDENCE_CAP])
        return Finding(RULE, subject, round(observed / max(expected, 1e-9), 3), summary, evidence, method, q,
                       details={"seizures": n, "observed": int(observed), "expected": round(expected, 2),
                                "evidence_count": len(ids)})

    return UnitTest(RULE, subject, float(row.p), material, make)
