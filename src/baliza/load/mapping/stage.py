"""Staging an export through a mapping, as the loader stages an interchange file.

`MappedReader` plays the part of `discover` and `stage_file` for `load_datasets`: each export file gives
one staged file per table the mapping fills, whose raw table holds the interchange columns (text, as a
dataset folder would hold them) followed by the export's own cells, so that a quarantined row keeps
the export's row as it was. Rows carry the export file and its line; lines that are not data carry their
reason and the export column that showed it. From there the normal loader checks, quarantines and
upserts, all or nothing, with history.
"""

from __future__ import annotations

import fnmatch
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from baliza.contract import load_order
from baliza.load.errors import LoadError
from baliza.load.manifest import Manifest
from baliza.load.mapping.cells import ExportColumns, cleaned_cells_sql
from baliza.load.mapping.conversions import count_conversions
from baliza.load.mapping.expressions import projection_sql
from baliza.load.mapping.source import ExportFile, read_export
from baliza.load.mapping.spec import Mapping, MappingError
from baliza.load.mapping.translations import create_translation_tables
from baliza.load.readers import StagedFile
from baliza.load.sources import SourceFile
from baliza.load.sql import quote_name

EXPORT_SUFFIXES = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".parquet": "parquet"}


ID_KEY_CHARACTERS = 32
"""Hex characters of the key of made ids (128 bits). With a 64-character key, the key alone filled a
SHA-256 block, and a line's id took three blocks where it now takes two: a third of the hashing a load
does (see `ids`)."""


def mapped_id_key(secret: bytes, mapping: Mapping) -> str:
    """The key of the ids a mapping makes (hash rules): from the warehouse's secret, so that ids are stable
    across reloads into that warehouse and cannot be recomputed from the fields by someone without it."""
    return hashlib.sha256(secret + b"baliza mapped ids " + mapping.name.encode()).hexdigest()[:ID_KEY_CHARACTERS]


def export_files(mapping: Mapping, paths: list[Path]) -> list[Path]:
    """The export files named by `paths`: files as given, and in folders those matching `source.files`."""
    found: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
            matching = [p for p in inside if any(fnmatch.fnmatch(p.name.lower(), g.lower()) for g in mapping.files)]
            if not matching:
                raise LoadError(f"{path}: no file matches the mapping's source.files ({', '.join(mapping.files)})")
            found.extend(matching)
        else:
            raise LoadError(f"{path}: no such file or folder")
    return found


