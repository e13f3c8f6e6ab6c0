"""The same analyses on DuckDB and on Spark (local mode) in one run: the time of each, and whether they agree.

    PYTHONPATH=src python benchmarks/engines_compare.py [--scale small|medium|large] [--work DIR]
    PYTHONPATH=src python benchmarks/engines_compare.py --country DIR [--db FILE.duckdb] [--work DIR]

A country is generated (`baliza generate --scale`; or taken from `--country DIR`), loaded into DuckDB
(`baliza load`, skipped when `--db` names a warehouse already loaded), and published to Spark as the load
does for `--db spark:///folder` (`baliza.warehouse.spark.publish_spark`: one Parquet file per table).
Then every analysis to compare on every engine (`baliza.analyses.parity`, the list the parity tests run)
runs on DuckDB, then on Spark, each timed (wall and processor time: this process, and for Spark its JVM and
Python workers too), and the two results are compared by the parity tests' rule
(`baliza.warehouse.parity.frame_differences`: the same rows in any order and the same values, floats to a
relative 1e-9; numpy on the large columns).

The list: the views, the chain and its breaks, a few seizures' chains, seizure counts, entry points, the key
success indicators and their horizons, peer groups and DEA efficiency, the justice efficiency indicators and
case facts, the red flags (`integrity.red_flags`, every rule and the one FDR), oversight figures, the
programmes' outcomes and providers, the growth report, and the coverage.

Spark runs in local mode on 2 cores (`local[2]`, or `BALIZA_SPARK_MASTER`), the driver with `--spark-memory`.
Figures depend on the machine and on what else it runs: the core count and the load average are printed with
every row. `--spark-timeout` cancels a Spark analysis that runs longer (its row then says so).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from baliza.analyses.parity import ANALYSES, Context, make_context
from baliza.warehouse.parity import as_frame, frame_differences
from baliza.warehouse.protocol import Warehouse
from baliza.warehouse.spark import MASTER_VARIABLE, SparkWarehouse, publish_spark
from baliza.warehouse.store import DuckDBWarehouse

TICKS = os.sysconf("SC_CLK_TCK")


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
        found, error = ANALYSES[name].run(wh, context), ""
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
    print(f"context (DuckDB: as-of dates, names, seizures {context.seizures}, period {context.period}): "
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
                differences = frame_differences(got, expected, sort_by=ANALYSES[name].key)
                verdict = "NO: " + "; ".join(differences)[:300] if differences else "yes"
            except Exception as failure:
                verdict = f"compare failed: {type(failure).__name__}: {failure}"
        agreed += verdict == "yes"
        rows = len(as_frame(expected)) if expected is not None else 0
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
