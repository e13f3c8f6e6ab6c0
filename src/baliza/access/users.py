"""Local accounts: argon2 password hashes, one agency and one role each."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from baliza.access.agencies import UnknownAgency, check_agency
from baliza.access.clock import now
from baliza.access.passwords import MAX_PASSWORD, MAX_USERNAME, password_problem, username_problem
from baliza.access.principal import Principal
from baliza.access.roles import Role
from baliza.access.state import StateStore, users

PROGRAMMES: tuple[str, ...] = ("livelihood", "treatment")  # the programmes that protect people

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so that a wrong name costs as long as a wrong password.
    Made on first sign-in, not at import: every `baliza` command imports this module."""
    return _hasher.hash("not a password")


@dataclass(frozen=True)
class User:
    username: str
    agency_id: str
    role: Role
    programme: str | None
    disabled: bool

    def principal(self, via: str = "session") -> Principal:
        return Principal(self.username, self.agency_id, self.role, self.programme, via)


class UserError(ValueError):
    """A user cannot be created or changed as asked."""


def _user(row: sa.Row[Any]) -> User:
    return User(row.username, row.agency_id, Role(row.role), row.programme, bool(row.disabled))


def add_user(
    store: StateStore, username: str, password: str, agency_id: str, role: Role | str, programme: str | None = None,
    known_agencies: Collection[str] | None = None,
) -> User:
    """Create an account; a programme officer must name the programme whose people it protects.

    With `known_agencies` (the warehouse's agency ids), `agency_id` must be one of them exactly.
    """
    role = Role(role)
    problem = username_problem(username) or password_problem(password, username)
    if problem:
        raise UserError(problem)
    if known_agencies is not None:
        try:
            check_agency(agency_id, known_agencies)
        except UnknownAgency as error:
            raise UserError(str(error)) from None
    if role is Role.PROGRAMME_OFFICER and programme not in PROGRAMMES:
        raise UserError(f"a programme officer needs --programme, one of: {', '.join(PROGRAMMES)}")
    if role is not Role.PROGRAMME_OFFICER and programme is not None:
        raise UserError("only a programme officer belongs to a programme")
    with store.engine.begin() as conn:
        if conn.execute(sa.select(users.c.username).where(users.c.username == username)).first():
            raise UserError(f"user {username!r} already exists")
        conn.execute(users.insert().values(
            username=username, password_hash=_hasher.hash(password), agency_id=agency_id, role=role.value,
            programme=programme, disabled=False, created_at=now(),
        ))
    return User(username, agency_id, role, programme, False)


def get_user(store: StateStore, username: str) -> User | None:
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.username == username)).first()
    return _user(row) if row else None


def list_users(store: StateStore, agency_id: str | None = None) -> list[User]:
    query = sa.select(users).order_by(users.c.agency_id, users.c.username)
    if agency_id is not None:
        query = query.where(users.c.agency_id == agency_id)
    with store.engine.connect() as conn:
        return [_user(row) for row in conn.execute(query)]


def disable_user(store: StateStore, username: str) -> None:
    """Disable an account: it can no longer sign in, and its sessions and tokens stop working."""
    from baliza.access.state import sessions

    with store.engine.begin() as conn:
        done = conn.execute(users.update().where(users.c.username == username).values(disabled=True))
        if done.rowcount == 0:
            raise UserError(f"no user {username!r}")
        conn.execute(sessions.delete().where(sessions.c.username == username))


def authenticate(store: StateStore, username: str, password: str) -> User | None:
    """The user if the password matches and the account is enabled, else None. Over-long input is refused
    before any hashing or reading (callers refuse it earlier, with a message)."""
    if len(username) > MAX_USERNAME or len(password) > MAX_PASSWORD:
        return None
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.username == username)).first()
    try:
        _hasher.verify(row.password_hash if row else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or row.disabled:
        return None
    return _user(row)
