"""How each contract column is read from text: normalised, typed and checked, as SQL expressions.

For a column `c` the validation query holds `raw__c` (the cell as read), `t__c` (trimmed, empty =
NULL) and builds from them:

- `n__c`: the normalised text (booleans to true/false, countries to alpha-3, unit spellings to the
  contract's units, comma decimals to dots, `12.0` to `12` in a whole-number column, DD/MM/YYYY to ISO,
  formulas neutralised);
- `v__c`: the typed value (NULL when the text cannot be read as the column's type);
- a rule name when normalising changed the cell, recorded in `normalisations`;
- a reason a clerk can act on when the cell breaks the contract.

Per-row context columns: `_day_first` (manifest date_format DD/MM/YYYY), `_decimal_comma` (manifest
decimal_mark ","), `_numeric` (columns a Parquet file holds as numbers, which have no decimal mark to read),
`_comma` (columns that use a comma decimal mark throughout their file), `_tz`
(manifest timezone for naive datetimes), `_missing` (required columns absent from the file).
"""

from __future__ import annotations

from dataclasses import dataclass

from baliza.contract import Column, ColumnType
from baliza.contract.normalise import BOOLEAN_SPELLINGS, vocabulary_spellings
from baliza.contract.vocabularies import QUANTITY_UNITS
from baliza.load.sql import literal

T = ColumnType
WHITESPACE = "' ' || chr(9) || chr(10) || chr(13) || chr(160) || chr(65279)"
FORMULA = r"^(=|[+\-@].*[(|!]|-[A-Za-z])"
NUMBER = r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?"
THOUSANDS_COMMA = r"[+-]?[0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?"
COMMA_DECIMAL = r"[+-]?[0-9]*,?[0-9]+"
WHOLE_WITH_ZEROS = r"[+-]?[0-9]+\.0*"
OFFSET = r"[T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?\s*(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$"
ISO_DATES = "['%Y-%m-%d', '%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S']"
DAY_FIRST_DATES = "['%d/%m/%Y', '%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d-%m-%Y', '%d.%m.%Y']"
DAY_FIRST_DATETIMES = "['%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y', '%d-%m-%Y %H:%M:%S', '%d-%m-%Y']"
DAY_FIRST_OFFSET_DATETIMES = "['%d/%m/%Y %H:%M:%S%z', '%d/%m/%Y %H:%M%z', '%d/%m/%Y %H:%M:%S.%f%z']"
MAY_BE_NEGATIVE = frozenset({"latitude", "longitude"})
MAY_BE_FUTURE = frozenset({"limitation_date", "starts_on", "ends_on"})
"""Dates that are naturally ahead of the load: a limitation date, the planned start and end of an operation or
a training."""
SHOWN_CHARACTERS = 60


@dataclass(frozen=True)
class ColumnSql:
    """The SQL expressions that read one column (see the module docstring)."""

    normalised: str
    value: str
    changed: str
    rule: str
    invalid: str


def _t(column: Column) -> str:
    return f'"t__{column.name}"'


def _n(column: Column) -> str:
    return f'"n__{column.name}"'


def _v(column: Column) -> str:
    return f'"v__{column.name}"'


_SPACES = "(9, 10, 13, 32, 160, 65279)"
QUOTE = "''''"


def trimmed_sql(raw_column: str) -> str:
    """A cell without surrounding whitespace; empty is NULL. The common case (nothing to trim) is cheap, and
    cheaper still in a file whose reader saw that no cell has whitespace at its edges (`_trimmed`)."""
    raw = f'"{raw_column}"'
    return (f"CASE WHEN _trimmed THEN NULLIF({raw}, '') "
            f"WHEN ascii({raw}) IN {_SPACES} OR ascii(right({raw}, 1)) IN {_SPACES} "
            f"THEN NULLIF(trim({raw}, {WHITESPACE}), '') ELSE NULLIF({raw}, '') END")


def shown(column: Column) -> str:
    """The cell as a reason shows it: quoted and cut short; personal data is never shown."""
    if column.personal:
        return "'(value withheld: personal data)'"
    t = _t(column)
    return (f"{QUOTE} || left({t}, {SHOWN_CHARACTERS}) || "
            f"CASE WHEN length({t}) > {SHOWN_CHARACTERS} THEN '…' ELSE '' END || {QUOTE}")


