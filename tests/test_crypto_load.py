"""Loading Bitcoin Core and Esplora JSON transactions and YAML tag packs, then clustering and tracing them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from baliza.cli.app import app

A, B, C, X = "bc1qalice0", "bc1qalice1", "bc1qcarol0", "bc1qexchange0"
T1, T2, T3 = "aa" * 32, "bb" * 32, "cc" * 32


def _core(txid: str, time: int, vin: list[dict], vout: list[tuple[str | None, str]]) -> dict:
    return {"txid": txid, "hash": txid, "version": 2, "blocktime": time, "time": time, "vin": vin,
            "vout": [{"value": float(v), "n": n, "scriptPubKey": ({"address": a, "type": "witness_v0_keyhash"}
                                                                  if a else {"type": "nulldata", "asm": "OP_RETURN"})}
                     for n, (a, v) in enumerate(vout)]}


def _core_chain() -> list[dict]:
    coinbase = _core(T1, 1_700_000_000, [{"coinbase": "03abcdef", "sequence": 4294967295}],
                     [(A, "1.5"), (B, "0.5")])
    # getrawtransaction TXID 2: each input carries its prevout
    spend = _core(T2, 1_700_000_600, [
        {"txid": T1, "vout": 0, "prevout": {"value": 1.5, "scriptPubKey": {"address": A}}},
        {"txid": T1, "vout": 1, "prevout": {"value": 0.5, "scriptPubKey": {"address": B}}}],
        [(C, "1.2"), (None, "0"), (X, "0.79990000")])
    # getrawtransaction TXID true: no prevout, resolved from the transaction above
    onward = _core(T3, 1_700_001_200, [{"txid": T2, "vout": 0}], [(X, "1.19")])
    return [coinbase, spend, onward]


def _esplora_chain() -> list[dict]:
    def out(address: str, sats: int) -> dict:
        return {"scriptpubkey": "0014", "scriptpubkey_type": "v0_p2wpkh", "scriptpubkey_address": address,
                "value": sats}

    return [
        {"txid": T1, "vin": [{"is_coinbase": True, "txid": "00" * 32, "vout": 4294967295}],
         "vout": [out(A, 150_000_000), out(B, 50_000_000)], "status": {"confirmed": True, "block_time": 1_700_000_000}},
        {"txid": T2, "vin": [{"txid": T1, "vout": 0, "prevout": out(A, 150_000_000), "is_coinbase": False},
                             {"txid": T1, "vout": 1, "prevout": out(B, 50_000_000), "is_coinbase": False}],
         "vout": [out(C, 120_000_000), {"scriptpubkey": "6a", "scriptpubkey_type": "op_return", "value": 0},
                  out(X, 79_990_000)], "status": {"confirmed": True, "block_time": 1_700_000_600}},
        {"txid": T3, "vin": [{"txid": T2, "vout": 0, "prevout": out(C, 120_000_000), "is_coinbase": False}],
         "vout": [out(X, 119_000_000)], "status": {"confirmed": True, "block_time": 1_700_001_200}},
    ]


PACK = f"""
chain: btc
source: exchange KYC answer
confidence: 1
tags:
  - {{address: {X}, label: GlobalX deposit, category: exchange}}
  - {{address: {X}, label: GlobalX deposit, category: exchange, source: open-source list, confidence: 0.6}}
