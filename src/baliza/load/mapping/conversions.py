"""What a mapping converted, counted and sampled for the load's `normalisations`.

A contract normalisation is recorded cell by cell. A mapping typically converts every line (each date
read from the export's format, each unit and substance word, each place looked up): a million records
for a million rows would cost more than the load. So each conversion of a column is counted (in the
load report, `conversions`: `seized_at: mapping_date_format` -> lines) and sampled: the most frequent
distinct conversions (at most `CONVERSION_SAMPLES` per column), each recorded in `normalisations` with
the export file and the first line it was made on, the value as the conversion read it (the export's cell,
or the part a split or template made of it) and the value it became. The
counts and samples are taken from the per-value tables the projection builds anyway (one row per distinct
value), so they cost a few milliseconds; a decimal mark, read on each line, is counted on the rows.
Lines that are not data are not counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from baliza.contract import Table
from baliza.load.protection import sealed_normalisation_sql
from baliza.load.sql import literal, quote_name

CONVERSION_SAMPLES = 20
"""Distinct conversions of a column listed in `normalisations` (the most frequent, with their first line)."""


@dataclass(frozen=True)
class Conversion:
    """What a rule converted (a date format, a vocabulary, a lookup, a decimal mark), to count and sample.

    `per_value` is a temp table with one row per distinct value of the cells the rule reads: `original`
    (the cell as written), `value` (what it became), `_n` (data lines with it) and `_first` (the first
    such line); else `before` is a column of the raw table holding the value before the decimal mark was
    read where reading it changed the value (else NULL), and the conversion is counted on the rows."""

    column: str
    position: int
    """The contract column's position in the raw table (`c<position>`)."""
    rule: str
    per_value: str | None = None
    before: str | None = None


@dataclass
class Converted:
    """The conversions of one staged export: counts by `column: rule`, and samples."""

    counts: dict[str, int] = field(default_factory=dict)
    samples: list[tuple[int, str, str, str, str]] = field(default_factory=list)
    """(line, column, original, normalised, rule)."""


def count_conversions(con: duckdb.DuckDBPyConnection, conversions: list[Conversion], raw_table: str) -> Converted:
    """Count and sample `conversions` (from the projection's plan) once the raw table `raw_table` is built and
    before the per-value tables are dropped."""
    converted = Converted()
    for conversion in conversions:
        if conversion.per_value is not None:
            changed = ("_n > 0 AND original IS NOT NULL AND value IS NOT NULL AND value <> original")
            # Distinct cells may convert alike (a split or a template before a vocabulary): one sample each.
            rows = con.execute(
                f"SELECT min(_first), original, value, sum(sum(_n)) OVER () FROM {quote_name(conversion.per_value)} "
                f"WHERE {changed} GROUP BY original, value ORDER BY sum(_n) DESC, min(_first) "
                f"LIMIT {CONVERSION_SAMPLES}").fetchall()
            total = int(rows[0][3]) if rows else 0
        else:
            value, before = f"c{conversion.position}", quote_name(conversion.before or "")
            changed = f"_problem IS NULL AND {before} IS NOT NULL AND {value} IS DISTINCT FROM {before}"
            rows = con.execute(f"SELECT _line, {before}, {value}, count(*) OVER () FROM {quote_name(raw_table)} "
                               f"WHERE {changed} ORDER BY _line LIMIT {CONVERSION_SAMPLES}").fetchall()
            total = int(rows[0][3]) if rows else 0
        if total:
            key = f"{conversion.column}: {conversion.rule}"
            converted.counts[key] = converted.counts.get(key, 0) + total
            converted.samples += [(int(line), conversion.column, str(original), str(value), conversion.rule)
                                  for line, original, value, _ in rows]
    return converted


def write_conversions(con: duckdb.DuckDBPyConnection, load_id: int, table: Table, source_file: str,
                      converted: Converted) -> None:
    """Record the sampled conversions of one export in `normalisations` (sealed as the contract's are)."""
    if not converted.samples:
        return
    lines, columns, originals, values, rules = zip(*converted.samples, strict=True)
    arrow = pa.table({"line": pa.array(lines, pa.int64()), "column_name": pa.array(columns, pa.string()),
                      "original": pa.array(originals, pa.string()), "normalised": pa.array(values, pa.string()),
                      "rule": pa.array(rules, pa.string())})
    con.register("_bz_conversions_arrow", arrow)
    try:
        con.execute(
            "INSERT INTO normalisations (load_id, table_name, source_file, line, column_name, original, normalised, "
            f"rule) SELECT {int(load_id)}, {literal(table.name)}, {literal(source_file)}, line, column_name, "
            f"{sealed_normalisation_sql(table.name, 'column_name', 'original')}, "
            f"{sealed_normalisation_sql(table.name, 'column_name', 'normalised')}, rule "
            "FROM _bz_conversions_arrow ORDER BY line")
    finally:
        con.unregister("_bz_conversions_arrow")
