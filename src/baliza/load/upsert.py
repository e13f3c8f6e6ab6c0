"""Idempotent upsert with history: unchanged rows add nothing, changed rows replace and are kept.

A row is identified by its table's key. `_row_hash` is the hash of its contract columns (as typed
and normalised): a row loaded again unchanged is skipped; a row whose hash differs replaces the
stored one, which moves to `<table>__history` with `_replaced_at` and `_replaced_by_load`.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from baliza.contract import Table
from baliza.load.sql import quote_name
from baliza.warehouse.schema import BOOKKEEPING_COLUMNS, history_table_name


@dataclass
class UpsertCounts:
    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0


def row_hash_sql(table: Table) -> str:
    parts = ", ".join(f'coalesce(CAST("v__{c.name}" AS VARCHAR), chr(0))' for c in table.columns)
    return f"md5(concat_ws(chr(31), {parts}))"


def upsert(con: duckdb.DuckDBPyConnection, load_id: int, table: Table, checked: str) -> UpsertCounts:
    target = f"main.{quote_name(table.name)}"
    columns = [c.name for c in table.columns] + [name for name, _ in BOOKKEEPING_COLUMNS]
    column_list = ", ".join(quote_name(c) for c in columns)
    values = ", ".join(f'"v__{c.name}"' for c in table.columns)
    if not con.execute(f"SELECT count(*) FROM (SELECT 1 FROM {target} LIMIT 1)").fetchall()[0][0]:
        # Nothing stored yet (a first load): every accepted row is new; no need to compare.
        inserted = con.execute(
            f"INSERT INTO {target} ({column_list}) SELECT {values}, _agency, {load_id}, _file, _line, "
            f"{row_hash_sql(table)} FROM {quote_name(checked)} WHERE len(_errors) = 0"
        ).fetchall()[0][0]
        return UpsertCounts(inserted=inserted)
    new = f"_bz_new_{table.name}"
    key_match = " AND ".join(f'w.{quote_name(k)} = a."v__{k}"' for k in table.key)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {quote_name(new)} AS SELECT a.*, w._row_hash AS _old_hash FROM "
        f"(SELECT *, {row_hash_sql(table)} AS _hash FROM {quote_name(checked)} WHERE len(_errors) = 0) a "
        f"LEFT JOIN {target} w ON {key_match}"
    )
    inserted, replaced, unchanged = con.execute(
        f"SELECT count(*) FILTER (_old_hash IS NULL), count(*) FILTER (_old_hash <> _hash), "
        f"count(*) FILTER (_old_hash = _hash) FROM {quote_name(new)}"
    ).fetchall()[0]
    if replaced:
        key_values = ", ".join(quote_name("v__" + k) for k in table.key)
        replaced_keys = f"(SELECT {key_values} FROM {quote_name(new)} WHERE _old_hash <> _hash) a"
        con.execute(
            f"INSERT INTO main.{quote_name(history_table_name(table.name))} ({column_list}, _replaced_at, "
            f"_replaced_by_load) SELECT {', '.join('w.' + quote_name(c) for c in columns)}, "
            f"now()::TIMESTAMP, {load_id} FROM {target} w JOIN {replaced_keys} ON {key_match}"
        )
        con.execute(f"DELETE FROM {target} w USING {replaced_keys} WHERE {key_match}")
    con.execute(
        f"INSERT INTO {target} ({column_list}) SELECT {values}, _agency, {load_id}, _file, _line, _hash "
        f"FROM {quote_name(new)} WHERE _old_hash IS NULL OR _old_hash <> _hash"
    )
    con.execute(f"DROP TABLE {quote_name(new)}")
    return UpsertCounts(inserted, replaced, unchanged)
