"""The same analyses on DuckDB and on Spark (local mode) in one run: the time of each, and whether they agree.

    PYTHONPATH=src python benchmarks/engines_compare.py [--scale small|medium|large] [--work DIR]
    PYTHONPATH=src python benchmarks/engines_compare.py --country DIR [--db FILE.duckdb] [--work DIR]

A country is generated (`baliza generate --scale`; or taken from `--country DIR`), loaded into DuckDB
(`baliza load`, skipped when `--db` names a warehouse already loaded), and published to Spark as the load
does for `--db spark:///folder` (`baliza.warehouse.spark.publish_spark`: one Parquet file per table).
Then every analysis in the list below runs on DuckDB, then on Spark, each timed (wall and processor time:
this process, and for Spark its JVM and Python workers too), and the two results are compared: the same
rows (in any order) and the same values, floats to a relative 1e-9, as the parity tests compare them
(`tests/test_engines_analyses.py`, `tests/test_engines_integrity.py`, `tests/test_engines_justice.py`).

The list follows the parity tests: the views, the chain and its breaks, a few seizures' chains, seizure
counts, entry points, the key success indicators and their horizons, peer groups and DEA efficiency, the
justice efficiency indicators and case facts, the red flags (`integrity.red_flags`, every rule and the one
FDR), oversight figures, the programmes' outcomes and providers, the growth report, and the coverage.

Spark runs in local mode on 2 cores (`local[2]`, or `BALIZA_SPARK_MASTER`), the driver with `--spark-memory`.
Figures depend on the machine and on what else it runs: the core count and the load average are printed with
every row. `--spark-timeout` cancels a Spark analysis that runs longer (its row then says so).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import resource
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from baliza.analyses.as_of import stage_as_of
from baliza.analyses.benchmarks import peer_groups, unit_efficiency
from baliza.analyses.casefacts import case_facts
from baliza.analyses.chain_breaks import break_rows, seizure_status
from baliza.analyses.chain_links import directory_names, seizure_chain
from baliza.analyses.coverage import data_coverage
from baliza.analyses.efficiency import Subject, efficiency
from baliza.analyses.entry_points import entry_point_views
from baliza.analyses.growth import growth_report
from baliza.analyses.integrity import red_flags
from baliza.analyses.ksi import compute_indicators, horizons
from baliza.analyses.oversight import (
    enforcement_by_place_and_year,
    livelihood_by_region_and_year,
    published_on,
    treatment_by_year,
)
from baliza.analyses.periods import Granularity
from baliza.analyses.programmes import compare_providers, livelihood_report, treatment_report
from baliza.analyses.seizure_counts import seizures_by_entry_point, seizures_by_month
from baliza.warehouse.protocol import Warehouse
from baliza.warehouse.spark import MASTER_VARIABLE, SparkWarehouse, publish_spark
from baliza.warehouse.store import DuckDBWarehouse
from baliza.warehouse.views import case_status, chain

Context = dict[str, Any]
Analysis = Callable[[Warehouse, Context], Any]
RTOL = 1e-9
TICKS = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------------------------
# the analyses


def _one(found: Any) -> list[dict[str, Any]]:
    """A result that is one object (a report, a dict): one row whose cells hold its nested parts."""
    if dataclasses.is_dataclass(found) and not isinstance(found, type):
        found = dataclasses.asdict(found)
    elif hasattr(found, "to_dict"):
        found = found.to_dict()
    return [found]


def _indicators(found: list[Any]) -> list[dict[str, Any]]:
    return [i.to_dict() for i in found]


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return tuple(_plain(v) for v in value)
    return value


def _flags(wh: Warehouse, context: Context) -> list[dict[str, Any]]:
    return [{"rule": f.rule, "subject": f"{f.subject.table}:{f.subject.id}", "score": f.score, "q": f.q_value,
             "evidence": tuple(f"{e.table}:{e.id}" for e in f.evidence), "details": _plain(f.details),
             "messages": _plain(f.messages), "method": _plain(f.method_messages)} for f in red_flags(wh)]


def _chains(wh: Warehouse, context: Context) -> list[dict[str, Any]]:
    rows = []
    for seizure in context["seizures"]:
        found = seizure_chain(wh, seizure, as_of=context["as_of"], names=context["names"]).to_dict()
        rows.append({"seizure_id": seizure, "status": found["status"], "events": found["events"],
                     "breaks": found["breaks"], "pending": found["pending"]})
    return rows


def _enforcement(wh: Warehouse, context: Context) -> Any:
    return enforcement_by_place_and_year(wh.table("seizures"), wh.table("cases"), wh.table("dispositions"),
                                         wh.table("entry_points"))


INDICATOR = ["subject_id", "indicator", "period"]
ANALYSES: dict[str, tuple[Analysis, list[str]]] = {
    "as_of": (lambda wh, c: [dict(stage_as_of(wh))], ["lab"]),
    "case_status": (lambda wh, c: case_status(wh).to_pyarrow(), ["case_id"]),
    "chain_view": (lambda wh, c: chain(wh).to_pyarrow(), ["seizure_id"]),
    "chain_breaks": (lambda wh, c: break_rows(wh, c["as_of"]).to_pyarrow(), ["seizure_id", "code", "break_id"]),
    "seizure_status": (lambda wh, c: seizure_status(wh, c["as_of"]).to_pyarrow(), ["seizure_id"]),
    "seizure_chains": (_chains, ["seizure_id"]),
    "seizures_by_month": (lambda wh, c: seizures_by_month(wh.table("seizures")),
                          ["month", "substance_group"]),
    "seizures_by_entry_point": (lambda wh, c: seizures_by_entry_point(wh, wh.table("seizures")),
                                ["entry_point_id"]),
    "entry_point_views": (lambda wh, c: [v.to_dict() for v in entry_point_views(wh)], ["country"]),
    "ksi_year": (lambda wh, c: _indicators(compute_indicators(wh, Granularity.YEAR)), INDICATOR),
    "ksi_quarter": (lambda wh, c: _indicators(compute_indicators(wh, Granularity.QUARTER)), INDICATOR),
    "horizons": (lambda wh, c: [{"name": k, **dataclasses.asdict(v)} for k, v in horizons(wh).items()], ["name"]),
    "peer_groups": (lambda wh, c: peer_groups(wh), ["unit_id"]),
    "dea_efficiency": (lambda wh, c: _indicators(unit_efficiency(wh, c["period"])), ["subject_id", "indicator"]),
    "case_facts": (lambda wh, c: case_facts(wh).to_pyarrow(), ["case_id"]),
    "efficiency_office_quarter": (lambda wh, c: _indicators(efficiency(wh, Granularity.QUARTER, Subject.OFFICE)),
                                  ["subject_table", *INDICATOR]),
    "efficiency_judge_month": (lambda wh, c: _indicators(efficiency(wh, Granularity.MONTH, Subject.JUDGE)),
                               ["subject_table", *INDICATOR]),
    "efficiency_prosecutor_year": (lambda wh, c: _indicators(efficiency(wh, Granularity.YEAR, Subject.PROSECUTOR)),
                                   ["subject_table", *INDICATOR]),
    "red_flags": (_flags, ["rule", "subject", "score"]),
    "enforcement": (_enforcement, ["place_id", "year"]),
    "livelihood_by_region": (lambda wh, c: livelihood_by_region_and_year(wh.table("farmer_enrolments")),
                             ["region", "year"]),
    "treatment_by_year": (lambda wh, c: treatment_by_year(wh.table("treatment_episodes")), ["year"]),
    "published_on": (lambda wh, c: [{"day": published_on(wh.table("loads"))}], ["day"]),
    "livelihood": (lambda wh, c: _one(livelihood_report(wh.table("farmer_enrolments"))), []),
    "treatment": (lambda wh, c: _one(treatment_report(wh.table("treatment_episodes"))), []),
    "providers": (lambda wh, c: _one(compare_providers(wh.table("treatment_episodes"))), []),
    "growth": (lambda wh, c: _one(growth_report(wh, granularity=Granularity.YEAR)), []),
    "coverage": (lambda wh, c: _one(data_coverage(wh)), []),
}


def make_context(duckdb: Warehouse) -> Context:
    """What the analyses are given on both engines: DuckDB's as-of dates and names, one seizure of each chain
    status (the first by id), the year before the last."""
    status = seizure_status(duckdb)
    picked = status.group_by("status").aggregate(seizure_id=status.seizure_id.min()).to_pyarrow()
    s = duckdb.table("seizures")
    years = sorted({str(r["y"]) for r in s.select(y=s.seized_at.year()).distinct().to_pyarrow().to_pylist()})
    return {"as_of": stage_as_of(duckdb), "names": directory_names(duckdb),
            "seizures": sorted(picked.column("seizure_id").to_pylist()), "period": years[-2]}


# ---------------------------------------------------------------------------------------------------------
# comparing two results: the parity tests' rule (tests/engines.py), with the large columns compared by numpy


def _normal(value: Any) -> Any:
    """One value as both engines' answers should agree on it: nulls as None, numbers as float (booleans kept
    apart), dates and times as naive UTC timestamps, sequences as tuples."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | Decimal | np.integer | np.floating):
        number = float(value)
        return None if math.isnan(number) else number
    if isinstance(value, pd.Timestamp | datetime | np.datetime64):
        stamp = pd.Timestamp(value)
        if stamp is pd.NaT:
            return None
        return stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo is not None else stamp
    if isinstance(value, date):
        return pd.Timestamp(value)
    if isinstance(value, np.ndarray | list | tuple):
        return tuple(_normal(v) for v in value)
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    return value


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=RTOL, abs_tol=1e-12)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)


