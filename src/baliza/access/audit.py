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
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

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
_append_lock = threading.Lock()


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
    """Append one entry after the current head. Safe under concurrent writers (retries on a clash)."""
    canonical = _canonical(detail)
    key = store.key(KEY_NAME)
    actor, subject = actor[:120], subject[:300]  # the columns' sizes: callers bound what they pass
    for _attempt in range(50):
        with _append_lock, store.engine.begin() as conn:
            if store.dialect == "postgresql":
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7243001)")
            last = conn.execute(sa.select(audit.c.seq, audit.c.hash).order_by(audit.c.seq.desc()).limit(1)).first()
            seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
            at = now().isoformat(timespec="microseconds")
            digest = entry_hash(key, seq, at, actor, agency_id, action, subject, canonical, prev)
            try:
                conn.execute(audit.insert().values(
                    seq=seq, at=at, actor=actor, agency_id=agency_id, action=action, subject=subject,
                    detail=canonical, prev_hash=prev, hash=digest,
                ))
            except IntegrityError:  # another process appended first: read the new head and retry
                continue
            return AuditEntry(seq, at, actor, agency_id, action, subject, canonical, prev, digest)
    raise RuntimeError("could not append to the audit log after 50 attempts")


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
