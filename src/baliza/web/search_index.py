"""A full-text index of ids and names, for the chain explorer's search (SQLite FTS5, trigram tokenizer).

DuckDB's `fts` extension must be downloaded (`INSTALL fts`), which a server without network cannot do;
SQLite's FTS5 ships with Python. The index is a sidecar file beside the warehouse
(`<warehouse>.search.sqlite`, created 0600), rebuilt whenever the warehouse's state changes (after each
load: the state names the latest load). Where that file cannot be written, the index is kept in memory.

What it holds, one document per thing a person may look for: seizure and case ids; units, entry points
and agencies with their names; substances; places (countries named by seizures and entry points, with
their names); persons by id and, for people who are not protected, by name. A protected person's
personal columns are encrypted in the warehouse and are never read here: only their id is indexed.

The trigram tokenizer matches any part of a word ("0435" finds SZ-0000435), case-insensitively; text
is folded (accents removed) on both sides. The index says only which documents match: who may see a
hit is decided afterwards, through the viewer's scope (`web.queries.search`).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pycountry

from baliza.access.protection import protected_person_ids

KINDS: tuple[str, ...] = ("seizure", "case", "unit", "entry_point", "agency", "substance", "place", "person")
MIN_TERM = 3  # trigrams: a shorter term cannot be looked up
LAYOUT = "2"  # the index's own layout: a file of another layout is rebuilt


@dataclass(frozen=True)
class Match:
    kind: str
    key: str
    label: str


def fold(text: str) -> str:
    """Lower case without accents: 'Chávez' -> 'chavez'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def country_name(code: str) -> str:
    found = pycountry.countries.get(alpha_3=code) if code and len(code) == 3 else None
    return found.name if found is not None else code


def warehouse_version(wh: Any) -> str:
    """Names the warehouse's state: it changes whenever a load finishes (the count and latest id of loads)."""
    count, latest = wh.duckdb.execute("select count(*), max(load_id) from loads").fetchall()[0]
    return f"{count}:{latest}"


def _column(wh: Any, sql: str) -> list[tuple[Any, ...]]:
    return wh.duckdb.execute(sql).fetchall()


def documents(wh: Any) -> Iterator[tuple[str, str, str]]:
    """(kind, key, label) for every searchable thing of the warehouse."""
    for (sid,) in _column(wh, "select seizure_id from seizures"):
        yield "seizure", sid, sid
    for (cid,) in _column(wh, "select case_id from cases"):
        yield "case", cid, cid
    for uid, name in _column(wh, "select unit_id, name from units"):
        yield "unit", uid, f"{name} {uid}"
    for eid, name, code in _column(wh, "select entry_point_id, name, code from entry_points"):
        yield "entry_point", eid, f"{name} {eid} {code or ''}"
    for aid, name in _column(wh, "select agency_id, name from agencies"):
        yield "agency", aid, f"{name} {aid}"
    for substance, group in _column(wh, "select distinct substance, substance_group from seizures"):
        yield "substance", substance, f"{substance} {group.replace('_', ' ') if group else ''}"
    places = _column(wh, "select origin_country from seizures union select destination_country from seizures "
                         "union select country from entry_points")
    for (code,) in places:
        if code:
            yield "place", code, f"{country_name(code)} {code}"
    protected = protected_person_ids(wh)
    # names only for people who are not protected: a protected person's columns are never read here
    for pid, name in _column(wh, "select person_id, full_name from persons"):
        yield "person", pid, pid if pid in protected or name is None else f"{name} {pid}"


class SearchIndex:
    """The index of one warehouse file; `ensure` (re)builds it when the warehouse changed."""

    def __init__(self, db_path: Path | str | None) -> None:
        self.path = Path(f"{db_path}.search.sqlite") if db_path not in (None, ":memory:") else None
        self._memory: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._version: str | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._memory is not None:
            return self._memory
        assert self.path is not None
        return sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)

    def _stored_version(self) -> str | None:
        if self.path is None or not self.path.exists():
            return None
        try:
            con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            try:
                row = con.execute("select value from meta where name = 'version'").fetchone()
            finally:
                con.close()
        except sqlite3.Error:
            return None
        return row[0] if row else None

    def ensure(self, wh: Any, version: str) -> None:
        """Build the index unless it already holds the warehouse at `version`."""
        version = f"{LAYOUT}:{version}"
        if self._version == version:
            return
        with self._lock:
            if self._version == version:
                return
            if self._memory is None and self._stored_version() != version:
                self._build(wh, version)
            self._version = version

    def _build(self, wh: Any, version: str) -> None:
        rows = [(kind, key, fold(f"{key} {label}"), label) for kind, key, label in documents(wh)]
        if self.path is None:
            self._memory = self._fill(sqlite3.connect(":memory:", check_same_thread=False), rows, version)
            return
        partial = self.path.with_name(self.path.name + f".{os.getpid()}.tmp")
        try:
            partial.unlink(missing_ok=True)
            os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            os.chmod(partial, 0o600)
            self._fill(sqlite3.connect(partial), rows, version).close()
            os.replace(partial, self.path)
        except OSError:  # a read-only folder: keep the index in memory for this process
            partial.unlink(missing_ok=True)
            self._memory = self._fill(sqlite3.connect(":memory:", check_same_thread=False), rows, version)

    @staticmethod
    def _fill(con: sqlite3.Connection, rows: list[tuple[str, str, str, str]], version: str) -> sqlite3.Connection:
        con.execute("create table meta (name text primary key, value text)")
        con.execute("create virtual table docs using fts5(kind unindexed, key unindexed, body, label unindexed, "
                    "tokenize = 'trigram')")
        con.executemany("insert into docs (kind, key, body, label) values (?, ?, ?, ?)", rows)
        # whole ids and names shorter than a trigram are found by exact match
        con.execute("create table keys (kind text, key text, folded text, label text)")
        con.executemany("insert into keys values (?, ?, ?, ?)", [(k, key, fold(key), lab) for k, key, _, lab in rows])
        con.execute("create index keys_folded on keys (folded)")
        con.execute("insert into meta values ('version', ?)", (version,))
        con.commit()
        return con

    def match(self, text: str, kinds: tuple[str, ...] = KINDS, per_kind: int = 50) -> list[Match]:
        """Documents whose id is `text` (any case), then those whose body holds every term of `text` that has
        at least three characters, best first."""
        folded = fold(text).strip()
        terms = [t for t in folded.split() if len(t) >= MIN_TERM]
        if not folded or not kinds:
            return []
        marks = ", ".join("?" * len(kinds))
        con = self._connect()
        try:
            found = con.execute(f"select kind, key, label from keys where folded = ? and kind in ({marks})",
                                (folded, *kinds)).fetchall()
            if terms:
                expression = " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)
                found += con.execute(
                    f"select kind, key, label from (select kind, key, label, row_number() over (partition by "
                    f"kind order by rank, key) as n from docs where docs match ? and kind in ({marks})) "
                    "where n <= ?", (expression, *kinds, per_kind)).fetchall()
        finally:
            if con is not self._memory:
                con.close()
        return [Match(kind, key, label) for kind, key, label in dict.fromkeys(found)]


_indexes: dict[str, SearchIndex] = {}
_indexes_lock = threading.Lock()


def index_for(db_path: Path | str | None) -> SearchIndex:
    """One index object per warehouse file in this process."""
    name = str(db_path)
    with _indexes_lock:
        if name not in _indexes:
            _indexes[name] = SearchIndex(db_path)
        return _indexes[name]
