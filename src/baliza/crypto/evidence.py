"""Paths as evidence: from a seed to a reached address, transaction by transaction, with amounts and times.

A path is read backwards from the hop at which the address received the most taint: each step names the
item (output or transfer) at the hop before that carried the most of it, down to hop 0 (a receipt of the
seed). It is printed seed first, as a prosecutor's file reads it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from baliza.crypto.hops import Hop
from baliza.crypto.ledger import AccountLedger, Ledger, UtxoLedger, to_coins


def receiver_of(ledger: Ledger, items: np.ndarray) -> np.ndarray:
    """The address code each item pays (an output's address; a transfer's receiver)."""
    return ledger.out_addr[items] if isinstance(ledger, UtxoLedger) else ledger.dst[items]


def _step(ledger: Ledger, hop: int, item: int, parent: int, taint: float) -> dict[str, Any]:
    if isinstance(ledger, AccountLedger):
        return {"hop": hop, "tx_hash": str(ledger.tx_hash[item]), "time": str(ledger.time[item]),
                "from": str(ledger.addresses[ledger.src[item]]), "to": str(ledger.addresses[ledger.dst[item]]),
                "amount": to_coins(ledger.value[item]), "tainted_amount": to_coins(taint)}
    tx = int(ledger.out_tx[item])
    source = str(ledger.addresses[ledger.out_addr[parent]]) if parent >= 0 else None
    return {"hop": hop, "tx_hash": str(ledger.tx_hash[tx]), "time": str(ledger.tx_time[tx]),
            "output_index": int(ledger.out_index[item]), "from": source,
            "to": str(ledger.addresses[ledger.out_addr[item]]), "amount": to_coins(ledger.out_value[item]),
            "tainted_amount": to_coins(taint)}


def path_to(ledger: Ledger, hops: list[Hop], address_code: int) -> list[dict[str, Any]]:
    """The steps (hop 1 first) by which the most taint reached `address_code`; [] when none did."""
    best: tuple[float, int, int] | None = None  # (taint, hop, item)
    for h in range(1, len(hops)):
        hop = hops[h]
        if not len(hop.items):
            continue
        mine = np.flatnonzero(receiver_of(ledger, hop.items) == address_code)
        if len(mine):
            k = mine[np.argmax(hop.taint[mine])]
            if best is None or hop.taint[k] > best[0]:
                best = (float(hop.taint[k]), h, int(hop.items[k]))
    if best is None:
        return []
    steps = []
    taint, h, item = best
    while h >= 1:
        found = hops[h].lookup(item)
        if found is None:
            break
        taint, parent = found
        steps.append(_step(ledger, h, item, parent, taint))
        item, h = parent, h - 1
    return steps[::-1]