"""


def _invoke(*args: str) -> object:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def _load_and_trace(tmp_path: Path, transactions: list[dict], lines: bool) -> dict:
    tmp_path.mkdir()
    db = tmp_path / "w.duckdb"
    file = tmp_path / ("txs.jsonl" if lines else "txs.json")
    file.write_text("\n".join(json.dumps(t) for t in transactions) if lines else json.dumps(transactions))
    (tmp_path / "pack.yaml").write_text(PACK)
    _invoke("crypto-load", str(file), str(tmp_path / "pack.yaml"), "--db", str(db), "--agency", "AG-FIU", "--json")
    clusters = json.loads(_invoke("clusters", "--db", str(db), "--chain", "btc", "--json").stdout)
    traced = json.loads(_invoke("trace", "--db", str(db), "--chain", "btc", "--from", A, "--method", "haircut",
                                "--max-hops", "3", "--json").stdout)
    return {"clusters": {r["address"]: r["cluster_id"] for r in clusters}, "trace": traced}


def test_bitcoin_core_and_esplora_give_the_same_chain(tmp_path: Path) -> None:
    core = _load_and_trace(tmp_path / "core", _core_chain(), lines=False)
    esplora = _load_and_trace(tmp_path / "esplora", _esplora_chain(), lines=True)
    assert core == esplora
    assert core["clusters"][A] == core["clusters"][B] != core["clusters"][C]  # spent together in T2
    reached = {r["address"]: r for r in core["trace"]["reached"]}
    # T2: C gets 1.2 x 1.5/2.0 = 0.9 and X 0.7999 x 1.5/2.0 = 0.599925; T3: X gets 1.19 x 0.9/1.2 = 0.8925,
    # carried by C's output (1.2 BTC, taint 0.9): X received 0.599925 + 0.8925 in all
    assert reached[C]["tainted_amount"] == 0.9
    assert reached[X]["tainted_amount"] == 1.492425
    assert sorted(t["source"] for t in reached[X]["tags"]) == ["exchange KYC answer", "open-source list"]
    path = next(p for p in core["trace"]["paths"] if p["to"] == X)
    assert [s["tx_hash"] for s in path["steps"]] == [T2, T3]


def test_a_bad_tag_pack_is_refused_with_the_tag_named(tmp_path: Path) -> None:
    pack = tmp_path / "bad.yaml"
    pack.write_text("source: x\nchain: btc\ntags:\n  - {address: a1, label: L, category: casino}\n")
    result = CliRunner().invoke(app, ["crypto-load", str(pack), "--db", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 1
    assert "bad.yaml, tag 1" in result.output and "casino" in result.output


def test_an_input_without_its_prevout_is_refused_by_name(tmp_path: Path) -> None:
    lonely = _core(T3, 1_700_001_200, [{"txid": T2, "vout": 0}], [(X, "1.19")])
    file = tmp_path / "t.json"
    file.write_text(json.dumps(lonely))
    result = CliRunner().invoke(app, ["crypto-load", str(file), "--db", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 1
    assert "Input 0 of transaction" in result.output and "prevout" in result.output


def test_exports_hold_the_path(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    _load_and_trace(tmp_path / "w", _core_chain(), lines=False)
    db = tmp_path / "w" / "w.duckdb"
    _invoke("trace", "--db", str(db), "--chain", "btc", "--from", A, "--export", str(tmp_path / "p.gexf"))
    _invoke("trace", "--db", str(db), "--chain", "btc", "--from", A, "--export", str(tmp_path / "p.ftm.json"))
    ns = {"g": "http://gexf.net/1.3"}
    graph = ET.parse(tmp_path / "p.gexf").getroot()
    edges = {(e.get("source"), e.get("target")) for e in graph.iterfind(".//g:edge", ns)}
    assert edges == {(A, C), (C, X)}  # the path to the exchange by which most taint came: T2 then T3
    entities = [json.loads(line) for line in (tmp_path / "p.ftm.json").read_text().splitlines()]
    payments = [e for e in entities if e["schema"] == "Payment"]
    assert {p["properties"]["transactionNumber"][0] for p in payments} == {T2, T3}
    ids = {e["id"] for e in entities}
    assert all(p["properties"]["payer"][0] in ids and p["properties"]["beneficiary"][0] in ids for p in payments)
    wallet = next(e for e in entities if e["schema"] == "CryptoWallet" and e["properties"]["publicKey"] == [X])
    assert wallet["properties"]["holder"][0] in ids
