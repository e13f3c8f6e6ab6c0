"""A table mapping as SQL: one query turns an export's rows into the interchange format's text cells.

Everything is vectorised in DuckDB: cells are trimmed (and filled down where the mapping says so),
lines that are not data get their reason, each contract column is built from its rule, and vocabularies
and lookups are applied by joining on the export's distinct values (a few hundred spellings, however many
rows). A value a vocabulary or lookup does not know stays as it was written (unless the mapping gives a
default), so that the contract's checks quarantine it with the value in the reason. Dates and numbers a
format cannot read are likewise kept as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from baliza.contract import ColumnType
from baliza.load.mapping.spec import KEEP, ColumnRule, Mapping, MappingError, TableMapping, Translation, loose_key
from baliza.load.normalisation import COMMA_DECIMAL, THOUSANDS_COMMA, WHITESPACE
from baliza.load.sql import literal, quote_name

DOT_THOUSANDS = r"[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?"
HASH_CHARACTERS = 20
"""Hex characters of a made id (80 bits: no collision in any realistic export)."""


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


def cleaned_cells_sql(mapping: Mapping, export: ExportColumns, relation: str, trimmed: bool) -> str:
    """The export's rows with trimmed cells (empty = NULL), filled down, and the reason of non-data lines."""
    cells = []
    fill = {export.cell(name) for name in mapping.fill_down}
    for i in range(len(export.header)):
        # Only a cell with whitespace at an edge is trimmed (the test is cheap, trimming is not; and an IN
        # list would become a join per cell).
        cell = f"c{i}" if trimmed else f"CASE WHEN {_edge_space(f'c{i}')} THEN trim(c{i}, {WHITESPACE}) ELSE c{i} END"
        cell = f"NULLIF({cell}, '')"
        if f"c{i}" in fill:
            cell = (f"coalesce({cell}, last_value({cell} IGNORE NULLS) OVER "
                    "(ORDER BY _line ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))")
        cells.append(f"{cell} AS c{i}, c{i} AS r{i}")
    problem, column = "_problem", "NULL::VARCHAR"
    if mapping.not_data:
        tests = [(f"regexp_matches(trim({export.cell(rule.column)}), {literal(rule.pattern)}, 'i')", rule)
                 for rule in mapping.not_data]
        # Most lines are data: one test per column read says so, and only the others are told apart.
        by_column: dict[str, list[str]] = {}
        for rule in mapping.not_data:
            by_column.setdefault(export.cell(rule.column), []).append(f"({rule.pattern})")
        any_rule = " OR ".join(f"regexp_matches(trim({cell}), {literal('|'.join(patterns))}, 'i')"
                               for cell, patterns in by_column.items())
        reasons = " ".join(f"WHEN {test} THEN {literal(f'not data: {rule.reason} (column {rule.column})')}"
                           for test, rule in tests)
        columns = " ".join(f"WHEN {test} THEN {literal(rule.column)}" for test, rule in tests)
        problem = f"coalesce(_problem, CASE WHEN {any_rule} THEN CASE {reasons} END END)"
        column = f"CASE WHEN _problem IS NULL AND ({any_rule}) THEN CASE {columns} END END"
    return (f"SELECT {', '.join(cells)}{',' if cells else ''} _line, {problem} AS _problem, "
            f"{column} AS _problem_column FROM {quote_name(relation)}")


