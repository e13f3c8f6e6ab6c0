"""Run every benchmark, one after another, and print their figures.

    python benchmarks/run.py            # the sizes the issues name (takes a while: ~45 minutes on 2 cores)
    python benchmarks/run.py --quick    # small sizes, to check that every benchmark runs (~8 minutes: Spark is slow)

Each benchmark is also a script of its own (see benchmarks/README.md). Figures depend on the machine:
report them with its core count (printed first).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def plan(quick: bool, workdir: Path) -> list[tuple[str, list[str]]]:
    """(title, arguments of the script) for every benchmark, in an order where each has its inputs."""
    medium_db = workdir / "medium.duckdb"
    scale = "small" if quick else "large"
    return [
        ("generate", ["generate.py", "small", "medium", *([] if quick else ["large"]), "--out", str(workdir)]),
        ("load", ["load_large.py", "--data", str(workdir / scale)]),
        ("load through a mapping", ["mapping_load.py", "--rows", "200000" if quick else "1000000"]),
        ("justice performance", ["justice_perf.py", *(["--cases", "20000"] if quick else [])]),
        ("justice evaluation", ["justice_eval.py", "--seeds", "2" if quick else "10"]),
        ("small countries", ["small_country_eval.py", "--seeds", "2" if quick else "10"]),
        ("treatment providers", ["programmes_providers.py", "--seeds", "2" if quick else "10"]),
        ("key success indicators", ["ksi_perf.py", *(["--inspections", "200000"] if quick else [])]),
        ("web", ["web_perf.py", "--db", str(medium_db), *(["--requests", "200"] if quick else [])]),
        ("service", ["service_speed.py", "--db", str(medium_db), "--reload", str(workdir / "medium"),
                     *(["--requests", "200"] if quick else [])]),
        ("chain page", ["chain_page.py", "--scale", "small" if quick else "medium", "--workdir", str(workdir)]),
        ("chain explorer", ["chain_explorer.py", "--db", str(medium_db), *(["--repeat", "2"] if quick else [])]),
        ("target scoring", ["target_scoring.py", *(["--rows", "100000"] if quick else [])]),
        ("crypto tracing", ["crypto_trace.py", *(["--transfers", "200000", "--networkx-transfers", "100000"]
                                                 if quick else [])]),
        ("online markets", ["markets_perf.py", *(["--listings", "100000"] if quick else [])]),
        ("vendor linking", ["markets_linking_eval.py", "--seeds", "2" if quick else "5"]),
        ("people linking", ["people_linking.py", *(["--records", "50000"] if quick else [])]),
        ("engines: DuckDB and Spark", ["engines_compare.py", "--country", str(workdir / scale),
                                       "--work", str(workdir / "engines")]),
    ]


def load_medium(workdir: Path, env: dict[str, str]) -> None:
    """The web benchmark serves the medium country: load it once."""
    subprocess.run([sys.executable, "-m", "baliza", "load", str(workdir / "medium"), "--db",
                    str(workdir / "medium.duckdb")], check=True, stdout=subprocess.DEVNULL, env=env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes: check that every benchmark runs")
    parser.add_argument("--workdir", type=Path, help="keep generated countries here (default: a temporary folder)")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="baliza-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(HERE.parent / "src")}
    print(f"machine: {os.cpu_count()} cores; work folder {workdir}", flush=True)
    failures = []
    for title, arguments in plan(args.quick, workdir):
        print(f"\n=== {title}: {' '.join(arguments)}", flush=True)
        if title == "web":
            load_medium(workdir, env)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, str(HERE / arguments[0]), *arguments[1:]], env=env)
        print(f"--- {title}: {time.perf_counter() - started:.1f} s, exit {done.returncode}", flush=True)
        if done.returncode:
            failures.append(title)
    if failures:
        sys.exit(f"failed: {', '.join(failures)}")


if __name__ == "__main__":
    main()
