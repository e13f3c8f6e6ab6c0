"""What the application holds while it serves: the warehouse's current snapshot (opened read-only, one
DuckDB cursor per worker thread, with the analyses' results computed once on it), the state store, the
session signer and the sign-in throttle.

Loads never write the served file (`baliza.warehouse.publishing`): they publish a new one. The first
request after that notices (one `stat` per request) and starts a refresh in the background: the new file
is opened, its results are computed (`web.precompute`, progress in `refresh`), and only then do new
requests move to it. A request keeps the snapshot it started on to its end (`pinned`), so it never mixes
two states of the warehouse; the old snapshot closes when its last request ends.
"""

from __future__ import annotations

import contextvars
import gc
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from baliza.access.principal import Principal
from baliza.access.protection import identity_reads
from baliza.access.scope import Scope, scope_for
from baliza.access.state import StateStore
from baliza.warehouse.publishing import clean_strays_if_idle, file_identity
from baliza.warehouse.store import Warehouse
from baliza.web.observability import current_route, request_id
from baliza.web.ratelimit import LoginThrottle
from baliza.web.sessions import SessionCookies
from baliza.web.settings import WebSettings
from baliza.web.snapshots import STABLE_TABLES, Snapshot, ThreadWarehouse, warehouse_state

__all__ = ["STABLE_TABLES", "RefreshState", "ServingContext", "ThreadWarehouse", "warehouse_state"]

log = logging.getLogger(__name__)
_pinned: contextvars.ContextVar[Snapshot | None] = contextvars.ContextVar("baliza_snapshot", default=None)
Precompute = Callable[["ServingContext", Snapshot, Callable[[str, int, int], None]], None]


class _Superseded(Exception):
    """A load published a newer file while a snapshot's results were being computed."""


