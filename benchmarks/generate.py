"""Benchmark: generation speed per scale (rows per second, seizure-chain rows, peak memory).

    python benchmarks/generate.py [small medium large] [--out DIR]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

from baliza.demo import generate_country


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scales", nargs="*", default=["small", "medium"])
    parser.add_argument("--out", type=Path, default=None, help="keep the generated countries here")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    root = args.out or Path(tempfile.mkdtemp(prefix="baliza-bench-"))
    for scale in args.scales:
        started = time.perf_counter()
        summary = generate_country(root / scale, seed=args.seed, scale=scale)
        seconds = time.perf_counter() - started
        total = sum(summary.rows.values())
        size = sum(p.stat().st_size for p in summary.out_dir.iterdir())
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{scale:>6}: {total:>11,} rows ({summary.chain_rows:,} seizure-chain) in {seconds:7.1f} s = "
              f"{total / seconds:>10,.0f} rows/s; {size / 1e6:,.0f} MB on disk; peak RSS so far {peak:,.0f} MB")
    if args.out is None:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
