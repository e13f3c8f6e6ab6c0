"""The state store in production mode, on a real PostgreSQL server.

Uses $BALIZA_TEST_POSTGRES_URL, else a postgresql:// $BALIZA_STATE_URL, else the address that
.ci/postgres.sh (run by .ci/run) prepares; skips when no server answers there.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa

from baliza.access.audit import record, verify
from baliza.access.clock import now
from baliza.access.grants import active_grants_to, add_grant, revoke_grant
from baliza.access.state import StateStore
from baliza.access.tokens import add_token, user_for_token
from baliza.access.users import add_user, authenticate
from postgres_state import state_in_own_schema

DEFAULT_URL = "postgresql://baliza:baliza@127.0.0.1:5432/baliza_test"


def _url() -> str:
    state_url = os.environ.get("BALIZA_STATE_URL", "")
    return os.environ.get("BALIZA_TEST_POSTGRES_URL") or (
        state_url if state_url.startswith("postgresql") else DEFAULT_URL)


@pytest.fixture
def pg_state() -> Iterator[StateStore]:
    """A state store in a fresh schema of its own, dropped after the test."""
    with state_in_own_schema(_url(), "state") as store:
        yield store


def test_accounts_tokens_and_grants_on_postgresql(pg_state) -> None:
    add_user(pg_state, "ana", "a long password", "AG-CUS", "analyst")
    assert authenticate(pg_state, "ana", "a long password").role == "analyst"
    _, secret = add_token(pg_state, "ana")
    assert user_for_token(pg_state, secret).username == "ana"
    grant = add_grant(pg_state, "AG-CUS", "AG-POL", "seizure", "S1", "op", now() + timedelta(days=1), "ana")
    assert [g.grant_id for g in active_grants_to(pg_state, "AG-POL")] == [grant.grant_id]
    revoke_grant(pg_state, grant.grant_id, "ana")
    assert active_grants_to(pg_state, "AG-POL") == []


def test_audit_chain_on_postgresql_with_concurrent_writers(pg_state) -> None:
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: record(pg_state, "ana", "AG-CUS", "read_case", f"cases/C{i}"), range(40)))
    assert verify(pg_state) == []
    with pytest.raises(sa.exc.DBAPIError), pg_state.engine.begin() as conn:
        conn.execute(sa.text("update audit set actor = 'eve' where seq = 5"))
    with pg_state.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE audit DISABLE TRIGGER audit_append_only")
        conn.execute(sa.text("update audit set actor = 'eve' where seq = 5"))
        conn.execute(sa.text("delete from audit where seq = 9"))
    problems = verify(pg_state)
    assert problems[0].seq == 5 and "edited" in problems[0].reason
    assert any(p.seq == 10 and "missing" in p.reason for p in problems)
