"""Validation of one table's staged rows, vectorised in DuckDB.

The staged rows (`raw__<column>` text, `_file`, `_line`, context columns) pass through one query:
trim, normalise, type and check every cell (see `normalisation`), then look for duplicate keys
within the load and for references to unknown or quarantined rows. The result keeps per row the
typed values `v__<column>`, the list of `_errors` (column, value, reason) and the list of `_norms`
(column, original, normalised, rule).
"""

from __future__ import annotations

from baliza.contract import Column, Table, get_table
from baliza.load.normalisation import column_reason, column_sql, country_joins, trimmed_sql
from baliza.load.ownership import ownership_check
from baliza.load.sql import literal, quote_name

CONTEXT = (
    "_src, _file, _line, _agency, _problem, _problem_column, _missing, _comma, _decimal_comma, _numeric, _day_first, "
    "_tz, _trimmed"
)


def quarantined_keys_table(table_name: str) -> str:
    """The temp table of keys quarantined in this load for `table_name`: key, file, line."""
    return f"_bz_qk_{table_name}"


def _struct(**fields: str) -> str:
    return "{" + ", ".join(f"{literal(name)}: {value}" for name, value in fields.items()) + "}"


def _typed_sql(columns: tuple[Column, ...] | list[Column], staged: str) -> str:
    """The rows of `staged` with, for each of `columns`, the trimmed (`t__`), normalised (`n__`) and typed
    (`v__`) cells."""
    trimmed = ", ".join(f'{trimmed_sql("raw__" + c.name)} AS "t__{c.name}"' for c in columns)
    raws = ", ".join(f'"raw__{c.name}"' for c in columns)
    layer_a = f"SELECT {CONTEXT}, {raws}, {trimmed} FROM {quote_name(staged)}"
    normalised = ", ".join(f'{column_sql(c).normalised} AS "n__{c.name}"' for c in columns)
    layer_b = f"SELECT a.*, {normalised} FROM ({layer_a}) a {country_joins(columns)}"
    values = ", ".join(f'{column_sql(c).value} AS "v__{c.name}"' for c in columns)
    return f"SELECT *, {values} FROM ({layer_b})"


def cell_checks_sql(table: Table, staged: str, loaded_at_sql: str) -> str:
    """The query that trims, normalises, types and checks every cell of `staged`."""
    columns = table.columns
    layer_c = _typed_sql(columns, staged)

    errors, norms, faults, changes = [], [], [], []
    for c in columns:
        reason = column_reason(c, loaded_at_sql)
        faults.append(f"({reason}) IS NOT NULL")
        errors.append(f"CASE WHEN ({reason}) IS NOT NULL THEN "
                      + _struct(column=literal(c.name), value=f'"raw__{c.name}"', reason=reason) + " END")
        sql = column_sql(c)
        # Trimming only shortens a cell: lengths tell whether it changed.
        whitespace = (f'(NOT _trimmed AND "raw__{c.name}" IS NOT NULL AND "t__{c.name}" IS NOT NULL '
                      f'AND strlen("t__{c.name}") <> strlen("raw__{c.name}"))')
        if sql.changed == "FALSE":
            rule, changed = "'whitespace'", whitespace
        else:
            rule = f"CASE WHEN {sql.changed} THEN {sql.rule} ELSE 'whitespace' END"
            changed = f"({sql.changed} OR {whitespace})"
        normalised_text = (f'"n__{c.name}"' if c.type.value != "datetime"
                           else f"strftime(\"v__{c.name}\", '%Y-%m-%dT%H:%M:%S')")
        changes.append(f'("v__{c.name}" IS NOT NULL AND {changed})')
        norms.append(f'CASE WHEN "v__{c.name}" IS NOT NULL AND {changed} THEN '
                     + _struct(column=literal(c.name), original=f'"raw__{c.name}"',
                               normalised=f"CAST({normalised_text} AS VARCHAR)", rule=rule) + " END")
    typed = ", ".join(f'"v__{c.name}"' for c in columns)
    shape_error = _struct(column="_problem_column", value="NULL::VARCHAR", reason="_problem")
    shown_keys = ", ".join(f'"t__{k}"' for k in dict.fromkeys([*table.key, *(c.name for c in table.references)]))
    return (
        f"SELECT _src, _file, _line, _agency, {typed}, {shown_keys}, "
        f"CASE WHEN _problem IS NOT NULL THEN [{shape_error}] "  # a ragged row: its cells are not where they belong
        # Lists are only built for the rows that need them: most rows are clean.
        f"WHEN NOT ({' OR '.join(faults)}) THEN [] "
        f"ELSE list_filter([{', '.join(errors)}], lambda x: x IS NOT NULL) END AS _errors, "
        f"CASE WHEN NOT ({' OR '.join(changes)}) THEN [] "
        f"ELSE list_filter([{', '.join(norms)}], lambda x: x IS NOT NULL) END AS _norms FROM ({layer_c})"
    )


def file_name_sql(files: list[str]) -> str:
    """The name of a row's file, from its `_src` (`files` by `_src`)."""
    return "[" + ", ".join(literal(f) for f in files) + "][_src + 1]"


