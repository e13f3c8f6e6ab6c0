"""Finished answers kept for the next reader who would get the same bytes: the answer cache.

The findings list and a seizure's chain are the same for every reader with the same view of the same
state of the warehouse, yet wording hundreds of findings in the reader's language and encoding them, or
following and disclosing a chain, costs tens of milliseconds of processor a request. So the finished
answer is kept, with what its audit entry lists, under a key naming everything it depends on:

- the state of the warehouse: answers live in the snapshot (`Snapshot.cached`), so a load, which opens
  a new snapshot, starts an empty cache, and the version is in the key as well;
- the reader's view: `Scope.cache_key()` (the agency and its set of live grants: a new or revoked
  grant is a new key at once), and the role and programme, in case a route's answer ever depends on them;
- the reader's language;
- the route, its parameters, and any state of the state store the answer shows (e.g. the decisions
  taken on findings): `stamp` values that change when that state does.

A cached answer is never handed to a reader whose key differs in any of these, and the read is audited
on every request, cached or not (`audit.record_read` with the subjects kept beside the body). The cache
is bounded (`BALIZA_ANSWER_CACHE_MB`, 256 by default; the least recently used answers go first).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from baliza.access.principal import Principal
from baliza.access.state import StateStore, finding_decisions
from baliza.i18n import current as current_language

BUDGET_BYTES = int(float(os.environ.get("BALIZA_ANSWER_CACHE_MB", "256")) * 1_000_000)


@dataclass(frozen=True)
class Answer:
    """A finished answer (`value`: bytes, or data a page renders) and what a read of it records."""

    value: Any
    size: int = 0  # bytes it holds (roughly), for the cache's budget
    reads: tuple[str, ...] = ()
    grants: tuple[Any, ...] = ()  # the grants that let the reader see rows of other agencies
    detail: dict[str, Any] = field(default_factory=dict)
    keeps: Any = None  # what the key names by identity, kept alive while the answer is


class Answers:
    """Answers by key, least recently used first out once `budget` bytes are held. Two requests for one
    missing key both compute it (no lock is held while computing): the second's copy replaces the first's."""

    def __init__(self, budget: int = BUDGET_BYTES) -> None:
        self.budget = budget
        self.held = 0
        self.hits = 0
        self.misses = 0
        self._answers: OrderedDict[Hashable, Answer] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], Answer | None]) -> Answer | None:
        """The answer kept under `key`, else `make()` (kept unless None, which is never kept)."""
        with self._lock:
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
                self.hits += 1
                return found
            self.misses += 1
        made = make()
        if made is None or made.size > self.budget:
            return made
        with self._lock:
            old = self._answers.pop(key, None)
            self.held -= old.size if old is not None else 0
            self._answers[key] = made
            self.held += made.size
            while self.held > self.budget:
                _, dropped = self._answers.popitem(last=False)
                self.held -= dropped.size
        return made

    def __len__(self) -> int:
        return len(self._answers)


def reader_key(principal: Principal, scope: Any) -> tuple[str, ...]:
    """What of the reader an answer depends on: its view (agency and live grants), role, programme and
    language. Every cached answer's key starts with it."""
    return (scope.cache_key(), principal.role.value, principal.programme or "", current_language())


_made = threading.Lock()


def answers_of(ctx: Any) -> Answers:
    """The answers kept for the state of the warehouse this request reads (its pinned snapshot). Made under
    a lock of its own, not `Snapshot.cached`'s, which is held while a cut is computed (a cut that reads
    answers would otherwise wait for itself)."""
    cache = ctx.cache
    found = cache.get("answers")
    if found is None:
        with _made:
            found = cache.setdefault("answers", Answers())
    return found  # type: ignore[no-any-return]


# Built once: every findings request runs it (a statement built per call costs more than SQLite's answer).
_NEWEST_DECISION = sa.select(sa.func.max(finding_decisions.c.decision_id))


def decisions_stamp(store: StateStore) -> int:
    """Changes whenever a decision on a finding is taken, by any process (the newest decision's number)."""
    with store.engine.connect() as conn:
        return int(conn.execute(_NEWEST_DECISION).scalar() or 0)
