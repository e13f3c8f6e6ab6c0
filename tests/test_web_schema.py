"""schemathesis against the OpenAPI schema: no server errors, answers that match the schema.

The served world is built when the module is imported (schemathesis reads the schema at collection).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from baliza.access.roles import Role
from baliza.access.state import open_state
from baliza.access.tokens import add_token
from baliza.web.app import create_app
from web_world import build_web_world, user_name

_tmp = Path(tempfile.mkdtemp(prefix="baliza-schema-"))
atexit.register(shutil.rmtree, _tmp, ignore_errors=True)
_world = build_web_world(_tmp)
_state = open_state(_world.state_url)
TOKENS = [add_token(_state, user_name("AG-CUS", role))[1]
          for role in (Role.ANALYST, Role.PROSECUTION_INSPECTOR, Role.OVERSIGHT)]
_state.close()
app = create_app(_world.db, state_url=_world.state_url)
atexit.register(app.state.baliza.close)

schema = schemathesis.openapi.from_asgi("/openapi.json", app,  # the schema, too, needs a signed-in reader
                                       headers={"Authorization": f"Bearer {TOKENS[0]}"})


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case) -> None:
    for token in TOKENS:
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"})
    case.call_and_validate()  # anonymous: 401, as documented
