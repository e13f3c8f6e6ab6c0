"""Transactions as the nodes and explorers give them, turned into `crypto_io` rows.

- Bitcoin Core verbose JSON: `getrawtransaction TXID 2` or `getblock HASH 3` (each input's `prevout` names
  the address and value it spends) or `getrawtransaction TXID true` / `getblock HASH 2` (inputs only name
  the output they spend: its address and value are taken from the other transactions read, else the
  warehouse). Values are in BTC.
- Esplora JSON (Blockstream, mempool.space): `/tx/TXID`, `/block/HASH/txs`, `/address/ADDR/txs`; values in
  satoshi, each input's `prevout` given.

A file holds one transaction, a list, a block (`{"tx": [...]}`), or one transaction per line. Coinbase
inputs spend nothing and give no row; an output paying no address (OP_RETURN data) gives no row, and the
other outputs keep their index.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from baliza.i18n import gettext as _

SATOSHI = Decimal("0.00000001")


class TransactionFormatError(ValueError):
    """A transaction file that cannot be read as Bitcoin Core or Esplora JSON."""


def read_transactions(path: Path) -> list[dict[str, Any]]:
    """The transactions of a JSON (or JSON-lines) file, as parsed dictionaries."""
    text = path.read_text(encoding="utf-8")
    try:
        parsed: Any = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError:
        try:
            parsed = [json.loads(line, parse_float=Decimal) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as error:
            raise TransactionFormatError(_("%(file)s is not JSON (line %(line)s): %(reason)s", file=path.name,
                                           line=error.lineno, reason=error.msg)) from None
    if isinstance(parsed, dict) and isinstance(parsed.get("tx"), list):
        block_time = parsed.get("time") or parsed.get("timestamp")
        parsed = [{**tx, "blocktime": tx.get("blocktime", block_time)} if isinstance(tx, dict) else tx
                  for tx in parsed["tx"]]
    if isinstance(parsed, dict):
        parsed = [parsed]
    if not isinstance(parsed, list) or not all(isinstance(tx, dict) and "txid" in tx for tx in parsed):
        raise TransactionFormatError(_("%(file)s holds no transactions (objects with a txid).", file=path.name))
    return parsed


def _is_esplora(tx: dict[str, Any]) -> bool:
    return "status" in tx or any("scriptpubkey" in out or "scriptpubkey_address" in out
                                 for out in tx.get("vout", []))


def _time(tx: dict[str, Any]) -> str:
    seconds = tx.get("status", {}).get("block_time") if _is_esplora(tx) else tx.get("blocktime") or tx.get("time")
    if seconds is None:
        raise TransactionFormatError(_("Transaction %(tx)s has no block time: it is not yet confirmed.",
                                       tx=tx["txid"]))
    return datetime.fromtimestamp(int(seconds), UTC).isoformat()


def _core_address(script: dict[str, Any]) -> str | None:
    if script.get("address"):
        return str(script["address"])
    addresses = script.get("addresses") or []
    return str(addresses[0]) if len(addresses) == 1 else None


def _outputs(tx: dict[str, Any]) -> list[tuple[int, str | None, Decimal]]:
    """(index, address, amount in coins) of each output."""
    rows = []
    for position, out in enumerate(tx.get("vout", [])):
        if _is_esplora(tx):
            rows.append((position, out.get("scriptpubkey_address"), Decimal(int(out["value"])) * SATOSHI))
        else:
            rows.append((int(out.get("n", position)), _core_address(out.get("scriptPubKey", {})),
                         Decimal(str(out["value"]))))
    return rows


def io_rows(transactions: list[dict[str, Any]], chain: str = "btc",
            known_outputs: dict[tuple[str, int], tuple[str, Decimal]] | None = None) -> list[dict[str, Any]]:
    """`crypto_io` rows of the transactions; `known_outputs` (tx, index) -> (address, amount) resolves
    inputs that name only the output they spend (Bitcoin Core without prevout)."""
    known = dict(known_outputs or {})
    for tx in transactions:
        for index, address, amount in _outputs(tx):
            if address:
                known[(str(tx["txid"]), index)] = (address, amount)
    rows: list[dict[str, Any]] = []
    for tx in transactions:
        tx_hash, at = str(tx["txid"]), _time(tx)
        for position, spent in enumerate(tx.get("vin", [])):
            if spent.get("coinbase") or spent.get("is_coinbase"):
                continue
            source = (str(spent["txid"]), int(spent["vout"]))
            prevout = spent.get("prevout")
            if prevout is not None and _is_esplora(tx):
                resolved = (prevout.get("scriptpubkey_address"), Decimal(int(prevout["value"])) * SATOSHI)
            elif prevout is not None:
                resolved = (_core_address(prevout.get("scriptPubKey", {})), Decimal(str(prevout["value"])))
            else:
                resolved = known.get(source, (None, Decimal(0)))
            if not resolved[0]:
                raise TransactionFormatError(_(
                    "Input %(index)s of transaction %(tx)s spends output %(vout)s of %(spent)s, whose address and "
                    "value are not given: export with prevout (getrawtransaction TXID 2) or add that "
                    "transaction.", index=position, tx=tx_hash, vout=source[1], spent=source[0]))
            rows.append({"chain": chain, "tx_hash": tx_hash, "block_time": at, "direction": "in",
                         "index": position, "address": resolved[0], "amount": f"{resolved[1]:f}",
                         "spent_tx_hash": source[0], "spent_index": source[1]})
        for index, address, amount in _outputs(tx):
            if address:
                rows.append({"chain": chain, "tx_hash": tx_hash, "block_time": at, "direction": "out",
                             "index": index, "address": address, "amount": f"{amount:f}", "spent_tx_hash": "",
                             "spent_index": ""})
    return rows
