"""The append-only, hash-chained audit log.

Each entry's hash covers its sequence number, time, actor, action, subject, detail and the previous
entry's hash, so editing an entry, removing one or changing their order breaks the chain at that
point. Removing the newest entries leaves a shorter chain that is still valid: compare the head
(`head()`) with a copy kept elsewhere to detect that.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from baliza.access.clock import now
from baliza.access.state import StateStore, audit

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


def entry_hash(seq: int, at: str, actor: str, agency_id: str, action: str, subject: str, detail: str,
               prev_hash: str) -> str:
    payload = json.dumps([seq, at, actor, agency_id, action, subject, detail, prev_hash], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def record(store: StateStore, actor: str, agency_id: str, action: str, subject: str = "",
           detail: dict[str, Any] | None = None) -> AuditEntry:
    """Append one entry after the current head. Safe under concurrent writers (retries on a clash)."""
    canonical = _canonical(detail)
    for _attempt in range(50):
        with _append_lock, store.engine.begin() as conn:
            if store.dialect == "postgresql":
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7243001)")
            last = conn.execute(sa.select(audit.c.seq, audit.c.hash).order_by(audit.c.seq.desc()).limit(1)).first()
            seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
            at = now().isoformat(timespec="microseconds")
            digest = entry_hash(seq, at, actor, agency_id, action, subject, canonical, prev)
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


def verify(store: StateStore) -> list[AuditProblem]:
    """Walk the chain from the first entry; every place where it breaks, with the reason."""
    problems: list[AuditProblem] = []
    expected_seq, prev = 1, GENESIS
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
            recomputed = entry_hash(e.seq, e.at, e.actor, e.agency_id, e.action, e.subject, e.detail, e.prev_hash)
            if recomputed != e.hash:
                problems.append(AuditProblem(e.seq, "content does not match its hash (the entry was edited)"))
            expected_seq, prev = e.seq + 1, e.hash
    return problems