def _mapping(key: str, spellings: dict[str, str]) -> str:
    cases = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in spellings.items())
    return f"CASE {key} {cases} END"


def _one_of(values: object) -> str:
    return "(" + ", ".join(literal(str(v)) for v in values) + ")"  # type: ignore[attr-defined]


def enum_spellings(column: Column) -> dict[str, str]:
    """Accepted spellings of an enum column's values: any case; units, substance groups, outcomes and entry
    point kinds also by their English, Spanish and Portuguese names ("kilos", "cocaína", "maconha")."""
    spellings = vocabulary_spellings(column.values)
    spellings.update({v.lower(): v for v in column.values})  # a code is itself, whatever a name says
    return spellings


def column_sql(column: Column) -> ColumnSql:
    """How a column is read. Each reader first tries the cheap test of an already canonical cell."""
    t, n, v = _t(column), _n(column), _v(column)
    kind = column.type
    changed = f"({n} IS DISTINCT FROM {t})"
    if kind in {T.STRING, T.TEXT}:
        normalised = (f"CASE WHEN left({t}, 1) IN ('=', '+', '-', '@') AND regexp_matches({t}, {literal(FORMULA)}) "
                      f"THEN {QUOTE} || {t} ELSE {t} END")
        return ColumnSql(normalised, n, changed, "'formula_neutralised'", "FALSE")
    if kind in {T.ID, T.REF}:
        return ColumnSql(t, n, "FALSE", "NULL", "FALSE")
    if kind == T.INT:
        # `12.0` is the whole number 12 (pandas writes an integer column with a gap as floats): recorded.
        normalised = (f"CASE WHEN contains({t}, '.') AND regexp_full_match({t}, {literal(WHOLE_WITH_ZEROS)}) "
                      f"THEN regexp_replace({t}, '\\.0*$', '') ELSE {t} END")
        value = f"CASE WHEN NOT (contains({n}, '.') OR contains({n}, '_')) THEN TRY_CAST({n} AS BIGINT) END"
        return ColumnSql(normalised, value, changed, "'whole_number'", f"{v} IS NULL")
    if kind == T.DECIMAL:
        name = literal(column.name)
        normalised = (
            f"CASE WHEN _decimal_comma AND NOT list_contains(_numeric, {name}) THEN CASE "
            f"WHEN regexp_full_match({t}, {literal(THOUSANDS_COMMA)}) THEN replace(replace({t}, '.', ''), ',', '.') "
            f"WHEN regexp_full_match({t}, {literal(COMMA_DECIMAL)}) THEN replace({t}, ',', '.') ELSE {t} END "
            f"WHEN list_contains(_comma, {name}) THEN replace({t}, ',', '.') ELSE {t} END"
        )
        cast = f"CASE WHEN NOT contains({n}, '_') THEN TRY_CAST({n} AS DOUBLE) END"
        value = f"CASE WHEN isfinite({cast}) THEN {cast} END"
        return ColumnSql(normalised, value, changed, "'decimal_comma'", f"{v} IS NULL")
    if kind == T.BOOL:
        spellings = {k: "true" if b else "false" for k, b in BOOLEAN_SPELLINGS.items()}
        normalised = f"CASE WHEN {t} IN ('true', 'false') THEN {t} ELSE {_mapping(f'lower({t})', spellings)} END"
        return ColumnSql(normalised, f"CAST({n} AS BOOLEAN)", changed, "'boolean'", f"{n} IS NULL")
    if kind == T.DATE:
        iso = f"CASE WHEN regexp_full_match({t}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') THEN TRY_CAST({t} AS DATE) END"
        parsed = (f"coalesce({iso}, try_strptime({t}, {ISO_DATES})::DATE, "
                  f"(CASE WHEN _day_first THEN try_strptime({t}, {DAY_FIRST_DATES}) END)::DATE)")
        return ColumnSql(f"strftime({parsed}, '%Y-%m-%d')", f"CAST({n} AS DATE)", changed, "'date_format'",
                         f"{n} IS NULL")
    if kind == T.DATETIME:
        # Spellings of ISO 8601 that DuckDB's cast does not read (basic format, a comma before the fraction of a
        # second, lower-case t and z) and offsets after a day-first date are tried only on the cells the plain
        # reading refused: `coalesce` evaluates its second argument for those rows alone.
        other_spellings = (f"coalesce({_datetime_value(_iso_extended(t))}, CASE WHEN _day_first THEN "
                           f"timezone('UTC', try_strptime(regexp_replace({t}, '[Zz]$', '+00:00'), "
                           f"{DAY_FIRST_OFFSET_DATETIMES})) END)")
        value = f"coalesce({_datetime_value(t)}, CASE WHEN {t} IS NOT NULL THEN {other_spellings} END)"
        used_day_first = f"({v} IS NOT NULL AND _day_first AND contains({t}, '/'))"
        # Only day-first dates are recorded as normalised; offsets and time zones are the contract's meaning.
        return ColumnSql(t, value, used_day_first, "'date_format'", f"{v} IS NULL")
    if kind == T.COUNTRY:
        # `"country__<column>".code` comes from a left join on the spellings table (see `country_joins`).
        normalised = f'"country__{column.name}".code'
        return ColumnSql(normalised, n, changed, "'country'", f"{n} IS NULL")
    if kind == T.ENUM:
        key = f"regexp_replace(lower({t}), '[\\s\\-]+', '_', 'g')"
        rule = "'unit'" if set(column.values) == set(QUANTITY_UNITS) else "'enum_spelling'"
        spelled = _mapping(key, enum_spellings(column))
        normalised = f"CASE WHEN {t} IN {_one_of(column.values)} THEN {t} ELSE {spelled} END"
        return ColumnSql(normalised, n, changed, rule, f"{n} IS NULL")
    if kind == T.LIST:
        value = f"list_filter(list_transform(string_split({t}, '|'), lambda x: trim(x)), lambda x: x <> '')"
        return ColumnSql(t, value, "FALSE", "NULL", "FALSE")
    raise ValueError(f"no reader for column type {kind}")  # pragma: no cover


