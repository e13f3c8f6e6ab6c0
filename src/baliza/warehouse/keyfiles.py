"""Which key file opens the warehouse, after a key rotation that may have been killed half-way.

A rotation (`baliza.warehouse.rotation`) writes the new key to `<db>.key.next`, re-seals a copy of the
warehouse under it, then, just before publishing the copy, keeps the old key as `<db>.key.retired` and
moves the new one to `<db>.key`; once the copy is published the retired key is removed. Killed at any
point, it leaves key files that `settle_key_files` puts right, under the load lock, before the next write:
whichever of the keys opens the warehouse's tokens becomes `<db>.key`, and the others go. So a rotation
killed before it published changes nothing, and one killed after it published is complete.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from baliza.access import fieldcrypt
from baliza.contract import get_table
from baliza.load.sql import literal, quote_name

_SEALED_PLACES: tuple[tuple[str, str], ...] = (
    *(("persons", c.name) for c in get_table("persons").columns if c.personal),
    ("quarantine", "value"),
    ("normalisations", "original"),
)


def sample_token(con: duckdb.DuckDBPyConnection) -> str | None:
    """One sealed cell of the warehouse open on `con`, or None when it holds none."""
    tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    for table, column in _SEALED_PLACES:
        if table not in tables:
            continue
        found = con.execute(f"SELECT {quote_name(column)} FROM main.{quote_name(table)} "
                            f"WHERE starts_with({quote_name(column)}, {literal(fieldcrypt.PREFIX)}) LIMIT 1").fetchall()
        if found:
            return str(found[0][0])
    return None


def settle_key_files(db_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    """Leave one key file for the warehouse at `db_path` (open on `con`): the one that opens its tokens.
    The caller holds the load lock. A key given in `BALIZA_KEY` is not a file: nothing to settle."""
    if fieldcrypt.key_in_environment():
        return
    current_path = fieldcrypt.key_path(Path(db_path))
    candidates = {path: fieldcrypt.read_key_file(path) for path in
                  (current_path, fieldcrypt.retired_key_path(db_path), fieldcrypt.next_key_path(db_path))}
    present = {path: key for path, key in candidates.items() if key is not None}
    if len(present) <= 1 and current_path in present:
        return
    token = sample_token(con)
    opening = next((p for p, key in present.items() if token is None or fieldcrypt.opens(key, token)), None)
    if opening is None:
        return  # no key file opens it: leave them all for an operator to look at
    if opening != current_path:
        os.replace(opening, current_path)
    for path in present:
        if path not in (opening, current_path):
            path.unlink(missing_ok=True)
