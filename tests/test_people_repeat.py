"""`person_across_agencies`: one resolved person involved in separate seizures, arrests or cases.

On a world written here (the agency world of tests/agency_world.py, with more records): a courier whose one
chain is recorded by customs, the police and the prosecution under three records does not fire, nor does a
person arrested without a seizure and then charged in the case opened on that arrest; a person arrested at
two separate seizures by two agencies, recorded their own way, does. Then on the demo country: the repeat
offenders it plants are found, and its ordinary courier chains (customs' traveller record beside the
police's record of the same arrest) are not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agency_world import build_world
from baliza.analyses.integrity import red_flags
from baliza.analyses.people import resolve_warehouse
from baliza.analyses.people.involvement import RULE, repeat_findings
from baliza.analyses.people.stored import cluster_of, store_resolution
from baliza.warehouse import open_warehouse

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning")


def _written_here(wh: Any) -> None:
    sql = wh.duckdb.execute
    sql("insert into seizures (seizure_id, unit_id, seized_at, substance, substance_group, quantity, quantity_unit,"
        " _agency_id, _load_id) values ('S4','Q1','2025-06-01','cocaine','cocaine_type',2,'kg','AG-POL',7)")
    sql("insert into persons (person_id, full_name, birth_date, nationality, id_document, protected, _agency_id,"
        " _load_id) values"
        # one chain, three records: customs' X1 (arrested at S1, a defendant in C1), the police's and the
        # prosecution's records of the same courier, at the same seizure
        " ('XP1','COURIER, JUAN','1990-01-01','PER',null,false,'AG-POL',7),"
        " ('XR1','Juan Courier','1990-01-01','PER',null,false,'AG-PRO',5),"
        # customs' X2, arrested at S2, arrested again by the police at S4 under another record
        " ('XP2','MULE, Ána','1991-02-02','COL',null,false,'AG-POL',7),"
        # arrested without a seizure by the police, charged by the prosecution in the case of that arrest
        " ('YP1','Rosa Quispe Mamani','1987-05-09','PER','44556677',false,'AG-POL',7),"
        " ('YR1','QUISPE MAMANI, Rosa','1987-05-09','PER','44.556.677',false,'AG-PRO',5)")
    sql("insert into arrests (arrest_id, person_id, unit_id, arrested_at, seizure_id, _agency_id, _load_id) values"
        " ('A5','XP1','Q1','2025-01-02','S1','AG-POL',7), ('A6','XP2','Q1','2025-06-01','S4','AG-POL',7),"
        " ('A8','YP1','Q1','2025-04-01',null,'AG-POL',7)")
    sql("insert into cases (case_id, office_id, opened_at, origin, seizure_id, _agency_id, _load_id) values"
        " ('C4','P9','2025-04-03','arrest',null,'AG-PRO',5)")
    sql("insert into case_parties (case_id, person_id, role, _agency_id, _load_id) values"
        " ('C1','XR1','defendant','AG-PRO',5), ('C4','YR1','defendant','AG-PRO',5)")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("repeat") / "world.duckdb"
    with build_world(db) as wh:
        _written_here(wh)
        store_resolution(wh, resolve_warehouse(wh))
    return db


def _cluster(wh: Any, person: str) -> set[str]:
    return {m.person_id for m in cluster_of(wh, person)[0]}


def test_one_chain_seen_by_three_agencies_is_one_event(world: Path) -> None:
    with open_warehouse(world, read_only=True) as wh:
        assert _cluster(wh, "X1") == {"X1", "XP1", "XR1"}  # resolved: the test is about what is counted
        assert _cluster(wh, "YP1") == {"YP1", "YR1"}
        found = repeat_findings(wh)
    fired = {e.id for f in found for e in f.evidence if e.table == "persons"}
    assert not fired & {"X1", "XP1", "XR1", "YP1", "YR1"}


def test_a_person_arrested_at_two_seizures_fires_with_the_evidence(world: Path) -> None:
    with open_warehouse(world, read_only=True) as wh:
        assert _cluster(wh, "X2") == {"X2", "XP2"}
        [finding] = repeat_findings(wh)
    details = finding.details
    assert finding.rule == RULE and finding.subject.table == "persons" and finding.subject.id in {"X2", "XP2"}
    assert details["events"] == 2 and details["most_in_one_record"] == 1 and details["arrests"] == 2
    assert {(r["person_id"], r["agency_id"]) for r in details["records_involved"]} == {("X2", "AG-CUS"),
                                                                                         ("XP2", "AG-POL")}
    assert {(e.table, e.id) for e in finding.evidence} >= {("persons", "X2"), ("persons", "XP2"),
                                                          ("arrests", "A2"), ("arrests", "A6"),
                                                          ("seizures", "S2"), ("seizures", "S4")}
    [link] = details["links"]
    assert {link["person_a"], link["person_b"]} == {"X2", "XP2"} and link["match_weight"] > 0
    assert {"name", "birth"} <= set(link["agreed"])
    assert details["cluster_id"].startswith("PR-") and "Mule" not in json.dumps(finding.to_dict())


def test_the_finding_is_a_red_flag_with_its_settings(world: Path) -> None:
    with open_warehouse(world, read_only=True) as wh:
        flags = [f for f in red_flags(wh) if f.rule == RULE]
        stricter = [f for f in red_flags(wh, _settings(world.parent, min_events=3)) if f.rule == RULE]
        found = repeat_findings(wh)
    assert flags and [f.details["cluster_id"] for f in flags] == [f.details["cluster_id"] for f in found]
    assert flags[0].details["settings"]["min_events"] == 2 and flags[0].method_messages
    assert stricter == []


def _settings(folder: Path, **values: int) -> Path:
    path = folder / "settings.yaml"
    path.write_text(json.dumps({"rules": {RULE: values}}), encoding="utf-8")
    return path


def test_the_demo_repeat_offenders_are_found_and_its_courier_chains_are_not(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    from typer.testing import CliRunner

    from baliza.cli.app import app
    from baliza.demo import generate_country

    tmp = tmp_path_factory.mktemp("demo-truth")
    db = tmp / "demo.duckdb"
    done = CliRunner().invoke(app, ["demo", "--no-serve", "--db", str(db)])
    assert done.exit_code == 0, done.output
    generate_country(tmp / "again", seed=7, scale="small", truth_path=tmp / "truth.json")  # the same country
    truth = json.loads((tmp / "truth.json").read_text())
    with open_warehouse(db, read_only=True) as wh:  # the demo resolved its people (as baliza people resolve)
        found = repeat_findings(wh)
        flagged = {f.details["cluster_id"] for f in red_flags(wh) if f.rule == RULE}
        clusters = {r["person_id"]: r["cluster_id"] for r in
                    wh.table("resolved_people").select("person_id", "cluster_id").to_pyarrow().to_pylist()}
    planted = [set(group) for group in truth["repeat_offenders"]]
    chains = [set(pair) for pair in truth["same_people"]]
    assert planted and chains
    fired = [{r["person_id"] for r in f.details["records_involved"]} for f in found]
    # every planted repeater fires, with all its records
    assert all(any(group <= records for records in fired) for group in planted)
    # the ordinary chains (customs' traveller record and the police's record of one arrest) are resolved, and
    # none fires: every finding is a planted repeater's
    resolved_chains = [c for c in chains if len({clusters.get(p) for p in c}) == 1 and next(iter(c)) in clusters]
    assert len(resolved_chains) > 10 * len(planted)
    assert all(any(group & records for group in planted) for records in fired)
    assert flagged == {f.details["cluster_id"] for f in found}
