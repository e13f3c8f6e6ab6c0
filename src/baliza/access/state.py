"""The application's own state: users, sessions, tokens, grants, audit, decisions on findings.

Embedded by default in a SQLite file beside the warehouse (`baliza.duckdb` -> `baliza.state.sqlite`);
PostgreSQL when `BALIZA_STATE_URL=postgresql://...`. Why SQLite and not a second DuckDB file: this
state is small transactional writes (an audit entry per read, a session per sign-in) from many
concurrent requests and from the CLI while the server runs. DuckDB is built for analytical scans and
allows one writing process per file; SQLite handles many short write transactions, and SQLAlchemy
Core speaks both SQLite and PostgreSQL with the same statements.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from baliza.access.files import create_private, key_from

STATE_URL_VARIABLE = "BALIZA_STATE_URL"

metadata = sa.MetaData()

users = sa.Table(
    "users", metadata,
    sa.Column("username", sa.String(120), primary_key=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("agency_id", sa.String(120), nullable=False),
    sa.Column("role", sa.String(40), nullable=False),
    sa.Column("programme", sa.String(40)),
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

sessions = sa.Table(
    "sessions", metadata,
    # sha256 of the id the cookie carries: a copy of this table lets no one take over a session
    sa.Column("session_id", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(120)),  # null before sign-in (holds the login form's CSRF token)
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
)

tokens = sa.Table(
    "tokens", metadata,
    sa.Column("token_id", sa.String(32), primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("username", sa.String(120), nullable=False),
    sa.Column("label", sa.String(200), nullable=False, default=""),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
)

grants = sa.Table(
    "grants", metadata,
    sa.Column("grant_id", sa.String(32), primary_key=True),
    sa.Column("owner_agency_id", sa.String(120), nullable=False),
    sa.Column("grantee_agency_id", sa.String(120), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # seizure, case, dataset
    sa.Column("subject_id", sa.String(200), nullable=False),
    sa.Column("purpose", sa.Text, nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(120), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_by", sa.String(120)),
)

audit = sa.Table(
    "audit", metadata,
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=False),
    sa.Column("at", sa.String(40), nullable=False),  # ISO 8601 UTC, hashed exactly as stored
    sa.Column("actor", sa.String(120), nullable=False),
    sa.Column("agency_id", sa.String(120), nullable=False),
    sa.Column("action", sa.String(60), nullable=False),
    sa.Column("subject", sa.String(300), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),  # canonical JSON
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

finding_decisions = sa.Table(
    "finding_decisions", metadata,
    sa.Column("decision_id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("finding_id", sa.String(64), nullable=False, index=True),
    sa.Column("agency_id", sa.String(120), nullable=False),
    sa.Column("decision", sa.String(30), nullable=False),  # confirmed, dismissed, needs_more_data
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("decided_by", sa.String(120), nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
)

settings = sa.Table(
    "settings", metadata,
    sa.Column("name", sa.String(60), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

# The audit table refuses UPDATE and DELETE: appending is the only way in.
_APPEND_ONLY = {
    "sqlite": (
        "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit "
        "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit "
        "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION baliza_audit_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql",
        "DROP TRIGGER IF EXISTS audit_append_only ON audit",
        "CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit "
        "FOR EACH ROW EXECUTE FUNCTION baliza_audit_append_only()",
    ),
}


def state_url_for(db_path: str | os.PathLike[str]) -> str:
    """`BALIZA_STATE_URL` if set, else a SQLite file beside the warehouse."""
    url = os.environ.get(STATE_URL_VARIABLE)
    if url:
        return url
    path = Path(db_path)
    return f"sqlite:///{path.with_name(path.stem + '.state.sqlite')}"


KEY_BYTES = 32
_process_keys: dict[str, bytes] = {}  # for an in-memory store with no key file: one key per process


@dataclass
class StateStore:
    """The engine of the state database, with its tables created, and where its secret keys live.

    The keys (the audit log's MAC key, the session cookies' signing key) are never kept in the database:
    each comes from `BALIZA_<NAME>_KEY` (base64 of 32 bytes) or from its own key file
    `<key_home>.<name>.key`, created 0600 on first use. A copy of the database alone forges nothing.
    """

    engine: Engine
    key_home: Path | None = None
    _keys: dict[str, bytes] = field(default_factory=dict, repr=False)
    audit_appender: Any = field(default=None, repr=False, compare=False)  # `access.audit.GroupCommit`, made once

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def key_path(self, name: str) -> Path | None:
        """The file holding the key `name` when its environment variable is not set."""
        if self.key_home is None:
            return None
        return self.key_home.with_name(f"{self.key_home.name}.{name}.key")

    def key(self, name: str) -> bytes:
        """The secret key `name` (e.g. "audit", "session"): environment, else its key file."""
        if name not in self._keys:
            variable = f"BALIZA_{name.upper()}_KEY"
            path = self.key_path(name)
            if path is None and not os.environ.get(variable):
                self._keys[name] = _process_keys.setdefault(name, secrets.token_bytes(KEY_BYTES))
            else:
                self._keys[name] = key_from(variable, path or Path(os.devnull), KEY_BYTES)
        return self._keys[name]

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_file(url: str) -> Path | None:
    """The file of a `sqlite:///` URL, None for an in-memory database or another engine."""
    if not url.startswith("sqlite:///") or url in ("sqlite:///", "sqlite:///:memory:"):
        return None
    return Path(url.removeprefix("sqlite:///"))


def open_state(url: str, key_home: str | os.PathLike[str] | None = None) -> StateStore:
    """Connect to the state database at `url` and create its tables if needed.

    A SQLite file is created 0600 (its WAL and shared-memory files follow its mode) and keeps its keys
    beside it; another database keeps them beside `key_home` (the warehouse file, when served), or, with
    neither, holds them for this process only.
    """
    file = _sqlite_file(url)
    if file is not None:
        create_private(file)
        key_home = file
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # the server answers up to 40 requests at once (the worker threads): enough connections for them to
    # read users, grants and decisions side by side
    kwargs: dict[str, object] = {"pool_size": 10, "max_overflow": 40}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs = {"connect_args": kwargs["connect_args"]}
    engine = sa.create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    metadata.create_all(engine)
    with engine.begin() as conn:
        for statement in _APPEND_ONLY.get(engine.dialect.name, ()):
            conn.exec_driver_sql(statement)
        # the cookie-signing key was kept here before it moved to its own key file: no copy stays behind
        conn.execute(settings.delete().where(settings.c.name == "session_key"))
    return StateStore(engine, Path(key_home) if key_home is not None else None)


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def open_state_beside(db_path: str | os.PathLike[str]) -> StateStore:
    """The state store for the warehouse at `db_path` (or the one `BALIZA_STATE_URL` names)."""
    return open_state(state_url_for(db_path), key_home=db_path)


def setting(store: StateStore, name: str, default: Callable[[], str]) -> str:
    """A named setting (e.g. the session signing key), created from `default()` the first time."""
    with store.engine.begin() as conn:
        found = conn.execute(sa.select(settings.c.value).where(settings.c.name == name)).scalar()
        if found is not None:
            return found
        value = default()
    try:
        with store.engine.begin() as conn:
            conn.execute(settings.insert().values(name=name, value=value))
    except sa.exc.IntegrityError:  # pragma: no cover - another process created it first: use theirs
        pass
    with store.engine.connect() as conn:
        return conn.execute(sa.select(settings.c.value).where(settings.c.name == name)).scalar_one()


# Access requests (`access.requests`): an agency asks another for a seizure's chain or a case, with a purpose;
# the holder's administrators and analysts approve (a grant) or refuse (with a reason).
access_requests = sa.Table(
    "access_requests", metadata,
    sa.Column("request_id", sa.String(32), primary_key=True),
    sa.Column("requested_by", sa.String(120), nullable=False),
    sa.Column("requester_agency_id", sa.String(120), nullable=False, index=True),
    sa.Column("owner_agency_id", sa.String(120), nullable=False, index=True),
    sa.Column("kind", sa.String(20), nullable=False),  # seizure, case
    sa.Column("subject_id", sa.String(200), nullable=False),
    sa.Column("purpose", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # pending, approved, refused
    sa.Column("decided_by", sa.String(120)),
    sa.Column("decided_at", sa.DateTime(timezone=True)),
    sa.Column("reason", sa.Text),
    sa.Column("grant_id", sa.String(32)),
)
# one pending request per asker, holder and subject, even when two arrive at once
_pending = access_requests.c.status == "pending"
sa.Index("one_pending_access_request", access_requests.c.requester_agency_id, access_requests.c.owner_agency_id,
         access_requests.c.kind, access_requests.c.subject_id, unique=True, sqlite_where=_pending,
         postgresql_where=_pending)

# Declared withholding (`access.withholding`): an agency's tables whose rows other agencies may not even know exist.
withholdings = sa.Table(
    "withholdings", metadata,
    sa.Column("agency_id", sa.String(120), primary_key=True),
    sa.Column("table_name", sa.String(60), primary_key=True),
    sa.Column("declared_by", sa.String(120), nullable=False),
    sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
)
