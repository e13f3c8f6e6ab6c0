"""An export's cells as a mapping reads them, and the lines that are not data.

Cells are trimmed (empty = NULL) and filled down where the mapping says so. A `not_data` rule tests a
column's cell as the mapping reads it (trimmed, not filled down; an empty cell matches no rule), so the
test gives the same answer on a line and on any line with the same cells: a projection whose per-value
grouping already reads those cells judges each combination once instead of each line (see
`expressions.projection_sql`); otherwise the cleaned cells judge every line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from baliza.load.mapping.spec import Mapping, MappingError, loose_key
from baliza.load.normalisation import WHITESPACE
from baliza.load.sql import literal, quote_name


@dataclass
class ExportColumns:
    """The export's header, resolved loosely (case, accents and spaces ignored): name -> `cN`."""

    header: tuple[str, ...]
    file: str
    where: str
    index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for i, name in enumerate(self.header):
            self.index.setdefault(loose_key(name), i)

    def cell(self, name: str) -> str:
        position = self.index.get(loose_key(name))
        if position is None:
            shown = ", ".join(repr(h) for h in self.header)
            raise MappingError(f"{self.file}: has no column {name!r}, which {self.where} reads "
                               f"(its columns: {shown}); fix the mapping or the file")
        return f"c{position}"


def _edge_space(cell: str) -> str:
    """Whether a cell may start or end with whitespace: a control character or a space first, or a space,
    tab, carriage return or no-break space last (cheap tests: `right()` reads characters, not bytes)."""
    last = " OR ".join(f"ends_with({cell}, {c})" for c in ("' '", "chr(9)", "chr(13)", "chr(160)"))
    return f"(ascii({cell}) <= 32 OR ascii({cell}) = 160 OR {last})"


def not_data_sql(mapping: Mapping, export: ExportColumns, cell: str = "{}") -> str:
    """The number (from 1) of the first `not_data` rule a line's cells match, else NULL; `cell` formats a
    cell's column (`c0`) as the relation names its trimmed value (`{}` as it is, `t.{}`...)."""
    def read(name: str) -> str:
        return cell.format(export.cell(name))
    # Most lines are data: one test per column read says so, and only the others are told apart.
    by_column: dict[str, list[str]] = {}
    for rule in mapping.not_data:
        by_column.setdefault(rule.column, []).append(f"({rule.pattern})")
    any_rule = " OR ".join(f"regexp_matches({read(name)}, {literal('|'.join(patterns))}, 'i')"
                           for name, patterns in by_column.items())
    which = " ".join(f"WHEN regexp_matches({read(rule.column)}, {literal(rule.pattern)}, 'i') THEN {i + 1}"
                     for i, rule in enumerate(mapping.not_data))
    return f"CASE WHEN {any_rule} THEN CASE {which} END END"


def problem_sql(mapping: Mapping, read_problem: str, not_data: str) -> tuple[str, str]:
    """(`_problem`, `_problem_column`) of a line from the reader's own problem (a blank or ragged line)
    and the number of the `not_data` rule it matched."""
    if not mapping.not_data:
        return read_problem, "NULL::VARCHAR"
    reasons = "[" + ", ".join(literal(f"not data: {rule.reason} (column {rule.column})")
                              for rule in mapping.not_data) + "]"
    columns = "[" + ", ".join(literal(rule.column) for rule in mapping.not_data) + "]"
    return (f"coalesce({read_problem}, {reasons}[{not_data}])",
            f"CASE WHEN {read_problem} IS NULL THEN {columns}[{not_data}] END")


def not_data_cells(mapping: Mapping, export: ExportColumns) -> set[str] | None:
    """The cells (`cN`) the `not_data` rules read, or None when one is filled down (then a line's rule
    depends on more than its own cells)."""
    read = {export.cell(rule.column) for rule in mapping.not_data}
    filled = {export.cell(name) for name in mapping.fill_down}
    return None if read & filled else read


def cleaned_cells_sql(mapping: Mapping, export: ExportColumns, relation: str, trimmed: bool) -> str:
    """The export's rows with trimmed cells (empty = NULL), filled down, and the reason of non-data lines.

    Columns: `c0..cN` (as the mapping reads them), `r0..rN` (as written), `_line`, `_problem` and
    `_problem_column` (a blank, ragged or non-data line, and the column that showed it), and
    `_read_problem` (a blank or ragged line only: a query that judges non-data lines itself reads it, and
    then the `not_data` tests are not run on every line)."""
    cleaned, cells = [], []
    fill = {export.cell(name) for name in mapping.fill_down}
    for i in range(len(export.header)):
        # Only a cell with whitespace at an edge is trimmed (the test is cheap, trimming is not; and an IN
        # list would become a join per cell).
        cell = f"c{i}" if trimmed else f"CASE WHEN {_edge_space(f'c{i}')} THEN trim(c{i}, {WHITESPACE}) ELSE c{i} END"
        cleaned.append(f"NULLIF({cell}, '') AS c{i}, c{i} AS r{i}")
        cell = f"c{i}"
        if cell in fill:
            cell = (f"coalesce({cell}, last_value({cell} IGNORE NULLS) OVER "
                    "(ORDER BY _line ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))")
        cells.append(f"{cell} AS c{i}, r{i}")
    source = (f"(SELECT {', '.join(cleaned)}{',' if cleaned else ''} _line, _problem AS _read_problem "
              f"FROM {quote_name(relation)})")
    if mapping.not_data:  # judged on the cells before they are filled down
        source = f"(SELECT *, {not_data_sql(mapping, export)} AS _not_data FROM {source})"
    problem, column = problem_sql(mapping, "_read_problem", "_not_data")
    return (f"SELECT {', '.join(cells)}{',' if cells else ''} _line, {problem} AS _problem, "
            f"{column} AS _problem_column, _read_problem FROM {source}")