def _frame(found: Any) -> pd.DataFrame:
    if isinstance(found, pa.Table):
        return found.to_pandas()
    if isinstance(found, list):
        return pd.DataFrame(found)
    if isinstance(found, pd.DataFrame):
        return found
    return found.to_pandas()  # an Ibis expression


def _column(series: pd.Series, plain: bool = False) -> tuple[str, np.ndarray]:
    """A column as ("float", float64 with NaN for null) or ("time", int64 nanoseconds, min for null) when
    it holds only numbers or only timestamps; else (or `plain`) ("object", normalised values)."""
    kind = series.dtype.kind
    if plain:
        pass
    elif kind in "iuf" or isinstance(series.dtype, pd.core.arrays.integer.IntegerDtype | pd.Float64Dtype):
        return "float", series.astype("float64").to_numpy()
    elif kind == "M" or isinstance(series.dtype, pd.DatetimeTZDtype):
        stamps = pd.to_datetime(series, utc=True) if isinstance(series.dtype, pd.DatetimeTZDtype) else series
        stamps = stamps.dt.tz_localize(None) if isinstance(stamps.dtype, pd.DatetimeTZDtype) else stamps
        return "time", stamps.astype("datetime64[ns]").to_numpy().view("int64")
    values = np.empty(len(series), dtype=object)
    values[:] = [_normal(v) for v in series.tolist()]
    return "object", values


