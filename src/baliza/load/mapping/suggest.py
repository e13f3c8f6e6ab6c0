"""A first mapping for an export nobody has mapped yet, for a person to finish.

`suggest_mapping` reads the header and the values of the export: it finds the header row (title rows
above it are skipped), the delimiter and the encoding; matches each header to a contract column by its
Spanish, Portuguese or English name (`synonyms.yaml`, matched loosely and fuzzily); detects the date format
every value of a date column is written in and a decimal comma; translates the words of vocabulary columns
it knows (substances, units) and lists those it does not; proposes a lookup for the place column; finds
total and note lines; and, when the export has no ids, makes them a keyed hash of every column. What it
could not decide is listed, and left empty in the mapping.
"""

from __future__ import annotations

import csv
import difflib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import yaml

from baliza.contract import TABLES_BY_NAME, ColumnType, Table
from baliza.contract.normalise import UNIT_SPELLINGS
from baliza.load.mapping.cells import ExportColumns, cleaned_cells_sql
from baliza.load.mapping.source import read_export
from baliza.load.mapping.spec import Mapping, loose_key, place_key
from baliza.load.sql import literal

MATCH_THRESHOLD = 0.8
VALUES_LISTED = 200
DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%m/%d/%Y %I:%M:%S %p", "%d/%m/%Y %I:%M:%S %p",
                "%d/%m/%Y", "%m/%d/%Y", "%d/%m/%Y %H:%M:%S", "%m/%d/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d-%m-%Y",
                "%d.%m.%Y", "%Y/%m/%d", "%d/%m/%y", "%m/%d/%y")
NOT_DATA = r"^(total|totales|subtotal|total geral|suma|fuente|fonte|nota|notas|elaborado|source)\b"


@dataclass
class Suggestion:
    """The suggested mapping (as YAML data) and what a person must still decide."""

    mapping: dict[str, Any]
    table: str
    matched: dict[str, str] = field(default_factory=dict)
    """Contract column -> export column."""
    formats: dict[str, str] = field(default_factory=dict)
    """Export column -> the date format or decimal mark detected."""
    undecided: list[str] = field(default_factory=list)

    def to_yaml(self) -> str:
        lines = [f"# Suggested by baliza mapping suggest for {self.table}: check every rule before loading."]
        if self.undecided:
            lines.append("# To decide (values left empty, ~, below):")
            lines += [f"#   - {item}" for item in self.undecided]
        return "\n".join(lines) + "\n" + yaml.safe_dump(self.mapping, allow_unicode=True, sort_keys=False, width=110)


@cache
def synonyms() -> dict[str, Any]:
    return yaml.safe_load((Path(__file__).with_name("synonyms.yaml")).read_text(encoding="utf-8"))


def header_score(header: str, spellings: list[str]) -> tuple[float, int]:
    """How well `header` matches a column's spellings (1 = the same words), and which spelling (earlier wins)."""
    key = loose_key(header).replace("_", " ")
    best = (0.0, len(spellings))
    for rank, spelling in enumerate(spellings):
        score = difflib.SequenceMatcher(None, key, loose_key(spelling)).ratio()
        if (score, -rank) > (best[0], -best[1]):
            best = (score, rank)
    return best


def suggest_mapping(files: list[Path], name: str | None = None) -> Suggestion:
    """A first mapping for the export `files` (read the first; the others are assumed alike)."""
    path = Path(files[0])
    header_row, delimiter, encoding = _layout(path)
    con = duckdb.connect()
    export = read_export(con, path, "_bz_suggest", header_row=header_row, delimiter=delimiter, encoding=encoding)
    header = list(export.header)
    bare = Mapping(name or "suggested", "1", None, ())
    columns = ExportColumns(tuple(header), str(path), "the suggestion")
    con.execute(f"CREATE TEMP VIEW cells AS {cleaned_cells_sql(bare, columns, export.relation, export.trimmed)}")
    table, matched = _match_table(header)
    suggestion = Suggestion({}, table.name, matched)
    rules: dict[str, Any] = {}
    vocabularies: dict[str, Any] = {}
    lookups: dict[str, Any] = {}
    cell = {h: f"c{i}" for i, h in enumerate(header)}
    for column in table.columns:
        source = matched.get(column.name)
        if column.name == "substance_group" and "substance" in matched:
            source = matched["substance"]
        if source is None:
            continue
        rule: dict[str, Any] = {"from": source}
        if column.type in {ColumnType.DATE, ColumnType.DATETIME}:
            found = _date_format(con, cell[source])
            if found:
                rule["date"] = found
                suggestion.formats[source] = found
            else:
                suggestion.undecided.append(f"{source}: no date format reads every value; say which (date: ...)")
        elif column.type == ColumnType.DECIMAL and _decimal_comma(con, cell[source]):
            rule["decimal_mark"] = ","
            suggestion.formats[source] = "decimal comma"
        elif column.type == ColumnType.ENUM:
            values = _distinct(con, cell[source])
            known = _known_values(column.name, column.values)
            decided = {v: known.get(loose_key(v)) for v in values}
            vocabularies[column.name] = {"values": decided}
            rule["vocabulary"] = column.name
            suggestion.undecided += [f"{source}: {v!r} is not a known {column.name} (one of {', '.join(column.values)})"
                                     for v, group in decided.items() if group is None]
        elif column.type == ColumnType.REF and column.name in synonyms()["place_columns"]:
            lookups["places"] = {"values": dict.fromkeys(_distinct(con, cell[source], places=True)), "default": None}
            rule["lookup"] = "places"
            suggestion.undecided.append(f"{source}: which {column.references} row each place is (lookups.places; "
                                        "places left empty get none)")
        rules[column.name] = rule if len(rule) > 1 else source
    key = table.key[0]
    if key not in rules and len(table.key) == 1:
        rules = {key: {"hash": header, "prefix": f"{(name or path.stem).upper()}-"}, **rules}
    for column in table.required_columns:
        if column.name not in rules:
            rules[column.name] = {"constant": None}
            suggestion.undecided.append(f"{table.name}.{column.name}: no column of the export holds it; "
                                        "give a constant or a lookup")
    ordered = {c.name: rules[c.name] for c in table.columns if c.name in rules}
    mapping: dict[str, Any] = {"mapping": name or path.stem, "version": 1,
                               "source": {"files": [f"*{path.suffix.lower()}"], "header_row": header_row}}
    if delimiter != ",":
        mapping["source"]["delimiter"] = delimiter
    if encoding != "utf-8":
        mapping["source"]["encoding"] = encoding
    not_data = _not_data(con, header)
    if not_data:
        mapping["not_data"] = not_data
    mapping["tables"] = {table.name: ordered}
    if vocabularies:
        mapping["vocabularies"] = vocabularies
    if lookups:
        mapping["lookups"] = lookups
    suggestion.mapping = mapping
    con.close()
    return suggestion


