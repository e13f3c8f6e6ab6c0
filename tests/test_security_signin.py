"""Issue 9, item 7: flood the disk through sign-in, lock the owner out, reset one's own counter, spoof
the address.
"""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from baliza.access.audit import entries
from baliza.access.state import open_state
from baliza.web.app import create_app
from baliza.web.ratelimit import LoginThrottle
from web_world import PASSWORD, build_web_world, csrf_of, sign_in, user_name

OWNER = "ag_pol_analyst"
ATTACKER = "ag_cus_analyst"  # an account of their own, at another agency


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build_web_world(tmp_path_factory.mktemp("websignin"))


@pytest.fixture
def app(world):
    application = create_app(world.db, state_url=world.state_url)
    yield application
    application.state.baliza.close()


def attempt(client: TestClient, username: str, password: str, **headers: str) -> int:
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       headers=headers, follow_redirects=False).status_code


def test_an_over_long_user_name_is_refused_before_hashing_and_never_logged(world, app) -> None:
    client = TestClient(app, client=("10.9.0.1", 1000))
    flood = "A" * 200_000
    started = time.perf_counter()
    assert attempt(client, flood, "whatever password") == 400
    assert attempt(client, OWNER, "p" * 5000) == 400
    assert time.perf_counter() - started < 5
    state = open_state(world.state_url)
    log = entries(state, limit=20)
    state.close()
    assert all(flood[:200] not in e.subject + e.detail + e.actor for e in log)
    refused = [e for e in log if e.action == "sign_in_refused"]
    assert [e.subject[:13] for e in refused] == ["users/sha256:", f"users/{OWNER}"[:13]]
    assert len(refused[0].subject) < 60  # the over-long name as a hash; a possible name as typed


def test_a_failure_is_logged_once_not_twice(world, app) -> None:
    client = TestClient(app, client=("10.9.0.2", 1000))
    assert attempt(client, "somebody.else", "wrong password 1") == 401
    state = open_state(world.state_url)
    last = entries(state, limit=1)[0]
    state.close()
    assert last.action == "sign_in_failed" and last.subject == "users/somebody.else"
    assert last.actor == "anonymous"


def test_wrong_passwords_from_elsewhere_do_not_lock_out_the_owner(app) -> None:
    attacker = TestClient(app, client=("10.66.0.1", 4000))
    for _ in range(8):
        attempt(attacker, OWNER, "guess guess guess")
    assert attempt(attacker, OWNER, "guess guess guess") == 429  # the guesser waits
    owner = TestClient(app, client=("10.1.0.7", 5000))
    assert attempt(owner, OWNER, PASSWORD) == 303  # the owner, from their own address, does not


def test_delays_grow_and_end_rather_than_lock() -> None:
    now = [1000.0]
    throttle = LoginThrottle(clock=lambda: now[0])
    waits = []
    for _ in range(7):
        throttle.failed("ana", "10.0.0.1")
        waits.append(throttle.wait("ana", "10.0.0.1"))
    assert waits[:2] == [0, 0] and waits[2:] == sorted(waits[2:]) and waits[-1] > waits[2] > 0
    now[0] += waits[-1]
    assert throttle.wait("ana", "10.0.0.1") == 0  # after the wait, a try: never a lock
    for _ in range(30):
        throttle.failed("ana", "10.0.0.1")
    assert throttle.wait("ana", "10.0.0.1") <= 300
    assert throttle.wait("ana", "10.0.0.2") <= 30  # from an address that has not failed: the name's cap only


def test_signing_in_to_ones_own_account_does_not_reset_the_count_of_guesses(app) -> None:
    attacker = TestClient(app, client=("10.66.0.2", 4000))
    for n in range(9):  # one guess at each of nine accounts: under the address's free failures
        assert attempt(attacker, f"victim{n}", "guess guess guess") == 401
    assert attempt(attacker, ATTACKER, PASSWORD) == 303  # the attacker's own account
    assert attempt(attacker, "victim9", "guess guess guess") == 401
    assert attempt(attacker, "victim10", "guess guess guess") == 429  # the nine guesses still count


def test_a_success_clears_only_that_names_failures_at_the_address() -> None:
    throttle = LoginThrottle(clock=lambda: 50.0)
    for n in range(10):
        throttle.failed(f"victim{n}", "10.0.0.9")
    throttle.succeeded("mallory", "10.0.0.9")
    assert throttle.wait("victim99", "10.0.0.9") > 0


def test_x_forwarded_for_from_a_client_is_ignored(app, monkeypatch) -> None:
    # a stopped clock: on a slow machine the twelve sign-ins must not outlast the delay they earn
    monkeypatch.setattr(app.state.baliza, "throttle", LoginThrottle(clock=lambda: 1000.0))
    attacker = TestClient(app, client=("10.66.0.3", 4000))
    for n in range(12):
        attempt(attacker, f"target{n}", "guess guess guess", **{"X-Forwarded-For": f"192.0.2.{n}"})
    assert attempt(attacker, "target99", "guess guess guess", **{"X-Forwarded-For": "192.0.2.200"}) == 429


def test_x_forwarded_for_from_a_configured_proxy_names_the_client(world, monkeypatch) -> None:
    monkeypatch.setenv("BALIZA_TRUSTED_PROXIES", "10.0.0.254")
    application = create_app(world.db, state_url=world.state_url)
    application.state.baliza.throttle = LoginThrottle(clock=lambda: 1000.0)  # a stopped clock, as above
    try:
        proxy = TestClient(application, client=("10.0.0.254", 443))
        for n in range(12):
            attempt(proxy, f"target{n}", "guess guess guess", **{"X-Forwarded-For": "198.51.100.9"})
        assert attempt(proxy, "target99", "guess", **{"X-Forwarded-For": "198.51.100.9"}) == 429
        assert attempt(proxy, OWNER, PASSWORD, **{"X-Forwarded-For": "198.51.100.10"}) == 303
        # a client cannot slip its own address in front of the proxy's entry
        assert attempt(proxy, "target98", "guess", **{"X-Forwarded-For": "1.2.3.4, 198.51.100.9"}) == 429
    finally:
        application.state.baliza.close()


def test_a_bad_trusted_proxies_setting_is_named(world, monkeypatch) -> None:
    monkeypatch.setenv("BALIZA_TRUSTED_PROXIES", "10.0.0.1, proxy.local")
    with pytest.raises(ValueError, match=r"'proxy\.local' is not an IP address"):
        create_app(world.db, state_url=world.state_url)


def test_the_owner_still_signs_in_after_the_test_clients(app) -> None:
    assert sign_in(TestClient(app, client=("10.1.0.8", 5000)), user_name("AG-POL", "oversight"))
