"""Access requests and declared withholding: the rules, on the state store and the agency world."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from agency_world import build_world
from baliza.access.audit import entries, verify
from baliza.access.grants import active_grants_to, get_grant
from baliza.access.principal import AccessDenied, Principal
from baliza.access.requests import (
    MAX_PURPOSE,
    RequestConflict,
    RequestError,
    RequestNotFound,
    approve,
    holds,
    nothing_held,
    pending_for,
    refuse,
    request_access,
    requests_by,
    why_not_askable,
)
from baliza.access.roles import Role
from baliza.access.scope import scope_for
from baliza.access.state import StateStore, open_state
from baliza.access.withholding import (
    WithholdingError,
    declare,
    disclose,
    withheld_tables,
    withhold,
)
from postgres_state import state_in_own_schema

CUSTOMS = Principal("cus_analyst", "AG-CUS", Role.ANALYST)
PROSECUTION_ANALYST = Principal("pro_analyst", "AG-PRO", Role.ANALYST)
PROSECUTION_ADMIN = Principal("pro_admin", "AG-PRO", Role.ADMIN)
PROSECUTION_INSPECTOR = Principal("pro_inspector", "AG-PRO", Role.PROSECUTION_INSPECTOR)
POLICE_ANALYST = Principal("pol_analyst", "AG-POL", Role.ANALYST)


POSTGRES_URL = os.environ.get("BALIZA_TEST_POSTGRES_URL") or "postgresql://baliza:baliza@127.0.0.1:5432/baliza_test"


@pytest.fixture(params=["sqlite", "postgresql"])
def state(request, tmp_path: Path) -> Iterator[StateStore]:
    """The state store in both its forms: embedded SQLite and PostgreSQL (skipped when no server answers)."""
    if request.param == "postgresql":
        with state_in_own_schema(POSTGRES_URL, "access_requests") as store:
            yield store
        return
    store = open_state(f"sqlite:///{tmp_path / 'state.sqlite'}")
    yield store
    store.close()


def ask(state: StateStore, principal: Principal = CUSTOMS, owner: str = "AG-PRO", kind: str = "seizure",
        subject: str = "S1", purpose: str = "joint investigation of the Callao route"):
    return request_access(state, principal, owner, kind, subject, purpose)


def actions(state: StateStore) -> list[tuple[str, str, str]]:
    return [(e.actor, e.action, e.subject) for e in entries(state)]


def test_a_request_waits_for_the_owner_and_is_listed_on_both_sides(state) -> None:
    made = ask(state)
    assert made.status == "pending" and made.requester_agency_id == "AG-CUS" and made.requested_by == "cus_analyst"
    assert [r.request_id for r in pending_for(state, "AG-PRO")] == [made.request_id]
    assert pending_for(state, "AG-CUS") == [] and pending_for(state, "AG-POL") == []
    assert [r.request_id for r in requests_by(state, "AG-CUS")] == [made.request_id]
    assert requests_by(state, "AG-PRO") == []
    assert actions(state) == [("cus_analyst", "access_request", f"access-requests/{made.request_id}")]
    assert json.loads(entries(state)[0].detail)["purpose"] == "joint investigation of the Callao route"


def test_nobody_asks_their_own_agency(state) -> None:
    with pytest.raises(RequestError, match="already sees its own rows"):
        ask(state, owner="AG-CUS")
    assert requests_by(state, "AG-CUS") == [] and entries(state) == []


def test_a_second_pending_request_for_the_same_thing_is_refused_with_the_first_ones_id(state) -> None:
    first = ask(state)
    with pytest.raises(RequestConflict, match=f"request {first.request_id} is pending"):
        ask(state, principal=Principal("other_analyst", "AG-CUS", Role.ANALYST), purpose="another purpose")
    ask(state, subject="S2")  # another subject is another request
    ask(state, principal=POLICE_ANALYST)  # and so is another agency's
    assert len(pending_for(state, "AG-PRO")) == 3
    refuse(state, PROSECUTION_ANALYST, first.request_id, "no ongoing case")
    assert ask(state).status == "pending"  # once answered, the agency may ask again


def test_the_same_request_sent_many_times_at_once_is_kept_once(state) -> None:
    def send(_: int) -> str:
        try:
            return ask(state).request_id
        except RequestConflict:
            return "conflict"

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(send, range(16)))
    kept = [a for a in answers if a != "conflict"]
    assert len(kept) == 1 and [r.request_id for r in pending_for(state, "AG-PRO")] == kept
    assert [a for _, a, _ in actions(state)] == ["access_request"]


@pytest.mark.parametrize(("change", "message"), [
    ({"purpose": "   "}, "needs a purpose"),
    ({"purpose": "x" * (MAX_PURPOSE + 1)}, f"at most {MAX_PURPOSE} characters"),
    ({"kind": "dataset"}, "one of: seizure, case"),
    ({"subject": ""}, "needs the seizure id"),
    ({"subject": "S1' or 1=1"}, "is not an id"),
    ({"owner": "AG PRO"}, "is not an id"),
    ({"subject": "S" * 201}, "at most 200 characters"),
])
def test_bad_requests_say_what_is_wrong(state, change, message) -> None:
    with pytest.raises(RequestError, match=message):
        ask(state, **change)
    assert entries(state) == []


def test_roles_that_may_not_read_cases_may_not_ask_for_one(state) -> None:
    with pytest.raises(AccessDenied, match="may not read cases"):
        ask(state, principal=Principal("po", "AG-CUS", Role.PROGRAMME_OFFICER), kind="case", subject="C1")


def test_approval_makes_a_grant_from_the_owner_to_the_requesting_agency(state) -> None:
    made = ask(state)
    answered, grant = approve(state, PROSECUTION_ANALYST, made.request_id, days=30)
    assert answered.status == "approved" and answered.decided_by == "pro_analyst"
    assert answered.grant_id == grant.grant_id and answered.decided_at is not None
    assert (grant.owner_agency_id, grant.grantee_agency_id, grant.kind, grant.subject_id) == (
        "AG-PRO", "AG-CUS", "seizure", "S1")
    assert grant.purpose == made.purpose and 29 <= (grant.expires_at - grant.created_at).days <= 30
    assert [g.grant_id for g in active_grants_to(state, "AG-CUS")] == [grant.grant_id]
    assert pending_for(state, "AG-PRO") == []
    assert requests_by(state, "AG-CUS")[0].status == "approved"
    assert [a for _, a, _ in actions(state)] == ["access_request", "grant_add", "access_request_approve"]
    assert actions(state)[-1] == ("pro_analyst", "access_request_approve", f"access-requests/{made.request_id}")
    assert verify(state) == []


def test_the_approver_may_narrow_the_purpose_and_the_days_are_bounded(state) -> None:
    made = ask(state)
    with pytest.raises(RequestError, match="1 to 366 days"):
        approve(state, PROSECUTION_ADMIN, made.request_id, days=0)
    _, grant = approve(state, PROSECUTION_ADMIN, made.request_id, days=7, purpose="case C1 only, hearing prep")
    assert grant.purpose == "case C1 only, hearing prep" and get_grant(state, grant.grant_id) is not None


def test_only_the_owners_grant_managers_answer(state) -> None:
    made = ask(state)
    with pytest.raises(AccessDenied, match="administrators and analysts"):
        approve(state, PROSECUTION_INSPECTOR, made.request_id, days=30)
    with pytest.raises(RequestNotFound):  # another agency's analyst: as if it did not exist
        approve(state, POLICE_ANALYST, made.request_id, days=30)
    with pytest.raises(RequestNotFound):  # the requester cannot approve its own request either
        approve(state, Principal("cus_admin", "AG-CUS", Role.ADMIN), made.request_id, days=30)
    with pytest.raises(RequestNotFound):
        refuse(state, POLICE_ANALYST, made.request_id, "not yours")
    with pytest.raises(RequestNotFound):
        approve(state, PROSECUTION_ANALYST, "no-such-id", days=30)
    assert active_grants_to(state, "AG-CUS") == [] and pending_for(state, "AG-PRO")[0].status == "pending"
    assert [a for _, a, _ in actions(state)] == ["access_request"]


def test_refusal_needs_a_reason_the_requester_reads_and_closes_the_request(state) -> None:
    made = ask(state)
    with pytest.raises(RequestError, match="needs a reason"):
        refuse(state, PROSECUTION_ADMIN, made.request_id, "  ")
    answered = refuse(state, PROSECUTION_ADMIN, made.request_id, "the case is under seal until trial")
    assert answered.status == "refused" and answered.grant_id is None
    assert requests_by(state, "AG-CUS")[0].reason == "the case is under seal until trial"
    with pytest.raises(RequestConflict, match="already refused by pro_admin"):
        approve(state, PROSECUTION_ANALYST, made.request_id, days=30)
    assert active_grants_to(state, "AG-CUS") == []
    refused = entries(state)[-1]
    assert (refused.actor, refused.action) == ("pro_admin", "access_request_refuse")
    assert json.loads(refused.detail)["reason"] == "the case is under seal until trial"


def test_approved_seizure_grant_follows_the_owners_cases_on_a_seizure_it_did_not_report(state, tmp_path) -> None:
    """S1 is reported by customs, its case C1 by the prosecution: the grant of kind seizure from the
    prosecution makes C1, its charge and asset visible to customs through `scope._expand`."""
    with build_world(tmp_path / "w.duckdb") as wh:
        before = scope_for(wh, state, CUSTOMS)
        assert set(before.filter(wh, "cases").case_id.to_pyarrow().to_pylist()) == {"C9"}
        assert why_not_askable(wh, before, "AG-PRO", "seizure", "S1") is None
        assert "no seizure 'S3'" in why_not_askable(wh, before, "AG-PRO", "seizure", "S3")
        assert "no agency 'AG-XX'" in why_not_askable(wh, before, "AG-XX", "seizure", "S1")
        assert holds(wh, "AG-PRO", "seizure", "S1") and not holds(wh, "AG-PRO", "seizure", "S2")
        assert holds(wh, "AG-PRO", "case", "C1") and not holds(wh, "AG-PRO", "case", "C9")
        for_s2 = ask(state, subject="S2").request_id
        nothing_held(wh, state, POLICE_ANALYST, for_s2)  # not addressed to the police: approve() says so
        with pytest.raises(RequestConflict, match="AG-PRO holds no link of seizure S2's chain"):
            nothing_held(wh, state, PROSECUTION_ANALYST, for_s2)
        for_s1 = ask(state).request_id
        nothing_held(wh, state, PROSECUTION_ANALYST, for_s1)
        approve(state, PROSECUTION_ANALYST, for_s1, days=30)
        after = scope_for(wh, state, CUSTOMS)
        assert set(after.filter(wh, "cases").case_id.to_pyarrow().to_pylist()) == {"C1", "C9"}
        assert after.sees(wh, "charges", "charge_id", "H1") and after.sees(wh, "assets", "asset_id", "M1")
        assert not after.sees(wh, "seizures", "seizure_id", "S3")  # nothing of the police comes along


# --- declared withholding ----------------------------------------------------------------------------

def test_withholding_is_declared_per_agency_and_table_and_lifted(state) -> None:
    assert withheld_tables(state) == {}
    assert withhold(state, "AG-PRO", "case_parties", "pro_admin") is True
    assert withhold(state, "AG-PRO", "case_parties", "pro_admin") is False  # already: nothing recorded
    assert withhold(state, "AG-LIV", "farmer_enrolments", "liv_admin") is True
    assert withhold(state, "AG-PRO", "cases", "pro_admin") is True
    assert withheld_tables(state) == {"AG-PRO": {"case_parties", "cases"}, "AG-LIV": {"farmer_enrolments"}}
    assert disclose(state, "AG-PRO", "cases", "pro_admin") is True
    assert disclose(state, "AG-PRO", "cases", "pro_admin") is False
    assert withheld_tables(state) == {"AG-PRO": {"case_parties"}, "AG-LIV": {"farmer_enrolments"}}
    assert actions(state) == [
        ("pro_admin", "withhold", "withholding/AG-PRO/case_parties"),
        ("liv_admin", "withhold", "withholding/AG-LIV/farmer_enrolments"),
        ("pro_admin", "withhold", "withholding/AG-PRO/cases"),
        ("pro_admin", "disclose", "withholding/AG-PRO/cases"),
    ]


def test_only_contract_tables_outside_the_directory_can_be_withheld(state) -> None:
    with pytest.raises(WithholdingError, match="no table 'witnesses' in the contract"):
        withhold(state, "AG-PRO", "witnesses", "pro_admin")
    with pytest.raises(WithholdingError, match="directory"):
        withhold(state, "AG-PRO", "agencies", "pro_admin")
    assert withheld_tables(state) == {} and entries(state) == []


def test_only_administrators_declare_and_only_for_their_own_agency(state) -> None:
    with pytest.raises(AccessDenied, match="administrators"):
        declare(state, PROSECUTION_ANALYST, "case_parties", True)
    assert declare(state, PROSECUTION_ADMIN, "case_parties", True) is True
    assert withheld_tables(state) == {"AG-PRO": {"case_parties"}}
    assert declare(state, PROSECUTION_ADMIN, "case_parties", False) is True
    assert withheld_tables(state) == {}
