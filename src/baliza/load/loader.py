"""One load: every file of the given dataset folders, validated and upserted in one transaction.

Tables are processed in the contract's `load_order()`, so that a row's references are checked
against the rows this load accepted (and the warehouse already held) before it; a row quarantined
in one table quarantines the rows that point at it, down the chain. Any error, or Ctrl-C, rolls the
whole load back: the warehouse is as it was.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from baliza.access.fieldcrypt import ids_key_for, key_for, row_hash_pepper
from baliza.contract import Table, load_order
from baliza.contract.normalise import country_spellings
from baliza.load.compaction import rebuild_file
from baliza.load.mapping.conversions import write_conversions
from baliza.load.mapping.spec import Mapping
from baliza.load.mapping.stage import MappedReader, mapped_id_key
from baliza.load.normalisation import spelling_summary
from baliza.load.ownership import SUCCESSIONS, record_successions
from baliza.load.protection import PERSONS, forget_protected_lookups, seal_cells_in_clear, sealing, write_lookups
from baliza.load.quarantine import (
    ensure_quarantined_keys,
    remember_quarantined_keys,
    write_normalisations,
    write_quarantine,
)
from baliza.load.readers import StagedFile, stage_file
from baliza.load.report import FileReport, LoadReport, TableReport
from baliza.load.sources import discover
from baliza.load.sql import literal, quote_name
from baliza.load.staging import FileColumns, comma_columns, file_select, match_columns
from baliza.load.upsert import row_hash_sql, upsert
from baliza.load.validation import (
    cell_checks_sql,
    copies_sql,
    file_name_sql,
    key_and_reference_checks_sql,
    quarantined_keys_table,
    repeated_keys_sql,
)

if TYPE_CHECKING:
    import duckdb

    from baliza.warehouse import Warehouse

Progress = Callable[[str, int, int], None]
"""Called as progress(step description, steps done, steps in all)."""
Rehearsal = Callable[["duckdb.DuckDBPyConnection", int], None]
"""Called with the connection and the load id of a load that will be rolled back (a dry run)."""


def load_datasets(
    warehouse: Warehouse,
    paths: Sequence[Path],
    agency: str | None = None,
    progress: Progress | None = None,
    mapping: Mapping | None = None,
    rehearse: Rehearsal | None = None,
) -> LoadReport:
    """Load the dataset folders (or table files) `paths` into `warehouse`, all or nothing.

    With `mapping`, `paths` are an agency's own export files (or folders of them), read through it
    (`baliza.load.mapping`). With `rehearse`, everything is done but nothing is kept: `rehearse` sees the
    connection and the load id before the transaction is rolled back (`baliza mapping check`).
    """
    started = time.perf_counter()
    reader = MappedReader(mapping, agency, mapped_id_key(ids_key_for(warehouse.home), mapping)) if mapping else None
    sources, warnings = reader.discover(list(paths)) if reader else discover([Path(p) for p in paths])
    con = warehouse.duckdb
    con.execute("SET TimeZone = 'UTC'")
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    by_table = {t.name: [s for s in sources if s.table.name == t.name] for t in load_order()}
    steps = [t for t in load_order() if by_table[t.name]]
    staged: dict[str, list[StagedFile]] = {}
    try:
        # Read every file first (outside the transaction: a file DuckDB refuses is read again another way).
        for done, source in enumerate(sources):
            if progress:
                progress(f"reading {source.path.name}", done, len(sources))
            index = len(staged.setdefault(source.table.name, []))
            stage = reader.stage if reader else stage_file
            staged[source.table.name].append(stage(con, source, f"_bz_raw_{source.table.name}_{index}"))
        # Rows carry their file and line from here on: their order no longer matters, which lets DuckDB
        # check and insert in parallel.
        order = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
        con.execute("SET preserve_insertion_order = false")
        try:
            report = _load_staged(con, warehouse, steps, staged, agency, paths, warnings, loaded_at, progress,
                                  rehearse)
        finally:
            con.execute(f"SET preserve_insertion_order = {str(bool(order)).lower()}")
    finally:
        leftovers = [file.raw_table for files in staged.values() for file in files]
        leftovers += [quarantined_keys_table(t.name) for t in load_order()] + [SUCCESSIONS]
        for name in leftovers:  # this load's scratch tables live in the connection's temp schema
            con.execute(f"DROP TABLE IF EXISTS temp.{quote_name(name)}")
        if reader:
            reader.drop_scratch(con)
    # Cells an earlier Baliza left in clear: their old blocks must go.
    if report.protected_rows_encrypted and rehearse is None:
        if progress:
            progress("rebuilding the warehouse file", len(steps), len(steps))
        rebuild_file(warehouse)
    report.seconds = time.perf_counter() - started
    if progress:
        progress("done", len(steps), len(steps))
    return report


def _load_staged(
    con: duckdb.DuckDBPyConnection,
    warehouse: Warehouse,
    steps: list[Table],
    staged: dict[str, list[StagedFile]],
    agency: str | None,
    paths: Sequence[Path],
    warnings: list[str],
    loaded_at: datetime,
    progress: Progress | None,
    rehearse: Rehearsal | None = None,
) -> LoadReport:
    sources = [file.source for files in staged.values() for file in files]
    key = key_for(warehouse.home)  # the published file's key, not its working copy's
    pepper = row_hash_pepper(key)
    with sealing(con, key):  # personal cells are sealed as they are written
        con.execute("BEGIN TRANSACTION")
        try:
            load_id = con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM loads").fetchall()[0][0]
            agencies = {agency or s.manifest.reported_by for s in sources}
            datasets = sorted({s.manifest.dataset for s in sources if s.manifest.dataset})
            report = LoadReport(load_id, agency=_single(agencies), dataset="; ".join(datasets) or None,
                                warnings=warnings)
            period_ends = [s.manifest.period_to for s in sources if s.manifest.period_to is not None]
            con.execute(
                "INSERT INTO loads (load_id, started_at, agency_id, dataset, sources, status, period_to) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [load_id, loaded_at, report.agency, report.dataset, [str(Path(p)) for p in paths], "running",
                 max(period_ends, default=None)],
            )
            _create_lookups(con)
            report.warnings.extend(record_successions(con, sources, agency))
            for done, table in enumerate(steps):
                if progress:
                    progress(f"{table.name}: reading and checking", done, len(steps))
                report.tables[table.name] = _load_table(
                    con, load_id, table, staged[table.name], agency, loaded_at, report, pepper
                )
            if progress:
                progress("protecting confidential people", len(steps), len(steps))
            report.protected_rows_encrypted = seal_cells_in_clear(con)
            forget_protected_lookups(con)
            con.execute(
                "UPDATE loads SET finished_at = ?, summary = ?, status = 'committed' WHERE load_id = ?",
                [datetime.now(UTC).replace(tzinfo=None), json.dumps(report.to_dict()), load_id],
            )
            if rehearse is not None:
                rehearse(con, load_id)
                con.execute("ROLLBACK")
                return report
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return report


def _single(values: set[str | None]) -> str | None:
    known = {v for v in values if v}
    return known.pop() if len(known) == 1 else None


def _create_lookups(con: duckdb.DuckDBPyConnection) -> None:
    import pyarrow as pa

    spellings = country_spellings()
    arrow = pa.table({"spelling": list(spellings), "code": list(spellings.values())})
    con.register("_bz_countries_arrow", arrow)
    con.execute("CREATE OR REPLACE TEMP TABLE _country_spellings AS SELECT * FROM _bz_countries_arrow")
    con.unregister("_bz_countries_arrow")


def _load_table(
    con: duckdb.DuckDBPyConnection,
    load_id: int,
    table: Table,
    staged_files: list[StagedFile],
    agency: str | None,
    loaded_at: datetime,
    report: LoadReport,
    pepper: str,
) -> TableReport:
    files: list[tuple[StagedFile, FileColumns]] = []
    selects = []
    for index, staged in enumerate(staged_files):
        source = staged.source
        columns = match_columns(table, staged)
        comma = comma_columns(con, table, staged, columns)
        files.append((staged, columns))
        selects.append(file_select(table, index, staged, columns, comma, agency or source.manifest.reported_by))
        report.files.append(FileReport(str(source.path), table.name, source.format, staged.rows, staged.warnings))
        report.warnings.extend(staged.warnings)
    staged_view, repeated, checked_table, checked = (
        f"_bz_{step}_{table.name}" for step in ("staged", "repeated", "checked", "rows")
    )
    con.execute(f"CREATE OR REPLACE TEMP VIEW {quote_name(staged_view)} AS {' UNION ALL '.join(selects)}")
    loaded_at_sql = f"TIMESTAMP {literal(loaded_at.isoformat(sep=' '))}"
    # The cell checks are not stored on their own: one query checks the cells, keys and references.
    cells = f"({cell_checks_sql(table, staged_view, loaded_at_sql)})"
    repeats = repeated_keys_sql(table, staged_view)
    if len(staged_files) == 1 and staged_files[0].unique_key:  # made unique by its reader: nothing to search
        repeats += " LIMIT 0"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {quote_name(repeated)} AS {repeats}")
    for column in table.references:
        ensure_quarantined_keys(con, column.references or "")
    files_by_src = [str(s.source.path) for s in staged_files]
    # Rows already stored may belong to another agency: those are checked against their owner.
    stored = con.execute(f"SELECT count(*) FROM (SELECT 1 FROM main.{quote_name(table.name)} LIMIT 1)").fetchall()
    row_hash = row_hash_sql(table, pepper) if stored[0][0] else None
    con.execute(f"CREATE OR REPLACE TEMP TABLE {quote_name(checked_table)} AS "
                f"{key_and_reference_checks_sql(table, cells, repeated, files_by_src, row_hash)}")
    copies = 0
    if con.execute(f"SELECT count(*) FROM {quote_name(repeated)}").fetchall()[0][0]:
        # a copy of a row another file of this load brings is unchanged, as it would be loaded after it
        copies = con.execute(f"DELETE FROM {quote_name(checked_table)} WHERE (_src, _line) IN "
                             f"({copies_sql(table, checked_table, repeated)})").fetchall()[0][0]
    con.execute(f"CREATE OR REPLACE TEMP VIEW {quote_name(checked)} AS "
                f"SELECT *, {file_name_sql(files_by_src)} AS _file FROM {quote_name(checked_table)}")
    rows, quarantined, normalised = con.execute(
        f"SELECT count(*), count(*) FILTER (len(_errors) > 0), count(*) FILTER (len(_errors) = 0 AND len(_norms) > 0) "
        f"FROM {quote_name(checked_table)}"
    ).fetchall()[0]
    if quarantined:
        write_quarantine(con, load_id, table, checked, files)
        remember_quarantined_keys(con, table, checked)
    spellings: dict[str, int] = {}
    if normalised:
        write_normalisations(con, load_id, table, checked)
        spellings = spelling_summary(con, load_id, table.name)
    conversions: dict[str, int] = {}
    for staged in staged_files:  # what a mapping converted: counted, and sampled in `normalisations`
        if staged.conversions is not None:
            write_conversions(con, load_id, table, str(staged.source.path), staged.conversions)
            for key, count in staged.conversions.counts.items():
                conversions[key] = conversions.get(key, 0) + count
    counts = upsert(con, load_id, table, checked, pepper=pepper)
    if table.name == PERSONS:
        write_lookups(con, load_id, checked_table)
    for statement in (f"DROP VIEW {quote_name(checked)}", f"DROP TABLE {quote_name(checked_table)}",
                      f"DROP TABLE {quote_name(repeated)}",
                      f"DROP VIEW {quote_name(staged_view)}"):
        con.execute(statement)
    for staged in staged_files:  # the raw rows are not needed any more: free their memory for the next tables
        con.execute(f"DROP TABLE IF EXISTS temp.{quote_name(staged.raw_table)}")
    rows += copies
    return TableReport(rows, rows - quarantined, quarantined, normalised, counts.inserted, counts.replaced,
                       counts.unchanged + copies, spellings, conversions)
