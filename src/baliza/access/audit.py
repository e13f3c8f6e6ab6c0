"""The append-only audit log, chained with a keyed MAC and anchored by signed checkpoints.

Each entry's `hash` is an HMAC-SHA256, under the audit key, of its sequence number, time, actor, action,
subject, detail and the previous entry's hash. Editing an entry, removing one or changing their order
breaks the chain at that point, and whoever can write the database but not read the key (kept in its
own file or `BALIZA_AUDIT_KEY`, never in the state store) cannot re-hash the rest to hide it.

Removing the newest entries leaves a shorter chain that is still valid: `anchor()` makes a signed
checkpoint (entry count, head hash, time) to keep elsewhere, and `verify(store, anchor)` finds the log
cut short or rewritten since. `record_read()` writes one entry per request for the rows it read.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from baliza.access.clock import now
from baliza.access.state import StateStore, audit

if TYPE_CHECKING:
    from baliza.access.grants import Grant
    from baliza.access.principal import Principal
    from baliza.access.scope import Scope

KEY_NAME = "audit"  # BALIZA_AUDIT_KEY, or the key file `<state>.audit.key`
ANCHOR_FORMAT = "baliza-audit-anchor/1"
LISTED_SUBJECTS = 2000  # a read of more rows lists this many and a digest of them all
GENESIS = "0" * 64
_append_lock = threading.Lock()  # makes each store's GroupCommit once


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    actor: str
    agency_id: str
    action: str
    subject: str
    detail: str
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class AuditProblem:
    seq: int  # where the chain breaks
    reason: str


def _canonical(detail: dict[str, Any] | None) -> str:
    return json.dumps(detail or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(key: bytes, seq: int, at: str, actor: str, agency_id: str, action: str, subject: str,
               detail: str, prev_hash: str) -> str:
    """The entry's MAC: HMAC-SHA256 under the audit key of its fields and the previous entry's hash."""
    payload = json.dumps([seq, at, actor, agency_id, action, subject, detail, prev_hash], ensure_ascii=False)
    return hmac.new(key, payload.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def record(store: StateStore, actor: str, agency_id: str, action: str, subject: str = "",
           detail: dict[str, Any] | None = None) -> AuditEntry:
    """Append one entry after the current head and return it once it is committed (see `GroupCommit`)."""
    actor, subject = actor[:120], subject[:300]  # the columns' sizes: callers bound what they pass
    wanted = _Pending(actor, agency_id, action, subject, _canonical(detail))
    return _appender(store).append(store, wanted)


@dataclass
class _Pending:
    """An entry waiting for its batch: its fields, then what was committed (or why not)."""

    actor: str
    agency_id: str
    action: str
    subject: str
    detail: str
    entry: AuditEntry | None = None
    error: BaseException | None = None


class GroupCommit:
    """Appends to one state store's audit log in batches: group commit.

    Every read the server answers is recorded (one entry per request), and an entry must be on disk before
    the answer leaves: the log says who read what even if the machine loses power a moment later. A commit
    that waits for the disk costs milliseconds; one per request, taken under the one lock that orders the
    chain, capped the server at a few hundred reads a second whatever its cores. So requests queue their
    entries, and whichever of them finds no batch being written writes every entry queued so far in one
    transaction: it reads the head, chains and MACs the entries in queue order, inserts them, and commits
    once (SQLite keeps its default `synchronous=FULL` in WAL mode: the commit is on disk when it returns).
    Each request waits until the batch holding its entry is committed, then answers; a failed commit fails
    every request of its batch, none of which is answered as if recorded. Nothing is ever left queued when
    a request returns, so a process that ends normally loses nothing.

    Between processes (`baliza serve --workers N`, the CLI beside a server) SQLite's write lock is taken
    before the head is read (`BEGIN IMMEDIATE`), and PostgreSQL's advisory lock, so two writers never
    chain onto the same head.
    """

    MAX_BATCH = 500

    def __init__(self) -> None:
        self._queued: list[_Pending] = []
        self._queue_lock = threading.Lock()
        self._writing = threading.Lock()  # one batch at a time per process
        self.batches = 0  # how many commits were made (for tests and metrics)

    def append(self, store: StateStore, wanted: _Pending) -> AuditEntry:
        with self._queue_lock:
            self._queued.append(wanted)
        while wanted.entry is None and wanted.error is None:
            with self._writing:
                if wanted.entry is not None or wanted.error is not None:
                    break  # a batch written by another request held it
                with self._queue_lock:
                    batch, self._queued = self._queued[:self.MAX_BATCH], self._queued[self.MAX_BATCH:]
                try:
                    entries = _write_batch(store, batch)
                except BaseException as exc:
                    for pending in batch:
                        pending.error = exc
                    raise
                for pending, entry in zip(batch, entries, strict=True):
                    pending.entry = entry
                self.batches += 1
        if wanted.error is not None:
            raise RuntimeError("the audit log could not record this request") from wanted.error
        assert wanted.entry is not None
        return wanted.entry


def _appender(store: StateStore) -> GroupCommit:
    with _append_lock:
        if store.audit_appender is None:
            store.audit_appender = GroupCommit()
        return store.audit_appender


_HEAD = sa.select(audit.c.seq, audit.c.hash).order_by(audit.c.seq.desc()).limit(1)  # built once: every batch reads it


def _write_batch(store: StateStore, batch: list[_Pending]) -> list[AuditEntry]:
    """Chain and insert `batch` after the head in one transaction, with the log locked against other writers."""
    key = store.key(KEY_NAME)
    with _write_locked(store) as conn:
        last = conn.execute(_HEAD).first()
        seq, prev = (last.seq, last.hash) if last else (0, GENESIS)
        made: list[AuditEntry] = []
        for p in batch:
            seq += 1
            at = now().isoformat(timespec="microseconds")
            digest = entry_hash(key, seq, at, p.actor, p.agency_id, p.action, p.subject, p.detail, prev)
            made.append(AuditEntry(seq, at, p.actor, p.agency_id, p.action, p.subject, p.detail, prev, digest))
            prev = digest
        conn.execute(audit.insert(), [e.__dict__ for e in made])
    return made


@contextmanager
def _write_locked(store: StateStore) -> Iterator[sa.Connection]:
    """A transaction that holds the audit log's write lock from its first read (see `GroupCommit`)."""
    if store.dialect != "sqlite":
        with store.engine.begin() as conn:
            if store.dialect == "postgresql":
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7243001)")
            yield conn
        return
    with store.engine.connect() as conn:
        driver = conn.connection.driver_connection
        level = driver.isolation_level  # type: ignore[union-attr]
        driver.isolation_level = None  # type: ignore[union-attr]  # we say BEGIN IMMEDIATE and COMMIT ourselves
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.exec_driver_sql("ROLLBACK")
                raise
            conn.exec_driver_sql("COMMIT")
        finally:
            driver.isolation_level = level  # type: ignore[union-attr]
            conn.rollback()  # SQLAlchemy's own (empty) transaction


