"""Confidential people: their identifying columns are encrypted at rest after every load.

Protected are persons with `protected = true` and every person in `farmer_enrolments` or
`treatment_episodes`, whichever load brought that. Their `Column.personal` cells in `persons` and
`persons__history` are replaced by AES-GCM tokens (`baliza.access.fieldcrypt`). The quarantine and
the normalisations never hold personal cells in clear, for anyone: those are encrypted too.
"""

from __future__ import annotations

import json

import duckdb
import pyarrow as pa

from baliza.access.fieldcrypt import encrypt, is_encrypted
from baliza.contract import PROTECTING_TABLES, get_table
from baliza.load.sql import literal, quote_name

PERSONS = "persons"


def personal_columns() -> list[str]:
    return [c.name for c in get_table(PERSONS).columns if c.personal]


def protected_person_ids_sql() -> str:
    parts = [f"SELECT person_id FROM main.{PERSONS} WHERE protected"]
    parts += [f"SELECT person_id FROM main.{quote_name(t)}" for t in PROTECTING_TABLES]
    return " UNION ".join(parts)


def encrypt_protected_persons(con: duckdb.DuckDBPyConnection, key: bytes) -> int:
    """Encrypt the personal cells of protected people still in clear; returns how many rows changed."""
    changed = 0
    for table in (PERSONS, f"{PERSONS}__history"):
        changed += _encrypt_rows(con, key, table)
    return changed


def _encrypt_rows(con: duckdb.DuckDBPyConnection, key: bytes, table: str) -> int:
    columns = personal_columns()
    in_clear = " OR ".join(f"(CAST({quote_name(c)} AS VARCHAR) NOT LIKE 'enc:v1:%')" for c in columns)
    rows = con.execute(
        f"SELECT rowid, {', '.join(f'CAST({quote_name(c)} AS VARCHAR)' for c in columns)} "
        f"FROM main.{quote_name(table)} "
        f"WHERE person_id IN ({protected_person_ids_sql()}) AND ({in_clear})"
    ).fetchall()
    if not rows:
        return 0
    encrypted: dict[str, list[str | None]] = {c: [] for c in columns}
    for row in rows:
        for column, value in zip(columns, row[1:], strict=True):
            encrypted[column].append(value if value is None or is_encrypted(value) else encrypt(key, value))
    _update_by_rowid(con, table, [r[0] for r in rows], encrypted)
    return len(rows)


def _update_by_rowid(
    con: duckdb.DuckDBPyConnection, table: str, rowids: list[int], values: dict[str, list[str | None]]
) -> None:
    arrow = pa.table({"rid": pa.array(rowids, pa.int64()), **{c: pa.array(v, pa.string()) for c, v in values.items()}})
    con.register("_bz_encrypted", arrow)
    try:
        assignments = ", ".join(f"{quote_name(c)} = e.{quote_name(c)}" for c in values)
        con.execute(f"UPDATE main.{quote_name(table)} SET {assignments} FROM _bz_encrypted e "
                    f"WHERE main.{quote_name(table)}.rowid = e.rid")
    finally:
        con.unregister("_bz_encrypted")


def encrypt_personal_cells_in_records(con: duckdb.DuckDBPyConnection, key: bytes, load_id: int) -> None:
    """Personal cells of persons rows in this load's quarantine and normalisations, encrypted."""
    personal = set(personal_columns())
    table = literal(PERSONS)
    rows = con.execute(
        f"SELECT rowid, column_name, value, CAST(raw AS VARCHAR) FROM quarantine "
        f"WHERE load_id = {load_id} AND table_name = {table}"
    ).fetchall()
    if rows:
        values, raws = [], []
        for _, column, value, raw in rows:
            values.append(encrypt(key, value) if column in personal and value is not None else value)
            record = json.loads(raw) if raw else {}
            for name, cell in record.items():
                if name.strip().lower() in personal and isinstance(cell, str) and not is_encrypted(cell):
                    record[name] = encrypt(key, cell)
            raws.append(json.dumps(record, ensure_ascii=False))
        _update_by_rowid(con, "quarantine", [r[0] for r in rows], {"value": values, "raw": raws})
    names = ", ".join(literal(c) for c in sorted(personal))
    rows = con.execute(
        f"SELECT rowid, original, normalised FROM normalisations WHERE load_id = {load_id} "
        f"AND table_name = {table} AND column_name IN ({names})"
    ).fetchall()
    if rows:
        _update_by_rowid(con, "normalisations", [r[0] for r in rows], {
            "original": [None if r[1] is None else encrypt(key, r[1]) for r in rows],
            "normalised": [None if r[2] is None else encrypt(key, r[2]) for r in rows],
        })
