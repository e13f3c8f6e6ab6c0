"""Reading an agency's export as it is: text cells `c0..cN`, the file's line of each row, and its header.

The header is on the mapping's `header_row` (title rows above it are not data and are not read), cells
are text, and every line below the header becomes a row, even a blank one: blank lines and ragged rows
carry a `_problem`, so that they are set aside with a reason rather than skipped. A plain comma-separated
UTF-8 file with its header on line 1 is read by the loader's own fast CSV reader; anything else (another
delimiter or encoding, title rows, blank lines, a workbook) row by row. A Parquet file (`.parquet`) is
read by DuckDB, its columns as text.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from baliza.contract import TABLES_BY_NAME
from baliza.load.errors import UnreadableFile
from baliza.load.manifest import Manifest
from baliza.load.readers import StagedFile, _cell, _read_header, _stage_csv_with_duckdb
from baliza.load.sources import SourceFile
from baliza.load.sql import quote_name

BLANK_LINE = "a blank line (not data)"


@dataclass(frozen=True)
class ExportFile:
    """An export read into DuckDB: `relation` is a table or view with c0..cN, `_line` and `_problem`."""

    path: Path
    relation: str
    header: tuple[str, ...]
    rows: int
    trimmed: bool
    """No cell starts or ends with whitespace (then cells need no trimming)."""
    scratch: tuple[str, ...]
    """Temp tables and views to drop once the export's rows are staged (views first)."""
    cells: str | None = None
    """The table under `relation` (when that is a view) whose rows' lines are `line_sql`: a few lines are
    read from it by row id, without reading the others (`readers.on_line`)."""
    line_sql: str = "_line"


def read_export(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    name: str,
    *,
    header_row: int = 1,
    delimiter: str = ",",
    encoding: str = "utf-8",
    sheet: str | int | None = None,
) -> ExportFile:
    """Read the export `path` into the temp relation `name` (see ExportFile)."""
    if path.suffix.lower() in {".xlsx", ".xlsm", ".xls", ".ods"}:
        header, arrow = _excel_rows(path, header_row, sheet)
        return _from_arrow(con, path, name, header, arrow)
    if path.suffix.lower() == ".parquet":
        return _parquet(con, path, name)
    with path.open("rb") as handle:
        head = handle.read(64 * 1024)
    if b"\x00" in head:
        raise UnreadableFile(path, "not a CSV text file (it holds binary data; was a spreadsheet renamed?)")
    plain_csv = header_row == 1 and delimiter == "," and encoding.lower().replace("_", "-") in {"utf-8", "utf8"}
    if plain_csv and head.strip(b" \t\r\n\xef\xbb\xbf"):
        fast = _fast_csv(con, path, name)
        if fast is not None:
            return fast
    header, arrow = _csv_rows(path, header_row, delimiter, encoding)
    return _from_arrow(con, path, name, header, arrow)


