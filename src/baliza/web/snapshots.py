"""One state of the warehouse as the server reads it: the file as a load left it, its cursors and its results.

A snapshot is opened read-only through a link of its own (`warehouse.publishing.open_snapshot`) and kept
while any request uses it; when a load publishes a new file, the server opens a new snapshot, computes its
results, and retires the old one, which closes once its last request has finished.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ibis

from baliza.contract import TABLES_BY_NAME
from baliza.warehouse.publishing import close_snapshot, file_identity, open_snapshot
from baliza.warehouse.store import Warehouse
from baliza.web.results import LoadResults

if TYPE_CHECKING:
    from baliza.access.scope import Scope
    from baliza.warehouse.protocol import Engine

STABLE_TABLES: frozenset[str] = frozenset(TABLES_BY_NAME) | {"loads", "quarantine", "normalisations"}


class ThreadWarehouse:
    """The warehouse as one worker thread reads it: its own DuckDB cursor on the shared (read-only)
    database, so requests run their queries side by side instead of taking turns.

    The contract tables' Ibis expressions are kept (Ibis asks DuckDB for a table's schema on every
    `table()` call; the schemas do not change within a snapshot). `path` is the warehouse's published
    name (its key files are beside it), not the link the snapshot was opened through.
    """

    def __init__(self, warehouse: Warehouse) -> None:
        self.path = warehouse.home
        self.home = warehouse.home
        self.read_only = warehouse.read_only
        self.keys = warehouse.keys  # the keys that open this file's tokens, read when it was opened
        self.owner = threading.get_ident()
        self._con = ibis.duckdb.from_connection(warehouse.duckdb.cursor())
        self._tables: dict[str, ibis.Table] = {}

    def _owned(self) -> None:
        # A DuckDB connection runs one call at a time and refuses a second ("ResourceInUse: connection is
        # busy with another call"): a cursor handed to another thread would fail under load, so it fails at once.
        if threading.get_ident() != self.owner:
            raise RuntimeError("a worker thread's warehouse cursor was used from another thread; "
                               "ask the snapshot for this thread's own (Snapshot.thread_warehouse)")

    @property
    def con(self) -> Any:
        self._owned()
        return self._con

    @property
    def engine(self) -> Engine:
        return "duckdb"

    @property
    def scope(self) -> Scope | None:
        return None  # the whole warehouse: `LookupWarehouse` and `ScopedWarehouse` cut it

    @property
    def duckdb(self) -> Any:
        return self.con.con

    def table(self, name: str) -> ibis.Table:
        self._owned()
        if name not in STABLE_TABLES:
            return self._con.table(name)
        if name not in self._tables:
            self._tables[name] = self._con.table(name)
        return self._tables[name]


def warehouse_state(wh: Warehouse | ThreadWarehouse) -> str:
    """Names the warehouse's state: it changes whenever a load finishes (the latest load id and the count)."""
    found = wh.duckdb.execute("select count(*), max(load_id) from loads").fetchall()[0]
    return f"{found[0]}:{found[1]}"


class Snapshot:
    """The warehouse file as one load left it, with one cursor per worker thread, its whole-country
    `results` (`web.results`) and what requests derive from them (`cached`).
    Counted in and out by the requests that read it (`enter`, `leave`)."""

    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse
        self.identity = file_identity(warehouse.path)  # the link's inode: the file that was opened
        self.version = warehouse_state(warehouse)
        self.results = LoadResults(self.version, self.thread_warehouse)  # the whole-country results
        self.cache: dict[str, Any] = {}  # what requests derive from them (a scope's cut, compiled SQL)
        # Each worker thread's cursor, kept here rather than in thread-local storage: DuckDB objects then
        # die with the snapshot (closed in `close`), never in a daemon worker thread torn down at interpreter
        # exit, where DuckDB's C++ destructors abort the process ("FATAL: exception not rethrown").
        self._by_thread: dict[int, ThreadWarehouse] = {}
        self._compute_lock = threading.Lock()
        self._lock = threading.Lock()
        self._users = 0
        self._retired = False
        self._closed = False

    @classmethod
    def open(cls, db_path: Any) -> Snapshot:
        warehouse = open_snapshot(db_path)
        try:
            return cls(warehouse)
        except BaseException:
            close_snapshot(warehouse)
            raise

    def cached(self, name: str, compute: Callable[[], Any]) -> Any:
        """`compute()` once for this snapshot (other requests wait for the first to finish it)."""
        if name in self.cache:
            return self.cache[name]
        with self._compute_lock:
            if name not in self.cache:
                self.cache[name] = compute()
            return self.cache[name]

    def thread_warehouse(self) -> ThreadWarehouse:
        thread = threading.get_ident()  # an id is reused only once its thread has ended
        wh = self._by_thread.get(thread)
        if wh is None:
            with self._lock:  # cursors are made from the shared connection one at a time
                wh = self._by_thread[thread] = ThreadWarehouse(self.warehouse)
        return wh

    def enter(self) -> Snapshot:
        with self._lock:
            self._users += 1
        return self

    def leave(self) -> None:
        with self._lock:
            self._users -= 1
            last = self._retired and self._users == 0
        if last:
            self.close()

    def retire(self) -> None:
        """No new request will use this snapshot: it closes when the last one using it leaves."""
        with self._lock:
            self._retired = True
            idle = self._users == 0
        if idle:
            self.close()

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for wh in self._by_thread.values():
                wh._con.con.close()  # from the closing thread: no request uses the snapshot any more
            self._by_thread.clear()
        close_snapshot(self.warehouse)
