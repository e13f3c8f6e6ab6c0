"""What the application holds while it serves: the warehouse (opened read-only, one DuckDB cursor per
worker thread), the state store, the session signer, the sign-in throttle and the analyses' results,
computed once per warehouse state.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis

from baliza.access.principal import Principal
from baliza.access.scope import Scope, scope_for
from baliza.access.state import StateStore
from baliza.contract import TABLES_BY_NAME
from baliza.warehouse.store import Warehouse
from baliza.web.ratelimit import LoginThrottle
from baliza.web.sessions import SessionCookies
from baliza.web.settings import WebSettings

STABLE_TABLES: frozenset[str] = frozenset(TABLES_BY_NAME) | {"loads", "quarantine", "normalisations"}


class ThreadWarehouse:
    """The warehouse as one worker thread reads it: its own DuckDB cursor on the shared (read-only)
    database, so requests run their queries side by side instead of taking turns.

    The contract tables' Ibis expressions are kept (Ibis asks DuckDB for a table's schema on every
    `table()` call; the schemas do not change while serving).
    """

    def __init__(self, warehouse: Warehouse) -> None:
        self.path = warehouse.path
        self.read_only = warehouse.read_only
        self.con = ibis.duckdb.from_connection(warehouse.duckdb.cursor())
        self._tables: dict[str, ibis.Table] = {}

    @property
    def duckdb(self) -> Any:
        return self.con.con

    def table(self, name: str) -> ibis.Table:
        if name not in STABLE_TABLES:
            return self.con.table(name)
        if name not in self._tables:
            self._tables[name] = self.con.table(name)
        return self._tables[name]


def warehouse_state(wh: Warehouse | ThreadWarehouse) -> str:
    """Names the warehouse's state: it changes whenever a load finishes (the latest load id and the count)."""
    found = wh.duckdb.execute("select count(*), max(load_id) from loads").fetchone()
    return f"{found[0]}:{found[1]}"


@dataclass
class ServingContext:
    warehouse: Warehouse
    state: StateStore
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    secure_cookies: bool = False
    settings: WebSettings = field(default_factory=WebSettings)
    cookies: SessionCookies = field(init=False)
    version: str = field(init=False)
    _cache: dict[str, Any] = field(default_factory=dict)
    # Each worker thread's cursor, kept here rather than in thread-local storage: DuckDB objects then die
    # with the context (closed in `close`), never in a daemon worker thread torn down at interpreter exit,
    # where DuckDB's C++ destructors abort the process ("FATAL: exception not rethrown").
    _by_thread: dict[int, ThreadWarehouse] = field(default_factory=dict)
    _compute_lock: threading.Lock = field(default_factory=threading.Lock)
    _cursor_lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.cookies = SessionCookies(self.state.key("session"))  # its own key file, not in the state store
        self.version = warehouse_state(self.warehouse)

    @property
    def db_path(self) -> Path:
        return self.warehouse.path

    @property
    def cache(self) -> dict[str, Any]:
        """Results that do not depend on who asks, for the warehouse's current state."""
        return self._cache

    def cached(self, name: str, compute: Any) -> Any:
        """`compute()` once per warehouse state (other requests wait for the first to finish it)."""
        if name in self._cache:
            return self._cache[name]
        with self._compute_lock:
            if name not in self._cache:
                self._cache[name] = compute()
            return self._cache[name]

    def _thread_warehouse(self) -> ThreadWarehouse:
        thread = threading.get_ident()  # an id is reused only once its thread has ended
        wh = self._by_thread.get(thread)
        if wh is None:
            with self._cursor_lock:  # cursors are made from the shared connection one at a time
                wh = self._by_thread[thread] = ThreadWarehouse(self.warehouse)
        return wh

    @contextmanager
    def reading(self, principal: Principal) -> Iterator[tuple[Warehouse, Scope]]:
        """The warehouse (this thread's cursor) and the principal's scope, for one request's queries."""
        tables: Any = self._thread_warehouse()  # a Warehouse in all but name
        yield tables, self.scope(tables, principal)

    def scope(self, wh: Any, principal: Principal) -> Scope:
        """The principal's scope; the expansion of its agency's live grants is kept per set of grants."""
        return scope_for(wh, self.state, principal, cache=self._cache)

    @contextmanager
    def locked(self) -> Iterator[Warehouse]:
        """This thread's view of the warehouse (kept under its old name: nothing is locked any more)."""
        tables: Any = self._thread_warehouse()
        yield tables

    def close(self) -> None:
        with self._cursor_lock:
            for wh in self._by_thread.values():
                wh.duckdb.close()
            self._by_thread.clear()
        self.warehouse.close()
        self.state.close()