def _layout(path: Path) -> tuple[int, str, str]:
    """The header row (after title rows), delimiter and encoding of an export."""
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        from python_calamine import CalamineWorkbook

        grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)[:30]
        return _header_row([[c for c in row if c not in (None, "")] for row in grid]), ",", "utf-8"
    raw = path.read_bytes()[:64 * 1024]
    try:
        text, encoding = raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = raw.decode("latin-1"), "latin-1"
    lines = text.splitlines()[:30]
    delimiter = max(",;\t|", key=lambda d: sum(line.count(d) for line in lines))
    rows = [[c for c in row if c.strip()] for row in csv.reader(lines, delimiter=delimiter)]
    return _header_row(rows), delimiter, encoding


def _header_row(rows: list[list[Any]]) -> int:
    """The first row as wide as the widest of the first rows: title rows above it hold one or two cells."""
    widest = max((len(r) for r in rows), default=0)
    return next((i + 1 for i, r in enumerate(rows) if widest and len(r) >= 0.6 * widest), 1)


def _match_table(header: list[str]) -> tuple[Table, dict[str, str]]:
    """The table whose columns the header matches best, and contract column -> export column."""
    best: tuple[float, Table | None, dict[str, str]] = (0.0, None, {})
    for table_name, spellings in synonyms()["columns"].items():
        table = TABLES_BY_NAME[table_name]
        candidates = []
        for column, words in spellings.items():
            for h in header:
                score, rank = header_score(h, [column, *words])
                if score >= MATCH_THRESHOLD:
                    candidates.append((score, -rank, column, h))
        matched: dict[str, str] = {}
        used: set[str] = set()
        total = 0.0
        for score, _, column, h in sorted(candidates, reverse=True):
            if column not in matched and h not in used:
                matched[column] = h
                used.add(h)
                total += score
        if total > best[0]:
            best = (total, table, matched)
    if best[1] is None:
        raise ValueError(f"none of the columns ({', '.join(header)}) looks like a column of a contract table")
    return best[1], best[2]


def _distinct(con: duckdb.DuckDBPyConnection, cell: str, places: bool = False) -> list[str]:
    rows = con.execute(f"SELECT {cell}, count(*) FROM cells WHERE {cell} IS NOT NULL AND _problem IS NULL "
                       f"GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {VALUES_LISTED}").fetchall()
    values = [str(v) for v, _ in rows]
    if not places:
        return values
    seen: dict[str, str] = {}
    for value in values:  # one entry per place, however it is spelled
        seen.setdefault(place_key(value), value)
    return list(seen.values())


def _known_values(column: str, allowed: tuple[str, ...]) -> dict[str, str]:
    known = {loose_key(v): v for v in allowed}
    known.update({loose_key(v.replace("_", " ")): v for v in allowed})
    if column == "quantity_unit":
        known.update({loose_key(k): v for k, v in UNIT_SPELLINGS.items()})
    for value, words in synonyms()["values"].get(column, {}).items():
        known.update({loose_key(w): value for w in words})
    return known


def _date_format(con: duckdb.DuckDBPyConnection, cell: str) -> str | None:
    """The first format that reads every value of the column (outside non-data lines)."""
    sample = f"(SELECT {cell} AS v FROM cells WHERE {cell} IS NOT NULL AND NOT regexp_matches({cell}, " \
             f"{literal(NOT_DATA)}, 'i') LIMIT 5000)"
    counts = ", ".join(f"count(try_strptime(v, {literal(f)}))" for f in DATE_FORMATS)
    total, *parsed = con.execute(f"SELECT count(v), {counts} FROM {sample}").fetchall()[0]
    return next((f for f, n in zip(DATE_FORMATS, parsed, strict=True) if total and n == total), None)


def _decimal_comma(con: duckdb.DuckDBPyConnection, cell: str) -> bool:
    return bool(con.execute(f"SELECT count(*) FILTER (regexp_full_match({cell}, '[+-]?[0-9.]*,[0-9]+')) > 0 "
                            f"FROM cells").fetchall()[0][0])


def _not_data(con: duckdb.DuckDBPyConnection, header: list[str]) -> list[dict[str, str]]:
    """A rule for the total and note lines found in the first column."""
    found = con.execute(f"SELECT count(*) FROM cells WHERE regexp_matches(trim(c0), {literal(NOT_DATA)}, 'i')"
                        ).fetchall()[0][0]
    if not found or not header:
        return []
    return [{"column": header[0], "matches": NOT_DATA, "reason": "a total or a note, not data"}]
