"""A mapping read from YAML: how an agency's own export becomes rows of the interchange format.

A mapping is data, versioned with the dataset it reads (see docs/mappings.md for every key). It says
which files and sheet to read and where the header is, which lines are not data, and for each target
table how every contract column is made from the export's columns: renamed, assembled (template,
concatenation, split, constant), hashed into a stable id, read with a date or number format, or
translated through a vocabulary or a lookup. Reading it checks its shape and names what is wrong;
whether its columns exist in a file is checked when the file is read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from baliza.contract import TABLES_BY_NAME, Table
from baliza.load.errors import LoadError

RULE_KINDS = ("from", "template", "concat", "split", "constant", "hash", "first")
KEEP = object()
"""A vocabulary or lookup without `default`: a value it does not know is kept as it is (and the contract
then says whether it is acceptable)."""


class MappingError(LoadError):
    """A mapping that cannot be used as written; nothing was loaded."""


def loose_key(text: str) -> str:
    """A spelling without case, accents, surrounding or repeated spaces: `Bogotá  D.C.` -> `bogota d.c.`."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", plain).strip().lower()


def place_key(text: str) -> str:
    """A place name as a lookup matches it: loose, and without a bracketed suffix (`LETICIA (CT)`)."""
    return loose_key(re.sub(r"\s*\([^)]*\)\s*$", "", text))


@dataclass(frozen=True)
class Translation:
    """A vocabulary (words to contract values) or a lookup (codes or names to ids), matched loosely."""

    name: str
    values: dict[str, str | None]
    """Keyed by the loose (or place) key of the spelling; None marks a value still to be decided."""
    default: object = KEEP
    places: bool = False
    """Match as place names (a bracketed suffix ignored), else as words."""

    def key(self, text: str) -> str:
        return place_key(text) if self.places else loose_key(text)


@dataclass(frozen=True)
class ColumnRule:
    """How one contract column is made from a row of the export."""

    column: str
    kind: str
    """One of RULE_KINDS."""
    sources: tuple[str, ...] = ()
    """The export columns read (`from`, `concat`, `split`, `hash`), or a template's placeholders."""
    text: str | None = None
    """The constant, the template, the hash prefix, the concatenation or split separator."""
    part: int = 1
    """`split`: which part (1 = first, -1 = last)."""
    alternatives: tuple[ColumnRule, ...] = ()
    """`first`: the first rule that gives a value."""
    date: tuple[str, ...] = ()
    """strptime formats the cell is written in (`%m/%d/%Y %I:%M:%S %p`)."""
    decimal_mark: str | None = None
    translation: str | None = None
    """The vocabulary or lookup that translates the value."""


@dataclass(frozen=True)
class NotData:
    """Lines that are not data (totals, notes): set aside into the quarantine with `reason`."""

    column: str
    pattern: str
    reason: str


@dataclass(frozen=True)
class TableMapping:
    table: Table
    rules: dict[str, ColumnRule]
    sheet: str | int | None = None


@dataclass(frozen=True)
class Mapping:
    name: str
    version: str
    path: Path | None
    tables: tuple[TableMapping, ...]
    files: tuple[str, ...] = ("*.csv", "*.xlsx")
    sheet: str | int | None = None
    header_row: int = 1
    delimiter: str = ","
    encoding: str = "utf-8"
    timezone: str | None = None
    reported_by: str | None = None
    fill_down: tuple[str, ...] = ()
    not_data: tuple[NotData, ...] = ()
    translations: dict[str, Translation] = field(default_factory=dict)
    description: str = ""
    attribution: str = ""
    targeting: dict[str, Any] = field(default_factory=dict)
    """What customs targeting reads of the export beside the contract's columns (`targeting:`, read by
    `baliza.targeting.declarations`); empty for a mapping targeting does not use."""

    @property
    def label(self) -> str:
        """How loads and reports name it: `kcs (mapping version 1)`."""
        return f"{self.name} (mapping version {self.version})"

    def table_mapping(self, name: str) -> TableMapping:
        for mapped in self.tables:
            if mapped.table.name == name:
                return mapped
        known = ", ".join(t.table.name for t in self.tables)
        raise MappingError(f"mapping {self.name} has no table {name!r} (it maps: {known})")


