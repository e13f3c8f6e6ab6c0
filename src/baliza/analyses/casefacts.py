"""One row per prosecution case with what the justice analyses compare cases on.

Built once per run as a temporary DuckDB table (`justice_case_facts`) from the `case_status` view, the
seizure, the charges and the dispositions, so every analysis reads the same definitions:

- `prosecutor_id` (the lead prosecutor), `judge_id` (the judge of the case's latest disposition that names
  one; of simultaneous ones, the greatest id, so that reruns agree);
- `resolved_at` as in `case_status` (every defendant disposed), `dismissed` / `acquitted` (no defendant
  convicted and at least one dismissed / acquitted), `convicted`, `statute_barred`;
- case mix: `substance_group`, `quantity_band` (base unit and power of ten of the seized or lab quantity,
  else the charged quantity of `definitions.charged_per_case`), `defendants_band` (1, 2, 3+), `offence` (the
  most serious charge).
"""

from __future__ import annotations

import ibis

from baliza.analyses.definitions import charged_per_case
from baliza.warehouse.store import Warehouse
from baliza.warehouse.views import base_quantity_sql, base_unit_sql, case_status

CASE_FACTS = "justice_case_facts"

# Most serious first: a case is described by its most serious charge.
OFFENCE_SERIOUSNESS: tuple[str, ...] = (
    "organised_crime",
    "trafficking",
    "production",
    "money_laundering",
    "corruption",
    "possession_for_supply",
    "possession",
    "other",
)


def quantity_band_sql(quantity: str, unit: str) -> str:
    """`kg:1` for 10-100 kg, `kg:-2` for 10-100 g..., powers of ten clamped to [-3, 4]."""
    power = f"CAST(LEAST(GREATEST(FLOOR(LOG10(GREATEST({quantity}, 1e-9))), -3), 4) AS INTEGER)"
    return f"CASE WHEN {quantity} IS NULL OR {quantity} <= 0 THEN 'unknown' ELSE {unit} || ':' || {power} END"


def build_case_facts(warehouse: Warehouse) -> str:
    """(Re)create the temporary table of case facts; returns its name."""
    status_sql = ibis.to_sql(case_status(warehouse), dialect="duckdb")
    charged_sql = ibis.to_sql(charged_per_case(warehouse.table("charges")), dialect="duckdb")
    offence_rank = " ".join(f"WHEN '{o}' THEN {i}" for i, o in enumerate(OFFENCE_SERIOUSNESS))
    offence_name = " ".join(f"WHEN {i} THEN '{o}'" for i, o in enumerate(OFFENCE_SERIOUSNESS))
    sql = f"""
    CREATE OR REPLACE TEMP TABLE {CASE_FACTS} AS
    WITH status AS ({status_sql}),
    charged AS (  -- one base unit per case (the first by name) where charges came in several
        SELECT case_id, ARG_MIN(charged_base, base_unit) AS charged_base, MIN(base_unit) AS charged_unit
        FROM ({charged_sql}) GROUP BY case_id
    ),
    charge_mix AS (
        SELECT case_id,
               MIN(CASE offence {offence_rank} ELSE {len(OFFENCE_SERIOUSNESS) - 1} END) AS offence_rank,
               ARG_MIN(substance_group, CASE offence {offence_rank} ELSE 99 END) AS charged_group
        FROM charges GROUP BY case_id
    ),
    judges AS (
        SELECT case_id, FIRST(judge_id ORDER BY disposed_at DESC, judge_id DESC) AS judge_id
        FROM dispositions WHERE judge_id IS NOT NULL GROUP BY case_id
    ),
    seizure_mix AS (
        SELECT seizure_id, unit_id AS seizing_unit_id, seized_at, substance_group,
               COALESCE({base_quantity_sql('lab_quantity', 'quantity_unit')},
                        {base_quantity_sql('quantity', 'quantity_unit')}) AS seized_base,
               {base_unit_sql('quantity_unit')} AS base_unit
        FROM seizures
    ),
    joined AS (
        SELECT s.case_id, s.office_id, s.lead_prosecutor_id AS prosecutor_id, j.judge_id,
               s.opened_at, s.resolved_at, s.origin, s.seizure_id, s.assignment, s.limitation_date,
               s.n_defendants, s.n_convicted, s.n_acquitted, s.n_dismissed, s.n_statute_barred, s.outcome,
               z.seizing_unit_id, z.seized_at,
               COALESCE(z.substance_group, c.charged_group, 'unknown') AS substance_group,
               COALESCE(z.seized_base, q.charged_base) AS case_quantity,
               COALESCE(z.base_unit, q.charged_unit, 'unknown') AS quantity_unit,
               COALESCE(c.offence_rank, -1) AS offence_rank
        FROM status s
        LEFT JOIN charge_mix c USING (case_id)
        LEFT JOIN charged q USING (case_id)
        LEFT JOIN judges j USING (case_id)
        LEFT JOIN seizure_mix z ON z.seizure_id = s.seizure_id
    )
    SELECT *,
           resolved_at IS NOT NULL AS resolved,
           resolved_at IS NOT NULL AND n_convicted = 0 AND n_dismissed > 0 AS dismissed,
           resolved_at IS NOT NULL AND n_convicted = 0 AND n_acquitted > 0 AS acquitted,
           resolved_at IS NOT NULL AND n_convicted > 0 AS convicted,
           n_statute_barred > 0 AS statute_barred,
           (seizure_id IS NOT NULL OR origin = 'seizure') AS from_seizure,
           {quantity_band_sql('case_quantity', 'quantity_unit')} AS quantity_band,
           CASE WHEN n_defendants <= 1 THEN '1' WHEN n_defendants = 2 THEN '2' ELSE '3+' END AS defendants_band,
           CASE offence_rank {offence_name} ELSE 'none' END AS offence
    FROM joined
    """
    warehouse.duckdb.execute("SET enable_progress_bar = false")  # nothing but results on stdout
    warehouse.duckdb.execute(sql)
    return CASE_FACTS


def data_end(warehouse: Warehouse) -> str | None:
    """The date the justice tables cover to (censoring date for open cases): one definition with the chain's
    deadlines (`baliza.analyses.as_of`)."""
    from baliza.analyses.as_of import STAGES, covered_to

    end = covered_to(warehouse, STAGES["disposition"])
    return None if end is None else end.isoformat()


def case_facts(warehouse: Warehouse) -> ibis.Table:  # TEMPORARY shim (ibis-integrity) until ibis-justice lands
    build_case_facts(warehouse)
    return warehouse.table(CASE_FACTS)
