"""The results computed once per load, before the server moves to the new warehouse file.

Every result declared in `web.results.LoadResults` is computed here, in the background, on the new
snapshot, then who reported each row the findings rest on, and the search index; the results are then
stored beside the warehouse (`warehouse.results`), so that a restart reads them instead of computing them
again. Progress goes to `progress(step, done, total)` (administrators see it at `/api/service`).
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from baliza.warehouse.results import read_results, results_folder, store_results
from baliza.web.context import ServingContext
from baliza.web.results import GRANULARITIES, LoadResults, Result
from baliza.web.snapshots import Snapshot

log = logging.getLogger(__name__)
CUTS = "what each agency may read"
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


def cut_for_every_agency(ctx: ServingContext, wh: Any, progress: Callable[[int, int], None] | None = None) -> None:
    """What each agency may read of the results, cut for its live grants as they are now: its scope's reach
    through the grants, its findings, its chains and the explorer's choices, its seizure counts, its units'
    indicators and its justice page. They hang on grants, which change without a load, so they are kept
    with the snapshot (not stored): a grant given or revoked later is a new cut, made on the next request.
    Computed in the background so that the first view of a page after a load does not make them.
    `progress(done, total)` is told before each agency (it may raise to stop: a server closing, a newer load)."""
    from baliza.access.principal import Principal
    from baliza.access.roles import Role
    from baliza.web import explorer, justice, services, sources

    results = ctx.snapshot.results
    try:
        sources.warm_chain_lookups(wh, ctx)
    except Exception:
        log.exception("building the chains' lookups failed")
    every = [*results.agencies, None]
    for done, agency in enumerate(every):
        if progress is not None:
            progress(done, len(every))
        try:
            if agency is None:  # the country-wide cut (oversight): one for every agency
                for granularity in GRANULARITIES:
                    justice.justice_view(ctx, Principal("(results)", "", Role.OVERSIGHT, None, "precompute"),
                                         granularity)
                continue
            reader = Principal("(results)", agency["agency_id"], Role.ANALYST, None, "precompute")
            scope = ctx.scope(wh, reader)
            services.shown_findings(ctx, wh, scope)
            services.overview(ctx, reader)
            explorer.options(ctx, reader)
            for granularity in GRANULARITIES:
                rows = sources.indicator_rows(ctx, results.indicators[granularity], granularity)
                services.readable_units(ctx, wh, scope, rows, granularity)
                justice.justice_view(ctx, Principal("(results)", agency["agency_id"], Role.PROSECUTION_INSPECTOR,
                                                    None, "precompute"), granularity)
        except Exception:  # the cut is then made on the agency's first request
            log.exception("cutting the results for an agency failed")


def steps() -> list[Step]:
    """Every step of the computation, in order."""
    found = [_value_step(result, key) for result in LoadResults.declared() for _name, key in result.slots()]
    return [*found, ("who holds each finding's rows", _finding_rows), ("search index", _search_index)]


def step_names() -> list[str]:
    return [name for name, _ in steps()]


def precompute(ctx: ServingContext, snapshot: Snapshot, progress: Callable[[str, int, int], None]) -> None:
    """Read `snapshot`'s stored results, or compute every one of them (telling `progress` each step) and
    store them; then cut them for every agency. Under `baliza serve --workers N` one process computes a
    state's results while the others wait for it (a lock file beside the results), then read them back."""
    every = steps()
    with computing(ctx.db_path):
        results = _read_or_compute(ctx, snapshot, progress, every)
    cut_for_every_agency(ctx, snapshot.thread_warehouse(),
                         lambda done, total: progress(f"{CUTS} ({done}/{total})", len(every), len(every) + 1))
    progress("done", len(every) + 1, len(every) + 1)
    del results


def _read_or_compute(ctx: ServingContext, snapshot: Snapshot, progress: Callable[[str, int, int], None],
                     every: list[Step]) -> LoadResults:
    key = ctx.state.key("results")
    stored = read_results(ctx.db_path, snapshot.version, key)
    wh = snapshot.thread_warehouse()
    results = snapshot.results
    if stored is not None:
        progress("reading the stored results", 0, len(every) + 1)
        results = snapshot.results = LoadResults(snapshot.version, snapshot.thread_warehouse, stored)
        if results.is_complete():
            return results
        # stored before a result was declared: the missing ones are computed below, the others read
    results.precomputing = True
    try:
        for done, (name, step) in enumerate(every):
            progress(name, done, len(every) + 1)
            step(wh, results)
        store_results(ctx.db_path, snapshot.version, results.to_store(), key)
    finally:
        results.precomputing = False
    return results


@contextmanager
def computing(db_path: Path) -> Iterator[None]:
    """Held while one process reads or computes a warehouse state's results: `fcntl.flock` on the results'
    folder itself (no lock file to leave behind; the kernel releases it if the process dies)."""
    folder = results_folder(db_path)
    folder.mkdir(mode=0o700, exist_ok=True)
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock
