"""The demo country exported one folder per agency and loaded one agency at a time, with the demo accounts
and their grants; and every seizure's whole-warehouse chain, computed once for the session.

Shared by the tests of the chain across agencies and of the chain explorer (building it costs a minute).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from typer.testing import CliRunner

from baliza.access.demo_accounts import CHAIN_READERS, create_demo_accounts, share_for_demo
from baliza.access.state import open_state
from baliza.analyses.as_of import stage_as_of
from baliza.analyses.chain_links import SeizureChain, directory_names, seizure_chain
from baliza.cli.app import app
from baliza.demo import generate_country
from baliza.warehouse import open_warehouse
from baliza.web.lookups import LookupWarehouse

# loaded one agency at a time, each after the agencies whose rows it refers to
FIRST = ("AG-PER-CUSTOMS", "AG-PER-POLICE", "AG-PER-COASTGUARD")
LAST = ("AG-PER-PROSECUTION", "AG-PER-COURTS", "AG-PER-FIU")


@pytest.fixture(scope="session")
def split(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("split")
    country, db = tmp / "country", tmp / "split.duckdb"
    generate_country(country, seed=7, scale="small", truth_path=tmp / "truth.json", by_agency=True,
                     flaws=False)  # every row loads: the tests count them
    folders = {p.name: p for p in country.iterdir() if (p / "manifest.yaml").exists()}
    order = [*FIRST, *sorted(set(folders) - set(FIRST) - set(LAST)), *LAST]
    runner = CliRunner()
    # Agencies refer to each other both ways (customs' seizures name the international partner's operations,
    # whose trainings name customs' units): a row whose reference arrives later is quarantined, and loads
    # when its file is loaded again, which adds nothing that is already there: only the agencies that had
    # rows quarantined the first time are loaded a second time.
    pending = [agency for agency in order if agency in folders]
    for _ in range(2):
        waiting = []
        for agency in pending:
            done = runner.invoke(app, ["load", str(folders[agency]), "--agency", agency, "--db", str(db),
                                       "--json"])
            assert done.exit_code == 0, done.output
            tables = json.loads(done.stdout)["tables"].values()
            if any(table.get("quarantined") for table in tables):
                waiting.append(agency)
        pending = waiting
    state_url = f"sqlite:///{tmp / 'state.sqlite'}"
    state = open_state(state_url)
    with open_warehouse(db) as wh:
        accounts = create_demo_accounts(wh, state)
        readers = [a for a in accounts if a.role.value in CHAIN_READERS]
        share_for_demo(wh, state, {a.agency_id for a in readers})
    state.close()
    return db, state_url, readers, country



@pytest.fixture(scope="session")
def split_chains(split) -> list[SeizureChain]:
    """Every seizure's chain on the whole warehouse, as the web computes it (fast lookups on key indexes kept
    for the warehouse, data-end dates)."""
    kept: dict[str, Any] = {}

    def keep(name: str, compute: Callable[[], Any]) -> Any:  # the web keeps these with its snapshot
        if name not in kept:
            kept[name] = compute()
        return kept[name]

    with open_warehouse(split[0], read_only=True) as wh:
        names, as_of = directory_names(wh), stage_as_of(wh)
        whole = LookupWarehouse(wh, None, keep, indexed=True)
        seizures = wh.table("seizures").seizure_id.to_pyarrow().to_pylist()
        return [seizure_chain(whole, s, as_of=as_of, names=names) for s in seizures]