def _fast_csv(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> ExportFile | None:
    """The loader's DuckDB reader (exact line numbers); None when the file needs reading row by row."""
    any_table = next(iter(TABLES_BY_NAME.values()))
    staged = StagedFile(SourceFile(path, any_table, "csv", Manifest()), f"{name}_cells")
    header, header_lines = _read_header(staged)
    staged.header = header
    if not header or not _stage_csv_with_duckdb(con, staged, header_lines):
        return None
    line = "" if staged.line_sql == "_line" else f", {staged.line_sql}::BIGINT AS _line"
    con.execute(f"CREATE OR REPLACE TEMP VIEW {quote_name(name)} AS "
                f"SELECT *{line}, NULL::VARCHAR AS _problem FROM {quote_name(staged.raw_table)}")
    rows = con.execute(f"SELECT count(*) FROM {quote_name(staged.raw_table)}").fetchall()[0][0]
    return ExportFile(path, name, tuple(header), rows, staged.trimmed, (name, staged.raw_table), staged.raw_table,
                      staged.line_sql)


def _parquet(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> ExportFile:
    """A Parquet export: its columns as text, its rows numbered from 1 (it has no header line)."""
    try:
        described = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
        cells = ", ".join(f"CAST({quote_name(column)} AS VARCHAR) AS c{i}" for i, (column, *_) in enumerate(described))
        con.execute(f"CREATE OR REPLACE TEMP TABLE {quote_name(name)} AS SELECT {cells}, "
                    "(file_row_number + 1)::BIGINT AS _line, NULL::VARCHAR AS _problem "
                    "FROM read_parquet(?, file_row_number=true) ORDER BY file_row_number", [str(path)])
    except duckdb.Error as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        raise UnreadableFile(path, f"not a readable Parquet file ({first_line})") from None
    rows = con.execute(f"SELECT count(*) FROM {quote_name(name)}").fetchall()[0][0]
    return ExportFile(path, name, tuple(str(c[0]).strip() for c in described), rows, False, (name,))


def _from_arrow(con: duckdb.DuckDBPyConnection, path: Path, name: str, header: list[str],
                arrow: pa.Table) -> ExportFile:
    con.register("_bz_export_arrow", arrow)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {quote_name(name)} AS SELECT * FROM _bz_export_arrow")
    finally:
        con.unregister("_bz_export_arrow")
    return ExportFile(path, name, tuple(header), arrow.num_rows, False, (name,))


def _arrow(header: list[str], rows: list[tuple[int, list[str | None], str | None]]) -> pa.Table:
    width = len(header)
    columns = {f"c{i}": pa.array([cells[i] if i < len(cells) else None for _, cells, _ in rows], pa.string())
               for i in range(width)}
    columns["_line"] = pa.array([line for line, _, _ in rows], pa.int64())
    columns["_problem"] = pa.array([problem for _, _, problem in rows], pa.string())
    return pa.table(columns)


def _csv_rows(path: Path, header_row: int, delimiter: str, encoding: str) -> tuple[list[str], pa.Table]:
    header: list[str] = []
    rows: list[tuple[int, list[str | None], str | None]] = []
    try:
        with path.open(encoding="utf-8-sig" if encoding.lower() in {"utf-8", "utf8"} else encoding,
                       newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter, strict=False)
            previous_end = 0
            for record in reader:
                start, previous_end = previous_end + 1, reader.line_num
                if start < header_row:
                    continue
                if start == header_row or (not header and start > header_row):
                    header = [h.strip() for h in record]
                    continue
                rows.append(_row(start, record, len(header)))
        while rows and rows[-1][2] == BLANK_LINE:  # blank lines after the last row end the file
            rows.pop()
    except UnicodeDecodeError as exc:
        raise UnreadableFile(path, f"not readable as {encoding} ({exc.reason} at byte {exc.start}); "
                             "set source.encoding in the mapping, e.g. latin-1") from None
    except LookupError:
        raise UnreadableFile(path, f"{encoding!r} is not a known text encoding (source.encoding)") from None
    except csv.Error as exc:
        raise UnreadableFile(path, f"not readable as CSV ({exc})") from None
    return header, _arrow(header, rows)


def _row(line: int, record: Sequence[str | None], width: int) -> tuple[int, list[str | None], str | None]:
    cells: list[str | None] = [c if c != "" else None for c in record]
    if not any(c is not None and c.strip() for c in cells):
        return line, [None] * width, BLANK_LINE
    problem = None
    if len(cells) != width:
        problem = f"line {line} has {len(cells)} cells but the header has {width}"
    return line, cells, problem


def _excel_rows(path: Path, header_row: int, sheet: str | int | None) -> tuple[list[str], pa.Table]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = workbook.sheet_names
    except Exception as exc:  # calamine raises its own error types
        raise UnreadableFile(path, f"not a readable workbook ({exc.__class__.__name__}: {exc})") from None
    if sheet is None:
        chosen = names[0]
    elif isinstance(sheet, int):
        if not 1 <= sheet <= len(names):
            raise UnreadableFile(path, f"has no sheet number {sheet} (it has {len(names)})")
        chosen = names[sheet - 1]
    elif sheet in names:
        chosen = sheet
    else:
        raise UnreadableFile(path, f"has no sheet {sheet!r} (its sheets: {', '.join(names)})")
    grid = workbook.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    if len(grid) < header_row:
        return [], _arrow([], [])
    header = [(_cell(c) or "").strip() for c in grid[header_row - 1]]
    while header and not header[-1]:
        header.pop()
    rows = []
    for number, row in enumerate(grid[header_row:], start=header_row + 1):
        cells = [_cell(c) for c in row]
        if not any(cells[len(header):]):  # empty cells right of the header are the sheet's area, not data
            cells = cells[: len(header)] + [None] * (len(header) - len(cells))
        rows.append(_row(number, cells, len(header)))
    while rows and rows[-1][2] == BLANK_LINE:  # the sheet's empty area below the data
        rows.pop()
    return header, _arrow(header, rows)
