"""Reading one file into DuckDB as text: columns `c0..cN` (VARCHAR), `_line` and `_problem`.

Every value is read as text; typing happens later, in validation, so that a bad cell quarantines
its row instead of failing the file. `_line` is the line of the row in the file (CSV: physical line
where the record starts, header = line 1; Excel: sheet row; Parquet: row number, header-less so
row 1 is the first row). `_problem` says what was wrong with the row's shape (ragged rows).

CSV files are read by DuckDB's parser in strict mode (fast path). When it refuses the file (ragged
rows, blank lines, stray quotes) the file is read again by Python's `csv` module, which keeps exact
line numbers and turns each malformed row into a row with a `_problem`.

A file of zero bytes (or only whitespace) holds no rows: it loads nothing and gives a warning.
A header-only file holds zero rows and is fine.
"""

from __future__ import annotations

import csv
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from baliza.load.errors import UnreadableFile

if TYPE_CHECKING:
    from baliza.load.mapping.conversions import Converted
    from baliza.load.sources import SourceFile

MAX_LINE_BYTES = 64 * 1024 * 1024
_SNIFF_BYTES = 64 * 1024
_SCAN_CHUNK = 16 * 1024 * 1024
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass
class StagedFile:
    """A file read into the temp table `raw_table` (c0..cN, _line, _problem)."""

    source: SourceFile
    raw_table: str
    header: list[str] = field(default_factory=list)
    rows: int = 0
    warnings: list[str] = field(default_factory=list)
    line_sql: str = "_line"
    """How a row's line is computed from the raw table (`rowid + n` when the file has no multi-line cells)."""
    problem_sql: str = "_problem"
    trimmed: bool = False
    """True when no cell starts or ends with whitespace (then validation need not trim any cell)."""
    source_columns_from: int | None = None
    """Columns from this one on are an export's own cells, kept for the quarantine (a file read through a
    mapping, `baliza.load.mapping`), not columns of the table."""
    problem_column_sql: str = "NULL::VARCHAR"
    """The column a row's `_problem` is about (a mapping's non-data line), else NULL."""
    source_cells: str | None = None
    """A relation holding the export's own cells (`c0..`) when the raw table stops at
    `source_columns_from`: a quarantined row's raw cells are read from it."""
    source_line_sql: str = "_line"
    """How a row's line is computed from `source_cells` (as `line_sql` from the raw table)."""
    conversions: Converted | None = None
    """What a mapping converted in this export (counted and sampled), recorded with the load."""
    unique_key: bool = False
    """The reader made the table's key differ on every row (a mapping's `hash` ids): as the table's only
    file, its keys need no search for repeats."""
    numeric: list[int] = field(default_factory=list)
    """The raw columns (`cN`) that the file holds as numbers (Parquet): written with a dot whatever the
    manifest's decimal mark says about text."""


def on_line(line_sql: str, alias: str, line: str) -> str:
    """The join condition that the row `alias` of a relation whose lines are `line_sql` is on line `line`
    (SQL). A line made from the row id is matched by row id: DuckDB then reads only the rows asked for
    (a few quarantined lines), not the whole relation."""
    by_rowid = re.fullmatch(r"\(rowid \+ (-?[0-9]+)\)", line_sql)
    if by_rowid:
        return f"{alias}.rowid = {line} - {by_rowid.group(1)}"
    return f"{line_sql.replace('rowid', f'{alias}.rowid').replace('_line', f'{alias}._line')} = {line}"


def stage_file(con: duckdb.DuckDBPyConnection, source: SourceFile, raw_table: str) -> StagedFile:
    staged = StagedFile(source, raw_table)
    readers = {"csv": _stage_csv, "parquet": _stage_parquet, "xlsx": _stage_excel}
    readers[source.format](con, staged)
    if not staged.header:
        staged.warnings.append(f"{source.path}: empty file, nothing to load")
        con.execute(f'CREATE OR REPLACE TEMP TABLE "{raw_table}" (_line BIGINT, _problem VARCHAR)')
    staged.rows = con.execute(f'SELECT count(*) FROM "{raw_table}"').fetchall()[0][0]
    return staged


# --- CSV ---------------------------------------------------------------------------------------


