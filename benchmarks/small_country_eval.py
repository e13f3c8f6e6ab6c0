"""Red flags in small countries (issue 10): is a leaking seizing unit found when it has only three to five peers?

For each seed: a country with four to six seizing units (tests/small_country.py), one converting 54 % of its
seizures with an arrest into a case within 90 days and the others 88-94 %; then the same seed with no leak.
Prints, per seed, the units flagged, and at the end how many leaks were found and how many clean countries
flagged nobody (target: at least 9 of 10 each).

    python benchmarks/small_country_eval.py [--seeds 10] [--first-seed 1]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from baliza.analyses.integrity import red_flags
from baliza.warehouse import open_warehouse
from small_country import build_small_country


@dataclass(frozen=True)
class Outcome:
    seed: int
    units: int
    leaking_unit: str | None
    flagged: frozenset[str]

    @property
    def found(self) -> bool:
        return self.leaking_unit in self.flagged

    @property
    def false_flags(self) -> frozenset[str]:
        return self.flagged - {self.leaking_unit}


def run_country(seed: int, leak: bool, work: Path) -> Outcome:
    with open_warehouse(work / f"small-{seed}-{leak}.duckdb") as wh:
        country = build_small_country(wh, seed, leak=leak)
        findings = red_flags(wh)
    flagged = frozenset(f.subject.id for f in findings if f.q_value is not None)
    return Outcome(seed, len(country.units), country.leaking_unit, flagged)


def evaluate(seeds: range) -> tuple[list[Outcome], list[Outcome]]:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        leaks = [run_country(seed, True, work) for seed in seeds]
        clean = [run_country(seed, False, work) for seed in seeds]
    return leaks, clean


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--first-seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    leaks, clean = evaluate(range(args.first_seed, args.first_seed + args.seeds))
    for leak, ordinary in zip(leaks, clean, strict=True):
        print(f"seed {leak.seed}: {leak.units} units; leak {leak.leaking_unit} "
              f"{'found' if leak.found else 'MISSED'}; other units flagged {sorted(leak.false_flags)}; "
              f"clean country flagged {sorted(ordinary.flagged)}")
    found = sum(o.found for o in leaks)
    false_in_leak_worlds = sum(len(o.false_flags) for o in leaks)
    quiet = sum(not o.flagged for o in clean)
    print(f"\nleaks found: {found} of {len(leaks)} (target >= 9); ordinary units flagged beside a leak: "
          f"{false_in_leak_worlds}")
    print(f"clean countries flagging no unit: {quiet} of {len(clean)} (target >= 9)")
    print(f"({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
