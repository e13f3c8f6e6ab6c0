"""Crypto findings carry messages like every other finding (issue 11): computed once, worded by each surface in
its reader's language, amounts written as the reader writes numbers."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from baliza.analyses.model import Finding
from baliza.cli.app import app
from baliza.i18n import language
from baliza.i18n.findings import method, summary
from baliza.load import load_datasets
from baliza.warehouse import open_warehouse
from crypto_world import build_utxo, write_csv


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> list[Finding]:
    folder = tmp_path_factory.mktemp("cryptowords")
    utxo = build_utxo()
    write_csv(folder / "data", "crypto_io", utxo.io)
    write_csv(folder / "data", "crypto_tags", utxo.tags)
    db = folder / "w.duckdb"
    with open_warehouse(db) as warehouse:
        load_datasets(warehouse, [folder / "data"], agency="AG-FIU")
    result = CliRunner().invoke(app, ["crypto-findings", "--db", str(db), "--chain", "btc", "--method", "poison",
                                      "--max-hops", "8", "--json"])
    assert result.exit_code == 0, result.output
    return [Finding.from_dict(f) for f in json.loads(result.stdout)]


def test_every_crypto_finding_carries_messages_and_its_english_words(findings: list[Finding]) -> None:
    rules = {f.rule for f in findings}
    assert {"crypto_exchange_reached", "crypto_peel_chain"} <= rules, rules
    for f in findings:
        assert f.messages and f.method_messages, f.rule
        with language("en"):
            assert summary(f) == f.summary and method(f) == f.method


def test_a_spanish_reader_reads_them_in_spanish_with_spanish_numbers(findings: list[Finding]) -> None:
    reached = next(f for f in findings if f.rule == "crypto_exchange_reached")
    amount = reached.details["tainted_amount"]
    with language("es"):
        said = summary(reached)
    assert said.startswith("Fondos de la billetera incautada"), said
    assert "reached" not in said
    if amount != int(amount):  # a decimal comma, never the English point
        assert f"{amount:.8f}".rstrip("0").replace(".", ",").lstrip("0") in said.replace(".", ""), said
    assert f"{amount:,.8f}" not in said
