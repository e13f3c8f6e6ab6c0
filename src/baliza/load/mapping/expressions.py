"""A table mapping as SQL: one query turns an export's rows into the interchange format's text cells.

Everything is vectorised in DuckDB, over the export's cleaned cells (`cells`): each contract column is
built from its rule; vocabularies, lookups and date formats are applied once per distinct value of the
cells a rule reads (`per_value`), which also counts and samples the conversions for the load's
`normalisations`; ids are made by a keyed hash (`ids`). A value a vocabulary or lookup does not know stays
as it was written (unless the mapping gives a default), so that the contract's checks quarantine it with
the value in the reason. Dates and numbers a format cannot read are likewise kept as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from baliza.contract import ColumnType
from baliza.load.mapping.cells import ExportColumns, not_data_cells, not_data_sql, problem_sql
from baliza.load.mapping.conversions import Conversion
from baliza.load.mapping.ids import digest_sql, fields_sql, occurrence_statements, renumber_statements
from baliza.load.mapping.per_value import PerValue, ValueRule
from baliza.load.mapping.spec import ColumnRule, Mapping, MappingError, TableMapping
from baliza.load.mapping.translations import translated_sql
from baliza.load.normalisation import COMMA_DECIMAL, THOUSANDS_COMMA
from baliza.load.sql import literal, quote_name

DOT_THOUSANDS = r"[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?"


class Projection:
    """The SQL of one table mapping over one export (see `projection_sql`)."""

    def __init__(self, mapping: Mapping, table: TableMapping, export: ExportColumns, id_key: str,
                 cells: str = "") -> None:
        self.mapping, self.table, self.export, self.id_key, self.cells = mapping, table, export, id_key, cells
        self.joins: list[str] = []
        """LEFT JOINs the values need (translations, occurrences)."""
        self.occurrences: list[tuple[str, str]] = []
        """(fields SQL, alias) of every hash rule inside another rule: identical lines are numbered in their
        order."""
        self.repeated: list[tuple[int, list[str], str]] = []
        """(position, cells, prefix) of every hash rule of a column: renumbered once the rows are made."""
        self.per_value = PerValue(cells)
        self.conversions: list[Conversion] = []
        self.outer: list[tuple[str, str]] = []
        """(SQL over the values `v<position>`, name) of further columns of the raw table."""
        self.extra: list[tuple[str, str]] = []
        """(SQL, name) of further columns of the inner query (values before a decimal mark was read)."""

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
        # Kept only where reading the decimal mark changed the value (most numbers have none): counted later.
        self.outer.append((f"CASE WHEN v{position} IS DISTINCT FROM {before} THEN {before} END", before))
        self.conversions.append(Conversion(rule.column, position, "mapping_decimal_mark", before=before))
        return read

    def _line_id(self, rule: ColumnRule, position: int) -> str:
        """A `hash` id as if no line repeated (the first of identical lines is numbered 1); the raw table keeps
        a 64-bit hash of the id (identical fields give identical ids), by which the lines that repeat are then
        renumbered (`ProjectionPlan.after`)."""
        cells = [self.export.cell(name) for name in rule.sources]
        self.outer.append((f"hash(v{position})", f"_repeat_{position}"))  # identical fields, identical ids
        self.repeated.append((position, cells, rule.text or ""))
        return digest_sql(self.id_key, rule.text or "", cells, "'1'")

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
            join, value = translated_sql(value, self.mapping.translations[rule.translation], f"t{len(self.joins)}")
            self.joins.append(join)
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
        inner = Projection(self.mapping, self.table, self.export, self.id_key)
        value, original = inner._chain(rule)
        name = f"_bz_values_{self.cells}_{position}"
        query = (f"SELECT {', '.join(f'{c} AS k{i}' for i, c in enumerate(cells))}, {value} AS value, "
                 f"{original} AS original, _n, _first FROM (SELECT * FROM {{groups}} WHERE {{grouping}}) g "
                 f"{' '.join(inner.joins)}")
        kinds = [k for k in _kinds(rule, self.mapping) if k != "decimal_mark"]
        self.conversions.append(Conversion(rule.column, position, "mapping_" + "_".join(kinds), per_value=name))
        return self.per_value.add(ValueRule(name, cells, query))

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
            alias = f"o{len(self.occurrences)}"
            self.occurrences.append((fields_sql(cells), alias))
            return digest_sql(self.id_key, rule.text or "", cells, f"CAST(coalesce({alias}.n, 1) AS VARCHAR)")
        raise MappingError(f"rule {rule.kind} is not known")  # pragma: no cover (parse_mapping refuses it)


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
    unique: list[str] = field(default_factory=list)
    """Columns whose values differ on every line once `after` has run: ids made by a `hash` rule."""


def projection_sql(mapping: Mapping, table: TableMapping, export: ExportColumns, cells: str,
                   id_key: str, keep_source: bool = True, raw_table: str = "_bz_raw") -> ProjectionPlan:
    """The query of a table's rows from the cleaned export `cells` (a relation, `cells.cleaned_cells_sql`),
    and its column names.

    The columns are `c0..cN`: the mapped contract columns (in the contract's order), then, with
    `keep_source`, the export's own cells; then `_line`, `_problem`, `_problem_column` (and the values
    before a decimal mark changed them, `_before_<position>`). The names returned are those of `c0..cN`
    (contract column names, then the export's header).
    """
    projection = Projection(mapping, table, export, id_key, cells)
    mapped = [c for c in table.table.columns if c.name in table.rules]
    values = [projection.column(table.rules[c.name], j) for j, c in enumerate(mapped)]
    cell = quote_name(cells)
    read_by_rules = not_data_cells(mapping, export) if mapping.not_data else None
    judged = read_by_rules is not None and read_by_rules <= set(projection.per_value.grouped)
    prepare, join, scratch = projection.per_value.statements(not_data_sql(mapping, export) if judged else None)
    if judged:  # the combinations were judged (see `per_value`): the lines need no regular expression
        problem, problem_column = problem_sql(mapping, f"{cell}._read_problem", "_w._not_data")
    else:
        problem, problem_column = f"{cell}._problem", f"{cell}._problem_column"
    joins = [join] if join else []
    for fields, alias in projection.occurrences:
        name = f"_bz_occurrences_{cells}_{alias}"
        prepare += occurrence_statements(cells, name, fields)
        scratch.append(name)
        joins.append(f"LEFT JOIN {quote_name(name)} {alias} ON {alias}._line = {cell}._line")
    names = [c.name for c in mapped]
    selected = list(values)
    if keep_source:
        names += list(export.header)
        selected += [f"r{i}" for i in range(len(export.header))]  # as read: kept for the quarantine
    inner = ", ".join([*(f"{value} AS v{j}" for j, value in enumerate(selected)),
                       *(f"{value} AS {name}" for value, name in projection.extra)])
    outer = ", ".join([*(f"v{j} AS c{j}" for j in range(len(selected))),
                       *(f"{value} AS {name}" for value, name in projection.outer)])
    sql = (f"SELECT {outer}, _line, _problem, _problem_column FROM (SELECT {inner}, {cell}._line, "
           f"{problem} AS _problem, {problem_column} AS _problem_column FROM {cell} "
           f"{' '.join([*projection.joins, *joins])})")
    after = []
    for position, id_cells, prefix in projection.repeated:
        name = f"_bz_repeats_{cells}_{position}"
        after += renumber_statements(raw_table, cells, name, position, id_key, prefix, id_cells)
        scratch.append(name)
    unique = [names[position] for position, _, _ in projection.repeated]
    return ProjectionPlan(prepare, sql, names, scratch, projection.conversions, after, unique)
