"""Rebuilding the warehouse file, so that values sealed in place leave no clear copy in its free blocks.

Baliza seals personal cells as it writes them (`baliza.load.protection`), so this is needed only once,
for a warehouse written by an earlier Baliza: the load that seals its clear cells in place leaves the
old blocks (DuckDB neither zeroes nor reliably reuses them). The database is copied into a fresh file
(`COPY FROM DATABASE`), which then replaces the old one atomically, with the old one's permissions; the
WAL is checkpointed first, so none remains.
"""

from __future__ import annotations

import os
import stat
from typing import TYPE_CHECKING

import ibis

from baliza.load.sql import literal

if TYPE_CHECKING:
    from baliza.warehouse import Warehouse

FRESH = "_bz_fresh"


def rebuild_file(warehouse: Warehouse) -> None:
    """Copy `warehouse` into a fresh file that replaces it; `warehouse` is reconnected to it."""
    path = warehouse.path
    fresh = path.with_name(path.name + ".rebuild")
    fresh.unlink(missing_ok=True)
    con = warehouse.duckdb
    con.execute("CHECKPOINT")
    database = con.execute("SELECT current_database()").fetchall()[0][0]
    con.execute(f"ATTACH {literal(str(fresh))} AS {FRESH}")
    try:
        con.execute(f'COPY FROM DATABASE "{database}" TO {FRESH}')
    finally:
        con.execute(f"DETACH {FRESH}")
    os.chmod(fresh, stat.S_IMODE(os.stat(path).st_mode))
    warehouse.close()
    os.replace(fresh, path)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)  # checkpointed on close; a stale one must not replay
    warehouse.con = ibis.duckdb.connect(str(path))
