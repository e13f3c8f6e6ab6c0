"""Fast lookups give a seizure's chain exactly as the Ibis warehouse does: whole, and scoped with grants."""

from __future__ import annotations

from pathlib import Path

from baliza.access.principal import Principal
from baliza.access.roles import Role
from baliza.access.scope import ScopedWarehouse, scope_for
from baliza.access.state import open_state
from baliza.analyses.as_of import stage_as_of
from baliza.analyses.chain_links import seizure_chain
from baliza.warehouse import open_warehouse
from baliza.web.lookups import LookupWarehouse
from web_world import build_web_world


def test_lookups_match_the_scoped_warehouse(tmp_path: Path) -> None:
    world = build_web_world(tmp_path)
    state = open_state(world.state_url)
    compiled: dict[str, str] = {}

    def keep(name: str, compute):
        return compiled.setdefault(name, compute())

    with open_warehouse(world.db, read_only=True) as wh:
        seizures = wh.table("seizures").seizure_id.to_pyarrow().to_pylist()
        as_of = stage_as_of(wh)
        compared = 0
        for seizure_id in seizures:  # the whole warehouse, as the chain is judged
            whole = [seizure_chain(tables, seizure_id, as_of=as_of).to_dict()
                     for tables in (wh, LookupWarehouse(wh, None, keep))]
            assert whole[0] == whole[1], seizure_id
        for agency in ("AG-POL", "AG-CUS", "AG-PRO"):
            scope = scope_for(wh, state, Principal("u", agency, Role.ANALYST))
            for seizure_id in [*seizures, "no-such-seizure"]:
                answers = []
                for scoped in (ScopedWarehouse(wh, scope), LookupWarehouse(wh, scope, keep)):
                    try:
                        answers.append(seizure_chain(scoped, seizure_id, as_of=as_of).to_dict())
                    except KeyError:
                        answers.append(None)
                assert answers[0] == answers[1], (agency, seizure_id)
                compared += answers[0] is not None
    state.close()
    assert compared >= 4  # own seizures and the one shared with the police
    assert any(name.startswith("scoped-sql:seizures:AG-POL") for name in compiled)
    assert "scoped-sql:seizures:*whole*" in compiled