def _stage_csv(con: duckdb.DuckDBPyConnection, staged: StagedFile) -> None:
    path = staged.source.path
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if b"\x00" in head:
        raise UnreadableFile(path, "not a CSV text file (it holds binary data; was a spreadsheet or archive renamed?)")
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        return
    header, header_lines = _read_header(staged)
    staged.header = header
    if _stage_csv_with_duckdb(con, staged, header_lines):
        return
    _stage_csv_with_python(con, staged)


def _read_header(staged: StagedFile) -> tuple[list[str], int]:
    path = staged.source.path
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, strict=False)
            header = next(reader, [])
            return [h.strip() for h in header], reader.line_num
    except UnicodeDecodeError:
        _raise_encoding_error(path)
    except csv.Error as exc:
        raise UnreadableFile(path, f"the header line cannot be read as CSV ({exc})") from None
    raise AssertionError("unreachable")


def _count_lines(path: object) -> tuple[int, bool, bool]:
    """The file's number of lines (a last line without a line break counts), whether it has any quote
    (without quotes, no cell can hold a line break), and whether no cell can start or end with whitespace
    (see `_no_space_at_edges`; only meaningful when each record is one line)."""
    lines, quoted, last, clean = 0, False, b"", True
    # The bytes before each chunk: a space at a chunk's edge is judged by its neighbours in both chunks (a
    # chunk ending on a space inside "12:00 AM" is not a cell ending with one). The file's start and end
    # count as line breaks.
    before = b"\n"
    with open(path, "rb") as handle:  # type: ignore[arg-type]
        while chunk := handle.read(_SCAN_CHUNK):
            quoted = quoted or b'"' in chunk
            lines += chunk.count(b"\n")
            if clean:
                body = chunk[3:] if not last and chunk.startswith(b"\xef\xbb\xbf") else chunk
                clean = _no_space_at_edges(before + body)
                before = (before + body[-2:])[-2:]
            last = chunk[-1:]
    clean = clean and _no_space_at_edges(before + b"\n")
    return lines + (1 if last not in (b"", b"\n") else 0), quoted, clean


# Tab, CR, and bytes of a no-break space (c2 a0) and of a BOM (ef bb bf) inside the file: single bytes are
# found fastest, and a byte that belongs to another character only costs the cheap path.
_RARE_SPACES = (b"\t", b"\r", b"\xa0", b"\xef")


def _no_space_at_edges(data: bytes) -> bool:
    """Whether no space inside `data` (its first and last bytes are only neighbours) touches a comma, a quote
    or a line break, and no rarer whitespace appears at all: then no cell of a file made of one-line records
    starts or ends with whitespace. A space next to a comma inside a text cell says no too (then cells are
    trimmed one by one, as they would be anyway)."""
    if any(data.find(space) >= 0 for space in _RARE_SPACES):
        return False
    import numpy as np

    byte = np.frombuffer(data, dtype=np.uint8)
    spaces = np.flatnonzero(byte[1:-1] == ord(" ")) + 1
    edge = np.zeros(256, dtype=bool)
    edge[[ord(","), ord('"'), ord("\n")]] = True
    return not (edge[byte[spaces - 1]].any() or edge[byte[spaces + 1]].any())


def _blank_line_before_content(path: object) -> bool:
    """Whether a blank line comes before the last content (DuckDB skips those, shifting line numbers)."""
    previous, pending = b"", False
    blanks = (b"\n\n", b"\n\r\n")
    with open(path, "rb") as handle:  # type: ignore[arg-type]
        while chunk := handle.read(_SCAN_CHUNK):
            if pending and chunk.strip():
                return True
            edge = previous[-2:] + chunk[:2]
            if any(blank in edge for blank in blanks) and chunk[1:].strip():
                return True
            for blank in blanks:
                position = chunk.find(blank)
                if position >= 0:
                    if chunk[position:].strip():
                        return True
                    pending = True
            previous = chunk
    return False


