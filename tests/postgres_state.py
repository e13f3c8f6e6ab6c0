"""A state store on a real PostgreSQL server, in a schema of its own, for the tests of the state store."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from baliza.access.state import StateStore, open_state


@contextmanager
def state_in_own_schema(url: str, prefix: str) -> Iterator[StateStore]:
    """A state store at the PostgreSQL `url` in a fresh schema (`<prefix>_<process>_<random>`: another test
    module or test process on the same server never drops or fills it), dropped after; skips the test when no
    server answers."""
    base = url.split("?", 1)[0]
    schema = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1),
                              connect_args={"connect_timeout": 2})
    try:
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        except sa.exc.OperationalError:
            pytest.skip(f"no PostgreSQL server at {base.split('@')[-1]} (.ci/postgres.sh starts one)")
        store = open_state(f"{base}?options=-csearch_path%3D{schema}")
        try:
            yield store
        finally:
            store.close()
            with engine.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    finally:
        engine.dispose()