def parse_mapping(content: Any, path: Path | None = None) -> Mapping:
    """A mapping from its YAML content (already parsed); `path` locates lookup files and names errors."""
    where = str(path) if path else "mapping"
    if not isinstance(content, dict):
        raise MappingError(f"{where}: expected keys such as mapping, version, source and tables")
    name = str(content.get("mapping") or (path.stem if path else "")).strip()
    if not name:
        raise MappingError(f"{where}: give the mapping a name (mapping: my-agency-seizures)")
    source = _section(content, "source", where)
    vocabularies, lookups = _section(content, "vocabularies", where), _section(content, "lookups", where)
    translations = {
        **{n: _translation(n, spec, where, path, places=False) for n, spec in vocabularies.items()},
        **{n: _translation(n, spec, where, path, places=True) for n, spec in lookups.items()},
    }
    tables = _section(content, "tables", where)
    if not tables:
        raise MappingError(f"{where}: no tables (say which contract tables the export fills, "
                           "e.g. tables: seizures: ...)")
    mapped = []
    for table_name, columns in tables.items():
        table = TABLES_BY_NAME.get(str(table_name))
        if table is None:
            raise MappingError(f"{where}: {table_name!r} is not a table of the interchange format")
        if not isinstance(columns, dict):
            raise MappingError(f"{where}: tables.{table_name} must map contract columns to rules")
        sheet = columns.get("_sheet")
        rules = {}
        for column, spec in columns.items():
            if column == "_sheet":
                continue
            if not table.has_column(str(column)):
                raise MappingError(f"{where}: {table_name}.{column} is not a column of {table_name} "
                                   f"(its columns: {', '.join(c.name for c in table.columns)})")
            rules[str(column)] = _rule(str(column), spec, f"{where}: {table_name}.{column}", translations)
        mapped.append(TableMapping(table, rules, sheet))
    not_data = tuple(_not_data(entry, where) for entry in content.get("not_data") or [])
    files = source.get("files") or ("*.csv", "*.xlsx")
    header_row = source.get("header_row", 1)
    if not isinstance(header_row, int) or header_row < 1:
        raise MappingError(f"{where}: source.header_row must be a line number (1 = the first line)")
    return Mapping(
        name=name,
        version=str(content.get("version", 1)),
        path=path,
        tables=tuple(mapped),
        files=tuple([files] if isinstance(files, str) else files),
        sheet=source.get("sheet"),
        header_row=header_row,
        delimiter=str(source.get("delimiter") or ","),
        encoding=str(source.get("encoding") or "utf-8"),
        timezone=source.get("timezone"),
        reported_by=content.get("reported_by"),
        fill_down=tuple(str(c) for c in source.get("fill_down") or ()),
        not_data=not_data,
        translations=translations,
        description=str(content.get("description") or "").strip(),
        attribution=str(content.get("attribution") or "").strip(),
        targeting=_section(content, "targeting", where),
    )


def read_mapping_file(path: Path) -> Mapping:
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise MappingError(f"{path}: no such mapping file") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise MappingError(f"{path}: not readable YAML ({exc.__class__.__name__}: {exc})") from None
    return parse_mapping(content, path)


