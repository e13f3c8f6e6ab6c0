"""Personal data at rest: every person's identifying columns are sealed before they reach the file.

The choice (issue 9, item 1). A DuckDB file keeps what it once held: an UPDATE that encrypts a cell
writes new blocks and leaves the old ones (and the WAL, until a checkpoint) with the clear value, and
freed blocks are neither zeroed nor reliably reused. Two designs could keep protected identities off
the disk:

- (b) encrypt in place when protection arrives, then compact: copy the database into a fresh file and
  swap it in. Every protection that arrives later (an enrolment, a treatment episode, the flag) would
  rewrite the whole warehouse under every open connection (the web server's too), and until then
  the clear copy stays on disk;
- (a) seal every person's identifying columns from the first load, whoever they are.

Baliza does (a). A person's `Column.personal` cells (name, birth date, ID document, phone, address) are
AES-GCM tokens (`baliza.access.fieldcrypt`, `enc:v1:...`) in the very INSERT that writes them, in
`persons` (hence `persons__history`, which receives the stored rows), and in the quarantine (`value`
and `raw`) and the normalisations (`original`, `normalised`) of persons rows. So nothing is ever in
clear in the file or the WAL, and a protection that arrives later has nothing to rewrite. Clear values
exist only in this load's temporary tables (memory, or DuckDB's temp folder when memory runs out).

Who may read them is decided when rows are shown (`baliza.access.protection.present_persons`): the
cells are decrypted for the principals allowed to read them. Exact lookups and links (two defendants
sharing a phone, or a surname and an address) use `person_lookups`: keyed blind indexes (HMAC) of the
same values, one row per person loaded by this Baliza. Protected people (`protected = true`, or in
`farmer_enrolments` or `treatment_episodes`) have no lookups: they are never linked to anyone.

`baliza keys rotate` (`baliza.warehouse.rotation`) re-seals every token under a new key on a copy of the
warehouse and recomputes the blind indexes of the same people (`rewrite_lookups`), then publishes the
copy as a load does.

A warehouse written by an earlier Baliza may still hold clear cells: the next load seals them in place
(`seal_cells_in_clear`), then rebuilds the file (`baliza.load.compaction`) so that their old blocks go.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import duckdb
import pyarrow as pa

from baliza.access.fieldcrypt import PREFIX, Sealer
from baliza.contract import PROTECTING_TABLES, get_table
from baliza.load.sql import literal, quote_name

PERSONS = "persons"
LOOKUPS = "person_lookups"
SEAL = "_bz_seal"
BLIND = "_bz_blind"
NOT_PERSONAL_IN_RAW = frozenset({"person_id", "nationality", "protected"})
"""The persons columns a quarantined row may keep in clear (when its cells are where they belong)."""


def personal_columns() -> list[str]:
    return [c.name for c in get_table(PERSONS).columns if c.personal]


def sealed_sql(expression: str) -> str:
    """SQL that seals `expression` (any type, read as text); NULL stays NULL."""
    return f"{SEAL}(CAST({expression} AS VARCHAR))"


def protected_person_ids_sql() -> str:
    parts = [f"SELECT person_id FROM main.{PERSONS} WHERE protected"]
    parts += [f"SELECT person_id FROM main.{quote_name(t)}" for t in PROTECTING_TABLES]
    return " UNION ".join(parts)


@contextmanager
def sealing(con: duckdb.DuckDBPyConnection, key: bytes) -> Iterator[None]:
    """Within the block, SQL on `con` may call `_bz_seal(text)` and `_bz_blind(text)` (see `Sealer`)."""
    sealer = Sealer(key)

    def over(function: Callable[[str], str]) -> Callable[[pa.Array], pa.Array]:
        def apply(values: pa.Array) -> pa.Array:
            if values.null_count == len(values):  # an empty column (common): nothing to seal
                return pa.nulls(len(values), pa.string())
            return pa.array([None if v is None else function(v) for v in values.to_pylist()], pa.string())
        return apply

    created = []
    try:
        for name, function in ((SEAL, sealer.seal), (BLIND, sealer.blind_index)):
            con.create_function(name, over(function), ["VARCHAR"], "VARCHAR",  # type: ignore[call-overload]
                                type="arrow", null_handling="special", side_effects=True)
            created.append(name)
        yield
    finally:
        for name in created:
            con.remove_function(name)


def _lookup_values(column: dict[str, str]) -> str:
    """The blind indexes of a person, from SQL expressions of their clear cells (`column[name]`)."""
    name, address = column["full_name"], column["address"]
    surname_address = (f"CASE WHEN {name} IS NOT NULL AND {address} IS NOT NULL THEN "
                       f"lower(split_part({name}, ' ', -1)) || '|' || lower({address}) END")
    parts = {
        "full_name": f"lower({name})",
        "birth_date": f"CAST({column['birth_date']} AS VARCHAR)",
        "id_document": f"upper(replace({column['id_document']}, ' ', ''))",
        "phone": column["phone"],
        "surname_address": surname_address,
    }
    return ", ".join(f"{BLIND}({literal(kind + ':')} || {sql}) AS {kind}" for kind, sql in parts.items())


LOOKUP_COLUMNS = ("full_name", "birth_date", "id_document", "phone", "surname_address")


def write_lookups(con: duckdb.DuckDBPyConnection, load_id: int, checked: str) -> None:
    """The blind indexes of the persons rows this load wrote (from `checked`, the clear rows of the load)."""
    written = f"(SELECT person_id FROM main.{PERSONS} WHERE _load_id = {load_id})"
    con.execute(f"DELETE FROM main.{LOOKUPS} WHERE person_id IN {written}")
    values = _lookup_values({c: f'"v__{c}"' for c in personal_columns()})
    con.execute(f"INSERT INTO main.{LOOKUPS} (person_id, {', '.join(LOOKUP_COLUMNS)}) "
                f'SELECT "v__person_id", {values} FROM {quote_name(checked)} '
                f'WHERE len(_errors) = 0 AND "v__person_id" IN {written}')


def rewrite_lookups(con: duckdb.DuckDBPyConnection, opened: Callable[[str], str]) -> int:
    """Recompute the blind indexes of the persons who have some, from their stored cells (`opened(sql)` is
    the SQL of a stored cell's clear value), under the key `_bz_blind` now uses; returns how many. For a
    key rotation: the same people keep lookups, under the new key."""
    values = _lookup_values({c: opened(quote_name(c)) for c in personal_columns()})
    had = "_bz_had_lookups"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {had} AS SELECT DISTINCT person_id FROM main.{LOOKUPS}")
    con.execute(f"DELETE FROM main.{LOOKUPS}")
    written = con.execute(f"INSERT INTO main.{LOOKUPS} (person_id, {', '.join(LOOKUP_COLUMNS)}) "
                          f"SELECT person_id, {values} FROM main.{PERSONS} SEMI JOIN {had} USING (person_id)"
                          ).fetchall()[0][0]
    con.execute(f"DROP TABLE {had}")
    return int(written)


def forget_protected_lookups(con: duckdb.DuckDBPyConnection) -> None:
    """Protected people are never linked to anyone: their blind indexes go."""
    con.execute(f"DELETE FROM main.{LOOKUPS} WHERE person_id IN ({protected_person_ids_sql()})")


def seal_cells_in_clear(con: duckdb.DuckDBPyConnection) -> int:
    """Seal the personal cells an earlier Baliza left in clear (in `persons` and its history), giving
    those persons their blind indexes first; returns how many rows changed."""
    columns = personal_columns()
    in_clear = " OR ".join(f"NOT starts_with({quote_name(c)}, {literal(PREFIX)})" for c in columns)
    values = _lookup_values({c: quote_name(c) for c in columns})
    con.execute(f"INSERT INTO main.{LOOKUPS} (person_id, {', '.join(LOOKUP_COLUMNS)}) "
                f"SELECT person_id, {values} FROM main.{PERSONS} WHERE ({in_clear}) "
                f"AND person_id NOT IN (SELECT person_id FROM main.{LOOKUPS})")
    changed = 0
    for table in (PERSONS, f"{PERSONS}__history"):
        sealed = ", ".join(
            f"{quote_name(c)} = CASE WHEN starts_with({quote_name(c)}, {literal(PREFIX)}) THEN {quote_name(c)} "
            f"ELSE {sealed_sql(quote_name(c))} END" for c in columns
        )
        changed += con.execute(f"UPDATE main.{quote_name(table)} SET {sealed} WHERE {in_clear}").fetchall()[0][0]
    return changed


def sealed_quarantine_sql(table_name: str, column: str, value: str) -> str:
    """The quarantine's `value` as stored: sealed when it is a personal cell of a persons row."""
    if table_name != PERSONS:
        return value
    personal = ", ".join(literal(c) for c in personal_columns())
    return f"CASE WHEN {column} IN ({personal}) THEN {sealed_sql(value)} ELSE {value} END"


def sealed_raw_cell_sql(table_name: str, header: str, cell: str, ragged: str) -> str:
    """A cell of a quarantined row's `raw` as stored. In a persons row every cell but the person id,
    nationality and protected flag is sealed (unknown columns too: a `nombre` column is a name), and
    every cell of a ragged row (its cells are not where they belong)."""
    if table_name != PERSONS:
        return cell
    if header.strip().lower() not in NOT_PERSONAL_IN_RAW:
        return sealed_sql(cell)
    return f"CASE WHEN {ragged} THEN {sealed_sql(cell)} ELSE {cell} END"


def sealed_normalisation_sql(table_name: str, column: str, value: str) -> str:
    """A normalisation's `original` or `normalised` as stored: sealed for a personal cell of a person."""
    return sealed_quarantine_sql(table_name, column, value)