def _sort_key(kind: str, values: np.ndarray) -> np.ndarray:
    """Sortable values that put nulls first and round floats to 9 significant digits (ties break alike)."""
    if kind == "float":
        magnitude = np.floor(np.log10(np.abs(np.where(np.isfinite(values) & (values != 0), values, 1.0))))
        scale = 10.0 ** (8 - magnitude)
        return np.where(np.isnan(values), -np.inf, np.round(values * scale) / scale)
    if kind == "time":
        return values
    return np.asarray(["" if v is None else f"~{v}" for v in values], dtype=object)


def compare(got: Any, expected: Any, sort_by: list[str]) -> str:
    """'yes' when the two results hold the same rows (in any order), else what differs."""
    a, b = _frame(got), _frame(expected)
    if sorted(map(str, a.columns)) != sorted(map(str, b.columns)):
        return f"NO: columns {sorted(map(str, a.columns))} != {sorted(map(str, b.columns))}"
    if len(a) != len(b):
        return f"NO: {len(a)} rows != {len(b)}"
    names = [str(c) for c in b.columns]
    a.columns, b.columns = [str(c) for c in a.columns], names
    columns_a, columns_b = {}, {}
    for c in names:
        columns_a[c], columns_b[c] = _column(a[c]), _column(b[c])
        if columns_a[c][0] != columns_b[c][0]:  # e.g. numbers on one engine, all nulls (objects) on the other
            columns_a[c], columns_b[c] = _column(a[c], plain=True), _column(b[c], plain=True)
    order = [*sort_by, *[c for c in names if c not in sort_by]]

    def permutation(columns: dict[str, tuple[str, np.ndarray]]) -> np.ndarray:
        if not len(a):
            return np.arange(0)
        keys = [_sort_key(*columns[c]) for c in reversed(order)]  # lexsort: the last key is the primary one
        return np.lexsort([pd.factorize(k, sort=True)[0] if k.dtype == object else k for k in keys])

    pa_, pb = permutation(columns_a), permutation(columns_b)
    differences = []
    for c in names:
        (kind_a, x), (kind_b, y) = columns_a[c], columns_b[c]
        x, y = x[pa_], y[pb]
        if kind_a == kind_b == "float":
            bad = ~np.isclose(x, y, rtol=RTOL, atol=1e-12, equal_nan=True)
        elif kind_a == kind_b == "time":
            bad = x != y
        else:
            bad = np.asarray([not _same(p, q) for p, q in zip(x, y, strict=True)], dtype=bool)
        if bad.any():
            differences.append(f"{c} ({int(bad.sum())} rows)")
    return "yes" if not differences else "NO: " + ", ".join(differences[:5])


