"""What the application holds while it serves: the warehouse (one connection, used under a lock), the
state store, the session signer, the sign-in throttle and the cache of analysis results.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis

from baliza.access.principal import Principal
from baliza.access.scope import Scope, scope_for
from baliza.access.state import StateStore, setting
from baliza.contract import TABLES_BY_NAME
from baliza.warehouse.store import Warehouse
from baliza.web.ratelimit import LoginThrottle
from baliza.web.sessions import SessionCookies

STABLE_TABLES: frozenset[str] = frozenset(TABLES_BY_NAME) | {"loads", "quarantine", "normalisations"}


class ServingWarehouse:
    """The warehouse with its contract tables' Ibis expressions kept between requests.

    Ibis asks DuckDB for a table's schema on every `table()` call (a query each); the contract
    tables' schemas do not change while serving, so they are asked once. Everything else is passed
    through to the warehouse.
    """

    def __init__(self, warehouse: Warehouse) -> None:
        self._warehouse = warehouse
        self._tables: dict[str, ibis.Table] = {}

    def table(self, name: str) -> ibis.Table:
        if name not in STABLE_TABLES:
            return self._warehouse.table(name)
        if name not in self._tables:
            self._tables[name] = self._warehouse.table(name)
        return self._tables[name]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._warehouse, name)


@dataclass
class ServingContext:
    warehouse: Warehouse
    state: StateStore
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    cache: dict[str, Any] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    cookies: SessionCookies = field(init=False)
    tables: ServingWarehouse = field(init=False)
    secure_cookies: bool = False

    def __post_init__(self) -> None:
        self.tables = ServingWarehouse(self.warehouse)
        self.cookies = SessionCookies(setting(self.state, "session_key", lambda: secrets.token_urlsafe(48)))

    @property
    def db_path(self) -> Path:
        return self.warehouse.path

    @contextmanager
    def reading(self, principal: Principal) -> Iterator[tuple[Warehouse, Scope]]:
        """The warehouse and the principal's scope, for the duration of one request's queries.

        DuckDB connections are not shared between threads, so requests take turns on the one connection.
        """
        with self._lock:
            tables: Any = self.tables  # a Warehouse in all but name
            yield tables, scope_for(tables, self.state, principal)

    @contextmanager
    def locked(self) -> Iterator[Warehouse]:
        with self._lock:
            tables: Any = self.tables
            yield tables

    def close(self) -> None:
        self.warehouse.close()
        self.state.close()
