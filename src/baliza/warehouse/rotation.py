"""Rotating the field key: every sealed cell re-sealed under a new key, while the warehouse is served.

`baliza keys rotate` writes like a load (`warehouse.publishing`): under the load lock, on a private copy
of the warehouse, published over it at once. Readers keep the old file until the server reopens the new
one, and open either with their `KeyRing` (`access.fieldcrypt`). On the copy:

1. the new key is written to `<db>.key.next`;
2. every token in every text column of every table (persons and their history, the quarantine's values
   and raw rows, the normalisations, and anything sealed that a later Baliza adds) is opened with the old
   key and sealed again with the new one, in memory (a DuckDB function over each column: the clear value
   never reaches a table, the WAL or the temp folder);
3. the blind indexes (`person_lookups`) and the keyed row hashes of persons are recomputed under the new
   key, for the same people (so lookups still match, and a reload of the same rows changes nothing);
4. the copy is rebuilt into a fresh file (`load.compaction`), so the old tokens' blocks go;
5. just before the copy is published the old key is kept as `<db>.key.retired` and the new one becomes
   `<db>.key`; just after, the retired key is removed, and so is the search index beside the warehouse
   (built from the old file).

Killed before step 5, nothing changed (the copy and the next key are strays, removed by the next writer);
killed during it, the next writer keeps whichever key opens the published file (`warehouse.keyfiles`).
The ids that mappings make keep their own key (`<db>.ids.key`): a rotation does not change them.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from baliza.access import fieldcrypt
from baliza.access.files import write_private
from baliza.contract import get_table
from baliza.i18n import gettext as _
from baliza.load.compaction import rebuild_file
from baliza.load.protection import PERSONS, rewrite_lookups, sealing
from baliza.load.sql import literal, quote_name
from baliza.load.upsert import row_hash_sql
from baliza.warehouse.keyfiles import sample_token
from baliza.warehouse.loadlock import LoadHolder
from baliza.warehouse.publishing import publishing
from baliza.warehouse.schema import history_table_name

RESEAL, OPEN = "_bz_reseal", "_bz_open"
_TEXT_TYPES = ("VARCHAR", "JSON")


class RotationError(RuntimeError):
    """A rotation that cannot be done, said plainly (nothing was changed)."""


@dataclass
class Rotation:
    """What a rotation did: the keys' public ids, and how many cells, lookups and row hashes it rewrote."""

    old_key_id: str
    new_key_id: str
    cells: dict[str, int] = field(default_factory=dict)  # "table.column": tokens re-sealed
    lookups: int = 0
    row_hashes: int = 0

    @property
    def sealed_cells(self) -> int:
        return sum(self.cells.values())


def _text_columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(table, column, type) of every text column of the warehouse's own tables."""
    rows = con.execute("SELECT table_name, column_name, data_type FROM duckdb_columns() "
                       "WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal "
                       "ORDER BY table_name, column_index").fetchall()
    return [(t, c, d) for t, c, d in rows if d in _TEXT_TYPES]


def _register(con: duckdb.DuckDBPyConnection, name: str, function: Callable[[str], str]) -> None:
    def apply(values: pa.Array) -> pa.Array:
        return pa.array([None if v is None else function(v) for v in values.to_pylist()], pa.string())

    con.create_function(name, apply, ["VARCHAR"], "VARCHAR",  # type: ignore[call-overload]
                        type="arrow", null_handling="special", side_effects=True)


def reseal_warehouse(con: duckdb.DuckDBPyConnection, old: bytes, new: bytes) -> Rotation:
    """Re-seal, on `con` (a private copy), every token sealed with `old` under `new`, and recompute the
    blind indexes and the keyed row hashes. A token that `old` does not open stops it (`RotationError`)."""
    ring = fieldcrypt.KeyRing([old, new])  # lookups and hashes are recomputed from re-sealed cells
    sealer = fieldcrypt.Sealer(new)

    def reseal_token(match: object) -> str:
        return sealer.seal(ring.open(match.group(0)))  # type: ignore[attr-defined]

    def open_cell(text: str) -> str:
        return ring.open(text) if fieldcrypt.is_encrypted(text) else text

    rotation = Rotation(fieldcrypt.key_id(old), fieldcrypt.key_id(new))
    _register(con, RESEAL, lambda text: fieldcrypt.TOKEN.sub(reseal_token, text))
    _register(con, OPEN, open_cell)
    try:
        with sealing(con, new):
            for table, column, kind in _text_columns(con):
                name = quote_name(column)
                text = f"CAST({name} AS VARCHAR)" if kind == "JSON" else name
                resealed = f"CAST({RESEAL}({text}) AS JSON)" if kind == "JSON" else f"{RESEAL}({text})"
                changed = con.execute(f"UPDATE main.{quote_name(table)} SET {name} = {resealed} "
                                      f"WHERE contains({text}, {literal(fieldcrypt.PREFIX)})").fetchall()[0][0]
                if changed:
                    rotation.cells[f"{table}.{column}"] = int(changed)
            rotation.lookups = rewrite_lookups(con, lambda sql: f"{OPEN}({sql})")
            rotation.row_hashes = _rehash(con, fieldcrypt.row_hash_pepper(new))
    except Exception as error:
        if type(error).__name__ == "InvalidInputException" and "InvalidTag" in str(error):
            raise RotationError(_("a sealed cell of the warehouse does not open with its key file: nothing "
                                  "was changed")) from None
        raise
    finally:
        for name in (RESEAL, OPEN):
            con.remove_function(name)
    return rotation


