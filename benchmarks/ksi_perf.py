"""Time every key success indicator on a synthetic warehouse of 10 million inspections.

Rows are made directly with DuckDB SQL (no generator, no loader): 10 million consignments and inspections,
about 3% of inspections a seizure, arrests for 60% of seizures, cases for half of them, dispositions, trainings.
Run: PYTHONPATH=src python benchmarks/ksi_perf.py [--inspections N] [--db PATH]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from baliza.analyses.benchmarks import unit_efficiency
from baliza.analyses.ksi import compute_indicators
from baliza.analyses.periods import Granularity
from baliza.warehouse import open_warehouse

UNITS = 40
SECONDS_IN_3_YEARS = 3 * 365 * 86400


def synthesise(db: Path, inspections: int) -> None:
    with open_warehouse(db) as wh:
        sql = wh.duckdb.execute
        sql("create or replace temp macro rnd(x, n) as (hash(x) % n)::BIGINT")  # a repeatable pseudo-random 0..n-1
        sql(f"""insert into units (unit_id, agency_id, name, kind, programme, entry_point_id, operational_since,
                staff_count)
            select 'U' || i, 'AG1', 'Unit ' || i, case when i % 2 = 0 then 'airport_task_force'
                   else 'port_control_unit' end, case when i % 2 = 0 then 'AIRCOP' else 'CCP' end, 'EP' || i,
                   date '2022-06-01', 5 + i % 20
            from range({UNITS}) t(i)""")
        sql(f"""insert into entry_points (entry_point_id, name, kind, country, annual_traffic)
            select 'EP' || i, 'Entry point ' || i, case when i % 2 = 0 then 'airport' else 'seaport' end, 'XAA',
                   100000 * (1 + i) from range({UNITS}) t(i)""")
        sql("insert into agencies values ('AG1','Customs','XAA','customs',null,null,null,null,null)")
        sql(f"""insert into consignments (consignment_id, entry_point_id, mode, declared_at)
            select 'C' || i, 'EP' || (i % {UNITS}), 'sea_container',
                   timestamp '2023-01-01' + to_seconds(rnd(i, {SECONDS_IN_3_YEARS}))
            from range({inspections}) t(i)""")
        sql(f"""insert into inspections (inspection_id, consignment_id, unit_id, inspected_at, selection, outcome)
            select 'I' || i, 'C' || i, 'U' || (i % {UNITS}),
                   timestamp '2023-01-01' + to_seconds(rnd(i, {SECONDS_IN_3_YEARS})),
                   ['risk_profile', 'intelligence', 'partner_alert', 'random', 'scanner']
                       [1 + rnd(i + 1, 5)],
                   case when rnd(i + 2, 1000) < 30 then 'seizure'
                        when rnd(i + 2, 1000) < 40 then 'other_offence' else 'no_find' end
            from range({inspections}) t(i)""")
        sql("""insert into seizures (seizure_id, unit_id, seized_at, entry_point_id, inspection_id, operation_id,
                substance, substance_group, quantity, quantity_unit, lab_confirmed_at, intelligence_led,
                shared_with_partners_at)
            select 'S' || substr(inspection_id, 2), unit_id, inspected_at, 'EP' || substr(unit_id, 2), inspection_id,
                   case when rnd(inspection_id, 10) = 0 then 'OP1' end,
                   ['cocaine', 'heroin', 'cannabis', '4-MMC', 'tramadol'][1 + rnd(inspection_id, 5)],
                   'other',
                   (rnd(inspection_id, 5000)) / 100.0, 'kg',
                   case when rnd(inspection_id, 3) > 0 then inspected_at + to_days(rnd(inspection_id, 30)) end,
                   case when rnd(inspection_id, 4) = 0 then null else rnd(inspection_id, 4) = 1 end,
                   case when rnd(inspection_id, 2) = 0 then inspected_at + to_hours(rnd(inspection_id, 96)) end
            from inspections where outcome = 'seizure'""")
        sql("""insert into arrests (arrest_id, person_id, unit_id, arrested_at, seizure_id)
            select 'A' || seizure_id, 'P' || seizure_id, unit_id, seized_at, seizure_id
            from seizures where rnd(seizure_id || 'a', 10) < 6""")
        sql("""insert into cases (case_id, office_id, opened_at, origin, seizure_id)
            select 'K' || seizure_id, 'PO1', seized_at + to_days(rnd(seizure_id || 'k', 150)), 'seizure', seizure_id
            from seizures where rnd(seizure_id || 'k', 2) = 0""")
        sql("""insert into dispositions (case_id, person_id, disposed_at, outcome)
            select case_id, 'P' || seizure_id, opened_at + to_days(200),
                   ['convicted', 'plea_convicted', 'acquitted', 'dismissed'][1 + rnd(case_id, 4)]
            from cases where rnd(case_id || 'd', 2) = 0""")
        sql(f"""insert into trainings (training_id, unit_id, kind, topic, starts_on, hours)
            select 'T' || i, 'U' || (i % {UNITS}), case when i % 3 = 0 then 'mentoring' else 'training' end,
                   'risk profiling', date '2023-01-01' + (i % 1000)::int, 8 + i % 30
            from range(4000) t(i)""")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inspections", type=int, default=10_000_000)
    parser.add_argument("--db", type=Path, default=None)
    args = parser.parse_args()
    db = args.db or Path(tempfile.mkdtemp()) / "ksi_perf.duckdb"
    started = time.perf_counter()
    if not db.exists():
        synthesise(db, args.inspections)
    print(f"synthesised {args.inspections:,} inspections in {time.perf_counter() - started:.1f} s ({db})")
    print(f"cpu cores: {os.cpu_count()}")
    with open_warehouse(db, read_only=True) as wh:
        counts = {t: wh.duckdb.execute(f"select count(*) from {t}").fetchall()[0][0]
                  for t in ("inspections", "seizures", "arrests", "cases", "dispositions", "trainings")}
        print("rows:", ", ".join(f"{t} {n:,}" for t, n in counts.items()))
        for granularity in Granularity:
            started = time.perf_counter()
            indicators = compute_indicators(wh, granularity)
            elapsed = time.perf_counter() - started
            print(f"all indicators by {granularity.value:<7}: {len(indicators):>6,} figures in {elapsed:5.1f} s")
        started = time.perf_counter()
        scores = unit_efficiency(wh, "2024")
        print(f"DEA (CCR + BCC) for {len(scores) // 2} units, 2024: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