def _stage_csv_with_duckdb(con: duckdb.DuckDBPyConnection, staged: StagedFile, header_lines: int) -> bool:
    """Read the file with DuckDB's parser; False when it refuses the file or when its line numbers would be
    wrong (a blank line before content, which DuckDB skips)."""
    path, table = staged.source.path, staged.raw_table
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(staged.header))) + "}"
    options = (
        "delim=',', quote='\"', escape='\"', header=true, strict_mode=true, auto_detect=false, "
        f"null_padding=false, max_line_size={MAX_LINE_BYTES}, columns={columns}"
    )
    # Lines are counted (in Python) while DuckDB parses the file (its reader does not use both cores fully).
    with ThreadPoolExecutor(max_workers=1) as pool:
        counting = pool.submit(_count_lines, path)
        try:
            con.execute(f'CREATE OR REPLACE TEMP TABLE "{table}" AS SELECT * FROM read_csv(?, {options})', [str(path)])
        except duckdb.Error as exc:
            counting.cancel()
            if "unicode" in str(exc).lower() or "utf-8" in str(exc).lower():
                _raise_encoding_error(path)
            return False
        lines, quoted, clean = counting.result()
    cells = [f'coalesce(length(c{i}) - length(replace(c{i}, chr(10), \'\')), 0)' for i in range(len(staged.header))]
    breaks = " OR ".join(f"coalesce(contains(c{i}, chr(10)), false)" for i in range(len(staged.header)))
    # As many lines as records (and header): no blank line was skipped and no cell holds a line break.
    one_line_each = lines == header_lines + con.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0]
    if not one_line_each and _blank_line_before_content(path):
        con.execute(f'DROP TABLE "{table}"')
        return False
    has_newlines = quoted and not one_line_each and con.execute(
        f'SELECT coalesce(bool_or({breaks}), false) FROM "{table}"'
    ).fetchall()[0][0]
    base = con.execute(f'SELECT coalesce(min(rowid), 0) FROM "{table}"').fetchall()[0][0]
    first = header_lines + 1 - base  # temp tables written in a transaction number their rows from an offset
    staged.problem_sql = "NULL::VARCHAR"
    staged.trimmed = clean and one_line_each
    if not has_newlines:
        staged.line_sql = f"(rowid + {first})"
        return True
    line = (f"{first} + rowid + coalesce(sum({' + '.join(cells)}) OVER "
            "(ORDER BY rowid ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)")
    con.execute(f'CREATE OR REPLACE TEMP TABLE "{table}" AS SELECT *, ({line})::BIGINT AS _line FROM "{table}" '
                "ORDER BY rowid")
    return True


def _stage_csv_with_python(con: duckdb.DuckDBPyConnection, staged: StagedFile) -> None:
    path, width = staged.source.path, len(staged.header)
    columns: list[list[str | None]] = [[] for _ in range(width)]
    lines: list[int] = []
    problems: list[str | None] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, strict=False)
            next(reader, None)
            previous_end = reader.line_num
            for record in reader:
                start, previous_end = previous_end + 1, reader.line_num
                if not record or (len(record) == 1 and not record[0].strip()):
                    continue  # blank line
                problem = None
                if len(record) != width:
                    problem = f"line {start} has {len(record)} cells but the header has {width}"
                    if len(record) > width:
                        record = [*record[: width - 1], ",".join(record[width - 1:])]
                for i in range(width):
                    columns[i].append(record[i] if i < len(record) and record[i] != "" else None)
                lines.append(start)
                problems.append(problem)
    except UnicodeDecodeError:
        _raise_encoding_error(path)
    except csv.Error as exc:
        raise UnreadableFile(path, f"not readable as CSV near line {reader.line_num} ({exc})") from None
    arrays = {f"c{i}": pa.array(columns[i], pa.string()) for i in range(width)}
    arrays["_line"] = pa.array(lines, pa.int64())
    arrays["_problem"] = pa.array(problems, pa.string())
    _create_from_arrow(con, staged.raw_table, pa.table(arrays))


def _raise_encoding_error(path: object) -> None:
    with open(path, "rb") as handle:  # type: ignore[arg-type]  # only on the failure path
        data = handle.read()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise UnreadableFile(
            path, f"line {line} is not UTF-8 (byte 0x{data[exc.start]:02x}; save the file as UTF-8, e.g. from "
            "Latin-1/Windows-1252)"
        ) from None
    raise UnreadableFile(path, "not readable as UTF-8 text")


