"""Idempotent upsert with history: unchanged rows add nothing, changed rows replace and are kept.

A row is identified by its table's key; personal cells are written sealed (`baliza.load.protection`).
`_row_hash` is a 64-bit hash of its contract columns (as
typed and normalised): a row loaded again unchanged is skipped; a changed row replaces the stored
one, which moves to `<table>__history` with `_replaced_at` and `_replaced_by_load`.

The hash is DuckDB's `hash()` of the typed values (cheap, and cheap to store), except for tables
with personal columns, whose hash is keyed with a secret (see `row_hash_sql`). A stored row whose
hash differs is compared column by column before it is called changed, so a hash computed by
another version (of DuckDB or of Baliza) never turns an unchanged row into a replaced one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from baliza.contract import Column, Table
from baliza.load.protection import sealed_sql
from baliza.load.sql import literal, quote_name
from baliza.warehouse.schema import BOOKKEEPING_COLUMNS, history_table_name


@dataclass
class UpsertCounts:
    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0


def row_hash_sql(table: Table, pepper: str = "", cell: Callable[[Column], str] | None = None) -> str:
    """The hash of a row's contract columns. For tables with personal columns a secret `pepper` goes in
    too, through md5, so that the stored hash cannot be used to guess a protected person's identity.
    `cell(column)` is the SQL of a column's clear value (default: the load's `"v__NAME"` column)."""
    if pepper and any(c.personal for c in table.columns):
        value = cell or (lambda c: f'"v__{c.name}"')
        parts = ", ".join(f"coalesce(CAST({value(c)} AS VARCHAR), chr(0))" for c in table.columns)
        return f"md5_number_upper(concat_ws(chr(31), {literal(pepper)}, {parts}))"
    return "hash(" + ", ".join(f'"v__{c.name}"' for c in table.columns) + ")"


def upsert(
    con: duckdb.DuckDBPyConnection, load_id: int, table: Table, checked: str, *, pepper: str = ""
) -> UpsertCounts:
    target = f"main.{quote_name(table.name)}"
    columns = [c.name for c in table.columns] + [name for name, _ in BOOKKEEPING_COLUMNS]
    column_list = ", ".join(quote_name(c) for c in columns)
    # Personal cells are sealed in the INSERT itself: they never reach the file in clear.
    values = ", ".join(sealed_sql(f'"v__{c.name}"') if c.personal else f'"v__{c.name}"' for c in table.columns)
    if not con.execute(f"SELECT count(*) FROM (SELECT 1 FROM {target} LIMIT 1)").fetchall()[0][0]:
        # Nothing stored yet (a first load): every accepted row is new; no need to compare.
        inserted = con.execute(
            f"INSERT INTO {target} ({column_list}) SELECT {values}, _agency, {load_id}, _file, _line, "
            f"{row_hash_sql(table, pepper)} FROM {quote_name(checked)} WHERE len(_errors) = 0"
        ).fetchall()[0][0]
        return UpsertCounts(inserted=inserted)
    new = quote_name(f"_bz_new_{table.name}")
    key_match = " AND ".join(f'w.{quote_name(k)} = a."v__{k}"' for k in table.key)
    # TRY_CAST: a warehouse written before hashes were numbers holds text there (then rows are compared).
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {new} AS SELECT a.*, w.{quote_name(table.key[0])} IS NOT NULL AS _stored, "
        f"coalesce(TRY_CAST(w._row_hash AS UBIGINT) = a._hash, false) AS _same FROM "
        f"(SELECT *, {row_hash_sql(table, pepper)} AS _hash FROM {quote_name(checked)} WHERE len(_errors) = 0) a "
        f"LEFT JOIN {target} w ON {key_match}"
    )
    if not any(c.personal for c in table.columns):  # personal cells may be stored encrypted: hashes decide
        equal = " AND ".join(f'w.{quote_name(c.name)} IS NOT DISTINCT FROM a."v__{c.name}"' for c in table.columns)
        con.execute(f"UPDATE {new} a SET _same = true FROM {target} w "
                    f"WHERE a._stored AND NOT a._same AND {key_match} AND {equal}")
    inserted, replaced, unchanged = con.execute(
        f"SELECT count(*) FILTER (NOT _stored), count(*) FILTER (_stored AND NOT _same), count(*) FILTER (_same) "
        f"FROM {new}"
    ).fetchall()[0]
    if replaced:
        key_values = ", ".join(quote_name("v__" + k) for k in table.key)
        replaced_keys = f"(SELECT {key_values} FROM {new} WHERE _stored AND NOT _same) a"
        con.execute(
            f"INSERT INTO main.{quote_name(history_table_name(table.name))} ({column_list}, _replaced_at, "
            f"_replaced_by_load) SELECT {', '.join('w.' + quote_name(c) for c in columns)}, "
            f"now()::TIMESTAMP, {load_id} FROM {target} w JOIN {replaced_keys} ON {key_match}"
        )
        con.execute(f"DELETE FROM {target} w USING {replaced_keys} WHERE {key_match}")
    con.execute(
        f"INSERT INTO {target} ({column_list}) SELECT {values}, _agency, {load_id}, _file, _line, _hash "
        f"FROM {new} WHERE NOT _same"
    )
    con.execute(f"DROP TABLE {new}")
    return UpsertCounts(inserted, replaced, unchanged)
