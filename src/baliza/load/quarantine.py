"""Writing what was refused (quarantine) and what was changed (normalisations) for one table.

A quarantined row keeps its file, line, first offending column and value, every reason (joined by
"; ") and the raw row as read (every column of the file, known or not), so nothing is lost. The cells
of persons rows that may identify someone are sealed as they are written (`baliza.load.protection`).
"""

from __future__ import annotations

import duckdb

from baliza.contract import Table
from baliza.load.protection import sealed_normalisation_sql, sealed_quarantine_sql, sealed_raw_cell_sql
from baliza.load.readers import StagedFile, on_line
from baliza.load.sql import literal, quote_name
from baliza.load.staging import FileColumns
from baliza.load.validation import quarantined_keys_table


def write_quarantine(
    con: duckdb.DuckDBPyConnection,
    load_id: int,
    table: Table,
    checked: str,
    files: list[tuple[StagedFile, FileColumns]],
) -> None:
    for index, (staged, columns) in enumerate(files):
        if staged.rows == 0:
            continue
        ragged = "c._errors[1].column IS NULL"
        own = staged.source_columns_from if staged.source_cells else None  # an export's cells, read from it
        cells = [f"r.c{i}" if own is None or i < own else f"s.c{i - own}" for i in range(len(staged.header))]
        raw_fields = ", ".join(
            f"{literal(name)}, {sealed_raw_cell_sql(table.name, header, cells[i], ragged)}"
            for i, (name, header) in enumerate(zip(columns.raw_names, staged.header, strict=True))
        )
        on_export = on_line(staged.source_line_sql, "s", "c._line")
        export = f"JOIN {quote_name(staged.source_cells or '')} s ON {on_export} " if own is not None else ""
        value = sealed_quarantine_sql(table.name, "c._errors[1].column", "c._errors[1].value")
        con.execute(
            f"INSERT INTO quarantine (load_id, table_name, source_file, line, column_name, value, reason, raw) "
            f"SELECT {load_id}, {literal(table.name)}, c._file, c._line, c._errors[1].column, {value}, "
            f"array_to_string(list_transform(c._errors, lambda x: x.reason), '; '), json_object({raw_fields}) "
            f"FROM {quote_name(checked)} c JOIN {quote_name(staged.raw_table)} r "
            f"ON {on_line(staged.line_sql, 'r', 'c._line')} "
            f"{export}"
            f"WHERE c._src = {index} AND len(c._errors) > 0 ORDER BY c._line"
        )


def remember_quarantined_keys(con: duckdb.DuckDBPyConnection, table: Table, checked: str) -> None:
    # Replaces the empty table `ensure_quarantined_keys` may have created for tables loaded later.
    """Keys this load quarantined for `table`, so that rows pointing at them say why they are refused."""
    if len(table.key) != 1:
        return
    key = f'"v__{table.key[0]}"'
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {quote_name(quarantined_keys_table(table.name))} AS "
        f"SELECT {key} AS key, arg_min(_file, _line) AS file, min(_line) AS line FROM {quote_name(checked)} "
        f"WHERE len(_errors) > 0 AND {key} IS NOT NULL GROUP BY {key}"
    )


def ensure_quarantined_keys(con: duckdb.DuckDBPyConnection, table_name: str) -> None:
    con.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {quote_name(quarantined_keys_table(table_name))} "
        "(key VARCHAR, file VARCHAR, line BIGINT)"
    )


def write_normalisations(con: duckdb.DuckDBPyConnection, load_id: int, table: Table, checked: str) -> None:
    """Record every changed cell of the accepted rows."""
    con.execute(
        f"INSERT INTO normalisations (load_id, table_name, source_file, line, column_name, original, normalised, rule) "
        f"SELECT {load_id}, {literal(table.name)}, _file, _line, n.column, "
        f"{sealed_normalisation_sql(table.name, 'n.column', 'n.original')}, "
        f"{sealed_normalisation_sql(table.name, 'n.column', 'n.normalised')}, n.rule "
        f"FROM (SELECT _file, _line, unnest(_norms) AS n FROM {quote_name(checked)} "
        f"WHERE len(_errors) = 0 AND len(_norms) > 0)"
    )
