"""Crypto tracing on the API and the dashboard: who may call it, that it answers what the CLI does, and that
the page draws the paths itself (an SVG with the chosen path highlighted, no script)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from fastapi.testclient import TestClient

from baliza.access.roles import Role
from baliza.load import load_datasets
from baliza.warehouse import open_warehouse
from baliza.web.app import create_app
from crypto_reference import reference_utxo
from crypto_world import build_utxo, write_csv
from web_world import build_web_world, sign_in, user_name

CUSTOMS = "customs"
CUSTOMS_INSPECTOR = "customs inspector"
LOAD = "load_id"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cryptoweb")
    world = build_web_world(tmp)
    utxo = build_utxo()
    for tag in utxo.tags:
        tag.update(case_id="", person_id="")
    utxo.tags.append({"chain": "btc", "address": utxo.seeds[0], "label": "vendor wallet", "category": "suspect",
                      "source": "police", "confidence": "1", "case_id": "C7", "person_id": "X3"})
    write_csv(tmp / "crypto", "crypto_io", utxo.io)
    write_csv(tmp / "crypto", "crypto_tags", utxo.tags)
    write_csv(tmp / "crypto", "online_listings", [{
        "listing_id": "L1", "platform": "Nexo Market", "platform_kind": "darknet_market",
        "observed_at": "2024-01-01T00:00:00Z", "vendor_handle": "andes_dreams", "title": "cocaine 1 g",
        "crypto_address": utxo.seeds[0]}])
    with open_warehouse(world.db) as warehouse:
        loaded = load_datasets(warehouse, [tmp / "crypto"], agency="AG-POL")
    app = create_app(world.db, state_url=world.state_url)
    clients = {}
    for role in (Role.ANALYST, Role.OVERSIGHT, Role.PROSECUTION_INSPECTOR):
        clients[role] = TestClient(app)
        clients[role].headers["X-CSRF-Token"] = sign_in(clients[role], user_name("AG-POL", role))
    clients[LOAD] = loaded.load_id
    for key, role in ((CUSTOMS, Role.ANALYST), (CUSTOMS_INSPECTOR, Role.PROSECUTION_INSPECTOR)):
        clients[key] = TestClient(app)  # users of another agency, with no grant on the crypto rows
        clients[key].headers["X-CSRF-Token"] = sign_in(clients[key], user_name("AG-CUS", role))
    yield clients, utxo
    app.state.baliza.close()


def test_only_roles_that_read_findings_may_trace(served) -> None:
    clients, utxo = served
    query = f"/api/crypto/btc/trace?from={utxo.seeds[0]}"
    assert clients[Role.OVERSIGHT].get(query).status_code == 403
    assert clients[Role.OVERSIGHT].get("/crypto").status_code == 403
    assert clients[Role.ANALYST].get(query).status_code == 200


def test_the_api_trace_equals_the_independent_computation(served) -> None:
    clients, utxo = served
    answer = clients[Role.ANALYST].get(f"/api/crypto/btc/trace?from={utxo.seeds[0]}&method=haircut&max_hops=4")
    expected = reference_utxo(utxo.io, utxo.tags, utxo.seeds, "haircut", 4)
    got = {r["address"]: Fraction(str(r["tainted_amount"])) for r in answer.json()["reached"]}
    assert set(got) == {a for a, v in expected.items() if v > 0}
    assert all(abs(got[a] - expected[a]) <= Fraction(1, 10**8) for a in got)
    bad = clients[Role.ANALYST].get(f"/api/crypto/btc/trace?from={utxo.seeds[0]}&method=lifo")
    assert bad.status_code == 422


def test_clusters_findings_and_exports(served) -> None:
    clients, utxo = served
    analyst = clients[Role.ANALYST]
    explained = analyst.get(f"/api/crypto/btc/clusters?address={utxo.seeds[0]}").json()
    assert utxo.seeds[0] in explained["addresses"]
    assert analyst.get("/api/crypto/btc/clusters?address=nowhere").status_code == 404
    every = analyst.get("/api/crypto/btc/findings?method=poison").json()
    assert {f["rule"] for f in every} == {"crypto_exchange_reached", "crypto_exchange_exposure", "crypto_peel_chain"}
    findings = [f for f in every if f["rule"] == "crypto_exchange_reached"]
    # each finding stands on the rows of its path, named by their full keys, and its subject is the arrival
    for f in every:
        if f["rule"] == "crypto_peel_chain":
            continue
        steps = f["details"]["paths"][0]["steps"]
        arrival = f"btc|{steps[-1]['tx_hash']}|out|{steps[-1]['output_index']}"
        assert f["subject"] == {"table": "crypto_io", "id": arrival}
        assert f["withheld"] == [] and f["subject"] in f["evidence"]
    assert all("persons" not in f["details"]["links"] for f in findings)
    # the wallet's links: its case (by its tag), that case's seizure, and the listing that showed it
    links = findings[0]["details"]["links"]
    assert (links["cases"], links["seizures"], links["listings"]) == (["C7"], ["S3"], ["L1"])
    assert {"table": "cases", "id": "C7"} in findings[0]["evidence"]
    assert "X3" not in str(findings) and "Pedro" not in str(findings)
    gexf = analyst.get(f"/api/crypto/btc/trace.gexf?from={utxo.seeds[0]}")
    assert gexf.status_code == 200 and "<gexf" in gexf.text
    ftm = analyst.get(f"/api/crypto/btc/trace.ftm.json?from={utxo.seeds[0]}")
    assert '"schema": "Payment"' in ftm.text


def test_the_page_draws_the_chosen_path(served) -> None:
    clients, utxo = served
    analyst = clients[Role.ANALYST]
    traced = analyst.get(f"/api/crypto/btc/trace?from={utxo.seeds[0]}&method=poison").json()
    target = traced["paths"][-1]["to"]
    page = analyst.get(f"/crypto?chain=btc&from={utxo.seeds[0]}&method=poison&path_to={target}")
    assert page.status_code == 200
    html = page.text
    assert "<svg" in html and "<script" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    steps = next(p for p in traced["paths"] if p["to"] == target)["steps"]
    assert html.count('class="edge highlighted"') == len([s for s in steps if s["from"]])
    assert target in html


def _figures_of(utxo) -> list[str]:
    """What must not reach another agency: the addresses the trace reaches and the tag labels."""
    return [a for addresses in utxo.exchanges.values() for a in addresses] + [t["label"] for t in utxo.tags]


def test_another_agency_asking_by_id_is_told_who_holds_the_rows(served) -> None:
    clients, utxo = served
    customs, seed = clients[CUSTOMS], utxo.seeds[0]
    cluster = clients[Role.ANALYST].get(f"/api/crypto/btc/clusters?address={seed}").json()["cluster_id"]
    for url in (f"/api/crypto/btc/trace?from={seed}", f"/api/crypto/btc/trace?from={cluster}",
                f"/api/crypto/btc/clusters?address={seed}", f"/api/crypto/btc/trace.gexf?from={seed}",
                f"/api/crypto/btc/trace.ftm.json?from={seed}"):
        answer = customs.get(url)
        assert answer.status_code == 403, url
        assert "Police" in answer.json()["detail"], url  # the holder, by name
        assert not any(leak in answer.text for leak in _figures_of(utxo)), url
    page = customs.get(f"/crypto?chain=btc&from={seed}")
    assert page.status_code == 200 and "Police" in page.text and "<svg" not in page.text
    assert not any(leak in page.text for leak in _figures_of(utxo))


def test_another_agency_listing_sees_none_of_the_rows_and_who_holds_them(served) -> None:
    clients, _utxo = served
    customs = clients[CUSTOMS]
    listed = customs.get("/api/crypto/btc/clusters").json()
    assert listed["total"] == 0 and listed["addresses"] == []
    assert [h["name"] for h in listed["held_by"]] == ["Police"]
    assert customs.get("/api/crypto/btc/findings").json() == []
    assert clients[Role.ANALYST].get("/api/crypto/btc/findings").json()  # the holder sees its findings
    queue = customs.get("/api/findings").json()
    assert not any(f["rule"].startswith("crypto_") for f in queue)


def test_a_dataset_grant_shows_the_rows_and_its_revocation_hides_them(served) -> None:
    from datetime import timedelta

    from baliza.access.clock import now
    from baliza.access.grants import add_grant, revoke_grant

    clients, utxo = served
    customs, seed = clients[CUSTOMS], utxo.seeds[0]
    state = customs.app.state.baliza.state
    grant = add_grant(state, "AG-POL", "AG-CUS", "dataset", str(clients[LOAD]), "joint financial investigation",
                      now() + timedelta(days=5), "test")
    try:
        police = clients[Role.ANALYST].get(f"/api/crypto/btc/trace?from={seed}&method=poison").json()
        shared = customs.get(f"/api/crypto/btc/trace?from={seed}&method=poison")
        assert shared.status_code == 200 and shared.json()["reached"] == police["reached"]
    finally:
        revoke_grant(state, grant.grant_id, "test")
    assert customs.get(f"/api/crypto/btc/trace?from={seed}").status_code == 403


def test_crypto_findings_sit_in_the_one_work_queue(served) -> None:
    clients, _utxo = served
    inspector, customs = clients[Role.PROSECUTION_INSPECTOR], clients[CUSTOMS_INSPECTOR]
    asked = clients[Role.ANALYST].get("/api/crypto/btc/findings").json()  # the default rule and hops
    queued = [f for f in inspector.get("/api/findings").json() if f["rule"].startswith("crypto_")]
    assert asked and {f["finding_id"] for f in queued} == {f["finding_id"] for f in asked}
    assert "X3" not in str(queued)  # the person a tag names is read on the person pages, not here
    reached = next(f for f in queued if f["rule"] == "crypto_exchange_reached")
    path = reached["details"]["paths"][0]
    assert [e["id"] for e in reached["evidence"] if e["table"] == "crypto_io"][:len(path["steps"])] == [
        f"btc|{s['tx_hash']}|out|{s['output_index']}" for s in path["steps"]]
    page = inspector.get("/findings?rule=crypto_exchange_reached")
    assert page.status_code == 200 and reached["finding_id"] in page.text
    assert "Funds of a seized or suspect wallet reached an exchange" in page.text and "Show the path" in page.text
    assert "Exchange exposed to a darknet market or mixer" not in page.text.split("</form>", 1)[-1].split(
        "<article", 1)[-1]  # the filter keeps one rule
    # another agency can neither see nor decide it
    refused = customs.post(f"/api/findings/{reached['finding_id']}/decision", json={"decision": "dismissed"})
    assert refused.status_code == 404
    decided = inspector.post(f"/api/findings/{reached['finding_id']}/decision",
                             json={"decision": "confirmed", "note": "production order to the exchange"})
    assert decided.status_code == 200
    exported = inspector.get("/findings.csv?rule=crypto_exchange_reached&status=confirmed").text
    assert reached["finding_id"] in exported and "Confirmed" in exported
    assert "X3" not in exported and "Pedro" not in exported