def _section(content: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = content.get(key) or {}
    if not isinstance(value, dict):
        raise MappingError(f"{where}: {key} must be a set of keys and values")
    return value


def _rule(column: str, spec: Any, where: str, translations: dict[str, Translation]) -> ColumnRule:
    if isinstance(spec, str):
        spec = {"from": spec}
    if not isinstance(spec, dict):
        raise MappingError(f"{where}: expected an export column name or a rule such as {{from: FECHA}}")
    kinds = [k for k in RULE_KINDS if k in spec]
    if len(kinds) != 1:
        raise MappingError(f"{where}: say how the value is made with exactly one of {', '.join(RULE_KINDS)}")
    kind = kinds[0]
    value = spec[kind]
    sources: tuple[str, ...] = ()
    text: str | None = None
    alternatives: tuple[ColumnRule, ...] = ()
    part = 1
    if kind == "from":
        sources = (str(value),)
    elif kind == "template":
        text = str(value)
        sources = tuple(re.findall(r"\{([^{}]+)\}", text))
        if not sources:
            raise MappingError(f"{where}: a template names export columns in braces, e.g. 'KCS-{{Office ID}}'")
    elif kind in ("concat", "hash"):
        if not isinstance(value, list) or not value:
            raise MappingError(f"{where}: {kind} takes a list of export columns")
        sources = tuple(str(v) for v in value)
        text = str(spec.get("separator", " ") if kind == "concat" else spec.get("prefix", ""))
    elif kind == "split":
        if not isinstance(value, dict) or "from" not in value or "separator" not in value:
            raise MappingError(f"{where}: split takes {{from: COLUMN, separator: ' - ', part: 1}}")
        sources, text, part = (str(value["from"]),), str(value["separator"]), int(value.get("part", 1))
        if part == 0:
            raise MappingError(f"{where}: split part counts from 1 (or from -1 for the last part)")
    elif kind == "constant":
        text = None if value is None else str(value)
    else:  # first
        if not isinstance(value, list) or not value:
            raise MappingError(f"{where}: first takes a list of rules, the first that gives a value is used")
        alternatives = tuple(_rule(column, v, f"{where} (alternative {i + 1})", translations)
                             for i, v in enumerate(value))
    date = spec.get("date") or ()
    decimal_mark = spec.get("decimal_mark")
    if decimal_mark is not None and str(decimal_mark) not in {".", ","}:
        raise MappingError(f"{where}: decimal_mark must be '.' or ','")
    translation = spec.get("vocabulary") or spec.get("lookup")
    if translation is not None and translation not in translations:
        raise MappingError(f"{where}: no vocabulary or lookup named {translation!r} in the mapping")
    return ColumnRule(column, kind, sources, text, part, alternatives,
                      tuple([date] if isinstance(date, str) else date),
                      None if decimal_mark is None else str(decimal_mark), translation)


def _not_data(entry: Any, where: str) -> NotData:
    if not isinstance(entry, dict) or "column" not in entry or "matches" not in entry:
        raise MappingError(f"{where}: each not_data entry needs column, matches (a pattern) and reason")
    pattern = str(entry["matches"])
    try:
        re.compile(pattern)
    except re.error as exc:
        raise MappingError(f"{where}: not_data pattern {pattern!r} is not a regular expression ({exc})") from None
    reason = str(entry.get("reason") or "not a data line")
    return NotData(str(entry["column"]), pattern, reason)


def _translation(name: str, spec: Any, where: str, path: Path | None, places: bool) -> Translation:
    if not isinstance(spec, dict):
        raise MappingError(f"{where}: {name} must hold values (spelling: value) and may hold default or file")
    raw = spec.get("values") or {}
    if not isinstance(raw, dict):
        raise MappingError(f"{where}: {name}.values must map spellings to values")
    if spec.get("file"):
        raw = {**_values_file(Path(str(spec["file"])), path, where, name), **raw}
    key = place_key if places else loose_key
    values = {key(str(k)): None if v is None else str(v) for k, v in raw.items()}
    default = spec.get("default", KEEP)
    return Translation(name, values, None if default is None else (default if default is KEEP else str(default)),
                       places)


def _values_file(file: Path, mapping_path: Path | None, where: str, name: str) -> dict[str, str | None]:
    """A lookup kept in a CSV beside the mapping: its first column is the spelling, its second the value.

    Only a file in the mapping's own folder (or below it) is read: a mapping received as text (an upload)
    has no folder, and reads no file."""
    import csv

    if mapping_path is None:
        raise MappingError(f"{where}: lookup {name}: a mapping given as text cannot read files; put the values "
                           "in the mapping")
    folder = mapping_path.resolve().parent
    file = (folder / file).resolve()
    if not file.is_relative_to(folder):
        raise MappingError(f"{where}: lookup {name}: {file} is outside the mapping's folder")
    try:
        with file.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except OSError as exc:
        raise MappingError(f"{where}: lookup {name}: cannot read {file} ({exc.strerror})") from None
    return {row[0]: (row[1] or None) for row in rows[1:] if len(row) >= 2}
