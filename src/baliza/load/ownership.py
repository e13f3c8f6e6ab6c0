"""Who may change a stored row: the agency that reported it (its `_agency_id`), or a declared successor.

Keys are global to a table, whichever agency reports them, so without this rule a police export that
reuses a customs seizure id would replace customs' row and become its owner, and a units file that
re-declares another agency's unit would take its indicators. So a row of this load whose key is
already stored under another agency is quarantined, with a reason naming the owner:

    seizure S1 belongs to AG-CUS: a row can only be changed by the agency that reported it ...

and the stored row keeps its owner and content. Rows of the same load that refer to it still resolve
(to the owner's row): references across agencies keep working, as the prosecution's cases refer to
customs' seizures.

- An identical row is not a clash (agencies routinely re-send the directory: agencies, units, entry
  points): it is counted unchanged and keeps its owner.
- A directory row that describes the loading agency (its own `agencies` row, a unit whose `agency_id` is
  the loading agency, before and after) may be corrected by it, whoever sent it first: it becomes its own.
  A unit stored as another agency's stays theirs.
- A stored row without an owner (loaded without `--agency` or `reported_by`) may be changed by any load.
- A load without an agency cannot change a row that has an owner.
- An agency that takes over another's reporting (a merger, a renamed agency) says so in its manifest,
  `successor_of: [AG-OLD]`; it may then change AG-OLD's rows, which become its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from baliza.contract import Table
from baliza.load.errors import LoadError
from baliza.load.sources import SourceFile
from baliza.load.sql import literal, quote_name

SUCCESSIONS = "_bz_successions"
DESCRIBED_AGENCY = "agency_id"
"""The column of a directory row (`agencies`, `units`) naming the agency it describes."""
REASON = ": a row can only be changed by the agency that reported it"


@dataclass(frozen=True)
class OwnershipCheck:
    """A join onto the stored rows (alias `o`) and the error it adds to a row of the load (alias `r`)."""

    join: str
    check: str


def record_successions(
    con: duckdb.DuckDBPyConnection, sources: Sequence[SourceFile], agency: str | None
) -> list[str]:
    """The successions the manifests declare, into a temp table; returns a note for each."""
    pairs = set()
    for source in sources:
        successor = agency or source.manifest.reported_by
        if source.manifest.successor_of and not successor:
            raise LoadError(f"{source.path.parent}: successor_of needs reported_by in the manifest (or --agency)")
        pairs |= {(successor, predecessor) for predecessor in source.manifest.successor_of if predecessor != successor}
    con.execute(f"CREATE OR REPLACE TEMP TABLE {SUCCESSIONS} (successor VARCHAR, predecessor VARCHAR)")
    if pairs:
        con.executemany(f"INSERT INTO {SUCCESSIONS} VALUES (?, ?)", sorted(pairs))
    return [f"{successor} loads as the successor of {predecessor}: it may change {predecessor}'s rows, which "
            f"become its own" for successor, predecessor in sorted(pairs)]


def row_label(table: Table) -> str:
    """How a reason names a row of `table`: "seizure", "entry point", "case_parties row"."""
    if len(table.key) == 1 and table.key[0].endswith("_id"):
        return table.key[0][: -len("_id")].replace("_", " ")
    return f"{table.name} row"


def ownership_check(table: Table, row_hash: str, key_text: str) -> OwnershipCheck:
    """The clash check for `table`: `row_hash` is the SQL of the row's hash (as `_row_hash` stores it)
    and `key_text` the SQL that shows its key."""
    on = " AND ".join(f'o.{quote_name(k)} = r."v__{k}"' for k in table.key)
    join = (f"LEFT JOIN main.{quote_name(table.name)} o ON {on} "
            f"LEFT JOIN {SUCCESSIONS} s ON s.successor = r._agency AND s.predecessor = o._agency_id")
    identical = f"coalesce(TRY_CAST(o._row_hash AS UBIGINT) = {row_hash}, false)"
    if not any(c.personal for c in table.columns):  # personal cells are stored sealed: the hash decides
        same_cells = " AND ".join(f'o.{quote_name(c.name)} IS NOT DISTINCT FROM r."v__{c.name}"'
                                  for c in table.columns)
        identical = f"({identical} OR ({same_cells}))"
    clash = (f"o.{quote_name(table.key[0])} IS NOT NULL AND o._agency_id IS NOT NULL "
             f"AND o._agency_id IS DISTINCT FROM r._agency AND s.successor IS NULL AND NOT {identical}")
    if any(c.name == DESCRIBED_AGENCY for c in table.columns):  # the directory: an agency's row, its units
        clash += (f" AND NOT coalesce(o.{DESCRIBED_AGENCY} = r._agency AND "
                  f"r.\"v__{DESCRIBED_AGENCY}\" = r._agency, false)")
    reason = (f"{literal(row_label(table) + ' ')} || {key_text} || ' belongs to ' || o._agency_id || "
              f"{literal(REASON)} || ' (an agency that took over its reporting declares successor_of: [' || "
              f"o._agency_id || '] in its manifest)'")
    check = (f"CASE WHEN {clash} THEN {{'column': {literal(table.key[0])}, 'value': {key_text}, "
             f"'reason': {reason}}} END")
    return OwnershipCheck(join, check)
