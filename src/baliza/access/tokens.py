"""API tokens for machine clients: shown once, stored only as a hash, scoped like their user."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa

from baliza.access.clock import as_utc, now
from baliza.access.state import StateStore, tokens, users
from baliza.access.users import User, _user

TOKEN_PREFIX = "bz_"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def add_token(store: StateStore, username: str, label: str = "", expires_at: datetime | None = None) -> tuple[str, str]:
    """Create a token for `username`; returns (token_id, secret). The secret is not stored."""
    token_id = secrets.token_hex(8)
    secret = f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
    with store.engine.begin() as conn:
        if not conn.execute(sa.select(users.c.username).where(users.c.username == username)).first():
            raise ValueError(f"no user {username!r}")
        conn.execute(tokens.insert().values(
            token_id=token_id, token_hash=_digest(secret), username=username, label=label, created_at=now(),
            expires_at=expires_at,
        ))
    return token_id, secret


def revoke_token(store: StateStore, token_id: str) -> None:
    with store.engine.begin() as conn:
        done = conn.execute(
            tokens.update().where(tokens.c.token_id == token_id, tokens.c.revoked_at.is_(None)).values(revoked_at=now())
        )
    if done.rowcount == 0:
        raise ValueError(f"no active token {token_id!r}")


# Built once: every request with a bearer token runs it, and building a statement costs more processor
# than SQLite takes to answer it (SQLAlchemy keeps the compiled form per statement object).
_TOKEN_USER = (
    sa.select(users, tokens.c.expires_at.label("token_expires_at"), tokens.c.revoked_at)
    .join(tokens, tokens.c.username == users.c.username)
    .where(tokens.c.token_hash == sa.bindparam("token_hash"))
)


def user_for_token(store: StateStore, secret: str) -> User | None:
    """The enabled user a live token belongs to, else None."""
    with store.engine.connect() as conn:
        row = conn.execute(_TOKEN_USER, {"token_hash": _digest(secret)}).first()
    if row is None or row.revoked_at is not None or row.disabled:
        return None
    if row.token_expires_at is not None and as_utc(row.token_expires_at) <= now():
        return None
    return _user(row)