def _create_from_arrow(con: duckdb.DuckDBPyConnection, table: str, arrow: pa.Table) -> None:
    con.register("_baliza_arrow", arrow)
    try:
        con.execute(f'CREATE OR REPLACE TEMP TABLE "{table}" AS SELECT * FROM _baliza_arrow')
    finally:
        con.unregister("_baliza_arrow")


# --- Parquet -----------------------------------------------------------------------------------


def _stage_parquet(con: duckdb.DuckDBPyConnection, staged: StagedFile) -> None:
    path = staged.source.path
    try:
        described = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
        staged.header = [name.strip() for name, *_ in described]
        casts = []
        for i, (name, sql_type, *_) in enumerate(described):
            quoted = '"' + name.replace('"', '""') + '"'
            casts.append(f"{_parquet_text(quoted, sql_type, staged.source.table.has_column(name.strip().lower()))} "
                         f"AS c{i}")
            if sql_type in _NUMBERS or sql_type.startswith("DECIMAL"):
                staged.numeric.append(i)
        con.execute(
            f'CREATE OR REPLACE TEMP TABLE "{staged.raw_table}" AS SELECT {", ".join(casts)}, '
            "(file_row_number + 1)::BIGINT AS _line, NULL::VARCHAR AS _problem "
            "FROM read_parquet(?, file_row_number=true) ORDER BY file_row_number",
            [str(path)],
        )
    except duckdb.Error as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        raise UnreadableFile(path, f"not a readable Parquet file ({first_line})") from None


_NUMBERS = frozenset({"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                      "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE"})


def _parquet_text(quoted: str, sql_type: str, in_contract: bool) -> str:
    """A Parquet column as the text a CSV file would hold (SQL). Lists are joined with `|`; whole numbers in a
    floating or decimal column are written without a fraction (pandas writes an integer column with a missing
    value as float64: 3.0 is the whole number 3); strings written as plain binary (Parquet BYTE_ARRAY without the
    UTF-8 annotation, as older Hive and Impala write them) are decoded as UTF-8, which fails the file, by its
    name, when they are not UTF-8. An unknown binary column is only kept for the quarantine, as DuckDB shows it."""
    if sql_type.endswith("[]"):
        return f"array_to_string({quoted}, '|')"
    if sql_type in {"FLOAT", "DOUBLE"} or sql_type.startswith("DECIMAL"):
        whole = f"(isfinite({quoted}::DOUBLE) AND {quoted} = trunc({quoted}) AND abs({quoted}) < 9007199254740992)"
        return f"CASE WHEN {whole} THEN CAST(CAST({quoted} AS BIGINT) AS VARCHAR) ELSE CAST({quoted} AS VARCHAR) END"
    if sql_type == "BLOB" and in_contract:
        return f"decode({quoted})"
    return f"CAST({quoted} AS VARCHAR)"


# --- Excel -------------------------------------------------------------------------------------


def _stage_excel(con: duckdb.DuckDBPyConnection, staged: StagedFile) -> None:
    from python_calamine import CalamineWorkbook

    path = staged.source.path
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = workbook.sheet_names
        name = staged.source.table.name if staged.source.table.name in names else names[0]
        rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types
        raise UnreadableFile(path, f"not a readable Excel .xlsx workbook ({exc.__class__.__name__}: {exc})") from None
    header_index = next((i for i, row in enumerate(rows) if any(_cell(c) for c in row)), None)
    if header_index is None:
        return
    staged.header = [(_cell(c) or "").strip() for c in rows[header_index]]
    width = len(staged.header)
    columns: list[list[str | None]] = [[] for _ in range(width)]
    lines: list[int] = []
    for number, row in enumerate(rows[header_index + 1:], start=header_index + 2):
        cells = [_cell(c) for c in row]
        if not any(cells):
            continue
        for i in range(width):
            columns[i].append(cells[i] if i < len(cells) else None)
        lines.append(number)
    arrays = {f"c{i}": pa.array(columns[i], pa.string()) for i in range(width)}
    arrays["_line"] = pa.array(lines, pa.int64())
    arrays["_problem"] = pa.array([None] * len(lines), pa.string())
    _create_from_arrow(con, staged.raw_table, pa.table(arrays))


def _cell(value: object) -> str | None:
    """A spreadsheet cell as the text the contract expects."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


__all__ = ["StagedFile", "stage_file"]