def entries(store: StateStore, limit: int | None = None, agency_id: str | None = None) -> list[AuditEntry]:
    """Entries in order (the newest last); `limit` keeps the newest."""
    query = sa.select(audit).order_by(audit.c.seq.desc() if limit else audit.c.seq)
    if agency_id is not None:
        query = query.where(audit.c.agency_id == agency_id)
    if limit:
        query = query.limit(limit)
    with store.engine.connect() as conn:
        rows = [AuditEntry(**row._mapping) for row in conn.execute(query)]
    return sorted(rows, key=lambda e: e.seq)


def head(store: StateStore) -> tuple[int, str]:
    """(sequence number, hash) of the newest entry; (0, GENESIS) for an empty log."""
    with store.engine.connect() as conn:
        last = conn.execute(sa.select(audit.c.seq, audit.c.hash).order_by(audit.c.seq.desc()).limit(1)).first()
    return (last.seq, last.hash) if last else (0, GENESIS)


def verify(store: StateStore, anchor: Anchor | None = None) -> list[AuditProblem]:
    """Walk the chain from the first entry; every place where it breaks, with the reason. With `anchor`,
    also every way the log differs from what it was when the anchor was made (cut short, rewritten)."""
    key = store.key(KEY_NAME)
    problems: list[AuditProblem] = []
    expected_seq, prev = 1, GENESIS
    anchored: str | None = None
    query = sa.select(audit).order_by(audit.c.seq)
    with store.engine.connect() as conn:
        for row in conn.execute(query):
            e = AuditEntry(**row._mapping)
            if e.seq != expected_seq:
                problems.append(AuditProblem(
                    e.seq, f"entries {expected_seq}..{e.seq - 1} are missing (removed)"
                    if e.seq > expected_seq else f"sequence number {e.seq} repeats or goes back"))
            if e.prev_hash != prev:
                problems.append(AuditProblem(
                    e.seq, "does not follow the entry before it (an entry was removed, inserted or reordered)"))
            recomputed = entry_hash(key, e.seq, e.at, e.actor, e.agency_id, e.action, e.subject, e.detail,
                                    e.prev_hash)
            if not hmac.compare_digest(recomputed, e.hash):
                problems.append(AuditProblem(
                    e.seq, "content does not match its MAC (the entry was edited, or written without the key)"))
            if anchor is not None and e.seq == anchor.entries:
                anchored = e.hash
            expected_seq, prev = e.seq + 1, e.hash
    if anchor is not None:
        problems.extend(_against_anchor(store, anchor, expected_seq - 1, anchored))
    return problems