# ---------------------------------------------------------------------------------------------------------
# timing


def _descendants() -> list[int]:
    """The processes this one started, and theirs (Spark's JVM and its Python workers)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, stack = [], [os.getpid()]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def cpu_seconds() -> float:
    """User and system time of this process (every thread: DuckDB's too) and of its living descendants."""
    total = sum(os.times()[:2])
    for pid in _descendants():
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICKS
        except (OSError, IndexError, ValueError):
            continue
    return total


def load_average() -> str:
    return "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def timed(run: Callable[[], Any]) -> tuple[Any, float, float]:
    started, cpu = time.perf_counter(), cpu_seconds()
    found = run()
    return found, time.perf_counter() - started, cpu_seconds() - cpu


def step(title: str, command: list[str]) -> None:
    """Run a `baliza` command; print its wall and processor time (its own, from the kernel)."""
    started, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-m", "baliza", *command], check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"{title}: {time.perf_counter() - started:.1f} s wall, {cpu:.1f} s CPU (user+sys); "
          f"load average {load_average()}", flush=True)


def spark_session(memory: str) -> Any:
    """Local mode on 2 cores, as `baliza.warehouse.spark.spark_session`, with the driver memory asked for."""
    from pyspark.sql import SparkSession

    master = os.environ.get(MASTER_VARIABLE) or "local[2]"
    session = (SparkSession.builder.master(master).appName("baliza-engines-compare")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "2").config("spark.driver.memory", memory)
               .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    return session


