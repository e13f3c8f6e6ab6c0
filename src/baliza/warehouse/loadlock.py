"""The load lock: one writer of a warehouse at a time, and a plain answer for whoever comes second.

A lock file beside the warehouse (`.NAME.load-lock`, never deleted) is locked with `flock` for as long as
a load runs; the holder writes who it is, its process and since when into it, so that a second load
can say "a load by ana (process 4242 on host srv1) has been running since 02:14:05 UTC" and wait for it,
or give up. The operating system releases the lock when the holder's process ends, however it ends.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from baliza.access.files import PRIVATE_FILE
from baliza.i18n import gettext as _


@dataclass(frozen=True)
class LoadHolder:
    """Who holds the load lock: a user name (or "operator"), its process and host, since when (UTC)."""

    who: str
    pid: int
    host: str
    since: str

    def describe(self) -> str:
        return _("a load by %(who)s (process %(pid)s on %(host)s) has been running since %(since)s",
                 who=self.who, pid=self.pid, host=self.host, since=self.since)


class LoadRunning(RuntimeError):
    """Another load holds the lock and the caller chose not to wait."""

    def __init__(self, holder: LoadHolder | None) -> None:
        self.holder = holder
        running = holder.describe() if holder else _("another load is running")
        super().__init__(_("%(running)s; try again when it has finished", running=running))


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(f".{db_path.name}.load-lock")


def _open(db_path: Path) -> IO[str]:
    fd = os.open(lock_path(db_path), os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    return os.fdopen(fd, "r+", encoding="utf-8")


def _try(file: IO[str]) -> bool:
    try:
        fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def current_holder(db_path: Path) -> LoadHolder | None:
    """Who is loading into `db_path` now, or None if no load runs."""
    if not lock_path(db_path).exists():
        return None
    with _open(db_path) as file:
        if _try(file):
            return None  # nobody holds it (released when the file closes)
        return _read_holder(file)


def _read_holder(file: IO[str]) -> LoadHolder | None:
    file.seek(0)
    try:
        return LoadHolder(**json.loads(file.read()))
    except (ValueError, TypeError):
        return None  # being written, or written by something else


@contextmanager
def holding_load_lock(db_path: Path, who: str, on_wait: Callable[[LoadHolder], None] | None = None,
                      wait: bool = True) -> Iterator[LoadHolder]:
    """Hold the load lock of `db_path` for the block; wait for it (telling `on_wait` who holds it) or,
    with `wait=False`, raise `LoadRunning`."""
    with _open(db_path) as file:
        if not _try(file):
            holder = _read_holder(file)
            if not wait:
                raise LoadRunning(holder)
            if on_wait is not None and holder is not None:
                on_wait(holder)
            fcntl.flock(file.fileno(), fcntl.LOCK_EX)
        me = LoadHolder(who, os.getpid(), socket.gethostname(),
                        datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"))
        file.seek(0)
        file.truncate()
        file.write(json.dumps(asdict(me)))
        file.flush()
        try:
            yield me
        finally:
            file.seek(0)
            file.truncate()
            file.flush()
            fcntl.flock(file.fileno(), fcntl.LOCK_UN)


@contextmanager
def try_load_lock(db_path: Path) -> Iterator[bool]:
    """The load lock for the block if it is free (True), else nothing (False)."""
    if not db_path.parent.exists():
        yield False
        return
    with _open(db_path) as file:
        acquired = _try(file)
        try:
            yield acquired
        finally:
            if acquired:
                with contextlib.suppress(OSError):
                    fcntl.flock(file.fileno(), fcntl.LOCK_UN)
