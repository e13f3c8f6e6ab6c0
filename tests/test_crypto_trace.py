"""Clusters and taint on a generated chain (a market, a peel chain, a mixer, exchanges) equal an independent
computation (`crypto_reference`, exact Fractions), for the three rules, on a UTXO and an account chain,
read through the commands scripts use (`baliza clusters --json`, `baliza trace --json`)."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from baliza.access.roles import Role
from baliza.access.state import open_state_beside
from baliza.access.users import add_user
from baliza.cli.app import app
from baliza.load import load_datasets
from baliza.warehouse import open_warehouse
from crypto_reference import reference_account, reference_backward, reference_clusters, reference_utxo
from crypto_world import build_account, build_utxo, write_csv

TOLERANCE = Fraction(1, 10**8)


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object, object]:
    folder = tmp_path_factory.mktemp("crypto")
    utxo, account = build_utxo(), build_account()
    write_csv(folder / "data", "crypto_io", utxo.io)
    write_csv(folder / "data", "crypto_transfers", account.transfers)
    write_csv(folder / "data", "crypto_tags", utxo.tags + account.tags)
    db = folder / "w.duckdb"
    with open_warehouse(db) as warehouse:
        report = load_datasets(warehouse, [folder / "data"], agency="AG-FIU")
    assert not report.quarantined, report
    state = open_state_beside(db)
    for username, agency in (("fiu_analyst", "AG-FIU"), ("cus_analyst", "AG-CUS")):
        add_user(state, username, "a long enough passphrase 42", agency, Role.ANALYST)
    state.close()
    return db, utxo, account


def _run(*args: str) -> object:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_clusters_equal_union_find_without_the_coinjoin(worlds) -> None:
    db, utxo, _ = worlds
    rows = _run("clusters", "--db", str(db), "--chain", "btc", "--json")
    expected = reference_clusters(utxo.io)
    assert {r["address"] for r in rows} == set(expected)
    members: dict[str, set[str]] = {}
    for row in rows:
        members.setdefault(row["cluster_id"], set()).add(row["address"])
    assert {r["address"]: frozenset(members[r["cluster_id"]]) for r in rows} == expected
    # the exchanges' addresses are one cluster each; the CoinJoin did not merge its six owners
    for addresses in utxo.exchanges.values():
        assert len({r["cluster_id"] for r in rows if r["address"] in addresses}) == 1
    vendor = next(r["cluster_id"] for r in rows if r["address"] == utxo.seeds[0])
    assert all(utxo.owners[a] == "vendor" for a in members[vendor])


@pytest.mark.parametrize("method", ["poison", "haircut", "fifo"])
@pytest.mark.parametrize("hops", [2, 6])
def test_utxo_taint_equals_the_independent_computation(worlds, method: str, hops: int) -> None:
    db, utxo, _ = worlds
    out = _run("trace", "--db", str(db), "--chain", "btc", "--from", ",".join(utxo.seeds), "--method", method,
               "--max-hops", str(hops), "--json")
    expected = reference_utxo(utxo.io, utxo.tags, utxo.seeds, method, hops)
    got = {r["address"]: Fraction(str(r["tainted_amount"])) for r in out["reached"]}
    assert set(got) == {a for a, v in expected.items() if v > 0}
    for address, value in expected.items():
        assert abs(got.get(address, Fraction(0)) - value) <= TOLERANCE, address
    exchange_addresses = [a for addresses in utxo.exchanges.values() for a in addresses]
    assert any(expected.get(a, 0) > 0 for a in exchange_addresses)  # the test reaches an exchange
    assert {r["address"] for r in out["reached"]} >= {a for a in exchange_addresses if expected.get(a, 0) > 0}


@pytest.mark.parametrize("method", ["poison", "haircut", "fifo"])
@pytest.mark.parametrize("hops", [1, 3, 6])
def test_account_taint_equals_the_independent_computation(worlds, method: str, hops: int) -> None:
    db, _, account = worlds
    out = _run("trace", "--db", str(db), "--chain", "trx", "--from", ",".join(account.seeds), "--method",
               method, "--max-hops", str(hops), "--json")
    expected = reference_account(account.transfers, account.tags, account.seeds, method, hops)
    got = {r["address"]: Fraction(str(r["tainted_amount"])) for r in out["reached"]}
    assert set(got) == {a for a, v in expected.items() if v > 0}
    for address, value in expected.items():
        assert abs(got.get(address, Fraction(0)) - value) <= TOLERANCE, address
    assert any(expected.get(a, 0) > 0 for a in account.exchanges)


def test_findings_name_each_exchange_the_seized_wallet_reaches(worlds) -> None:
    db, utxo, _ = worlds
    every = _run("crypto-findings", "--db", str(db), "--chain", "btc", "--method", "fifo", "--max-hops", "6",
                 "--json")
    findings = [f for f in every if f["rule"] == "crypto_exchange_reached"]
    expected = reference_utxo(utxo.io, utxo.tags, utxo.seeds, "fifo", 6)
    by_exchange = {name: sum((expected.get(a, Fraction(0)) for a in addresses), Fraction(0))
                   for name, addresses in utxo.exchanges.items()}
    reached = {name for name, amount in by_exchange.items() if amount > 0}
    assert {f["details"]["exchange"].split(" deposit")[0] for f in findings} == reached
    for finding in findings:
        name = finding["details"]["exchange"].split(" deposit")[0]
        assert abs(Fraction(str(finding["details"]["tainted_amount"])) - by_exchange[name]) <= TOLERANCE
        assert finding["details"]["wallet"] == utxo.seeds[0] and "seized wallet" in finding["summary"]
        assert any(e["table"] == "crypto_io" for e in finding["evidence"])


def test_peel_chain_and_mixer_are_seen(worlds) -> None:
    db, utxo, _ = worlds
    out = _run("trace", "--db", str(db), "--chain", "btc", "--from", utxo.seeds[0], "--method", "poison",
               "--max-hops", "8", "--json")
    peeled = {p["tx_hash"] for chain in out["peel_chains"] for p in chain["peeled"]}
    assert len(set(utxo.peel_txs) & peeled) >= 3
    explained = _run("clusters", "--db", str(db), "--chain", "btc", "--explain", utxo.seeds[0], "--json")
    assert utxo.mixer_tx not in {j["tx_hash"] for j in explained["joined_by"]}
    assert all(utxo.owners[a] == "vendor" for a in explained["addresses"])


@pytest.mark.parametrize("method", ["poison", "haircut"])
def test_backward_trace_equals_the_independent_computation(worlds, method: str) -> None:
    db, utxo, _ = worlds
    target = next(a for a in utxo.exchanges["GlobalX"])
    out = _run("trace", "--db", str(db), "--chain", "btc", "--from", target, "--method", method, "--max-hops",
               "4", "--direction", "backward", "--json")
    expected = reference_backward(utxo.io, utxo.tags, [target], method, 4)
    got = {r["address"]: Fraction(str(r["tainted_amount"])) for r in out["reached"]}
    assert len(got) > 3
    assert set(got) == {a for a, v in expected.items() if v > 0}
    for address, value in expected.items():
        assert abs(got.get(address, Fraction(0)) - value) <= TOLERANCE, address


@pytest.mark.parametrize(("args", "words"), [
    (["--method", "lifo"], "Unknown tracing method lifo"),
    (["--max-hops", "99"], "between 0 and 50"),
    (["--from", "bc1qnobody"], "No seed address appears"),
    (["--chain", "doge"], "no transactions of the chain doge"),
    (["--method", "fifo", "--direction", "backward"], "Backward tracing is available"),
])
def test_bad_requests_are_refused_in_words(worlds, args: list[str], words: str) -> None:
    db, utxo, _ = worlds
    base = {"--chain": "btc", "--from": utxo.seeds[0], "--method": "poison", "--max-hops": "3"}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    result = CliRunner().invoke(app, ["trace", "--db", str(db), *[x for kv in base.items() for x in kv]])
    assert result.exit_code == 1
    assert words in result.output


def test_change_heuristic_is_off_by_default_and_joins_fresh_change_when_asked(worlds) -> None:
    db, utxo, _ = worlds
    plain = {r["address"]: r["cluster_id"] for r in _run("clusters", "--db", str(db), "--chain", "btc", "--json")}
    joined = {r["address"]: r["cluster_id"] for r in _run("clusters", "--db", str(db), "--chain", "btc",
                                                          "--change-heuristic", "--json")}
    assert len(set(joined.values())) < len(set(plain.values()))
    # each peel transaction pays the vendor's change to a fresh address: it joins the spender's cluster
    for tx in utxo.peel_txs:
        spender = next(r["address"] for r in utxo.io if r["tx_hash"] == tx and r["direction"] == "in")
        change = next(r["address"] for r in utxo.io if r["tx_hash"] == tx and r["direction"] == "out"
                      and utxo.owners[r["address"]] == "vendor")
        assert plain[change] != plain[spender]
        assert joined[change] == joined[spender]


def test_exchanges_exposed_to_the_market_equal_the_independent_computation(worlds) -> None:
    db, utxo, _ = worlds
    every = _run("crypto-findings", "--db", str(db), "--chain", "btc", "--method", "haircut", "--max-hops", "6",
                 "--json")
    exposed = [f for f in every if f["rule"] == "crypto_exchange_exposure"]
    assert exposed and {f["details"]["source_category"] for f in exposed} <= {"darknet_market", "mixer"}
    clusters = _run("clusters", "--db", str(db), "--chain", "btc", "--json")
    for finding in exposed:
        members = [r["address"] for r in clusters if r["cluster_id"] == finding["details"]["source_cluster"]]
        expected = reference_utxo(utxo.io, utxo.tags, members, "haircut", 6)
        exchange = finding["details"]["exchange_cluster"]
        amount = sum((expected.get(r["address"], Fraction(0)) for r in clusters if r["cluster_id"] == exchange),
                     Fraction(0))
        assert abs(Fraction(str(finding["details"]["tainted_amount"])) - amount) <= TOLERANCE
        assert amount >= Fraction("0.01")  # the threshold


def test_a_user_of_another_agency_is_told_who_holds_the_chain(worlds) -> None:
    db, utxo, _ = worlds
    exchanges = [a for addresses in utxo.exchanges.values() for a in addresses]
    for args in (("trace", "--from", utxo.seeds[0]), ("clusters",), ("clusters", "--explain", utxo.seeds[0]),
                 ("crypto-findings",)):
        result = CliRunner().invoke(app, [*args, "--db", str(db), "--chain", "btc", "--user", "cus_analyst",
                                          "--json"])
        assert result.exit_code != 0 and "AG-FIU" in result.output, args
        assert not any(a in result.output for a in exchanges), args
    own = _run("trace", "--db", str(db), "--chain", "btc", "--from", utxo.seeds[0], "--user", "fiu_analyst", "--json")
    whole = _run("trace", "--db", str(db), "--chain", "btc", "--from", utxo.seeds[0], "--json")
    assert own["reached"] == whole["reached"] and own["reached"]


def test_an_export_made_as_a_user_is_in_the_audit_log(worlds, tmp_path) -> None:
    from baliza.access.audit import entries, verify
    from baliza.access.state import open_state_beside

    db, utxo, _ = worlds
    out = tmp_path / "paths.gexf"
    result = CliRunner().invoke(app, ["trace", "--db", str(db), "--chain", "btc", "--from", utxo.seeds[0],
                                      "--user", "fiu_analyst", "--export", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<?xml")
    state = open_state_beside(db)
    try:
        newest = entries(state, limit=1)[-1]
        assert (newest.actor, newest.action, newest.subject) == ("fiu_analyst", "export", "crypto/btc/trace.gexf")
        assert utxo.seeds[0] in newest.detail and verify(state) == []
    finally:
        state.close()


def test_the_peel_chain_the_seized_funds_went_through_is_a_finding(worlds) -> None:
    db, utxo, _ = worlds
    every = _run("crypto-findings", "--db", str(db), "--chain", "btc", "--method", "poison", "--max-hops", "8",
                 "--json")
    peels = [f for f in every if f["rule"] == "crypto_peel_chain"]
    assert peels
    outputs = {(r["tx_hash"], int(r["index"])): r for r in utxo.io if r["direction"] == "out"}
    found = peels[0]["details"]["peel_chain"]
    assert len(set(utxo.peel_txs) & {p["tx_hash"] for p in found["peeled"]}) >= 3
    for peeled in found["peeled"]:  # each payment is the smaller output of its transaction, as the data has it
        row = outputs[(peeled["tx_hash"], peeled["output_index"])]
        other = outputs[(peeled["tx_hash"], 1 - peeled["output_index"])]
        assert (row["address"], Fraction(row["amount"])) == (peeled["address"], Fraction(str(peeled["amount"])))
        assert Fraction(row["amount"]) <= Fraction(other["amount"])
    assert Fraction(str(found["peeled_amount"])) == sum(Fraction(str(p["amount"])) for p in found["peeled"])
    first = found["peeled"][0]
    assert peels[0]["subject"] == {"table": "crypto_io", "id": f"btc|{first['tx_hash']}|out|{first['output_index']}"}
