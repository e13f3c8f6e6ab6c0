"""Server-side sessions: a random id in a signed, HttpOnly, SameSite cookie; the row, keyed by the id's
sha256 (a copy of the state store holds no usable id), holds the user and its CSRF token. Signing in
always issues a new id (no session fixation); signing out deletes the row.

Before sign-in there is no row: the sign-in form's CSRF token travels signed (and dated) in the same
cookie, so an anonymous visitor writes nothing to the state store.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

from baliza.access.clock import as_utc, now
from baliza.access.state import StateStore, sessions

COOKIE_NAME = "baliza_session"
SESSION_LIFETIME = timedelta(hours=8)
ANONYMOUS_LIFETIME = timedelta(minutes=30)


@dataclass(frozen=True)
class Session:
    session_id: str
    username: str | None
    csrf_token: str

    def csrf_matches(self, candidate: str | None) -> bool:
        return bool(candidate) and hmac.compare_digest(self.csrf_token, candidate or "")


def session_digest(session_id: str) -> str:
    """What the state store keeps of a session id."""
    return hashlib.sha256(session_id.encode()).hexdigest()


class SessionCookies:
    """Signs session ids (and, before sign-in, the form's CSRF token) into cookie values and back."""

    def __init__(self, secret_key: str | bytes) -> None:
        self._signer = URLSafeSerializer(secret_key, salt="baliza-session")
        self._login = URLSafeTimedSerializer(secret_key, salt="baliza-login-csrf")

    def dump_login(self, csrf_token: str) -> str:
        return self._login.dumps(csrf_token)

    def load_login(self, cookie: str | None) -> str | None:
        """The sign-in form's CSRF token, if the cookie is one and is younger than ANONYMOUS_LIFETIME."""
        if not cookie:
            return None
        try:
            value = self._login.loads(cookie, max_age=int(ANONYMOUS_LIFETIME.total_seconds()))
        except BadSignature:
            return None
        return value if isinstance(value, str) else None

    def dump(self, session_id: str) -> str:
        return self._signer.dumps(session_id)

    def load(self, cookie: str | None) -> str | None:
        if not cookie:
            return None
        try:
            value = self._signer.loads(cookie)
        except BadSignature:
            return None
        return value if isinstance(value, str) else None


def start_session(store: StateStore, username: str | None) -> Session:
    """A new session with a fresh id and CSRF token (anonymous while `username` is None)."""
    session = Session(secrets.token_urlsafe(32), username, secrets.token_urlsafe(32))
    lifetime = SESSION_LIFETIME if username else ANONYMOUS_LIFETIME
    with store.engine.begin() as conn:
        conn.execute(sessions.insert().values(
            session_id=session_digest(session.session_id), username=username, csrf_token=session.csrf_token,
            created_at=now(), expires_at=now() + lifetime,
        ))
    return session


def find_session(store: StateStore, session_id: str | None) -> Session | None:
    if not session_id:
        return None
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(sessions).where(sessions.c.session_id == session_digest(session_id))).first()
    if row is None or as_utc(row.expires_at) <= now():
        return None
    return Session(session_id, row.username, row.csrf_token)


def end_session(store: StateStore, session_id: str) -> None:
    with store.engine.begin() as conn:
        conn.execute(sessions.delete().where(sessions.c.session_id == session_digest(session_id)))
        conn.execute(sessions.delete().where(sessions.c.expires_at <= now()))  # tidy expired ones
