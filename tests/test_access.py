"""The access layer: roles, users, tokens, grants, agency scope, protected persons, audit chain."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from agency_world import build_world
from baliza.access import Permission, Role, allows, open_state
from baliza.access.audit import record, verify
from baliza.access.clock import now
from baliza.access.disclosure import suppress_small_cells
from baliza.access.grants import GrantError, add_grant, list_grants, revoke_grant
from baliza.access.principal import Principal
from baliza.access.protection import MASK, identity_reads, present_persons
from baliza.access.roles import PERMISSIONS
from baliza.access.scope import scope_for
from baliza.access.tokens import add_token, revoke_token, user_for_token
from baliza.access.users import UserError, add_user, authenticate, disable_user


@pytest.fixture
def state(tmp_path: Path):
    store = open_state(f"sqlite:///{tmp_path / 'state.sqlite'}")
    yield store
    store.close()


@pytest.fixture
def wh(tmp_path: Path):
    with build_world(tmp_path / "w.duckdb") as warehouse:
        yield warehouse


def ids(table) -> set[str]:
    key = table.columns[0]
    return set(table.select(key).to_pyarrow()[key].to_pylist())


def test_deny_by_default_and_only_programme_officers_see_protected_people() -> None:
    assert not allows("nobody", Permission.READ_SEIZURES)
    assert [r for r in Role if allows(r, Permission.READ_PROTECTED_PERSONS)] == [Role.PROGRAMME_OFFICER]
    assert PERMISSIONS[Role.OVERSIGHT] == {Permission.READ_INDICATORS, Permission.READ_AGGREGATES,
                                           Permission.READ_JUSTICE, Permission.OVERSEE_PROGRAMMES,
                                           Permission.READ_ASSETS, Permission.READ_EARLY_WARNING}
    # inspectors decide red flags; programme officers the threats their growers report
    assert {r for r in Role if allows(r, Permission.DECIDE_FINDINGS)} == {Role.PROSECUTION_INSPECTOR,
                                                                          Role.PROGRAMME_OFFICER}


def test_users_authenticate_with_argon2_and_disabled_users_cannot(state) -> None:
    add_user(state, "ana", "correct horse battery", "AG-CUS", "analyst")
    with state.engine.connect() as conn:
        stored = conn.execute(sa.text("select password_hash from users")).scalar_one()
    assert stored.startswith("$argon2") and "correct horse" not in stored
    assert authenticate(state, "ana", "correct horse battery").agency_id == "AG-CUS"
    assert authenticate(state, "ana", "wrong password!!") is None
    assert authenticate(state, "nobody", "correct horse battery") is None
    disable_user(state, "ana")
    assert authenticate(state, "ana", "correct horse battery") is None
    with pytest.raises(UserError):
        add_user(state, "ana", "correct horse battery", "AG-CUS", "analyst")
    with pytest.raises(UserError):
        add_user(state, "po", "correct horse battery", "AG-LIV", "programme_officer")  # no programme
    with pytest.raises(ValueError):
        add_user(state, "x", "correct horse battery", "AG-LIV", "superuser")


def test_tokens_are_hashed_scoped_like_their_user_and_revocable(state) -> None:
    add_user(state, "bot", "correct horse battery", "AG-POL", "unit_officer")
    token_id, secret = add_token(state, "bot", "nightly export")
    with state.engine.connect() as conn:
        assert secret not in str(conn.execute(sa.text("select * from tokens")).all())
    user = user_for_token(state, secret)
    assert (user.username, user.agency_id, user.role) == ("bot", "AG-POL", Role.UNIT_OFFICER)
    assert user_for_token(state, secret + "x") is None
    revoke_token(state, token_id)
    assert user_for_token(state, secret) is None
    _, expired = add_token(state, "bot", expires_at=now() - timedelta(seconds=1))
    assert user_for_token(state, expired) is None


def test_own_agency_rows_only_without_grants(wh, state) -> None:
    police = scope_for(wh, state, Principal("p", "AG-POL", Role.ANALYST))
    assert ids(police.filter(wh, "seizures")) == {"S3"}
    assert ids(police.filter(wh, "persons")) == {"X3"}
    assert ids(police.filter(wh, "cases")) == set()
    assert len(ids(police.filter(wh, "units"))) == 4  # directory tables are shared by all


def test_seizure_grant_shares_the_owners_chain_and_revocation_is_immediate(wh, state) -> None:
    grant = add_grant(state, "AG-CUS", "AG-POL", "seizure", "S1", "joint operation", now() + timedelta(days=30),
                      "boss")
    police = scope_for(wh, state, Principal("p", "AG-POL", Role.ANALYST))
    assert ids(police.filter(wh, "seizures")) == {"S1", "S3"}
    assert ids(police.filter(wh, "inspections")) == {"I1"}
    assert ids(police.filter(wh, "consignments")) == {"K1"}
    assert ids(police.filter(wh, "arrests")) == {"A1"}
    assert ids(police.filter(wh, "cases")) == {"C9"}  # C1 belongs to the prosecution: not customs' to share
    assert ids(police.filter(wh, "persons")) == {"X1", "X3", "P1"}
    assert ids(police.filter(wh, "charges")) == set()
    revoke_grant(state, grant.grant_id, "boss", owner_agency_id="AG-CUS")
    police = scope_for(wh, state, Principal("p", "AG-POL", Role.ANALYST))
    assert ids(police.filter(wh, "seizures")) == {"S3"}
    assert [g.active for g in list_grants(state, "AG-POL")] == [False]


def test_case_and_dataset_grants(wh, state) -> None:
    add_grant(state, "AG-PRO", "AG-POL", "case", "C1", "trial support", now() + timedelta(days=1), "boss")
    add_grant(state, "AG-CUS", "AG-POL", "dataset", "2", "audit", now() + timedelta(days=1), "boss")
    police = scope_for(wh, state, Principal("p", "AG-POL", Role.ANALYST))
    assert ids(police.filter(wh, "cases")) == {"C1"}
    assert ids(police.filter(wh, "charges")) == {"H1"}
    assert ids(police.filter(wh, "assets")) == {"M1"}
    assert ids(police.filter(wh, "seizures")) == {"S2", "S3"}  # load 2; S1 is not in the case grant's owner rows
    # X1 is named in C1, but its person row was reported by customs: the prosecution cannot share it
    assert ids(police.filter(wh, "persons")) == {"X2", "X3"}


def test_grants_refuse_bad_requests_and_foreign_revocation(state) -> None:
    later = now() + timedelta(days=1)
    with pytest.raises(GrantError):
        add_grant(state, "AG-CUS", "AG-POL", "seizure", "S1", " ", later, "boss")
    with pytest.raises(GrantError):
        add_grant(state, "AG-CUS", "AG-POL", "seizure", "S1", "x", now() - timedelta(days=1), "boss")
    with pytest.raises(GrantError):
        add_grant(state, "AG-CUS", "AG-POL", "everything", "S1", "x", later, "boss")
    grant = add_grant(state, "AG-CUS", "AG-POL", "seizure", "S1", "x", later, "boss")
    with pytest.raises(GrantError):
        revoke_grant(state, grant.grant_id, "thief", owner_agency_id="AG-POL")


def test_expired_grants_share_nothing(wh, state) -> None:
    grant = add_grant(state, "AG-CUS", "AG-POL", "seizure", "S1", "x", now() + timedelta(days=1), "boss")
    with state.engine.begin() as conn:
        conn.execute(sa.text("update grants set expires_at = :t where grant_id = :g"),
                     {"t": now() - timedelta(minutes=1), "g": grant.grant_id})
    police = scope_for(wh, state, Principal("p", "AG-POL", Role.ANALYST))
    assert ids(police.filter(wh, "seizures")) == {"S3"}


def person_rows(wh, scope):
    rows = scope.filter(wh, "persons").order_by("person_id").to_pyarrow().to_pylist()
    return {r["person_id"]: r for r in present_persons(wh, scope, rows)}


def test_protected_people_are_masked_except_for_their_programme_officer(wh, state) -> None:
    customs = person_rows(wh, scope_for(wh, state, Principal("a", "AG-CUS", Role.ANALYST)))
    assert customs["X1"]["full_name"] == "Juan Courier"
    assert customs["P1"]["full_name"] == MASK
    liv_analyst = person_rows(wh, scope_for(wh, state, Principal("a", "AG-LIV", Role.ANALYST)))
    assert liv_analyst["F1"]["full_name"] == MASK and liv_analyst["F1"]["birth_date"] == MASK
    officer = Principal("o", "AG-LIV", Role.PROGRAMME_OFFICER, "livelihood")
    with identity_reads(state, officer, "test"):  # an identity is shown only in an audited read
        assert person_rows(wh, scope_for(wh, state, officer))["F1"]["full_name"] == "Farmer Flores"
    other_programme = Principal("o", "AG-LIV", Role.PROGRAMME_OFFICER, "treatment")
    assert person_rows(wh, scope_for(wh, state, other_programme))["F1"]["full_name"] == MASK


def test_small_cells_are_suppressed() -> None:
    rows = suppress_small_cells([{"n": 0}, {"n": 3, "kg": 9.0}, {"n": 5, "kg": 1.0}], "n", also=("kg",))
    assert [(r["n"], r.get("kg"), r["suppressed"]) for r in rows] == [(0, None, False), (None, None, True),
                                                                        (5, 1.0, False)]


def _tamper(state, statement: str, **params) -> None:
    with state.engine.begin() as conn:  # an attacker with the file can drop the append-only triggers
        conn.exec_driver_sql("drop trigger if exists audit_no_update")
        conn.exec_driver_sql("drop trigger if exists audit_no_delete")
        conn.execute(sa.text(statement), params)


def _log(state, n: int = 5) -> None:
    for i in range(n):
        record(state, "ana", "AG-CUS", "read_person", f"persons/X{i}", {"i": i})


def test_audit_chain_verifies_and_is_append_only(state) -> None:
    _log(state)
    assert verify(state) == []
    with pytest.raises(sa.exc.DBAPIError), state.engine.begin() as conn:
        conn.execute(sa.text("update audit set actor = 'eve' where seq = 2"))
    with pytest.raises(sa.exc.DBAPIError), state.engine.begin() as conn:
        conn.execute(sa.text("delete from audit where seq = 2"))


def test_audit_detects_an_edited_entry(state) -> None:
    _log(state)
    _tamper(state, "update audit set subject = 'persons/Z' where seq = 3")
    assert [(p.seq, "edited" in p.reason) for p in verify(state)] == [(3, True)]


def test_audit_detects_a_removed_entry(state) -> None:
    _log(state)
    _tamper(state, "delete from audit where seq = 2")
    problems = verify(state)
    assert problems and problems[0].seq == 3 and "missing" in problems[0].reason


def test_audit_detects_reordered_entries(state) -> None:
    _log(state)
    # swap the contents of entries 2 and 4, keeping their sequence numbers
    _tamper(state, "update audit set seq = -2 where seq = 2")
    _tamper(state, "update audit set seq = 2 where seq = 4")
    _tamper(state, "update audit set seq = 4 where seq = -2")
    assert {p.seq for p in verify(state)} >= {2}


def test_demo_accounts_cover_every_role_and_a_partner_agency(wh, state) -> None:
    from baliza.access.demo_accounts import create_demo_accounts

    created = create_demo_accounts(wh, state)
    assert {a.role for a in created} == set(Role) and len(created) == len(Role) + 1
    by_name = {a.username: a for a in created}
    assert by_name["demo_analyst"].agency_id == "AG-CUS"  # the customs agency reports seizures
    assert by_name["demo_prosecution_inspector"].agency_id == "AG-PRO"  # reported the cases
    partner = by_name["demo_partner_analyst"]
    reporters = set(wh.table("seizures")._agency_id.to_pyarrow().to_pylist()) | set(
        wh.table("cases")._agency_id.to_pyarrow().to_pylist())
    assert partner.agency_id not in reporters  # sees only what is shared with it
    assert all(a.sees for a in created)
    assert all(authenticate(state, a.username, a.password) for a in created[:2])
    assert create_demo_accounts(wh, state) == []  # run again: nothing new
