"""Test-session plumbing shared by every test module."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from browser_support import chromium_browser
from engines import engine_warehouses, spark, warehouse_on  # noqa: F401  (session fixtures: the demo on each engine)
from split_demo import split, split_chains  # noqa: F401  (session fixtures: the demo split by agency)
from web_world import forget_template

_exit_status: list[int] = []

# Session fixtures that cost a minute or more to build (the demo split by agency, the demo on each engine, the
# one Spark session): a module that uses any of them runs on the same pytest-xdist worker as every other such
# module, so that each is built once, not once per worker.
# Not yet used by the README's command, for two reasons found out: (1) schemathesis gives every API operation's
# test of test_web_schema and test_security_fuzz the same node id (their names differ), and xdist's loadfile and
# loadgroup schedulers keep one test per node id, so 36 of 37 operations would silently not run (the plain
# `load` scheduler runs all 37); (2) with pytest 9.2 a node id is `item._id`, so xdist's loadgroup suffix (it
# sets `item._nodeid`) has no effect and these groups are not honoured. Giving those items their own ids
# (`item._id = item.parent.id.child(item.name)`, private API) and checking that the costly builds happen
# once per run would come first.
SHARED_BUILDS = frozenset({"split", "split_chains", "engine_warehouses", "warehouse_on", "spark"})


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Group the tests for `pytest -n 2 --dist loadgroup`: one group per module (its module fixtures are built
    once), and one group for all the modules that use the costly session builds (`SHARED_BUILDS`)."""
    shared = {item.path for item in items if SHARED_BUILDS & set(getattr(item, "fixturenames", ()))}
    for item in items:
        group = "shared-builds" if item.path in shared else item.path.stem
        item.add_marker(pytest.mark.xdist_group(group))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _exit_status.append(int(exitstatus))
    forget_template()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium for a module's browser tests (each test opens its own contexts); skips without one."""
    with chromium_browser() as chromium:
        yield chromium


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Leave without interpreter teardown once pytest has reported everything.

    The web tests run servers whose worker threads are daemon threads holding DuckDB connections; at
    interpreter teardown CPython ends such threads with pthread_exit, and when one is inside DuckDB's C++
    code the process aborts ("FATAL: exception not rethrown") after every test has passed, turning a green
    run red. The results are final by now, so exit with pytest's own status instead.
    """
    if _exit_status and os.environ.get("BALIZA_TEST_NORMAL_EXIT") != "1":
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_exit_status[-1])