@dataclass(frozen=True)
class Anchor:
    """A signed checkpoint of the log: how many entries it had, the newest one's hash, and when."""

    entries: int
    head: str
    at: str
    signature: str

    def to_json(self) -> str:
        return json.dumps({"format": ANCHOR_FORMAT, "entries": self.entries, "head": self.head, "at": self.at,
                           "signature": self.signature}, indent=2) + "\n"


def _anchor_signature(key: bytes, entries: int, head_hash: str, at: str) -> str:
    anchor_key = hmac.new(key, b"baliza audit anchor", hashlib.sha256).digest()  # not an entry's MAC key
    payload = json.dumps([ANCHOR_FORMAT, entries, head_hash, at]).encode()
    return hmac.new(anchor_key, payload, hashlib.sha256).hexdigest()


def anchor(store: StateStore) -> Anchor:
    """A signed checkpoint of the log as it is now, to be kept away from the server."""
    seq, digest = head(store)
    at = now().isoformat(timespec="seconds")
    return Anchor(seq, digest, at, _anchor_signature(store.key(KEY_NAME), seq, digest, at))


def read_anchor(text: str, origin: str = "the anchor") -> Anchor:
    """An anchor from its JSON text; a clear error for anything else (its signature is checked by verify)."""
    try:
        found = json.loads(text)
        if found.get("format") != ANCHOR_FORMAT:
            raise ValueError
        made = Anchor(int(found["entries"]), str(found["head"]), str(found["at"]), str(found["signature"]))
    except (ValueError, TypeError, KeyError, AttributeError):
        raise ValueError(f"{origin} is not an audit anchor written by `baliza audit anchor`") from None
    return made


def _against_anchor(store: StateStore, kept: Anchor, last_seq: int, anchored: str | None) -> list[AuditProblem]:
    expected = _anchor_signature(store.key(KEY_NAME), kept.entries, kept.head, kept.at)
    if not hmac.compare_digest(expected, kept.signature):
        return [AuditProblem(0, "the anchor's signature does not match: it was edited, or made for another log")]
    if last_seq < kept.entries:
        return [AuditProblem(last_seq + 1, f"entries {last_seq + 1}..{kept.entries} are missing: the log was cut "
                                           f"short since the anchor of {kept.at}")]
    if kept.entries and anchored != kept.head:
        return [AuditProblem(kept.entries, f"entry {kept.entries} is not the one anchored on {kept.at}: the log was "
                                           "rewritten up to it")]
    return []


def grants_behind(scope: Scope, table: str, ids: Iterable[str]) -> list[Grant]:
    """The live grants through which `scope` sees rows of `table` with these ids (none for the agency's
    own rows): what an audited read records as the reason it was allowed. A grant is named when its owner
    shares, through its grants, a row with one of these ids (a dataset grant is not traced to rows)."""
    wanted = {i for i in ids if i}
    owners: set[str] = set()
    for owner, shared in scope.shared.items():
        key = shared.key_for(table)
        if key is not None and wanted & key[1]:
            owners.add(owner)
    return [g for g in scope.grants if g.owner_agency_id in owners]


def record_read(store: StateStore, principal: Principal, action: str, subjects: Iterable[str], *,
                grants: Iterable[Grant] = (), what: str = "", detail: dict[str, Any] | None = None) -> AuditEntry:
    """One entry for one request's read: who, through which access (`principal.via`), the subjects read
    (the first `LISTED_SUBJECTS`, with a digest of them all), and the grants, with their purposes, that
    allowed rows of other agencies. `what` names the entry's subject (default: the one subject read, or
    how many were)."""
    read = list(dict.fromkeys(subjects))
    used = {g.grant_id: g for g in grants}
    body: dict[str, Any] = {
        "via": principal.via, "count": len(read), "subjects": read[:LISTED_SUBJECTS],
        "grants": [{"grant_id": g.grant_id, "owner": g.owner_agency_id, "purpose": g.purpose}
                   for g in used.values()],
        **(detail or {}),
    }
    if len(read) > LISTED_SUBJECTS:
        body["subjects_sha256"] = hashlib.sha256("\n".join(read).encode("utf-8", "surrogatepass")).hexdigest()
    subject = what or (read[0] if len(read) == 1 else f"{len(read)} rows")
    return record(store, principal.username, principal.agency_id, action, subject, body)
