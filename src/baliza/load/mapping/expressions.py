"""A table mapping as SQL: one query turns an export's rows into the interchange format's text cells.

Everything is vectorised in DuckDB: cells are trimmed (and filled down where the mapping says so),
lines that are not data get their reason, each contract column is built from its rule, and vocabularies,
lookups and date formats are applied once per distinct value of the cells a rule reads (a few hundred
spellings or days, however many rows), in a small table joined back to the rows; that table also counts
and samples the conversions for the load's `normalisations`. A value a vocabulary or lookup does not
know stays as it was written (unless the mapping gives a default), so that the contract's checks
quarantine it with the value in the reason. Dates and numbers a format cannot read are likewise kept as
written.
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
    problem, column, source = "_problem", "NULL::VARCHAR", quote_name(relation)
    if mapping.not_data:
        def read(name: str) -> str:
            return export.cell(name) if trimmed else f"trim({export.cell(name)})"
        # Most lines are data: one test per column read says so, and only the others are told apart. The
        # tests run once per line, in a subquery, and give the number of the rule that matched.
        by_column: dict[str, list[str]] = {}
        for rule in mapping.not_data:
            by_column.setdefault(rule.column, []).append(f"({rule.pattern})")
        any_rule = " OR ".join(f"regexp_matches({read(name)}, {literal('|'.join(patterns))}, 'i')"
                               for name, patterns in by_column.items())
        which = " ".join(f"WHEN regexp_matches({read(rule.column)}, {literal(rule.pattern)}, 'i') THEN {i + 1}"
                         for i, rule in enumerate(mapping.not_data))
        reasons = "[" + ", ".join(literal(f"not data: {rule.reason} (column {rule.column})")
                                  for rule in mapping.not_data) + "]"
        columns = "[" + ", ".join(literal(rule.column) for rule in mapping.not_data) + "]"
        problem = f"coalesce(_problem, {reasons}[_not_data])"
        column = f"CASE WHEN _problem IS NULL THEN {columns}[_not_data] END"
        source = (f"(SELECT *, CASE WHEN _problem IS NULL AND ({any_rule}) THEN CASE {which} END END AS _not_data "
                  f"FROM {source})")
    return (f"SELECT {', '.join(cells)}{',' if cells else ''} _line, {problem} AS _problem, "
            f"{column} AS _problem_column FROM {source}")


CONVERSION_SAMPLES = 20
"""Distinct conversions of a column listed in `normalisations` (the most frequent, with their first line)."""


@dataclass(frozen=True)
class Conversion:
    """What a rule converted (a date format, a vocabulary, a lookup, a decimal mark), to count and sample.

    `per_value` is a temp table with one row per distinct value of the cells the rule reads: `original`
    (the cell as written), `value` (what it became), `_n` (data lines with it) and `_first` (the first
    such line); else `before` is a column of the raw table holding the value before the decimal mark was
    read, and the conversion is counted on the rows themselves."""

    column: str
    position: int
    """The contract column's position in the raw table (`c<position>`)."""
    rule: str
    per_value: str | None = None
    before: str | None = None


