"""Writing the warehouse while it is served: each load works on a private copy that replaces the file at once.

A served warehouse is opened read-only by the server (DuckDB then holds a shared lock on the file, and a
writer could not open it). A load therefore never writes the served file: under the load lock
(`loadlock`), it copies the warehouse to a hidden working file beside it (`.NAME.loading-PID`), loads
into the copy, checkpoints and closes it, and renames it over the warehouse (`os.replace`, atomic on one
file system). Readers that have the old file open keep reading it (the old inode lives until they close
it); the server notices the new file and reopens (`baliza.web.context`). So:

- readers never see a half-done load: they see the old file or the new one, whole;
- a failed or killed load changes nothing: the copy is deleted (or, if the process was killed, found and
  deleted by the next load or the next `baliza serve`, which run `clean_strays`);
- the cost is a copy of the file per load, and twice the warehouse's size in free disk while it runs.

Every writer of a warehouse goes through `publishing` (`baliza load`, the browser upload, `baliza
restore`), so two writers never overwrite each other's work: the second waits for the lock.
"""

from __future__ import annotations

import itertools
import os
import shutil
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from baliza.access.fieldcrypt import KeyRing
from baliza.access.files import private_folder
from baliza.warehouse.keyfiles import settle_key_files
from baliza.warehouse.loadlock import LoadHolder, holding_load_lock, try_load_lock
from baliza.warehouse.store import Warehouse

LOADING = ".loading-"
SERVING = ".serving-"
_aliases = itertools.count(1)


def working_path(db_path: Path) -> Path:
    """The hidden file a load of `db_path` writes to, named after the loading process."""
    return db_path.with_name(f".{db_path.name}{LOADING}{os.getpid()}")


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_strays(db_path: Path) -> list[Path]:
    """Delete what killed loads and servers left beside `db_path`: working copies (the caller holds the
    load lock, so none is in use) and read aliases of servers that are no longer running. Returns them."""
    removed = []
    prefix = f".{db_path.name}"
    for path in db_path.parent.glob(f"{prefix}*"):
        rest = path.name[len(prefix):]
        if rest.startswith(LOADING):
            stray = True
        elif rest.startswith(SERVING):
            pid = rest[len(SERVING):].split("-")[0].split(".")[0]
            stray = not pid.isdigit() or not process_alive(int(pid))
        else:
            stray = False
        if stray:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def clean_strays_if_idle(db_path: Path) -> list[Path]:
    """`clean_strays` when no load is running (a running load's copy is left alone)."""
    with try_load_lock(db_path) as acquired:
        return clean_strays(db_path) if acquired else []


def _copy(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)
    os.chmod(target, stat.S_IMODE(os.stat(source).st_mode))
    if _wal(source).exists():  # left by a writer that did not close: replayed into the copy when it opens
        shutil.copyfile(_wal(source), _wal(target))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def publishing(db_path: Path, who: str, on_wait: Callable[[LoadHolder], None] | None = None,
               wait: bool = True, before_publish: Callable[[], None] | None = None,
               after_publish: Callable[[], None] | None = None) -> Iterator[Warehouse]:
    """A writable copy of the warehouse at `db_path` (created if there is none), published over it when
    the block ends without an exception, thrown away otherwise.

    `who` names the writer for anyone who finds the lock taken (a user name, or "operator");
    `on_wait(holder)` is called once if another load holds the lock, before waiting for it (with
    `wait=False`, `LoadRunning` is raised instead).
    """
    db_path = Path(db_path)
    private_folder(db_path.parent)
    with holding_load_lock(db_path, who, on_wait=on_wait, wait=wait):
        clean_strays(db_path)
        work = working_path(db_path)
        try:
            if db_path.exists():
                _copy(db_path, work)
            warehouse = Warehouse(work, home=db_path)
            try:
                settle_key_files(db_path, warehouse.duckdb)
                yield warehouse
            finally:
                warehouse.close()  # checkpoints: the copy is whole, with no WAL
            _fsync(work)
            if before_publish is not None:
                before_publish()
            _wal(db_path).unlink(missing_ok=True)  # a stale log must never replay onto the new file
            os.replace(work, db_path)
            _fsync(db_path.parent)
            if after_publish is not None:
                after_publish()
        finally:
            work.unlink(missing_ok=True)
            _wal(work).unlink(missing_ok=True)


def file_identity(path: Path) -> tuple[int, int] | None:
    """Which file `path` names now (device and inode): it changes when a load publishes a new file."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino


def open_snapshot(db_path: Path) -> Warehouse:
    """The warehouse at `db_path` as it is now, read-only, for as long as the caller keeps it open.

    It is opened through a hard link of its own (`.NAME.serving-PID-N`): DuckDB keeps one database per
    path in a process, so the file a load has just published could not be opened beside the old one
    under the same name. `close_snapshot` removes the link.
    """
    db_path = Path(db_path)
    if not db_path.exists():
        raise FileNotFoundError(
            f"no warehouse at {db_path}: load a dataset first (baliza load DIR --db {db_path})")
    # The keys are read before the file is linked, so that they open it even if a key rotation publishes
    # meanwhile and then removes the old key (`fieldcrypt.KeyRing.for_warehouse`).
    keys = KeyRing.for_warehouse(db_path)
    while True:
        alias = db_path.with_name(f".{db_path.name}{SERVING}{os.getpid()}-{next(_aliases)}")
        alias.unlink(missing_ok=True)
        try:
            os.link(db_path, alias)
        except FileNotFoundError:  # replaced between the check and the link: link the new one
            continue
        break
    try:
        snapshot = Warehouse(alias, read_only=True, home=db_path)
        snapshot.keys = keys
        return snapshot
    except BaseException:
        alias.unlink(missing_ok=True)
        raise


def close_snapshot(warehouse: Warehouse) -> None:
    """Close a snapshot from `open_snapshot` and remove its link (its file goes once nothing holds it)."""
    warehouse.close()
    if warehouse.path != warehouse.home:
        warehouse.path.unlink(missing_ok=True)
        # the search index built for this link (`web.search_index`) goes with it
        warehouse.path.with_name(warehouse.path.name + ".search.sqlite").unlink(missing_ok=True)