def run_on(wh: Warehouse, name: str, context: Context, cancel: Callable[[], None] | None,
           timeout: float | None) -> tuple[Any, float, float, str]:
    """(result, wall s, CPU s, error) of one analysis on one warehouse; a Spark run past `timeout` is cancelled."""
    timer = threading.Timer(timeout, cancel) if cancel is not None and timeout else None
    if timer is not None:
        timer.start()
    started, cpu = time.perf_counter(), cpu_seconds()
    try:
        found, error = ANALYSES[name][0](wh, context), ""
    except Exception as failure:
        found, error = None, f"{type(failure).__name__}: {str(failure).splitlines()[0][:160] if str(failure) else ''}"
    finally:
        if timer is not None:
            timer.cancel()
    wall, used = time.perf_counter() - started, cpu_seconds() - cpu
    if timer is not None and wall >= timeout and error:  # type: ignore[operator]
        error = f"cancelled after {timeout:.0f} s"
    return found, wall, used, error


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="small", choices=["small", "medium", "large"],
                        help="the generator's scale (when no --country is given)")
    parser.add_argument("--country", type=Path, help="a generated country's folder (else one is generated)")
    parser.add_argument("--db", type=Path, help="the country already loaded into this DuckDB file (no load)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/baliza-engines"), help="where files are written")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", nargs="*", choices=list(ANALYSES), help="these analyses only")
    parser.add_argument("--skip", nargs="*", default=[], choices=list(ANALYSES), help="leave these out")
    parser.add_argument("--spark-memory", default="4g", help="the Spark driver's memory (local mode: all of it)")
    parser.add_argument("--spark-timeout", type=float, help="cancel a Spark analysis after this many seconds")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores; load average {load_average()}; work folder {args.work}", flush=True)

    country = args.country
    if country is None:
        country = args.work / args.scale
        step(f"generate {args.scale}", ["generate", "--out", str(country), "--scale", args.scale,
                                        "--seed", str(args.seed)])
    db = args.db
    if db is None or not db.exists():
        db = db or args.work / f"{country.name}.duckdb"
        if db.exists():
            db.unlink()
        step(f"load into DuckDB ({db})", ["load", str(country), "--db", str(db)])
    duck = DuckDBWarehouse(db, read_only=True)
    counts = duck.row_counts()
    print(f"rows: {sum(counts.values()):,} in {len(counts)} tables; "
          + ", ".join(f"{t} {n:,}" for t, n in sorted(counts.items(), key=lambda x: -x[1])[:6]), flush=True)

    folder = args.work / f"{country.name}-spark"
    _, wall, cpu = timed(lambda: publish_spark(duck.duckdb, folder))
    print(f"publish to Spark (spark://{folder}): {wall:.1f} s wall, {cpu:.1f} s CPU; "
          f"load average {load_average()}", flush=True)
    session, wall, cpu = timed(lambda: spark_session(args.spark_memory))
    spark = SparkWarehouse(folder, session)
    print(f"Spark session ({session.sparkContext.master}, driver {args.spark_memory}): {wall:.1f} s wall",
          flush=True)
    counted, wall, cpu = timed(spark.row_counts)
    same = "the same as DuckDB's" if counted == counts else f"NOT DuckDB's: {counted}"
    print(f"Spark warm-up (every table's row count, {same}): {wall:.1f} s wall, {cpu:.1f} s CPU", flush=True)
    context, wall, _ = timed(lambda: make_context(duck))
    print(f"context (DuckDB: as-of dates, names, seizures {context['seizures']}, period {context['period']}): "
          f"{wall:.1f} s", flush=True)

    names = [n for n in (args.only or ANALYSES) if n not in args.skip]
    header = f"{'analysis':<28} {'rows':>9} {'DuckDB s':>9} {'(CPU)':>7} {'Spark s':>9} {'(CPU)':>7}  agree  load"
    print("\n" + header + "\n" + "-" * len(header), flush=True)
    totals = [0.0, 0.0, 0.0, 0.0]
    agreed = 0
    for name in names:
        expected, d_wall, d_cpu, d_error = run_on(duck, name, context, None, None)
        got, s_wall, s_cpu, s_error = run_on(spark, name, context, session.sparkContext.cancelAllJobs,
                                              args.spark_timeout)
        if d_error or s_error:
            verdict = "DuckDB " + d_error if d_error else "Spark " + s_error
        else:
            try:
                verdict = compare(got, expected, ANALYSES[name][1])
            except Exception as failure:
                verdict = f"compare failed: {type(failure).__name__}: {failure}"
        agreed += verdict == "yes"
        rows = len(_frame(expected)) if expected is not None else 0
        for i, value in enumerate((d_wall, d_cpu, s_wall, s_cpu)):
            totals[i] += value
        print(f"{name:<28} {rows:>9,} {d_wall:>9.2f} {d_cpu:>7.1f} {s_wall:>9.2f} {s_cpu:>7.1f}  {verdict:<5}  "
              f"{os.getloadavg()[0]:.1f}", flush=True)
        del expected, got
    print("-" * len(header))
    print(f"{'total':<28} {'':>9} {totals[0]:>9.1f} {totals[1]:>7.1f} {totals[2]:>9.1f} {totals[3]:>7.1f}  "
          f"{agreed}/{len(names)} agree")
    print(f"peak memory of this process (Python and DuckDB; Spark's JVM apart): "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB; load average {load_average()}")
    spark.close()
    session.stop()
    duck.close()
    if agreed < len(names):
        sys.exit(1)


if __name__ == "__main__":
    main()
