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
        load_datasets(warehouse, [tmp / "crypto"], agency="AG-POL")
    app = create_app(world.db, state_url=world.state_url)
    clients = {}
    for role in (Role.ANALYST, Role.OVERSIGHT):
        clients[role] = TestClient(app)
        sign_in(clients[role], user_name("AG-POL", role))
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
    findings = analyst.get("/api/crypto/btc/findings?method=poison").json()
    assert findings and all(f["rule"] == "crypto_exchange_reached" for f in findings)
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