def _datetime_value(t: str) -> str:
    """The UTC timestamp of the datetime text `t` (SQL): its offset honoured, else read in the manifest's time
    zone (`_tz`), else as UTC; day-first when the manifest says so."""
    iso_like = f"(ascii({t}) BETWEEN 48 AND 57 AND NOT contains({t}, '/'))"
    day_first = f"CASE WHEN _day_first THEN try_strptime({t}, {DAY_FIRST_DATETIMES}) END"
    local = f"coalesce(CASE WHEN {iso_like} THEN TRY_CAST({t} AS TIMESTAMP) END, {day_first})"
    # The session's time zone is UTC: a cast to TIMESTAMPTZ reads offsets and takes naive times as UTC.
    # Fast path: `2025-03-01T14:30:00Z` (UTC, the contract's own spelling) reads as a plain timestamp.
    utc = f"CASE WHEN strlen({t}) = 20 AND ends_with({t}, 'Z') THEN TRY_CAST({t} AS TIMESTAMP) END"
    return (
        f"CASE WHEN _tz IS NULL AND {iso_like} THEN coalesce({utc}, timezone('UTC', TRY_CAST({t} AS TIMESTAMPTZ))) "
        f"WHEN _tz IS NULL THEN {day_first} "
        f"WHEN regexp_matches({t}, {literal(OFFSET)}) THEN timezone('UTC', TRY_CAST({t} AS TIMESTAMPTZ)) "
        f"ELSE timezone('UTC', timezone(_tz, {local})) END"
    )


def _iso_extended(t: str) -> str:
    """ISO 8601 datetime text in the extended format DuckDB reads (SQL): `20250301T143000Z` to
    `2025-03-01T14:30:00Z`, a decimal comma in the seconds to a dot, lower-case `t` and `z` to upper case."""
    basic = "^([0-9]{4})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})"
    text = f"regexp_replace(upper({t}), {literal(basic + '([0-9]{2})')}, '\\1-\\2-\\3T\\4:\\5:\\6')"
    text = f"regexp_replace({text}, {literal(basic)}, '\\1-\\2-\\3T\\4:\\5')"
    return f"regexp_replace({text}, '(T[0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}),([0-9])', '\\1.\\2')"