class Projection:
    """The SQL of one table mapping over one export (see `projection_sql`)."""

    def __init__(self, mapping: Mapping, table: TableMapping, export: ExportColumns, id_key: str,
                 cells: str = "") -> None:
        self.mapping, self.table, self.export, self.id_key, self.cells = mapping, table, export, id_key, cells
        self.joins: list[str] = []
        """LEFT JOINs the values need (translations, per-value conversions, occurrences)."""
        self.occurrences: list[tuple[str, str]] = []
        """(fields SQL, alias) of every hash rule inside another rule: identical lines are numbered in their
        order."""
        self.repeated: list[tuple[int, str, str]] = []
        """(position, fields SQL, prefix) of every hash rule of a column: renumbered once the rows are made."""
        self.prepare: list[str] = []
        self.scratch: list[str] = []
        self.conversions: list[Conversion] = []
        self.groups: dict[tuple[str, ...], None] = {}
        """The sets of cells read by rules worked out per value (in order, without repeats)."""
        self.per_value: list[tuple[str, tuple[str, ...], str]] = []
        """(table, cells, query) of every per-value table; the query reads `{groups}` rows `{grouping}`."""
        self.outer: list[tuple[str, str]] = []
        """(SQL over the values `v<position>`, name) of further columns of the raw table."""
        self.extra: list[tuple[str, str]] = []
        """(SQL, name) of further columns of the raw table (values before a decimal mark was read)."""

    def column(self, rule: ColumnRule, position: int) -> str:
        """The SQL of a contract column's final value (as text); its conversions are remembered."""
        self.export.where = f"mapping {self.mapping.name}, {self.table.table.name}.{rule.column}"
        if rule.kind == "hash" and self.cells and not _kinds(rule, self.mapping):
            return self._line_id(rule, position)
        if _converts(rule, self.mapping) and self.cells:
            value = self._per_value(rule, position)
        else:
            value, _ = self._chain(rule)
        if rule.decimal_mark is None:
            return value
        read = self._decimal(rule, value)
        before = f"_before_{position}"
        self.extra.append((value, before))
        self.conversions.append(Conversion(rule.column, position, "mapping_decimal_mark", before=before))
        return read

    def _line_id(self, rule: ColumnRule, position: int) -> str:
        """A `hash` id as if no line repeated (the first of identical lines is numbered 1); the raw table keeps
        a 64-bit hash of the id (identical fields give identical ids), by which the lines that repeat are then
        renumbered (`ProjectionPlan.after`)."""
        fields = _fields([self.export.cell(name) for name in rule.sources])
        self.outer.append((f"hash(v{position})", f"_repeat_{position}"))  # identical fields, identical ids
        self.repeated.append((position, fields, rule.text or ""))
        return _digest(self.id_key, rule.text or "", fields, "'1'")

    def _chain(self, rule: ColumnRule) -> tuple[str, str]:
        """(value, original) of a rule without reading its decimal mark: the base (or the first alternative
        that gives a value), translated, read as a date. `original` is the cell the value came from."""
        if rule.kind == "first":
            chains = [self._chain(alt) for alt in rule.alternatives]
            values = [self._decimal(alt, v) for alt, (v, _) in zip(rule.alternatives, chains, strict=True)]
            value = "coalesce(" + ", ".join(values) + ")"
            original = "CASE " + " ".join(f"WHEN {v} IS NOT NULL THEN {o}"
                                          for v, (_, o) in zip(values, chains, strict=True)) + " END"
        else:
            value = original = self._base(rule)
        if rule.translation:
            value = self._translated(value, self.mapping.translations[rule.translation])
        if rule.date:
            column = self.table.table.column(rule.column)
            out = "%Y-%m-%d" if column.type == ColumnType.DATE else "%Y-%m-%dT%H:%M:%S"
            formats = "[" + ", ".join(literal(f) for f in rule.date) + "]"
            value = f"coalesce(strftime(try_strptime({value}, {formats}), {literal(out)}), {value})"
        return value, original

    def _per_value(self, rule: ColumnRule, position: int) -> str:
        """A rule that translates or reads dates, worked out once per distinct value of the cells it reads
        (a few hundred spellings or days, however many rows) and joined back to the rows."""
        cells = tuple(dict.fromkeys(self.export.cell(name) for name in _sources(rule)))
        self.groups.setdefault(cells, None)
        inner = Projection(self.mapping, self.table, self.export, self.id_key)
        value, original = inner._chain(rule)
        name = f"_bz_values_{self.cells}_{position}"
        self.per_value.append((name, cells, f"SELECT {', '.join(f'{c} AS k{i}' for i, c in enumerate(cells))}, "
                                            f"{value} AS value, {original} AS original, _n, _first FROM "
                                            f"(SELECT * FROM {{groups}} WHERE {{grouping}}) g {' '.join(inner.joins)}"))
        self.scratch.append(name)
        kinds = [k for k in _kinds(rule, self.mapping) if k != "decimal_mark"]
        self.conversions.append(Conversion(rule.column, position, "mapping_" + "_".join(kinds), per_value=name))
        return f"_w.value_{len(self.per_value) - 1}"

    def prepare_per_value(self) -> None:
        """The statements that build the per-value tables: the distinct values of every set of cells a rule
        reads are counted in one pass over the export (grouping sets), then each rule's values are worked out
        on its set."""
        if not self.per_value:
            return
        every = list(dict.fromkeys(c for cells in self.groups for c in cells))
        tuples, groups, wide = (f"_bz_{what}_{self.cells}" for what in ("tuples", "groups", "wide"))
        sets = ", ".join("(" + ", ".join(cells) + ")" for cells in self.groups)
        # The lines are grouped once by every cell read (few combinations in an export: days, places, words),
        # then those groups by each rule's cells: one pass over the lines, however many rules.
        self.prepare += [
            f"CREATE OR REPLACE TEMP TABLE {quote_name(tuples)} AS SELECT {', '.join(every)}, "
            f"count(*) FILTER (_problem IS NULL) AS _n, min(_line) FILTER (_problem IS NULL) AS _first "
            f"FROM {quote_name(self.cells)} GROUP BY ALL",
            f"CREATE OR REPLACE TEMP TABLE {quote_name(groups)} AS SELECT {', '.join(every)}, "
            f"GROUPING({', '.join(every)}) AS _set, sum(_n) AS _n, min(_first) AS _first FROM {quote_name(tuples)} "
            f"GROUP BY GROUPING SETS ({sets})",
        ]
        values, joins = [], []
        for number, (name, cells, sql) in enumerate(self.per_value):
            # GROUPING() has a bit per column, the first the highest, set for the columns a row does not group.
            mask = sum(1 << (len(every) - 1 - i) for i, c in enumerate(every) if c not in cells)
            query = sql.replace("{groups}", quote_name(groups)).replace("{grouping}", f"_set = {mask}")
            self.prepare.append(f"CREATE OR REPLACE TEMP TABLE {quote_name(name)} AS {query}")
            on = " AND ".join(f"p{number}.k{i} IS NOT DISTINCT FROM t.{c}" for i, c in enumerate(cells))
            joins.append(f"LEFT JOIN {quote_name(name)} p{number} ON {on}")
            values.append(f"p{number}.value AS value_{number}")
        # Every rule's value beside its combination of cells: the lines then need one join, not one per rule.
        self.prepare.append(
            f"CREATE OR REPLACE TEMP TABLE {quote_name(wide)} AS SELECT "
            f"{', '.join(f't.{c} AS key_{c}' for c in every)}, {', '.join(values)} FROM {quote_name(tuples)} t "
            f"{' '.join(joins)}")
        on = " AND ".join(f"_w.key_{c} IS NOT DISTINCT FROM {quote_name(self.cells)}.{c}" for c in every)
        self.joins.append(f"LEFT JOIN {quote_name(wide)} _w ON {on}")
        self.scratch += [groups, tuples, wide]

    def _decimal(self, rule: ColumnRule, value: str) -> str:
        if rule.decimal_mark == ",":
            return (f"CASE WHEN NOT contains({value}, ',') THEN {value} "
                    f"WHEN regexp_full_match({value}, {literal(THOUSANDS_COMMA)}) "
                    f"THEN replace(replace({value}, '.', ''), ',', '.') "
                    f"WHEN regexp_full_match({value}, {literal(COMMA_DECIMAL)}) THEN replace({value}, ',', '.') "
                    f"ELSE {value} END")
        if rule.decimal_mark == ".":
            return (f"CASE WHEN contains({value}, ',') AND regexp_full_match({value}, {literal(DOT_THOUSANDS)}) "
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
        if rule.kind == "hash":  # inside another rule: its lines are numbered before (see `projection_sql`)
            fields = _fields(cells)
            alias = f"o{len(self.occurrences)}"
            self.occurrences.append((fields, alias))
            return _digest(self.id_key, rule.text or "", fields, f"CAST(coalesce({alias}.n, 1) AS VARCHAR)")
        raise MappingError(f"rule {rule.kind} is not known")  # pragma: no cover (parse_mapping refuses it)

    def _translated(self, base: str, translation: Translation) -> str:
        alias = f"t{len(self.joins)}"
        self.joins.append(f"LEFT JOIN {quote_name(translation_table(translation))} {alias} "
                          f"ON {alias}.key = {translation_key_sql(base, translation)}")
        default = translation.default
        if default is KEEP:
            otherwise = base
        elif default is None:
            otherwise = "NULL::VARCHAR"
        else:
            otherwise = literal(str(default))
        return f"CASE WHEN {alias}.value IS NOT NULL THEN {alias}.value ELSE {otherwise} END"


def _fields(cells: list[str]) -> str:
    return "concat_ws(chr(31), " + ", ".join(f"coalesce({c}, '')" for c in cells) + ")"


def _digest(id_key: str, prefix: str, fields: str, occurrence: str) -> str:
    """A made id: the prefix and the keyed SHA-256 of the fields and the line's occurrence among identical
    lines (1 for the first), cut to `HASH_CHARACTERS`."""
    digest = f"sha256({literal(id_key)} || chr(31) || {fields} || chr(31) || {occurrence})"
    return f"({literal(prefix)} || left({digest}, {HASH_CHARACTERS}))"


def _kinds(rule: ColumnRule, mapping: Mapping) -> list[str]:
    """The conversions a rule declares (its alternatives' included): vocabulary, lookup, date_format,
    decimal_mark."""
    kinds: list[str] = []
    for alternative in rule.alternatives:
        kinds += _kinds(alternative, mapping)
    if rule.translation:
        kinds.append("lookup" if mapping.translations[rule.translation].places else "vocabulary")
    if rule.date:
        kinds.append("date_format")
    if rule.decimal_mark:
        kinds.append("decimal_mark")
    return list(dict.fromkeys(kinds))


def _converts(rule: ColumnRule, mapping: Mapping) -> bool:
    """Whether a rule translates or reads a date from cells (and makes no id, which is per line)."""
    def hashes(r: ColumnRule) -> bool:
        return r.kind == "hash" or any(hashes(a) for a in r.alternatives)
    converts = {"vocabulary", "lookup", "date_format"} & set(_kinds(rule, mapping))
    return bool(converts) and bool(_sources(rule)) and not hashes(rule)


def _sources(rule: ColumnRule) -> list[str]:
    return [*rule.sources, *(name for alternative in rule.alternatives for name in _sources(alternative))]


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
    """Statements that prepare the projection (temp tables `scratch`), then its query and column names, and
    the conversions to count and sample once its rows are stored."""

    prepare: list[str]
    sql: str
    names: list[str]
    scratch: list[str]
    conversions: list[Conversion] = field(default_factory=list)
    after: list[str] = field(default_factory=list)
    """Statements to run once the rows are in `raw_table` (identical lines' ids renumbered)."""


def projection_sql(mapping: Mapping, table: TableMapping, export: ExportColumns, cells: str,
                   id_key: str, keep_source: bool = True, raw_table: str = "_bz_raw") -> ProjectionPlan:
    """The query of a table's rows from the cleaned export `cells` (a relation), and its column names.

    The columns are `c0..cN`: the mapped contract columns (in the contract's order), then, with
    `keep_source`, the export's own cells; then `_line`, `_problem`, `_problem_column` (and the values
    before a decimal mark was read, `_before_<position>`). The names returned are those of `c0..cN`
    (contract column names, then the export's header).
    """
    projection = Projection(mapping, table, export, id_key, cells)
    mapped = [c for c in table.table.columns if c.name in table.rules]
    values = [projection.column(table.rules[c.name], j) for j, c in enumerate(mapped)]
    projection.prepare_per_value()
    for fields, alias in projection.occurrences:
        # Identical lines are told apart by their order. Only lines that repeat are numbered (in a narrow
        # table, joined by line: a window over every wide row costs more than the rest of the mapping).
        # Grouping by a 64-bit hash of the fields is cheaper than by the text; a collision would only
        # number two different lines 1 and 2, which still gives them different ids.
        name = f"_bz_occurrences_{cells}_{alias}"
        projection.prepare += [
            f"CREATE OR REPLACE TEMP TABLE {quote_name(name)} AS SELECT _line, hash({fields}) AS h "
            f"FROM {quote_name(cells)}",
            f"CREATE OR REPLACE TEMP TABLE {quote_name(name)} AS SELECT _line, row_number() OVER "
            f"(PARTITION BY h ORDER BY _line) AS n FROM {quote_name(name)} "
            f"WHERE h IN (SELECT h FROM {quote_name(name)} GROUP BY h HAVING count(*) > 1)",
        ]
        projection.scratch.append(name)
        projection.joins.append(f"LEFT JOIN {quote_name(name)} {alias} ON {alias}._line = {quote_name(cells)}._line")
    names = [c.name for c in mapped]
    selected = list(values)
    if keep_source:
        names += list(export.header)
        selected += [f"r{i}" for i in range(len(export.header))]  # as read: kept for the quarantine
    inner = ", ".join([*(f"{value} AS v{j}" for j, value in enumerate(selected)),
                       *(f"{value} AS {name}" for value, name in projection.extra)])
    outer = ", ".join([*(f"v{j} AS c{j}" for j in range(len(selected))),
                       *(f"{value} AS {name}" for value, name in projection.outer)])
    before = "".join(f", {name}" for _, name in projection.extra)
    cell = quote_name(cells)
    sql = (f"SELECT {outer}, _line, _problem, _problem_column{before} FROM (SELECT {inner}, {cell}._line, "
           f"{cell}._problem, {cell}._problem_column FROM {cell} {' '.join(projection.joins)})")
    after = []
    for position, fields, prefix in projection.repeated:
        # Identical lines are told apart by their order: the n-th gets occurrence n. Lines are grouped by a
        # 64-bit hash of their first-occurrence id (cheaper than the text; a collision only numbers two
        # different lines 1 and 2, which still gives them different ids); only the few lines that repeat are
        # numbered and given their id again.
        repeat, name = f"_repeat_{position}", f"_bz_repeats_{cells}_{position}"
        raw = quote_name(raw_table)
        after += [
            f"CREATE OR REPLACE TEMP TABLE {quote_name(name)} AS SELECT _line, row_number() OVER "
            f"(PARTITION BY {repeat} ORDER BY _line) AS n FROM {raw} "
            f"WHERE {repeat} IN (SELECT {repeat} FROM {raw} GROUP BY ALL HAVING count(*) > 1)",
            f"UPDATE {raw} SET c{position} = x.id FROM (SELECT d._line, "
            f"{_digest(id_key, prefix, fields, 'CAST(d.n AS VARCHAR)')} AS id FROM {quote_name(name)} d "
            f"JOIN {cell} ON {cell}._line = d._line WHERE d.n > 1) x WHERE {raw}._line = x._line",
        ]
        projection.scratch.append(name)
    return ProjectionPlan(projection.prepare, sql, names, projection.scratch, projection.conversions, after)
