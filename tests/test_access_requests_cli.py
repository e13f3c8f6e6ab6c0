"""`baliza grant request|requests|approve|refuse|withhold|disclose` on the agency world."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agency_world import build_world
from baliza.access.audit import entries, verify
from baliza.access.grants import active_grants_to
from baliza.access.roles import Role
from baliza.access.state import open_state_beside
from baliza.access.users import add_user
from baliza.cli.app import app

PASSWORD = "a long password"
runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "country.duckdb"
    build_world(path).close()
    state = open_state_beside(path)
    add_user(state, "cus_analyst", PASSWORD, "AG-CUS", Role.ANALYST)
    add_user(state, "pro_analyst", PASSWORD, "AG-PRO", Role.ANALYST)
    add_user(state, "pro_inspector", PASSWORD, "AG-PRO", Role.PROSECUTION_INSPECTOR)
    state.close()
    return path


def run(db: Path, *args: str, password: str = PASSWORD) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args, "--db", str(db)], env={"BALIZA_PASSWORD": password, "BALIZA_STATE_URL": ""})
    return result.exit_code, result.stdout, " ".join(result.stderr.split())  # Rich wraps long lines


def ask(db: Path, *extra: str) -> tuple[int, str, str]:
    return run(db, "grant", "request", "--owner", "AG-PRO", "--kind", "seizure", "--subject", "S1",
               "--purpose", "joint investigation", "--user", "cus_analyst", *extra)


def test_request_list_and_approve(db: Path) -> None:
    code, out, _ = ask(db, "--json")
    assert code == 0, out
    made = json.loads(out)
    assert (made["requester_agency_id"], made["owner_agency_id"], made["status"]) == ("AG-CUS", "AG-PRO", "pending")
    code, _, err = ask(db)
    assert code == 1 and f"request {made['request_id']} is pending" in err

    listed = json.loads(run(db, "grant", "requests", "--user", "pro_analyst", "--json")[1])
    assert [r["request_id"] for r in listed["incoming"]] == [made["request_id"]] and listed["outgoing"] == []
    code, _, err = run(db, "grant", "approve", made["request_id"], "--user", "pro_inspector")
    assert code == 1 and "administrators and analysts" in err
    code, out, _ = run(db, "grant", "approve", made["request_id"], "--days", "10", "--user", "pro_analyst", "--json")
    assert code == 0, out
    grant = json.loads(out)["grant"]
    assert (grant["owner_agency_id"], grant["grantee_agency_id"], grant["subject_id"]) == ("AG-PRO", "AG-CUS", "S1")
    code, out, _ = run(db, "grant", "requests", "--user", "cus_analyst")
    assert code == 0 and "approved by pro_analyst" in " ".join(out.split())

    state = open_state_beside(db)
    assert [g.grant_id for g in active_grants_to(state, "AG-CUS")] == [grant["grant_id"]]
    assert [(e.actor, e.action) for e in entries(state)] == [
        ("cus_analyst", "access_request"), ("pro_analyst", "grant_add"), ("pro_analyst", "access_request_approve")]
    assert verify(state) == []
    state.close()


def test_refuse_with_a_reason_and_the_operator_acting_for_an_agency(db: Path) -> None:
    request_id = json.loads(ask(db, "--json")[1])["request_id"]
    code, _, err = run(db, "grant", "refuse", request_id, "--reason", "not ours", "--agency", "AG-POL")
    assert code == 1 and "no access request" in err
    code, out, _ = run(db, "grant", "refuse", request_id, "--reason", "sealed until trial", "--agency", "AG-PRO")
    assert code == 0 and "refused" in out
    outgoing = json.loads(run(db, "grant", "requests", "--agency", "AG-CUS", "--json")[1])["outgoing"]
    assert [(r["status"], r["reason"]) for r in outgoing] == [("refused", "sealed until trial")]
    assert outgoing[0]["decided_by"].startswith("cli")


def test_refusals_say_what_is_wrong(db: Path) -> None:
    assert "say who acts" in run(db, "grant", "requests")[2]
    assert "cannot sign in" in run(db, "grant", "requests", "--user", "cus_analyst", password="wrong password")[2]
    assert "belongs to AG-CUS" in run(db, "grant", "requests", "--user", "cus_analyst", "--agency", "AG-PRO")[2]
    code, _, err = run(db, "grant", "request", "--owner", "AG-CUS", "--subject", "S1", "--purpose", "x",
                       "--agency", "AG-CUS")
    assert code == 1 and "its own rows" in err
    code, _, err = run(db, "grant", "request", "--owner", "AG-PRO", "--subject", "S3", "--purpose", "x",
                       "--user", "cus_analyst")
    assert code == 1 and "no seizure 'S3' that you may see" in err
    request_id = json.loads(run(db, "grant", "request", "--owner", "AG-PRO", "--subject", "S2", "--purpose", "x",
                                "--agency", "AG-CUS", "--json")[1])["request_id"]
    code, _, err = run(db, "grant", "approve", request_id, "--agency", "AG-PRO")
    assert code == 1 and "AG-PRO holds no link of seizure S2's chain" in err


def test_withhold_and_disclose(db: Path) -> None:
    code, _, err = run(db, "grant", "withhold", "case_parties", "--user", "pro_analyst")
    assert code == 1 and "administrators" in err
    code, out, _ = run(db, "grant", "withhold", "case_parties", "--agency", "AG-PRO", "--json")
    assert code == 0 and json.loads(out) == {"agency_id": "AG-PRO", "changed": True, "withheld": ["case_parties"]}
    code, _, err = run(db, "grant", "withhold", "witnesses", "--agency", "AG-PRO")
    assert code == 1 and "no table 'witnesses'" in err
    code, out, _ = run(db, "grant", "disclose", "case_parties", "--agency", "AG-PRO")
    assert code == 0 and "disclosed; withheld now: none" in " ".join(out.split())
