"""The results computed once per load, before the server moves to the new warehouse file.

Every result declared in `web.results.LoadResults` is computed here, in the background, on the new
snapshot, then who reported each row the findings rest on, and the search index; the results are then
stored beside the warehouse (`warehouse.results`), so that a restart reads them instead of computing them
again. Progress goes to `progress(step, done, total)` (administrators see it at `/api/service`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from baliza.warehouse.results import read_results, store_results
from baliza.web.context import ServingContext
from baliza.web.results import GRANULARITIES, LoadResults, Result
from baliza.web.snapshots import Snapshot

log = logging.getLogger(__name__)
Step = tuple[str, Callable[[Any, LoadResults], Any]]


def _value_step(result: Result[Any], key: str | None) -> Step:
    label = result.label if key is None else f"{result.label} ({key})"
    return label, lambda wh, results: results.value(result, key)


def _finding_rows(wh: Any, results: LoadResults) -> None:
    """Who reported each row a finding names (subject and evidence), for the red flags and the justice
    figures' findings: a request then decides what its principal sees with set lookups."""
    lists = [results.red_flags] + [figures.findings for g in GRANULARITIES
                                   if (figures := results.justice[g]) is not None]
    results.row_owners(wh, (ref for findings in lists for f in findings for ref in (f.subject, *f.evidence)))


def _search_index(wh: Any, _results: LoadResults) -> None:
    from baliza.web.search_index import index_for, warehouse_version

    index_for(wh.path).ensure(wh, warehouse_version(wh))


def steps() -> list[Step]:
    """Every step of the computation, in order."""
    found = [_value_step(result, key) for result in LoadResults.declared() for _name, key in result.slots()]
    return [*found, ("who holds each finding's rows", _finding_rows), ("search index", _search_index)]


def step_names() -> list[str]:
    return [name for name, _ in steps()]


def precompute(ctx: ServingContext, snapshot: Snapshot, progress: Callable[[str, int, int], None]) -> None:
    """Read `snapshot`'s stored results, or compute every one of them (telling `progress` each step) and
    store them."""
    results = snapshot.results
    key = ctx.state.key("results")
    stored = read_results(ctx.db_path, snapshot.version, key)
    if stored is not None:
        progress("reading the stored results", 0, 1)
        snapshot.results = LoadResults(snapshot.version, snapshot.thread_warehouse, stored)
        snapshot.results.precomputing = True
        if snapshot.results.is_complete():
            snapshot.results.precomputing = False
            progress("done", 1, 1)
            return
        results = snapshot.results  # stored by an older declaration: compute what is missing
    wh = snapshot.thread_warehouse()
    every = steps()
    results.precomputing = True
    try:
        for done, (name, step) in enumerate(every):
            progress(name, done, len(every))
            step(wh, results)
    finally:
        results.precomputing = False
    store_results(ctx.db_path, snapshot.version, results.to_store(), key)
    progress("done", len(every), len(every))
