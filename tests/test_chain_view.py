"""Hit/no-hit: a chain judged on all the data, shown to one agency with the others' steps named, not shown.

A small world written by hand: customs seized S1 (a case C1 opened by the prosecution five days later ended
in a conviction) and S2 (no case ever, data to the end of 2025). Expectations are written out, not derived.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from baliza.access.chain_view import chain_view
from baliza.access.clock import now
from baliza.access.grants import add_grant
from baliza.access.principal import Principal
from baliza.access.roles import Role
from baliza.access.scope import scope_for
from baliza.access.state import open_state
from baliza.analyses.chain_links import directory_names, seizure_chain
from baliza.warehouse import open_warehouse

CUS, PRO = "AG-CUS", "AG-PRO"


@pytest.fixture()
def world(tmp_path: Path):
    db = tmp_path / "w.duckdb"
    with open_warehouse(db) as wh:
        sql = wh.duckdb.execute
        sql("insert into agencies (agency_id, name, country, kind, _agency_id) values"
            " ('AG-CUS','National Customs','PER','customs','AG-CUS'),"
            " ('AG-PRO','Public Prosecutor','PER','prosecution','AG-PRO')")
        sql("insert into seizures (seizure_id, unit_id, seized_at, substance, substance_group, quantity, quantity_unit,"
            " lab_quantity, lab_confirmed_at, _agency_id, _load_id) values"
            " ('S1','U1','2025-01-24','cocaine','cocaine_type',100,'kg',99,'2025-02-01','AG-CUS',1),"
            " ('S2','U1','2025-03-01','cocaine','cocaine_type',50,'kg',49,'2025-03-10','AG-CUS',1)")
        sql("insert into arrests (arrest_id, person_id, unit_id, arrested_at, seizure_id, _agency_id, _load_id)"
            " values ('A1','P1','U1','2025-01-24','S1','AG-CUS',1), ('A2','P2','U1','2025-03-01','S2','AG-CUS',1)")
        sql("insert into cases (case_id, office_id, opened_at, origin, seizure_id, lead_prosecutor_id, _agency_id,"
            " _load_id) values ('C1','O1','2025-01-29','seizure','S1','ST-9','AG-PRO',2)")
        sql("insert into charges (charge_id, case_id, person_id, filed_at, offence, quantity, quantity_unit,"
            " _agency_id, _load_id) values ('H1','C1','P1','2025-02-02','trafficking',99,'kg','AG-PRO',2)")
        sql("insert into dispositions (case_id, person_id, disposed_at, outcome, judge_id, _agency_id, _load_id)"
            " values ('C1','P1','2025-09-01','acquitted','J-7','AG-PRO',2)")
        sql("insert into case_events (event_id, case_id, \"at\", kind, _agency_id, _load_id) values"
            " ('E9','C1','2025-12-31','closed','AG-PRO',2)")
    state = open_state(f"sqlite:///{tmp_path / 'state.sqlite'}")
    yield db, state
    state.close()


def _view(db: Path, state, agency: str, seizure_id: str, withheld=None):
    with open_warehouse(db, read_only=True) as wh:
        names = directory_names(wh)
        chain = seizure_chain(wh, seizure_id, names=names)
        scope = scope_for(wh, state, Principal("u", agency, Role.ANALYST))
    return chain, chain_view(chain, scope, withheld=withheld, names=names)


def test_customs_sees_that_the_prosecution_holds_the_case_and_nothing_of_it(world) -> None:
    db, state = world
    chain, view = _view(db, state, CUS, "S1")
    assert {b.code for b in chain.breaks} == {"acquitted"}  # all the data: a case, then an acquittal
    assert view.breaks == []  # the acquittal is the prosecution's to disclose, and no case is not missing
    hidden = [e for e in view.events if e["hidden"]]
    assert [e["stage"] for e in hidden] == ["case", "charge", "disposition", "event"]
    assert hidden[0]["description"] == "a case was opened on 2025-01-29 at Public Prosecutor: not shared with you"
    shown = str(view.to_dict())
    for content in ("C1", "ST-9", "H1", "acquitted", "J-7", "trafficking"):
        assert content not in shown
    assert [h.agency_id for h in view.hidden_holders] == [PRO]
    assert view.status == "continues_elsewhere"


def test_a_seizure_with_no_case_anywhere_is_a_break_for_its_owner(world) -> None:
    db, state = world
    _, view = _view(db, state, CUS, "S2")
    assert [b["code"] for b in view.breaks] == ["no_case"]
    assert view.status == "broken"


def test_the_prosecution_sees_its_case_and_only_the_existence_of_the_seizure(world) -> None:
    db, state = world
    _, view = _view(db, state, PRO, "S1")
    assert view.seizure is None and view.holder == CUS
    assert [b["code"] for b in view.breaks] == ["acquitted"]
    seizure_step = next(e for e in view.events if e["stage"] == "seizure")
    assert seizure_step["hidden"] and "100" not in seizure_step["description"]
    _, nothing = _view(db, state, PRO, "S2")
    assert nothing is None  # holds no step of it: not even its existence is confirmed


def test_a_grant_shows_the_case_content(world) -> None:
    db, state = world
    add_grant(state, PRO, CUS, "seizure", "S1", "joint review", now() + timedelta(days=5), "test")
    _, view = _view(db, state, CUS, "S1")
    assert not any(e["hidden"] for e in view.events)
    assert [b["code"] for b in view.breaks] == ["acquitted"]
    assert "ST-9" in str(view.to_dict())


def test_withheld_rows_are_left_out_and_no_absence_is_judged_for_others(world) -> None:
    db, state = world
    withheld = {PRO: {"cases", "charges", "case_events", "dispositions"}}
    _, view = _view(db, state, CUS, "S1", withheld)
    assert {e["stage"] for e in view.events} == {"seizure", "lab", "arrest"}
    assert view.unknown_beyond == [PRO]
    _, no_case = _view(db, state, CUS, "S2", withheld)
    # the prosecution could hold a case on S2 without saying so: "no case" cannot be judged for customs
    assert no_case.breaks == [] and no_case.undecided == ["no_case"] and no_case.unknown_beyond == [PRO]
    _, own = _view(db, state, PRO, "S1", withheld)  # withholding never hides an agency's rows from itself
    assert any(e["stage"] == "case" and not e["hidden"] for e in own.events)


def test_the_chain_command_shows_what_a_user_may_see(world) -> None:
    import json

    from typer.testing import CliRunner

    from baliza.access.users import add_user
    from baliza.cli.app import app

    db, state = world
    add_user(state, "cus_analyst", "a long and uncommon passphrase 7", CUS, Role.ANALYST)
    add_user(state, "pro_analyst", "another long uncommon passphrase 9", PRO, Role.ANALYST)
    env = {"BALIZA_STATE_URL": str(state.engine.url)}
    runner = CliRunner()
    shown = runner.invoke(app, ["chain", "S1", "--db", str(db), "--user", "cus_analyst", "--json"], env=env)
    assert shown.exit_code == 0, shown.output
    view = json.loads(shown.stdout)  # progress goes to stderr
    assert view["breaks"] == [] and "ST-9" not in shown.output and "acquitted" not in shown.output
    assert any(e["hidden"] and e["holder"] == PRO for e in view["events"])
    whole = runner.invoke(app, ["chain", "S1", "--db", str(db), "--json"], env=env)
    assert [b["code"] for b in json.loads(whole.stdout)["breaks"]] == ["acquitted"]  # the operator's view
    refused = runner.invoke(app, ["chain", "S2", "--db", str(db), "--user", "pro_analyst"], env=env)
    assert refused.exit_code == 1 and "may see" in refused.output
