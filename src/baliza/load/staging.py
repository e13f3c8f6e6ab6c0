"""Putting a table's files side by side: one view of text cells named after the contract's columns.

Each file's header is matched to the contract's columns (case and surrounding spaces ignored).
Unknown columns stay out of the warehouse and are reported; a required column absent from a file
quarantines every row of that file with that reason (the rows are kept, so nothing is lost).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from baliza.contract import ColumnType, Table
from baliza.load.errors import UnreadableFile
from baliza.load.normalisation import COMMA_DECIMAL
from baliza.load.readers import StagedFile
from baliza.load.sql import literal, quote_name, text_list


@dataclass
class FileColumns:
    """How a file's header maps onto its table: contract column -> raw column `cN`."""

    mapping: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)
    raw_names: list[str] = field(default_factory=list)
    """A unique name for each raw column (the header, made unique), for the quarantine's raw row."""


def match_columns(table: Table, staged: StagedFile) -> FileColumns:
    result = FileColumns()
    seen: set[str] = set()
    for i, name in enumerate(staged.header):
        key = name.strip().lower()
        raw_name = name or f"column_{i + 1}"
        while raw_name in seen:
            raw_name += "_"
        seen.add(raw_name)
        result.raw_names.append(raw_name)
        if staged.source_columns_from is not None and i >= staged.source_columns_from:
            continue  # an export's own cell, kept for the quarantine's raw row
        if table.has_column(key) and key not in result.mapping:
            result.mapping[key] = f"c{i}"
        elif table.has_column(key):
            staged.warnings.append(f"{staged.source.path}: column {name!r} appears twice; the first one is loaded")
        else:
            result.unknown.append(name)
    if staged.header and not result.mapping:
        shown = ", ".join(repr(h) for h in staged.header[:5])
        raise UnreadableFile(
            staged.source.path,
            f"none of its columns ({shown}) is a column of {table.name}; expected a comma-separated file "
            f"with a header row such as {', '.join(table.key)}",
        )
    result.missing_required = [c.name for c in table.required_columns if c.name not in result.mapping]
    if result.unknown:
        listed = ", ".join(repr(u) for u in result.unknown)
        staged.warnings.append(
            f"{staged.source.path}: column(s) {listed} are not in the contract's {table.name} table; not loaded"
        )
    return result


def comma_columns(con: duckdb.DuckDBPyConnection, table: Table, staged: StagedFile, columns: FileColumns) -> list[str]:
    """Decimal columns that use a comma decimal mark throughout this file (and never a dot)."""
    candidates = [c.name for c in table.columns if c.type == ColumnType.DECIMAL and c.name in columns.mapping]
    if not candidates or staged.rows == 0:
        return []
    has_comma = ", ".join(f"coalesce(bool_or(contains({columns.mapping[n]}, ',')), false)" for n in candidates)
    commas = con.execute(f"SELECT {has_comma} FROM {quote_name(staged.raw_table)}").fetchall()[0]
    candidates = [name for name, comma in zip(candidates, commas, strict=True) if comma]
    if not candidates:
        return []
    checks = []
    for name in candidates:
        raw = f"trim({columns.mapping[name]})"
        checks.append(
            f"coalesce(bool_and({raw} IS NULL OR {raw} = '' OR regexp_full_match({raw}, {literal(COMMA_DECIMAL)})) "
            f"AND bool_or(contains({raw}, ',')), false)"
        )
    flags = con.execute(f"SELECT {', '.join(checks)} FROM {quote_name(staged.raw_table)}").fetchall()[0]
    return [name for name, flag in zip(candidates, flags, strict=True) if flag]


def file_select(
    table: Table, index: int, staged: StagedFile, columns: FileColumns, comma: list[str], agency: str | None
) -> str:
    """One file's rows as the validation expects them: `raw__<column>` plus the row's context."""
    manifest = staged.source.manifest
    numeric = [name for name, raw in columns.mapping.items() if int(raw[1:]) in staged.numeric]
    cells = ", ".join(
        f"{columns.mapping[c.name]} AS {quote_name('raw__' + c.name)}" if c.name in columns.mapping
        else f"NULL::VARCHAR AS {quote_name('raw__' + c.name)}"
        for c in table.columns
    )
    return (
        f"SELECT {index} AS _src, {literal(str(staged.source.path))} AS _file, {staged.line_sql} AS _line, "
        f"{literal(agency) if agency else 'NULL::VARCHAR'} AS _agency, {staged.problem_sql} AS _problem, "
        f"{staged.problem_column_sql} AS _problem_column, "
        f"{text_list(columns.missing_required)} AS _missing, {text_list(comma)} AS _comma, "
        f"{str(manifest.decimal_comma).upper()} AS _decimal_comma, {text_list(numeric)} AS _numeric, "
        f"{str(manifest.day_first).upper()} AS _day_first, "
        f"{literal(manifest.timezone) if manifest.timezone else 'NULL::VARCHAR'} AS _tz, "
        f"{str(staged.trimmed).upper()} AS _trimmed, {cells} "
        f"FROM {quote_name(staged.raw_table)}"
    )
