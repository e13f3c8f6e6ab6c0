"""Time efficiency + every red flag on 1 million cases with 10 million case events (target < 60 s).

The warehouse is synthesised directly with DuckDB SQL (seizures, arrests, persons, cases, parties, charges,
dispositions, events), then `efficiency` (per office and year) and `red_flags` are timed.

    python benchmarks/justice_perf.py [--cases 1000000] [--events-per-case 10] [--db PATH]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from baliza.analyses.casefacts import case_facts
from baliza.analyses.efficiency import Subject, efficiency
from baliza.analyses.integrity import red_flags
from baliza.analyses.periods import Granularity
from baliza.warehouse import open_warehouse

GROUPS = "['cocaine_type','cannabis_type','opiates','ats','nps','synthetic_opioids']"


def synthesise(db: Path, cases: int, events_per_case: int) -> None:
    with open_warehouse(db) as wh:
        sql = wh.duckdb.execute
        sql("SELECT setseed(0.42)")
        sql("""INSERT INTO units (unit_id, agency_id, name, kind)
               SELECT 'U' || i, 'A1', 'unit', 'port_control_unit' FROM range(200) t(i)
               UNION ALL SELECT 'O' || i, 'A2', 'office', 'prosecution_office' FROM range(20) t(i)""")
        sql("""INSERT INTO staff (staff_id, unit_id, role)
               SELECT 'P' || i, 'O' || (i % 20), 'prosecutor' FROM range(1000) t(i)
               UNION ALL SELECT 'J' || i, 'O' || (i % 20), 'judge' FROM range(300) t(i)""")
        seizures = int(cases * 1.1)
        sql(f"""INSERT INTO seizures (seizure_id, unit_id, seized_at, substance, substance_group, quantity,
                                      quantity_unit, lab_quantity)
                SELECT 'S' || i, 'U' || (i % 200), TIMESTAMP '2019-01-01' + to_days(CAST(i % 2190 AS INTEGER)),
                       g, g, q, CASE WHEN i % 3 = 0 THEN 'g' ELSE 'kg' END, q * 0.98
                FROM (SELECT i, {GROUPS}[1 + CAST(floor(random() * 6) AS INTEGER)] AS g,
                             exp(random() * 8 - 4) AS q FROM range({seizures}) t(i))""")
        sql(f"""INSERT INTO arrests (arrest_id, person_id, unit_id, arrested_at, seizure_id)
                SELECT 'A' || i, 'X' || i, 'U' || (i % 200),
                       TIMESTAMP '2019-01-01' + to_days(CAST(i % 2190 AS INTEGER)),
                       'S' || i FROM range({seizures}) t(i)""")
        sql(f"""INSERT INTO persons (person_id, full_name, phone, address)
                SELECT 'X' || i, 'Name ' || (i % 50000), '+1-' || (i % 900000), 'Street ' || i
                FROM range({int(cases * 1.5)}) t(i)""")
        sql(f"""INSERT INTO cases (case_id, office_id, opened_at, origin, seizure_id, lead_prosecutor_id, assignment,
                                   limitation_date)
                SELECT 'C' || i, 'O' || (i % 20),
                       TIMESTAMP '2019-01-01' + to_days(CAST(i % 2190 + 10 + floor(random() * 80) AS INTEGER)),
                       'seizure', 'S' || i, 'P' || ((i % 20) + 20 * CAST(floor(random() * 50) AS INTEGER)),
                       CASE WHEN i % 20 < 10 THEN 'random' ELSE 'manual' END, DATE '2030-01-01'
                FROM range({cases}) t(i)""")
        sql(f"""INSERT INTO case_parties (case_id, person_id, role)
                SELECT 'C' || i, 'X' || i, 'defendant' FROM range({cases}) t(i)
                UNION ALL SELECT 'C' || i, 'X' || ({cases} + i // 2), 'defendant' FROM range(0, {cases}, 2) t(i)""")
        sql("""INSERT INTO charges (charge_id, case_id, person_id, filed_at, offence, substance_group, quantity,
                                    quantity_unit)
               SELECT 'H' || p.case_id || p.person_id, p.case_id, p.person_id, c.opened_at,
                      CASE WHEN z.quantity < 0.1 THEN 'possession' ELSE 'trafficking' END, z.substance_group,
                      z.quantity * (0.9 + random() * 0.1), z.quantity_unit
               FROM case_parties p JOIN cases c USING (case_id) JOIN seizures z ON z.seizure_id = c.seizure_id""")
        sql("""INSERT INTO dispositions (case_id, person_id, disposed_at, outcome, judge_id, sentence_months)
               SELECT case_id, person_id, opened_at + to_days(CAST(30 + random() * 900 AS INTEGER)), o,
                      'J' || CAST(floor(random() * 300) AS INTEGER),
                      CASE WHEN o IN ('convicted','plea_convicted') THEN 6 + random() * 60 END
               FROM (SELECT *, CASE WHEN u < 0.15 THEN 'dismissed' WHEN u < 0.25 THEN 'acquitted'
                                 WHEN u < 0.27 THEN 'statute_barred' WHEN u < 0.5 THEN 'plea_convicted'
                                 ELSE 'convicted' END AS o
                     FROM (SELECT p.case_id, p.person_id, c.opened_at, random() AS u
                           FROM case_parties p JOIN cases c USING (case_id))) WHERE u < 0.9""")
        # event kinds in plausible proportions: hearings and filings common, lost evidence rare (0.5 %)
        sql(f"""INSERT INTO case_events (event_id, case_id, "at", kind, staff_id, requested_by)
                SELECT 'E' || c || '-' || k, 'C' || c,
                       TIMESTAMP '2019-01-01' + to_days(CAST(c % 2190 + 10 + k * 40 AS INTEGER)),
                       CASE WHEN k = 0 THEN 'assigned' WHEN u < 0.35 THEN 'hearing' WHEN u < 0.55 THEN 'evidence_filed'
                            WHEN u < 0.70 THEN 'adjourned' WHEN u < 0.80 THEN 'indicted'
                            WHEN u < 0.90 THEN 'plea_offered' WHEN u < 0.97 THEN 'closed'
                            WHEN u < 0.995 THEN 'reassigned' ELSE 'evidence_missing' END,
                       'P' || (c % 1000), CASE WHEN random() < 0.3 THEN 'prosecution' ELSE 'defence' END
                FROM (SELECT c, k, random() AS u FROM range({cases}) t(c), range({events_per_case}) s(k))""")
        counts = wh.row_counts()
    print("rows:", {k: v for k, v in counts.items() if v})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--events-per-case", type=int, default=10)
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    db = args.db or Path(tempfile.mkdtemp()) / "justice_perf.duckdb"
    if not db.exists():
        started = time.perf_counter()
        synthesise(db, args.cases, args.events_per_case)
        print(f"synthesised in {time.perf_counter() - started:.1f} s")
    with open_warehouse(db, read_only=True) as wh:
        started = time.perf_counter()
        cached = case_facts(wh).cache()
        facts = time.perf_counter()
        indicators = efficiency(wh, Granularity.YEAR, Subject.OFFICE, facts=cached)
        eff = time.perf_counter()
        findings = red_flags(wh, facts=cached)
        done = time.perf_counter()
        cached.release()
    print(f"cpus: {os.cpu_count()}")
    print(f"case facts:  {facts - started:6.1f} s")
    print(f"efficiency:  {eff - facts:6.1f} s  ({len(indicators)} indicators)")
    print(f"red flags:   {done - eff:6.1f} s  ({len(findings)} findings, "
          f"{sum(f.q_value is not None for f in findings)} unit flags)")
    print(f"total:       {done - started:6.1f} s  (target < 60 s)")


if __name__ == "__main__":
    main()
