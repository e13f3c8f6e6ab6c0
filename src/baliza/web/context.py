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

from baliza.access.principal import Principal
from baliza.access.scope import Scope, scope_for
from baliza.access.state import StateStore, setting
from baliza.warehouse.store import Warehouse
from baliza.web.ratelimit import LoginThrottle
from baliza.web.sessions import SessionCookies


@dataclass
class ServingContext:
    warehouse: Warehouse
    state: StateStore
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    cache: dict[str, Any] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    cookies: SessionCookies = field(init=False)
    secure_cookies: bool = False

    def __post_init__(self) -> None:
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
            yield self.warehouse, scope_for(self.warehouse, self.state, principal)

    @contextmanager
    def locked(self) -> Iterator[Warehouse]:
        with self._lock:
            yield self.warehouse

    def close(self) -> None:
        self.warehouse.close()
        self.state.close()
