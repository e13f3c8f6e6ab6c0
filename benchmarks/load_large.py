"""Benchmark: load and validate a large dataset; print rows/s, peak memory and pandas.read_csv as reference.

    python benchmarks/load_large.py                      # synthetic: 2 million seizures and their chain
    python benchmarks/load_large.py --rows 5000000
    python benchmarks/load_large.py --data DIR           # an existing dataset folder
    python benchmarks/load_large.py --scale large        # baliza.demo.generate_country, when available

Peak memory is the process's maximum resident set size (Python and DuckDB together), taken right after
the load and before the pandas reference runs.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from baliza.load import load_datasets
from baliza.warehouse import open_warehouse


def make_synthetic(folder: Path, seizures: int, seed: int = 7) -> Path:
    """A valid dataset: a few agencies, units and entry points; `seizures` seizures with arrests and cases."""
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(f"SELECT setseed({seed / 100})")

    def copy(name: str, query: str) -> None:
        con.execute(f"COPY ({query}) TO '{folder / (name + '.csv')}' (HEADER, DELIMITER ',')")

    copy("agencies", "SELECT 'A' || i AS agency_id, 'Agency ' || i AS name, 'PER' AS country, 'customs' AS kind "
                     "FROM range(5) t(i)")
    copy("entry_points", "SELECT 'E' || i AS entry_point_id, 'Port ' || i AS name, "
                         "CASE WHEN i % 2 = 0 THEN 'seaport' ELSE 'airport' END AS kind, 'PER' AS country "
                         "FROM range(40) t(i)")
    copy("units", "SELECT 'U' || i AS unit_id, 'A' || (i % 5) AS agency_id, 'Unit ' || i AS name, "
                  "CASE WHEN i < 60 THEN 'port_control_unit' ELSE 'prosecution_office' END AS kind, "
                  "CASE WHEN i < 60 THEN 'CCP' END AS programme, CASE WHEN i < 40 THEN 'E' || i END AS entry_point_id "
                  "FROM range(80) t(i)")
    copy("seizures",
         "SELECT 'S' || i AS seizure_id, 'U' || (i % 60) AS unit_id, "
         "strftime(TIMESTAMP '2020-01-01' + to_seconds((i * 37) % 157680000), '%Y-%m-%dT%H:%M:%SZ') AS seized_at, "
         "CASE WHEN i % 40 < 40 THEN 'E' || (i % 40) END AS entry_point_id, "
         "(['cocaine hydrochloride', 'cannabis herb', 'heroin', 'methamphetamine'])[1 + i % 4] AS substance, "
         "(['cocaine_type', 'cannabis_type', 'opiates', 'ats'])[1 + i % 4] AS substance_group, "
         "round(random() * 500, 3) AS quantity, (['kg', 'g', 'kg', 'tablets'])[1 + i % 4] AS quantity_unit, "
         "CASE WHEN i % 3 = 0 THEN round(random() * 400, 3) END AS lab_quantity, "
         "CASE WHEN i % 5 = 0 THEN 'COL' END AS origin_country, "
         "CASE WHEN i % 2 = 0 THEN 'true' ELSE 'false' END AS intelligence_led "
         f"FROM range({seizures}) t(i)")
    copy("persons", f"SELECT 'X' || i AS person_id, 'PER' AS nationality FROM range({seizures // 2}) t(i)")
    copy("arrests", "SELECT 'R' || i AS arrest_id, 'X' || i AS person_id, 'U' || (i % 60) AS unit_id, "
                    "strftime(TIMESTAMP '2020-01-02' + to_seconds((i * 74) % 157680000), '%Y-%m-%dT%H:%M:%SZ') "
                    f"AS arrested_at, 'S' || (i * 2) AS seizure_id FROM range({seizures // 2}) t(i)")
    copy("cases", "SELECT 'C' || i AS case_id, 'U' || (60 + i % 20) AS office_id, "
                  "strftime(TIMESTAMP '2020-02-01' + to_seconds((i * 111) % 157680000), '%Y-%m-%dT%H:%M:%SZ') "
                  f"AS opened_at, 'seizure' AS origin, 'S' || (i * 3) AS seizure_id FROM range({seizures // 3}) t(i)")
    con.close()
    return folder


def generated_country(folder: Path, scale: str) -> Path:
    from baliza.demo import generate_country  # type: ignore[attr-defined]

    generate_country(folder, seed=1, scale=scale)
    return folder


def pandas_reference(folder: Path) -> tuple[float, int]:
    import pandas as pd

    started, rows = time.perf_counter(), 0
    for path in sorted(folder.glob("*.csv")):
        rows += len(pd.read_csv(path))
    return time.perf_counter() - started, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, help="an existing dataset folder")
    parser.add_argument("--scale", choices=["small", "medium", "large"], help="generate with baliza.demo")
    parser.add_argument("--rows", type=int, default=2_000_000, help="synthetic seizures (default 2,000,000)")
    parser.add_argument("--memory-limit", default="2GB", help="DuckDB memory_limit (default 2GB)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-pandas", action="store_true", help="skip the pandas.read_csv reference")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="baliza-bench-") as scratch:
        work = Path(scratch)
        started = time.perf_counter()
        if args.data:
            folder = args.data
        elif args.scale:
            folder = generated_country(work / "data", args.scale)
        else:
            folder = make_synthetic(work / "data", args.rows)
        made = time.perf_counter() - started
        size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
        print(f"dataset: {folder} ({size / 1e6:.0f} MB; prepared in {made:.1f} s)")

        with open_warehouse(work / "bench.duckdb") as warehouse:
            warehouse.duckdb.execute(f"SET memory_limit = '{args.memory_limit}'")
            warehouse.duckdb.execute(f"SET threads = {args.threads}")
            warehouse.duckdb.execute(f"SET temp_directory = '{work / 'spill'}'")
            load_before = os.getloadavg()[0]
            started, cpu_started = time.perf_counter(), time.process_time()
            report = load_datasets(warehouse, [folder])
            seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rows = report.rows_read
        print(f"load: {rows:,} rows in {seconds:.1f} s = {rows / seconds:,.0f} rows/s "
              f"(accepted {rows - report.quarantined:,}, quarantined {report.quarantined:,})")
        for name, table in report.tables.items():
            print(f"  {name:<20} {table.rows:>12,} rows  {table.quarantined:>8,} quarantined")
        print(f"peak memory (RSS, Python + DuckDB): {peak_mb:,.0f} MB; threads {args.threads}, "
              f"memory_limit {args.memory_limit}")
        print(f"CPU time of the load (all threads): {cpu_seconds:.1f} s = "
              f"{rows / cpu_seconds:,.0f} rows per CPU-second "
              f"({os.cpu_count()} cores; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after: "
              "other processes on the machine slow the wall-clock figure)")
        if not args.no_pandas:
            pandas_seconds, pandas_rows = pandas_reference(folder)
            print(f"pandas.read_csv of the same files: {pandas_rows:,} rows in {pandas_seconds:.1f} s = "
                  f"{pandas_rows / pandas_seconds:,.0f} rows/s (parsing only, no validation)")


if __name__ == "__main__":
    main()
