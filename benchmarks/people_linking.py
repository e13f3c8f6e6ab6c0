"""People resolution across agencies at scale: time, peak memory, and precision/recall on generated duplicates.

    python benchmarks/people_linking.py [--records 1000000] [--backend duckdb]

People are invented with the demo's generator (`baliza.demo.people.make_persons`). Each has customs'
record; a quarter of them also a police record, and a tenth a prosecution record, each written the way the
demo writes another agency's record of the same person (`baliza.demo.people.agency_records`: accents,
surnames first in capitals, a surname left out or the two swapped, day and month of birth transposed,
document numbers with dots or spaces or missing, phones dropped). The records are then resolved as
`baliza people resolve` resolves a warehouse's (`baliza.analyses.people.resolve_people`: pseudonyms,
Splink trained without labels, clusters at a match probability of 0.95); the sealing and opening of the
warehouse's cells is not part of the figure.

Precision and recall are over pairs of records: a pair is true when both records are one invented person,
found when both are in one resolved cluster. Namesakes are not planted: at a million records the demo's
short lists of names (34 given names, 38 surnames) give thousands of people with one name, which is the
hard part of the test.

Figures depend on the machine: give its core count. A million records takes several minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections.abc import Iterator

import numpy as np

from baliza.analyses.people.pseudonyms import PersonRecord
from baliza.analyses.people.resolution import Resolution, resolve_people
from baliza.demo.people import agency_records, make_persons, person_columns

CHUNK = 50_000
SECOND_RECORD, THIRD_RECORD = 0.25, 0.10


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else str(value.astype("datetime64[D]"))
    return str(value)


def _records(columns: dict, agency: str, person_of: dict[str, int], people: np.ndarray) -> Iterator[PersonRecord]:
    for k, pid in enumerate(columns["person_id"]):
        person_of[str(pid)] = int(people[k])
        yield PersonRecord(str(pid), agency, _text(columns["full_name"][k]), _text(columns["birth_date"][k]),
                           _text(columns["nationality"][k]), _text(columns["id_document"][k]),
                           _text(columns["phone"][k]))


def world(records: int, seed: int, person_of: dict[str, int]) -> Iterator[PersonRecord]:
    """About `records` person records of three agencies; `person_of` is filled with each record's person."""
    rng = np.random.default_rng(seed)
    people = int(records / (1 + SECOND_RECORD + THIRD_RECORD))
    for start in range(0, people, CHUNK):
        n = min(CHUNK, people - start)
        index = np.arange(start, start + n)
        base = make_persons(rng, np.asarray([f"CU-{i}" for i in index], dtype=object))
        yield from _records(person_columns(base), "AG-CUSTOMS", person_of, index)
        for agency, share in (("AG-POLICE", SECOND_RECORD), ("AG-PROSECUTION", THIRD_RECORD)):
            rows = np.flatnonzero(rng.random(n) < share)
            ids = np.asarray([f"{agency[3:6]}-{start + r}" for r in rows], dtype=object)
            yield from _records(agency_records(rng, base, rows, ids), agency, person_of, index[rows])


def pair_scores(resolution: Resolution, person_of: dict[str, int]) -> dict[str, float]:
    """Pairwise precision and recall of the clusters against the invented people."""
    def pairs(n: int) -> int:
        return n * (n - 1) // 2

    sizes: dict[int, int] = {}
    for person in person_of.values():
        sizes[person] = sizes.get(person, 0) + 1
    true_pairs = sum(pairs(n) for n in sizes.values())
    found = right = 0
    for members in resolution.clusters().values():
        found += pairs(len(members))
        within: dict[int, int] = {}
        for m in members:
            within[person_of[m.person_id]] = within.get(person_of[m.person_id], 0) + 1
        right += sum(pairs(n) for n in within.values())
    return {"true_pairs": true_pairs, "found_pairs": found, "right_pairs": right,
            "precision": right / found if found else 1.0, "recall": right / true_pairs if true_pairs else 1.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backend", default="duckdb", choices=["duckdb", "spark"])
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}; records asked: {args.records:,}; backend: {args.backend}", flush=True)
    spark = None
    if args.backend == "spark":
        from baliza.crypto.spark import local_session
        spark = local_session()
    person_of: dict[str, int] = {}
    started, cpu = time.perf_counter(), time.process_time()
    resolution = resolve_people(world(args.records, args.seed, person_of), args.backend, spark,  # type: ignore[arg-type]
                                say=lambda step: print(f"  {step} at {time.perf_counter() - started:.1f} s",
                                                       file=sys.stderr, flush=True))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    scores = pair_scores(resolution, person_of)
    summary = resolution.summary()
    took = {step: resolution.timings.get(step, 0.0) for step in ("pseudonyms", "linking", "clusters")}
    print(f"records linked: {summary['records_compared']:,} in {seconds:.1f} s (generation and pseudonyms "
          f"{took['pseudonyms']:.1f} s, Splink {took['linking']:.1f} s, clusters {took['clusters']:.1f} s)")
    print(f"CPU time (every thread of this process): {cpu:.1f} s; load average now: {os.getloadavg()[0]:.1f}")
    print(f"peak memory (this process): {peak:,.0f} MB")
    print(f"model trained without labels: {resolution.model.trained}; "
          f"prior match probability {resolution.model.prior_match_probability:.2e}; notes: {resolution.model.notes}")
    print(f"pairs at probability >= 0.5: {summary['pairs_likely']:,}; people with several records: "
          f"{summary['people_with_several_records']:,}")
    print(f"pairwise precision {scores['precision']:.4f}, recall {scores['recall']:.4f} "
          f"({scores['right_pairs']:,} right of {scores['found_pairs']:,} found; {scores['true_pairs']:,} true)")


if __name__ == "__main__":
    main()
