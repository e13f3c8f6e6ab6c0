"""Vocabularies and lookups as small DuckDB tables, matched by the loose key of a cell.

A vocabulary (words to contract values) or lookup (codes and names to ids) becomes a temp table
(`key`, `value`) keyed as `spec.loose_key` (or `place_key`) keys its spellings; a cell is matched by the
same key computed in SQL. Cells are translated once per distinct value (see `per_value`), so the key's
string functions run on a few hundred spellings, not on every line.
"""

from __future__ import annotations

import hashlib

import duckdb
import pyarrow as pa

from baliza.load.mapping.spec import KEEP, Mapping, Translation
from baliza.load.sql import literal, quote_name


def translation_key_sql(value: str, translation: Translation) -> str:
    """The loose key of a value in SQL, as `spec.loose_key` (or `place_key`) computes it in Python."""
    if translation.places:
        value = f"regexp_replace({value}, '\\s*\\([^)]*\\)\\s*$', '')"
    return f"lower(trim(regexp_replace(strip_accents({value}), '\\s+', ' ', 'g')))"


def translation_table(translation: Translation) -> str:
    digest = hashlib.sha256(translation.name.encode()).hexdigest()[:8]
    return f"_bz_tr_{''.join(c for c in translation.name if c.isalnum())[:20]}_{digest}"


def create_translation_tables(con: duckdb.DuckDBPyConnection, mapping: Mapping) -> list[str]:
    """One temp table (key, value) per vocabulary and lookup of the mapping; their names."""
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


def translated_sql(base: str, translation: Translation, alias: str) -> tuple[str, str]:
    """(the LEFT JOIN, the translated value) of `base` through `translation` (joined as `alias`): a value
    it does not know is kept as written, made NULL, or given the default, as the translation says."""
    join = (f"LEFT JOIN {quote_name(translation_table(translation))} {alias} "
            f"ON {alias}.key = {translation_key_sql(base, translation)}")
    default = translation.default
    if default is KEEP:
        otherwise = base
    elif default is None:
        otherwise = "NULL::VARCHAR"
    else:
        otherwise = literal(str(default))
    return join, f"CASE WHEN {alias}.value IS NOT NULL THEN {alias}.value ELSE {otherwise} END"