@dataclass
class MappedReader:
    """Discovers and stages export files through `mapping` for the loader (see the module docstring)."""

    mapping: Mapping
    agency: str | None
    id_key: str
    keep_source: bool = False
    """Copy the export's own cells into each raw table (`read_through_mapping`); a load instead reads them
    from the export, kept until the load ends, for the rows it quarantines (copying them costs more)."""
    _exports: dict[tuple[Path, str | int | None], tuple[ExportFile, str, int]] = field(default_factory=dict)
    _scratch: list[str] = field(default_factory=list)
    _read: int = 0

    def discover(self, paths: list[Path]) -> tuple[list[SourceFile], list[str]]:
        """One source per (export file, table the mapping fills), in the contract's load order."""
        for mapped in self.mapping.tables:
            missing = [c.name for c in mapped.table.required_columns if c.name not in mapped.rules]
            if missing:
                raise MappingError(f"mapping {self.mapping.name} does not say how to make "
                                   f"{', '.join(f'{mapped.table.name}.{m}' for m in missing)}, which the "
                                   "interchange format requires (add a rule, e.g. a constant)")
        if not (self.agency or self.mapping.reported_by):
            raise MappingError(f"an export read through mapping {self.mapping.name} carries no agency: say which "
                               "agency reports it (--agency ID)")
        manifest = Manifest(dataset=self.mapping.label, reported_by=self.agency or self.mapping.reported_by,
                            timezone=self.mapping.timezone)
        order = [t.name for t in load_order()]
        tables = sorted(self.mapping.tables, key=lambda m: order.index(m.table.name))
        sources = [SourceFile(path, mapped.table, EXPORT_SUFFIXES.get(path.suffix.lower(), "csv"), manifest)
                   for path in export_files(self.mapping, paths) for mapped in tables]
        return sources, []

    def stage(self, con: duckdb.DuckDBPyConnection, source: SourceFile, raw_table: str) -> StagedFile:
        """The rows of `source.table` from the export `source.path`, as the loader's raw table `raw_table`."""
        if not self._scratch:
            self._scratch.extend(create_translation_tables(con, self.mapping))
        mapped = self.mapping.table_mapping(source.table.name)
        sheet = mapped.sheet if mapped.sheet is not None else self.mapping.sheet
        export, cells, remaining = self._export(con, source.path, sheet)
        columns = ExportColumns(export.header, str(source.path), f"mapping {self.mapping.name}")
        plan = projection_sql(self.mapping, mapped, columns, cells, self.id_key, keep_source=self.keep_source,
                              raw_table=raw_table)
        for statement in plan.prepare:
            con.execute(statement)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {quote_name(raw_table)} AS {plan.sql}")
        for statement in plan.after:
            con.execute(statement)
        converted = count_conversions(con, plan.conversions, raw_table)
        for name in plan.scratch:
            drop_relation(con, name)
        header = plan.names if self.keep_source else [*plan.names, *export.header]
        staged = StagedFile(source, raw_table, header=header, rows=export.rows, trimmed=True)
        if not self.keep_source:
            staged.source_cells = export.cells or export.relation
            staged.source_line_sql = export.line_sql if export.cells else "_line"
        staged.conversions = converted
        staged.source_columns_from = len(mapped.rules)
        staged.problem_column_sql = "_problem_column"
        staged.unique_key = any(column in plan.unique for column in source.table.key)
        if remaining == 1:
            self._forget(con, (source.path, sheet))
        else:
            self._exports[(source.path, sheet)] = (export, cells, remaining - 1)
        return staged

    def _export(
        self, con: duckdb.DuckDBPyConnection, path: Path, sheet: str | int | None
    ) -> tuple[ExportFile, str, int]:
        if (path, sheet) in self._exports:
            return self._exports[(path, sheet)]
        self._read += 1
        number = self._read
        export = read_export(con, path, f"_bz_export_{number}", header_row=self.mapping.header_row,
                             delimiter=self.mapping.delimiter, encoding=self.mapping.encoding, sheet=sheet)
        if not export.header:
            raise MappingError(f"{path}: no header on line {self.mapping.header_row} (source.header_row)")
        cells = f"_bz_cells_{number}"
        columns = ExportColumns(export.header, str(path), f"mapping {self.mapping.name}")
        con.execute(f"CREATE OR REPLACE TEMP VIEW {quote_name(cells)} AS "
                    f"{cleaned_cells_sql(self.mapping, columns, export.relation, export.trimmed)}")
        self._scratch.extend([cells, *export.scratch])
        tables = sum(1 for m in self.mapping.tables
                     if (m.sheet if m.sheet is not None else self.mapping.sheet) == sheet)
        self._exports[(path, sheet)] = (export, cells, tables)
        return self._exports[(path, sheet)]

    def _forget(self, con: duckdb.DuckDBPyConnection, key: tuple[Path, str | int | None]) -> None:
        """Drop an export's cleaned cells once every table it fills is staged (the export itself stays, with
        the cells a quarantined row keeps, until `drop_scratch`)."""
        export, cells, _ = self._exports.pop(key, (None, "", 0))
        if export is None:
            return
        drop_relation(con, cells)
        self._scratch.remove(cells)

    def drop_scratch(self, con: duckdb.DuckDBPyConnection) -> None:
        for name in self._scratch:
            drop_relation(con, name)
        self._scratch.clear()
        self._exports.clear()


def drop_relation(con: duckdb.DuckDBPyConnection, name: str) -> None:
    kind = con.execute("SELECT table_type FROM information_schema.tables WHERE table_name = ? "
                       "AND table_schema = 'main' AND table_catalog = 'temp'", [name]).fetchall()
    if kind:
        what = "VIEW" if kind[0][0] == "VIEW" else "TABLE"
        con.execute(f"DROP {what} IF EXISTS temp.{quote_name(name)}")
