"""A fuzzing run of the API (schemathesis), signed in with a token: whatever the request, no server error.

Hypothesis makes a few dozen requests per operation from the OpenAPI schema, valid and not, with odd
text (lone surrogates, control characters, very long strings); the one check is that nothing answers 5xx.
The world is built at import: schemathesis reads the schema at collection.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from baliza.access.roles import Role
from baliza.access.state import open_state
from baliza.access.tokens import add_token
from baliza.web.app import create_app
from web_world import build_web_world, user_name

_tmp = Path(tempfile.mkdtemp(prefix="baliza-fuzz-"))
atexit.register(shutil.rmtree, _tmp, ignore_errors=True)
_world = build_web_world(_tmp)
_state = open_state(_world.state_url)
TOKEN = add_token(_state, user_name("AG-CUS", Role.ANALYST), "fuzz")[1]  # may read, share and export
_state.close()
app = create_app(_world.db, state_url=_world.state_url)
atexit.register(app.state.baliza.close)
AUTH = {"Authorization": f"Bearer {TOKEN}"}

schema = schemathesis.openapi.from_asgi("/openapi.json", app, headers=AUTH)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_server_fail(case) -> None:
    response = case.call(headers=AUTH)
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text[:300]}"