class Projection:
    """The SQL of one table mapping over one export (see `projection_sql`)."""

    def __init__(self, mapping: Mapping, table: TableMapping, export: ExportColumns, id_key: str) -> None:
        self.mapping, self.table, self.export, self.id_key = mapping, table, export, id_key
        self.joins: list[tuple[str, str, Translation]] = []
        """(base SQL, alias, translation) of every translated rule, joined on its distinct values."""
        self.occurrences: list[tuple[str, str]] = []
        """(fields SQL, alias) of every hash rule: identical lines are numbered in their order."""

    def value(self, rule: ColumnRule) -> str:
        """The SQL of a rule's final value (as text)."""
        where = f"mapping {self.mapping.name}, {self.table.table.name}.{rule.column}"
        self.export.where = where
        if rule.kind == "first":
            value = "coalesce(" + ", ".join(self.value(alt) for alt in rule.alternatives) + ")"
        else:
            value = self._base(rule)
        if rule.translation:
            value = self._translated(value, self.mapping.translations[rule.translation])
        if rule.date:
            column = self.table.table.column(rule.column)
            out = "%Y-%m-%d" if column.type == ColumnType.DATE else "%Y-%m-%dT%H:%M:%S"
            formats = "[" + ", ".join(literal(f) for f in rule.date) + "]"
            value = f"coalesce(strftime(try_strptime({value}, {formats}), {literal(out)}), {value})"
        if rule.decimal_mark == ",":
            value = (f"CASE WHEN NOT contains({value}, ',') THEN {value} "
                     f"WHEN regexp_full_match({value}, {literal(THOUSANDS_COMMA)}) "
                     f"THEN replace(replace({value}, '.', ''), ',', '.') "
                     f"WHEN regexp_full_match({value}, {literal(COMMA_DECIMAL)}) THEN replace({value}, ',', '.') "
                     f"ELSE {value} END")
        elif rule.decimal_mark == ".":
            value = (f"CASE WHEN contains({value}, ',') AND regexp_full_match({value}, {literal(DOT_THOUSANDS)}) "
                     f"THEN replace({value}, ',', '') ELSE {value} END")
        return value

    def _base(self, rule: ColumnRule) -> str:
        cells = [self.export.cell(name) for name in rule.sources]
        if rule.kind == "from":
            return cells[0]
        if rule.kind == "constant":
            return literal(rule.text) if rule.text is not None else "NULL::VARCHAR"
        if rule.kind == "template":
            text = rule.text or ""
            parts = []
            for name, cell in zip(rule.sources, cells, strict=True):
                before, text = text.split("{" + name + "}", 1)
                if before:
                    parts.append(literal(before))
                parts.append(cell)
            if text:
                parts.append(literal(text))
            return "(" + " || ".join(parts) + ")"
        if rule.kind == "concat":
            return f"NULLIF(concat_ws({literal(rule.text or '')}, {', '.join(cells)}), '')"
        if rule.kind == "split":
            return f"NULLIF(trim(string_split({cells[0]}, {literal(rule.text or '')})[{rule.part}]), '')"
        if rule.kind == "hash":
            fields = "concat_ws(chr(31), " + ", ".join(f"coalesce({c}, '')" for c in cells) + ")"
            alias = f"o{len(self.occurrences)}"
            self.occurrences.append((fields, alias))
            digest = (f"sha256({literal(self.id_key)} || chr(31) || {fields} || chr(31) || "
                      f"CAST(coalesce({alias}.n, 1) AS VARCHAR))")
            return f"({literal(rule.text or '')} || left({digest}, {HASH_CHARACTERS}))"
        raise MappingError(f"rule {rule.kind} is not known")  # pragma: no cover (parse_mapping refuses it)

    def _translated(self, base: str, translation: Translation) -> str:
        alias = f"t{len(self.joins)}"
        self.joins.append((base, alias, translation))
        default = translation.default
        if default is KEEP:
            otherwise = base
        elif default is None:
            otherwise = "NULL::VARCHAR"
        else:
            otherwise = literal(str(default))
        return f"CASE WHEN {alias}.value IS NOT NULL THEN {alias}.value ELSE {otherwise} END"


def translation_key_sql(value: str, translation: Translation) -> str:
    """The loose key of a value in SQL, as `spec.loose_key` (or `place_key`) computes it in Python."""
    if translation.places:
        value = f"regexp_replace({value}, '\\s*\\([^)]*\\)\\s*$', '')"
    return f"lower(trim(regexp_replace(strip_accents({value}), '\\s+', ' ', 'g')))"


