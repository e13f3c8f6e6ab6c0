"""Loading node and explorer exports and tag packs into the warehouse.

Transactions (Bitcoin Core or Esplora JSON) become `crypto_io` rows written to a temporary dataset and
loaded by the ordinary loader, so that they are validated, quarantined, owned by an agency and kept with
history like every other row. Tag packs go to their own table (`baliza.crypto.tagpacks`).
"""

from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from baliza.crypto.formats import io_rows, read_transactions
from baliza.crypto.tagpacks import load_pack, read_pack
from baliza.i18n import gettext as _

TRANSACTION_SUFFIXES = (".json", ".jsonl", ".ndjson")
PACK_SUFFIXES = (".yaml", ".yml")
IO_FIELDS = ("chain", "tx_hash", "block_time", "direction", "index", "address", "amount", "spent_tx_hash",
             "spent_index")


@dataclass
class CryptoLoad:
    """What a crypto load brought: transactions, rows, tags, and the loader's report."""

    transactions: int = 0
    io_rows: int = 0
    tags: int = 0
    report: Any = None
    packs: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"transactions": self.transactions, "io_rows": self.io_rows, "tags": self.tags,
                "packs": self.packs, "load": self.report.to_dict() if self.report is not None else None}


def _known_outputs(warehouse: Any, chain: str, transactions: list[dict[str, Any]]
                   ) -> dict[tuple[str, int], tuple[str, Decimal]]:
    """Outputs the warehouse already holds that the inputs without prevout spend."""
    wanted = sorted({str(i["txid"]) for tx in transactions for i in tx.get("vin", [])
                     if "txid" in i and "prevout" not in i})
    if not wanted:
        return {}
    io = warehouse.table("crypto_io")
    rows = io.filter((io.chain == chain) & (io.direction == "out") & io.tx_hash.isin(wanted)).select(
        "tx_hash", "index", "address", "amount").to_pyarrow().to_pylist()
    return {(r["tx_hash"], int(r["index"])): (r["address"], Decimal(f"{r['amount']:.8f}")) for r in rows}


def load_crypto_files(warehouse: Any, paths: list[Path], chain: str, agency: str | None) -> CryptoLoad:
    """Load transaction files and tag packs; all the transactions in one load."""
    from baliza.load import load_datasets

    result = CryptoLoad()
    for path in paths:  # a bad pack is refused, naming its tag, before anything is stored
        if path.suffix.lower() in PACK_SUFFIXES:
            read_pack(path)
    transactions: list[dict[str, Any]] = []
    for path in paths:
        if path.suffix.lower() in PACK_SUFFIXES:
            continue
        if path.suffix.lower() not in TRANSACTION_SUFFIXES:
            raise ValueError(_("%(file)s: give transactions as .json or .jsonl and tag packs as .yaml.",
                               file=path.name))
        transactions.extend(read_transactions(path))
    if transactions:
        rows = io_rows(transactions, chain, _known_outputs(warehouse, chain, transactions))
        with tempfile.TemporaryDirectory(prefix="baliza-crypto-") as folder:
            target = Path(folder) / "crypto_io.csv"
            with target.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=IO_FIELDS)
                writer.writeheader()
                writer.writerows(rows)
            result.report = load_datasets(warehouse, [target], agency=agency)
        result.transactions, result.io_rows = len(transactions), len(rows)
    owner = agency or (result.report.agency if result.report is not None else None)
    for path in paths:
        if path.suffix.lower() in PACK_SUFFIXES:
            if not owner:
                raise ValueError(_("%(file)s: name the agency that holds this tag pack with --agency.",
                                   file=path.name))
            result.tags += load_pack(warehouse, path, owner)
            result.packs.append(path.name)
    return result
