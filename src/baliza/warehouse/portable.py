"""The DuckDB warehouse's tables in types every engine holds, as Arrow: what PostgreSQL and Spark receive.

DuckDB has types the others lack: `UBIGINT` (a row's hash, up to 2**64) becomes a 20-digit decimal, `JSON`
becomes text (PostgreSQL would parse it; Spark has no JSON type). Everything else (text, integers, doubles,
booleans, dates, timestamps without zone, lists of text) crosses as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pyarrow as pa

if TYPE_CHECKING:
    import duckdb

PORTABLE_CASTS: dict[str, str] = {
    "UBIGINT": "DECIMAL(20, 0)",
    "HUGEINT": "DECIMAL(38, 0)",
    "UHUGEINT": "DECIMAL(38, 0)",
    "UINTEGER": "BIGINT",
    "USMALLINT": "INTEGER",
    "UTINYINT": "SMALLINT",
    "JSON": "VARCHAR",
}


def table_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The base tables of the warehouse file (not temporary tables, not views), by name."""
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND NOT temporary ORDER BY table_name"
    ).fetchall()
    return [r[0] for r in rows]


def portable_select(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """A SELECT of every column of `table`, cast where DuckDB's type has no match elsewhere."""
    columns = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name = ? ORDER BY column_index", [table]
    ).fetchall()
    parts = []
    for name, kind in columns:
        quoted = '"' + name.replace('"', '""') + '"'
        cast = PORTABLE_CASTS.get(kind)
        parts.append(f"CAST({quoted} AS {cast}) AS {quoted}" if cast else quoted)
    return f'SELECT {", ".join(parts)} FROM "{table}"'


def portable_tables(con: duckdb.DuckDBPyConnection) -> Iterator[tuple[str, pa.Table]]:
    """Each base table of the warehouse as Arrow, in portable types."""
    for name in table_names(con):
        yield name, con.sql(portable_select(con, name)).to_arrow_table()