def type_reason(column: Column) -> str:
    """Why a cell that cannot be read as its column's type was refused, as a SQL expression."""
    name, shown_value = column.name, shown(column)
    kind = column.type
    if kind == T.INT:
        return f"{literal(name + ' ')} || {shown_value} || ' is not a whole number'"
    if kind == T.DECIMAL:
        return (f"{literal(name + ' ')} || {shown_value} || ' is not a number' || "
                f"CASE WHEN contains(\"t__{name}\", ',') "
                "THEN ' (use a dot as decimal mark, e.g. 12.5, or declare decimal_mark: \",\" in manifest.yaml; '"
                "|| 'this column mixes decimal marks)' ELSE ' (expected e.g. 12.5)' END")
    if kind == T.BOOL:
        return f"{literal(name + ' ')} || {shown_value} || ' is not true or false (accepted: true/false, yes/no, 1/0)'"
    if kind == T.DATE:
        return (f"{literal(name + ' ')} || {shown_value} || ' is not a date (expected ' || "
                "CASE WHEN _day_first THEN 'DD/MM/YYYY, as manifest.yaml says' ELSE 'YYYY-MM-DD' END || ')'")
    if kind == T.DATETIME:
        return (f"{literal(name + ' ')} || {shown_value} || ' is not a date and time (expected ' || "
                "CASE WHEN _day_first THEN 'DD/MM/YYYY HH:MM' ELSE 'ISO 8601 such as 2025-03-01T14:30:00Z' END || ')'")
    if kind == T.COUNTRY:
        return (f"{literal(name + ' ')} || {shown_value} || "
                "' is not a known country (expected an ISO 3166-1 alpha-3 code such as PER, or its name)'")
    if kind == T.ENUM:
        allowed = ", ".join(column.values)
        return f"{literal(name + ' ')} || {shown_value} || {literal(' is not one of: ' + allowed)}"
    return f"{literal(name + ' ')} || {shown_value} || ' cannot be read'"  # pragma: no cover


def column_reason(column: Column, loaded_at_sql: str) -> str:
    """The reason (or NULL) a row is quarantined because of this column, as a SQL expression."""
    sql = column_sql(column)
    t, v = _t(column), _v(column)
    checks = []
    if column.required:
        checks.append(f"WHEN list_contains(_missing, {literal(column.name)}) THEN "
                      f"{literal(f'column {column.name} is missing from the file (it is required)')}")
        checks.append(f"WHEN {t} IS NULL THEN {literal(f'{column.name} is required but empty')}")
    else:
        checks.append(f"WHEN {t} IS NULL THEN NULL")
    if sql.invalid != "FALSE":
        checks.append(f"WHEN {sql.invalid} THEN {type_reason(column)}")
    if column.type in {T.DATE, T.DATETIME} and column.name not in MAY_BE_FUTURE:
        checks.append(f"WHEN {v} > {loaded_at_sql} + INTERVAL 1 DAY THEN {literal(column.name + ' ')} || "
                      f"{shown(column)} || ' is in the future (after the day of the load)'")
    if column.type in {T.INT, T.DECIMAL} and column.name not in MAY_BE_NEGATIVE:
        checks.append(f"WHEN {v} < 0 THEN {literal(column.name + ' ')} || {shown(column)} || "
                      "' is negative (must be zero or more)'")
    return "CASE " + " ".join(checks) + " END"


def country_joins(columns: tuple[Column, ...] | list[Column]) -> str:
    """Left joins that look every country column's spelling up (`_country_spellings`: spelling, code)."""
    return " ".join(
        f'LEFT JOIN _country_spellings AS "country__{c.name}" ON "country__{c.name}".spelling = lower({_t(c)})'
        for c in columns if c.type == T.COUNTRY
    )


SPELLING_RULES = ("unit", "enum_spelling")


def spelling_summary(con: object, load_id: int, table_name: str) -> dict[str, int]:
    """What the load understood of the vocabulary spellings it changed, for its report:
    {"substance_group: cocaína → cocaine_type": 12, "quantity_unit: kilos → kg": 40}."""
    rows = con.execute(  # type: ignore[attr-defined]
        "SELECT column_name, original, normalised, count(*) FROM normalisations "
        "WHERE load_id = ? AND table_name = ? AND rule IN ('unit', 'enum_spelling') "
        "GROUP BY ALL ORDER BY 4 DESC, 1, 2 LIMIT 50", [load_id, table_name]).fetchall()
    return {f"{column}: {original} → {normalised}": int(n) for column, original, normalised, n in rows}
