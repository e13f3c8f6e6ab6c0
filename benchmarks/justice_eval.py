"""Recall and precision of the justice red flags on generated countries, and false alarms on clean ones.

For each seed: generate a small country with planted corruption, load it, run `red_flags`, and compare the
flagged prosecutors, judges and units (findings with a q-value) with the ground truth file
(`corrupt_prosecutors`, `corrupt_judges`, `steered_prosecutors`, `low_conversion_units`; `honest_outliers`
must not be flagged). Then the same seeds with corruption off: people flagged per world (target: at most
one person in ten worlds).

    python benchmarks/justice_eval.py [--seeds 10] [--first-seed 1]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from baliza.analyses.integrity import red_flags
from baliza.warehouse import open_warehouse

POSITIVE_KEYS = ("corrupt_prosecutors", "corrupt_judges", "steered_prosecutors", "low_conversion_units")


def _ids(value: Any) -> set[str]:
    """Ids from a truth entry: a list of ids, of {"id"/"staff_id"/"unit_id": ...} records, or a mapping."""
    if value is None:
        return set()
    if isinstance(value, dict):  # {"busy_prosecutor": "ST-1", ...} names ids; {"ST-1": [...]} keys them
        if all(isinstance(v, str) for v in value.values()):
            return {str(v) for v in value.values()}
        return {str(k) for k in value}
    out: set[str] = set()
    for item in value if isinstance(value, Iterable) and not isinstance(value, str) else [value]:
        if isinstance(item, dict):
            key = next((k for k in ("staff_id", "unit_id", "id", "person_id") if k in item), None)
            if key:
                out.add(str(item[key]))
        else:
            out.add(str(item))
    return out


def read_truth(path: Path) -> dict[str, set[str]]:
    text = path.read_text()
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    for nested in ("justice", "truth"):
        if isinstance(data.get(nested), dict):
            data = {**data, **data[nested]}
    return {key: _ids(data.get(key)) for key in (*POSITIVE_KEYS, "honest_outliers")}


def run_test_world(seed: int, corruption: bool, work: Path) -> tuple[set[str], dict[str, set[str]], float]:
    """The same evaluation on the tests' own small justice world (tests/justice_world.py)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from justice_world import build_world

    with open_warehouse(work / f"t-{seed}-{corruption}.duckdb") as wh:
        planted = build_world(wh, seed, corruption=corruption)
        started = time.perf_counter()
        findings = red_flags(wh)
        elapsed = time.perf_counter() - started
    truth = {key: set(getattr(planted, key)) for key in (*POSITIVE_KEYS, "honest_outliers")}
    truth["corrupt_prosecutors"] |= (
        planted.shrinking_prosecutors | planted.limitation_prosecutors | planted.evidence_prosecutors
        | planted.reassignment_prosecutors
    )
    return {f.subject.id for f in findings if f.q_value is not None}, truth, elapsed


def run_world(seed: int, corruption: bool, work: Path) -> tuple[set[str], dict[str, set[str]], float]:
    from baliza.demo import generate_country
    from baliza.load import load_datasets

    out_dir = work / f"country-{seed}-{corruption}"
    truth_path = work / f"truth-{seed}-{corruption}.json"
    generate_country(out_dir, seed=seed, scale="small", truth_path=truth_path, corruption=corruption)
    with open_warehouse(work / f"w-{seed}-{corruption}.duckdb") as wh:
        load_datasets(wh, [out_dir])
        started = time.perf_counter()
        findings = red_flags(wh)
        elapsed = time.perf_counter() - started
    flagged = {f.subject.id for f in findings if f.q_value is not None}
    truth = read_truth(truth_path) if truth_path.exists() else {k: set() for k in (*POSITIVE_KEYS, "honest_outliers")}
    return flagged, truth, elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--world", choices=["generator", "test"], default="generator",
                        help="generator: baliza.demo.generate_country; test: the tests' small justice world")
    args = parser.parse_args()
    run = run_world if args.world == "generator" else run_test_world
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    tp = fp = fn = honest_hits = 0
    clean_flags: list[int] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for seed in seeds:
            flagged, truth, elapsed = run(seed, True, work)
            positives = set().union(*(truth[k] for k in POSITIVE_KEYS))
            tp += len(flagged & positives)
            fp += len(flagged - positives)
            fn += len(positives - flagged)
            honest_hits += len(flagged & truth["honest_outliers"])
            print(f"seed {seed} corrupt: flagged {sorted(flagged)} truth {sorted(positives)} "
                  f"missed {sorted(positives - flagged)} ({elapsed:.1f} s)")
            flagged_clean, _, elapsed = run(seed, False, work)
            clean_flags.append(len(flagged_clean))
            print(f"seed {seed} clean:   flagged {sorted(flagged_clean)} ({elapsed:.1f} s)")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    precision = tp / (tp + fp) if tp + fp else float("nan")
    print(f"\nworlds: {len(seeds)}; recall {recall:.2f} ({tp}/{tp + fn}); precision {precision:.2f} ({tp}/{tp + fp})")
    print(f"honest outliers flagged: {honest_hits}")
    print(f"clean worlds: {sum(clean_flags)} subjects flagged in {len(clean_flags)} worlds "
          f"({sum(1 for c in clean_flags if c)} worlds with any flag)")


if __name__ == "__main__":
    main()