def create_translation_tables(con: duckdb.DuckDBPyConnection, mapping: Mapping) -> list[str]:
    """One temp table (key, value) per vocabulary and lookup of the mapping; their names."""
    import pyarrow as pa

    names = []
    for translation in mapping.translations.values():
        decided = {k: v for k, v in translation.values.items() if v is not None}
        name = translation_table(translation)
        schema = pa.schema([("key", pa.string()), ("value", pa.string())])
        arrow = pa.table({"key": list(decided), "value": list(decided.values())}, schema=schema)
        con.register("_bz_translation_arrow", arrow)
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {quote_name(name)} AS SELECT * FROM _bz_translation_arrow")
        finally:
            con.unregister("_bz_translation_arrow")
        names.append(name)
    return names


def translation_table(translation: Translation) -> str:
    import hashlib

    digest = hashlib.sha256(translation.name.encode()).hexdigest()[:8]
    return f"_bz_tr_{''.join(c for c in translation.name if c.isalnum())[:20]}_{digest}"


@dataclass(frozen=True)
class ProjectionPlan:
    """Statements that prepare the projection (temp tables `scratch`), then its query and column names."""

    prepare: list[str]
    sql: str
    names: list[str]
    scratch: list[str]


def projection_sql(mapping: Mapping, table: TableMapping, export: ExportColumns, cells: str,
                   id_key: str, keep_source: bool = True) -> ProjectionPlan:
    """The query of a table's rows from the cleaned export `cells` (a relation), and its column names.

    The columns are `c0..cN`: the mapped contract columns (in the contract's order), then, with
    `keep_source`, the export's own cells; then `_line`, `_problem`, `_problem_column`. The names returned
    are those of `c0..cN` (contract column names, then the export's header).
    """
    projection = Projection(mapping, table, export, id_key)
    mapped = [c for c in table.table.columns if c.name in table.rules]
    values = [projection.value(table.rules[c.name]) for c in mapped]
    joins = []
    for base, alias, translation in projection.joins:
        distinct = (f"SELECT d.b AS raw, tr.value FROM (SELECT DISTINCT {base} AS b FROM {quote_name(cells)}) d "
                    f"JOIN {quote_name(translation_table(translation))} tr "
                    f"ON tr.key = {translation_key_sql('d.b', translation)}")
        joins.append(f"LEFT JOIN ({distinct}) {alias} ON {alias}.raw = {base}")
    prepare, scratch = [], []
    for fields, alias in projection.occurrences:
        # Identical lines are told apart by their order. Only lines that repeat are numbered (in a narrow
        # table, joined by line: a window over every wide row costs more than the rest of the mapping).
        # Grouping by a 64-bit hash of the fields is cheaper than by the text; a collision would only
        # number two different lines 1 and 2, which still gives them different ids.
        name = f"_bz_occurrences_{cells}_{alias}"
        prepare += [
            f"CREATE OR REPLACE TEMP TABLE {quote_name(name)} AS SELECT _line, hash({fields}) AS h "
            f"FROM {quote_name(cells)}",
            f"CREATE OR REPLACE TEMP TABLE {quote_name(name)} AS SELECT _line, row_number() OVER "
            f"(PARTITION BY h ORDER BY _line) AS n FROM {quote_name(name)} "
            f"WHERE h IN (SELECT h FROM {quote_name(name)} GROUP BY h HAVING count(*) > 1)",
        ]
        scratch.append(name)
        joins.append(f"LEFT JOIN {quote_name(name)} {alias} ON {alias}._line = {quote_name(cells)}._line")
    names = [c.name for c in mapped]
    selected = list(values)
    if keep_source:
        names += list(export.header)
        selected += [f"r{i}" for i in range(len(export.header))]  # as read: kept for the quarantine
    inner = ", ".join(f"{value} AS v{j}" for j, value in enumerate(selected))
    outer = ", ".join(f"v{j} AS c{j}" for j in range(len(selected)))
    cell = quote_name(cells)
    sql = (f"SELECT {outer}, _line, _problem, _problem_column FROM (SELECT {inner}, {cell}._line, {cell}._problem, "
           f"{cell}._problem_column FROM {cell} {' '.join(joins)})")
    return ProjectionPlan(prepare, sql, names, scratch)
