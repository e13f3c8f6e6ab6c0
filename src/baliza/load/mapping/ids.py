"""Ids a mapping makes when the export has none: a keyed hash of the line's identifying fields.

The id of a line is the rule's prefix and the first `HASH_CHARACTERS` hex characters of
SHA-256(key, US, the fields joined by US (an empty cell as an empty field), US, its occurrence), US being
the unit separator (chr 31) and the occurrence the line's number among the lines with identical fields
(1 for the first): identical lines stay distinct seizures, and reloading the same export gives the same
ids. The key is derived from the warehouse's secret (`stage.mapped_id_key`), so that the ids cannot be
recomputed from the fields by someone without it. SHA-256 runs in DuckDB, on every core.

Most exports repeat few lines: every line is first given the id of a first occurrence, and only the lines
whose id then repeats are numbered and given their id again (`renumber_statements`).
"""

from __future__ import annotations

from baliza.load.sql import literal, quote_name

HASH_CHARACTERS = 20
"""Hex characters of a made id (80 bits: no collision in any realistic export)."""


def fields_sql(cells: list[str]) -> str:
    """The identifying fields of a line, joined by unit separators (for grouping identical lines)."""
    return "concat_ws(chr(31), " + ", ".join(f"coalesce({c}, '')" for c in cells) + ")"


def digest_sql(id_key: str, prefix: str, cells: list[str], occurrence: str) -> str:
    """A made id (see the module docstring) from the cells `cells` and the SQL text of the occurrence."""
    text = ", ".join([literal(id_key), *(f"coalesce({c}, '')" for c in cells), occurrence])
    return f"({literal(prefix)} || left(sha256(concat_ws(chr(31), {text})), {HASH_CHARACTERS}))"


def occurrence_statements(cells_relation: str, name: str, fields: str) -> list[str]:
    """The temp table `name` (_line, n) numbering the lines of `cells_relation` whose `fields` repeat (for
    an id made inside another rule, computed before the projection).

    Only lines that repeat are numbered (in a narrow table, joined by line: a window over every wide row
    costs more than the rest of the mapping). Grouping by a 64-bit hash of the fields is cheaper than by
    the text; a collision would only number two different lines 1 and 2, which still gives them different
    ids."""
    return [
        f"CREATE OR REPLACE TEMP TABLE {quote_name(name)} AS SELECT _line, hash({fields}) AS h "
        f"FROM {quote_name(cells_relation)}",
        f"CREATE OR REPLACE TEMP TABLE {quote_name(name)} AS SELECT _line, row_number() OVER "
        f"(PARTITION BY h ORDER BY _line) AS n FROM {quote_name(name)} "
        f"WHERE h IN (SELECT h FROM {quote_name(name)} GROUP BY h HAVING count(*) > 1)",
    ]


def renumber_statements(raw_table: str, cells_relation: str, name: str, position: int, id_key: str,
                        prefix: str, cells: list[str]) -> list[str]:
    """Statements giving the lines of `raw_table` whose made id `c<position>` repeats (the raw table holds a
    64-bit hash of it, `_repeat_<position>`) the id of their occurrence, in line order; `name` is their
    scratch table.

    Lines are grouped by the hash of their first-occurrence id (cheaper than the text; a collision only
    numbers two different lines 1 and 2, which still gives them different ids)."""
    repeat, raw, cell = f"_repeat_{position}", quote_name(raw_table), quote_name(cells_relation)
    renumbered = digest_sql(id_key, prefix, [f"{cell}.{c}" for c in cells], "CAST(d.n AS VARCHAR)")
    return [
        f"CREATE OR REPLACE TEMP TABLE {quote_name(name)} AS SELECT _line, row_number() OVER "
        f"(PARTITION BY {repeat} ORDER BY _line) AS n FROM {raw} "
        f"WHERE {repeat} IN (SELECT {repeat} FROM {raw} GROUP BY ALL HAVING count(*) > 1)",
        f"UPDATE {raw} SET c{position} = x.id FROM (SELECT d._line, {renumbered} AS id FROM {quote_name(name)} d "
        f"JOIN {cell} ON {cell}._line = d._line WHERE d.n > 1) x WHERE {raw}._line = x._line",
    ]