@dataclass
class RefreshState:
    """What the server is doing about the warehouse, for administrators and /metrics (no data in it)."""

    state: str = "serving"  # serving | computing | failed
    step: str = ""
    done: int = 0
    total: int = 0
    started_at: float | None = None
    finished_at: float | None = None
    seconds: float | None = None  # how long the last refresh took, from noticing the file to serving it
    refreshes: int = 0
    failures: int = 0
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class ServingContext:
    db_path: Path
    state: StateStore
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    secure_cookies: bool = False
    settings: WebSettings = field(default_factory=WebSettings)
    precompute: Precompute | None = None  # the results computed before a new snapshot is served
    refresh: RefreshState = field(default_factory=RefreshState)
    cookies: SessionCookies = field(init=False)
    _current: Snapshot = field(init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _refresher: threading.Thread | None = None
    _failed_identity: tuple[int, int] | None = None
    _closing: bool = False

    def __post_init__(self) -> None:
        self.db_path = Path(self.db_path)
        clean_strays_if_idle(self.db_path)  # what a killed load or server left
        self.cookies = SessionCookies(self.state.key("session"))  # its own key file, not in the state store
        self._current = Snapshot.open(self.db_path)

    # --- the snapshot a request reads -----------------------------------------------------------------

    @property
    def snapshot(self) -> Snapshot:
        """The snapshot this request is pinned to, else the current one."""
        return _pinned.get() or self._current

    @property
    def warehouse(self) -> Warehouse:
        return self.snapshot.warehouse

    @property
    def version(self) -> str:
        return self.snapshot.version

    @property
    def cache(self) -> dict[str, Any]:
        """Results that do not depend on who asks, for the snapshot's state of the warehouse."""
        return self.snapshot.cache

    def cached(self, name: str, compute: Any) -> Any:
        """`compute()` once per snapshot (other requests wait for the first to finish it)."""
        return self.snapshot.cached(name, compute)

    def row_owners(self, wh: Any, references: Any) -> Any:
        """Who reported each row (`web.results.LoadResults.row_owners`), for `access.finding_scope`."""
        return self.snapshot.results.row_owners(wh, references)

    @contextmanager
    def pinned(self) -> Iterator[Snapshot]:
        """The current snapshot for the block (one request): kept open, and what `snapshot` answers."""
        self.check_for_load()
        with self._lock:
            snapshot = self._current.enter()
        token = _pinned.set(snapshot)
        try:
            yield snapshot
        finally:
            _pinned.reset(token)
            snapshot.leave()

    @contextmanager
    def reading(self, principal: Principal) -> Iterator[tuple[Warehouse, Scope]]:
        """The warehouse (this thread's cursor) and the principal's scope, for one request's queries."""
        tables: Any = self.snapshot.thread_warehouse()  # a Warehouse in all but name
        # protected identities shown in clear are audited with the route (`access.protection`)
        with identity_reads(self.state, principal, current_route(), request_id.get()):
            yield tables, self.scope(tables, principal)

    def scope(self, wh: Any, principal: Principal) -> Scope:
        """The principal's scope; the expansion of its agency's live grants is kept per set of grants."""
        return scope_for(wh, self.state, principal, cache=self.snapshot.cache)

    @contextmanager
    def locked(self) -> Iterator[Warehouse]:
        """This thread's view of the warehouse (kept under its old name: nothing is locked any more)."""
        tables: Any = self.snapshot.thread_warehouse()
        yield tables

    # --- following the loads --------------------------------------------------------------------------

    def check_for_load(self) -> None:
        """Start a refresh in the background if a load has published a new file since the current snapshot."""
        identity = file_identity(self.db_path)
        if identity is None or identity == self._current.identity or identity == self._failed_identity:
            return
        with self._lock:
            if self._refresher is not None and self._refresher.is_alive():
                return
            self._refresher = threading.Thread(target=self._refresh, name="baliza-refresh", daemon=True)
            self._refresher.start()

    def serving_identity(self) -> tuple[int, int] | None:
        """Which warehouse file new requests read (compare with `file_identity(db_path)`)."""
        return self._current.identity

    def wait_for_refresh(self, timeout: float | None = None) -> None:
        """Block until a running refresh is done (for tests and for `baliza serve`'s first results)."""
        thread = self._refresher
        if thread is not None:
            thread.join(timeout)

    def warm_up(self) -> None:
        """Compute the current snapshot's results in the background (at start: requests are served meanwhile)."""
        with self._lock:
            if self.precompute is None or (self._refresher is not None and self._refresher.is_alive()):
                return
            snapshot = self._current.enter()

        def run() -> None:
            try:
                self._compute(snapshot, time.time())
            finally:
                snapshot.leave()
        self._refresher = threading.Thread(target=run, name="baliza-warm-up", daemon=True)
        self._refresher.start()

    def _refresh(self) -> None:
        while not self._closing:
            identity = file_identity(self.db_path)
            if identity is None or identity == self._current.identity or identity == self._failed_identity:
                return
            started = time.time()
            try:
                snapshot = Snapshot.open(self.db_path)
            except Exception as exc:  # a file that cannot be opened: keep serving the last good one
                self._failed(identity, exc)
                return
            if not self._compute(snapshot, started):  # a newer file came meanwhile: compute that one
                snapshot.close()
                continue
            with self._lock:
                old, self._current = self._current, snapshot
            old.retire()
            log.info("serving the warehouse as of loads %s (%.1f s to refresh)", snapshot.version,
                     time.time() - started)

    def _compute(self, snapshot: Snapshot, started: float) -> bool:
        """Compute `snapshot`'s results (as if every request were pinned to it). A failing analysis is
        logged and left to be computed on request: the new data is served all the same. False when a load
        published a newer file meanwhile (the work is abandoned for the newer one)."""
        refresh = self.refresh
        refresh.state, refresh.step, refresh.done, refresh.total = "computing", "", 0, 0
        refresh.started_at, refresh.error = started, ""

        def progress(step: str, done: int, total: int) -> None:
            if self._closing or file_identity(self.db_path) not in (snapshot.identity, None):
                raise _Superseded
            refresh.step, refresh.done, refresh.total = step, done, total

        token = _pinned.set(snapshot)
        try:
            if self.precompute is not None:
                self.precompute(self, snapshot, progress)
                settle_heap()
        except _Superseded:
            return False
        except Exception as exc:
            log.exception("computing the results of the new warehouse failed")
            refresh.error, refresh.failures = type(exc).__name__, refresh.failures + 1
        finally:
            _pinned.reset(token)
        refresh.state, refresh.step = "serving", ""
        refresh.finished_at = time.time()
        refresh.seconds = refresh.finished_at - started
        refresh.refreshes += 1
        return True

    def _failed(self, identity: tuple[int, int] | None, exc: Exception) -> None:
        log.error("the new warehouse file could not be served: %s", type(exc).__name__)
        self.refresh.state, self.refresh.error = "failed", type(exc).__name__
        self.refresh.failures += 1
        if identity is not None:
            self._failed_identity = identity

    def close(self) -> None:
        self._closing = True  # a computation in progress stops at its next step
        self.wait_for_refresh(60)
        with self._lock:
            current = self._current
        current.close()
        self.state.close()


def settle_heap() -> None:
    """Keep the results just computed out of the garbage collector's way.

    A load's results are millions of Python objects that live until the next load. Python's collector
    walked all of them on every full collection, about once a second under load: each walk held the
    interpreter for 0.3-0.9 s on the medium country, and every request in flight waited (the p95 of the
    findings list and the chain page at 50 clients). Once per computation we collect what is garbage now
    (the previous load's results that only cycles still held, among others) and freeze what survives
    (`gc.freeze`): later collections walk only the objects made since. Frozen objects are still freed when
    nothing refers to them; those that only a cycle holds wait for the next computation's collection.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()