def repeated_keys_sql(table: Table, staged: str) -> str:
    """The keys that appear more than once in `staged` (typed as the cell checks type them), with the
    position (`_src << 40 + _line`) of the first."""
    key_values = [f'"v__{k}"' for k in table.key]
    key_present = " AND ".join(f"{k} IS NOT NULL" for k in key_values)
    position = "(_src::BIGINT << 40) + _line"
    return (f"SELECT {', '.join(f'{k} AS {k}' for k in key_values)}, min({position}) AS _first "
            f"FROM ({_typed_sql([table.column(k) for k in table.key], staged)}) "
            f"WHERE {key_present} GROUP BY ALL HAVING count(*) > 1")


def copies_sql(table: Table, checked: str, repeated: str) -> str:
    """The rows of `checked` (the checked table) that are copies of an accepted row of another file of the same
    load: same key, same typed values, refused only as a duplicate. Two agencies' folders that both carry a
    directory row (an agency, a unit, an entry point) are such copies; loaded one after the other, the second
    would be unchanged, so loaded together it is not refused either (`_src`, `_line`)."""
    key_match = " AND ".join(f'd."v__{k}" = c."v__{k}"' for k in table.key)
    same = " AND ".join(f'c."v__{col.name}" IS NOT DISTINCT FROM f."v__{col.name}"' for col in table.columns)
    return (f"SELECT c._src, c._line FROM {quote_name(checked)} c JOIN {quote_name(repeated)} d ON {key_match} "
            f"JOIN {quote_name(checked)} f ON (f._src::BIGINT << 40) + f._line = d._first "
            f"WHERE len(c._errors) = 1 AND len(f._errors) = 0 AND f._src <> c._src AND {same}")


def key_and_reference_checks_sql(
    table: Table, cells: str, repeated: str, files: list[str], row_hash: str | None = None
) -> str:
    """Adds duplicate-key and reference errors to the rows of `cells` (the cell checks' query, in brackets).
    The rows keep `_src` but not `_file` (see `file_name_sql`).

    `repeated` is the table of keys seen more than once (see `repeated_keys_sql`); `files` are the
    names of the table's files, by `_src`. `row_hash` (the SQL of a row's `_row_hash`), given when the
    table holds rows already, refuses rows stored under another agency (`baliza.load.ownership`).
    """
    key_values = [f'"v__{k}"' for k in table.key]
    key_label = ", ".join(table.key)
    key_text = " || ', ' || ".join(f"\"t__{k}\"" for k in table.key)
    on = " AND ".join(f"d.{k} = c.{k}" for k in key_values)
    names = "[" + ", ".join(literal(f) for f in files) + "]"
    ranked = (f"SELECT c.*, CASE WHEN d._first IS NOT NULL AND d._first <> (c._src::BIGINT << 40) + c._line "
              f"THEN 2 END AS _rank, {names}[(d._first >> 40) + 1] AS _first_file, "
              f"d._first & {(1 << 40) - 1} AS _first_line "
              f"FROM {cells} c LEFT JOIN {quote_name(repeated)} d ON {on}")
    duplicate = (
        "CASE WHEN _rank > 1 THEN "
        + _struct(
            column=literal(table.key[0]),
            value=key_text,
            reason=(f"{literal(f'duplicate {key_label} ')} || '''' || {key_text} || ''' (first at ' || "
                    "CASE WHEN _first_file = _file THEN '' ELSE _first_file || ' ' END || 'line ' || _first_line || "
                    "'; only the first is loaded)'"),
        )
        + " END"
    )
    joins, checks = [], [duplicate]
    for i, column in enumerate(table.references):
        target = column.references
        assert target is not None
        target_key = get_table(target).key[0]
        value = f'r."v__{column.name}"'
        joins.append(f"LEFT JOIN (SELECT {quote_name(target_key)} AS k FROM main.{quote_name(target)}) w{i} "
                     f"ON w{i}.k = {value}")
        joins.append(f"LEFT JOIN {quote_name(quarantined_keys_table(target))} q{i} ON q{i}.key = {value}")
        unknown = literal(f"{column.name} '") + f' || r."t__{column.name}" || ' + literal(f"' is not in {target}")
        reason = (f"{unknown} || CASE WHEN q{i}.key IS NOT NULL THEN ' (the ' || {literal(target)} || ' row at ' || "
                  f"q{i}.file || ' line ' || q{i}.line || ' was quarantined)' ELSE '' END")
        checks.append(f"CASE WHEN {value} IS NOT NULL AND w{i}.k IS NULL THEN "
                      + _struct(column=literal(column.name), value=f'r."t__{column.name}"', reason=reason) + " END")
    if row_hash is not None:
        ownership = ownership_check(table, row_hash, key_text)
        joins.append(ownership.join)
        checks.append(ownership.check)
    # The shown keys and the file name are not kept: the checked table is large, and `_src` names the file.
    shown_keys = ", ".join(f'"t__{k}"' for k in dict.fromkeys([*table.key, *(c.name for c in table.references)]))
    return (
        f"SELECT r.* EXCLUDE (_errors, _rank, _first_file, _first_line, _file, {shown_keys}), "
        f"list_concat(r._errors, list_filter([{', '.join(checks)}], lambda x: x IS NOT NULL)) AS _errors "
        f"FROM ({ranked}) r {' '.join(joins)}"
    )
