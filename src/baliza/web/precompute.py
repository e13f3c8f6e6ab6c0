"""The results computed once per load, before the server moves to the new warehouse file.

Every whole-country analysis a page or the API reads is computed here, in the background, on the new
snapshot (`web.context`): red flags, unit indicators at every granularity and the cells aggregate readers
may not see, the justice figures, the country report's figures, every seizure's chain link status (the
explorer's breaks and progress) and the chain inputs (the date each stage is judged against, the
directory of names), the agencies, and the search index. They are kept
with the snapshot; a request then only cuts them to what its principal may read, so no page runs a
whole-country analysis on request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from baliza.web.context import ServingContext
from baliza.web.snapshots import Snapshot

Step = tuple[str, Callable[[Any, Snapshot, ServingContext], Any]]


def _steps() -> list[Step]:
    from baliza.analyses.as_of import stage_as_of
    from baliza.analyses.chain_links import directory_names
    from baliza.web import explorer, services, sources
    from baliza.web.justice import GRANULARITIES
    from baliza.web.search_index import index_for, warehouse_version

    steps: list[Step] = [
        ("chain deadlines", lambda wh, snap, ctx: snap.cached("stage_as_of", lambda: stage_as_of(wh))),
        ("names", lambda wh, snap, ctx: snap.cached("directory_names", lambda: directory_names(wh))),
        ("agencies", lambda wh, snap, ctx: services.agencies(ctx)),
        ("red flags", lambda wh, snap, ctx: sources.red_flags(wh, snap)),
        ("chain link status of every seizure", lambda wh, snap, ctx: explorer._whole_warehouse(ctx, wh)),
    ]
    steps.append(("who holds each finding's subject and evidence", _finding_owners))
    for granularity in ("year", "quarter", "month"):
        steps.append((f"unit indicators by {granularity}",
                      lambda wh, snap, ctx, g=granularity: _indicators(wh, snap, g)))
    steps.append(("indicator cells to suppress", lambda wh, snap, ctx: sources.indicators_hidden(wh, snap)))
    for granularity in GRANULARITIES:
        steps.append((f"justice figures by {granularity}",
                      lambda wh, snap, ctx, g=granularity: sources.justice_figures(wh, snap, g)))
    steps.append(("country report figures", lambda wh, snap, ctx: sources.country_figures(wh, snap)))
    steps.append(("published aggregates", lambda wh, snap, ctx: _published(wh, snap)))
    steps.append(("search index", lambda wh, snap, ctx: index_for(wh.path).ensure(wh, warehouse_version(wh))))
    return steps


def _finding_owners(wh: Any, snapshot: Snapshot, ctx: ServingContext) -> None:
    """Who reported each finding's subject and evidence rows: looked up once on the whole warehouse and kept
    under the names `access.finding_scope` reads them by; a request then only decides with set lookups."""
    from baliza.access import finding_scope
    from baliza.web import sources

    every = sources.red_flags(wh, snapshot)
    snapshot.cached(f"owners:{id(every)}",
                    lambda: (every, finding_scope._owners(wh, (f.subject for f in every))))
    snapshot.cached(f"evidence_owners:{id(every)}",
                    lambda: (every, finding_scope._owners(wh, (e for f in every for e in f.evidence))))


def _indicators(wh: Any, snapshot: Snapshot, granularity: str) -> None:
    """A granularity's unit indicators, and their plain form (`web.services.indicators` reads both)."""
    from baliza.web import sources

    every = sources.unit_indicators(wh, snapshot, granularity)
    snapshot.cached(f"plain:{id(every)}", lambda: (every, [i.to_dict() for i in every]))


def _published(wh: Any, snapshot: Snapshot) -> None:
    """The aggregates published to oversight and the public page (`web.public_data`), on this snapshot."""
    from baliza.web.public_data import aggregates_of

    aggregates_of(wh, snapshot)


def step_names() -> list[str]:
    return [name for name, _ in _steps()]


def precompute(ctx: ServingContext, snapshot: Snapshot, progress: Callable[[str, int, int], None]) -> None:
    """Compute every whole-country result of `snapshot`, telling `progress` each step."""
    steps = _steps()
    wh = snapshot.thread_warehouse()
    for done, (name, step) in enumerate(steps):
        progress(name, done, len(steps))
        step(wh, snapshot, ctx)
    progress("done", len(steps), len(steps))