def _rehash(con: duckdb.DuckDBPyConnection, pepper: str) -> int:
    """The keyed row hashes of persons (and their history) under the new key's pepper."""
    persons = get_table(PERSONS)
    hashed = row_hash_sql(persons, pepper, lambda c: f"{OPEN}({quote_name(c.name)})" if c.personal
                          else quote_name(c.name))
    changed = 0
    for table in (PERSONS, history_table_name(PERSONS)):
        changed += con.execute(f"UPDATE main.{quote_name(table)} SET _row_hash = {hashed}").fetchall()[0][0]
    return int(changed)


def rotate_field_key(db_path: Path, who: str, on_wait: Callable[[LoadHolder], None] | None = None) -> Rotation:
    """Re-seal the warehouse at `db_path` under a new field key, without stopping its readers."""
    db_path = Path(db_path)
    if fieldcrypt.key_in_environment():
        raise RotationError(_("the field key comes from %(variable)s: a rotation writes a key file, so unset "
                              "it (keep its value as %(file)s) and rotate again",
                              variable=fieldcrypt.KEY_ENVIRONMENT_VARIABLE, file=str(fieldcrypt.key_path(db_path))))
    if not db_path.exists():
        raise RotationError(_("no warehouse at %(path)s", path=str(db_path)))
    current, retired, upcoming = (fieldcrypt.key_path(db_path), fieldcrypt.retired_key_path(db_path),
                                  fieldcrypt.next_key_path(db_path))
    new = fieldcrypt.new_key()
    moved = {"keys": False, "warehouse": False}

    def swap_keys() -> None:  # the old key stays readable (retired) while readers move to the new file
        write_private(retired, current.read_text())
        os.replace(upcoming, current)
        moved["keys"] = True

    def forget_old_key() -> None:
        moved["warehouse"] = True
        retired.unlink(missing_ok=True)
        db_path.with_name(db_path.name + ".search.sqlite").unlink(missing_ok=True)  # built from the old file

    try:
        with publishing(db_path, who, on_wait=on_wait, before_publish=swap_keys,
                        after_publish=forget_old_key) as wh:
            old = _old_key(db_path, wh.duckdb)
            write_private(upcoming, base64.b64encode(new).decode("ascii"))
            rotation = reseal_warehouse(wh.duckdb, old, new)
            rebuild_file(wh)
    except BaseException:
        if moved["keys"] and not moved["warehouse"]:  # the old file stays: so does its key
            os.replace(retired, current)
        upcoming.unlink(missing_ok=True)
        raise
    _audit(db_path, who, rotation)
    return rotation


def _old_key(db_path: Path, con: duckdb.DuckDBPyConnection) -> bytes:
    """The key file's key, checked against a sealed cell of the warehouse."""
    current = fieldcrypt.key_path(db_path)
    old = fieldcrypt.read_key_file(current)
    token = sample_token(con)
    if old is None:
        if token is not None:
            raise RotationError(_("the warehouse holds sealed cells but there is no key file at %(file)s",
                                  file=str(current)))
        return fieldcrypt.key_for(db_path)
    if token is not None and not fieldcrypt.opens(old, token):
        raise RotationError(_("the key file %(file)s does not open this warehouse: nothing was changed",
                              file=str(current)))
    return old


def _audit(db_path: Path, who: str, rotation: Rotation) -> None:
    from baliza.access.audit import record
    from baliza.access.state import open_state_beside

    store = open_state_beside(db_path)
    try:
        record(store, who, "-", "key_rotate", f"warehouse/{db_path.name}",
               {"old_key": rotation.old_key_id, "new_key": rotation.new_key_id, "cells": rotation.sealed_cells,
                "lookups": rotation.lookups, "row_hashes": rotation.row_hashes})
    finally:
        store.close()
