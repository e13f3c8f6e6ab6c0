"""Peel chains: a large amount walked through a row of transactions, each paying a small part away.

A peel transaction spends one input and pays two outputs; the larger one (the change) is spent by the next
peel transaction. A run of at least `min_length` such transactions is a peel chain. The small outputs are
where the money went: each is named with its address, amount and time.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from baliza.crypto.ledger import UtxoLedger, to_coins

MIN_PEEL_LENGTH = 3


def peel_chains(ledger: UtxoLedger, txs: np.ndarray, min_length: int = MIN_PEEL_LENGTH) -> list[dict[str, Any]]:
    """The peel chains among the transactions `txs` (those a trace passed through)."""
    n_in, n_out = np.diff(ledger.in_start), np.diff(ledger.out_start)
    spender = ledger.spender
    shaped = np.zeros(ledger.n_tx, dtype=bool)
    txs = np.unique(txs)
    shaped[txs] = (n_in[txs] == 1) & (n_out[txs] == 2)
    first = ledger.out_start[:-1]
    big = np.where(ledger.out_value[first] >= ledger.out_value[np.minimum(first + 1, len(ledger.out_value) - 1)],
                   first, first + 1)
    following: dict[int, int] = {}
    for t in np.flatnonzero(shaped).tolist():
        spent_by = int(spender[big[t]])
        nxt = int(ledger.in_tx[spent_by]) if spent_by >= 0 else -1
        if nxt >= 0 and shaped[nxt]:
            following[t] = nxt
    preceded = set(following.values())
    chains = []
    for start in sorted(set(following) - preceded, key=lambda t: (ledger.tx_time[t], t)):
        run, t = [start], start
        while t in following and following[t] not in run:
            t = following[t]
            run.append(t)
        if len(run) >= min_length:
            chains.append(_describe(ledger, run, big))
    return chains


def _describe(ledger: UtxoLedger, run: list[int], big: np.ndarray) -> dict[str, Any]:
    peeled = []
    for t in run:
        small = int(ledger.out_start[t] + ledger.out_start[t] + 1 - big[t])
        peeled.append({"tx_hash": str(ledger.tx_hash[t]), "time": str(ledger.tx_time[t]),
                       "output_index": int(ledger.out_index[small]),
                       "address": str(ledger.addresses[ledger.out_addr[small]]),
                       "amount": to_coins(ledger.out_value[small])})
    start_value = ledger.in_value[ledger.in_start[run[0]]]
    return {"start_tx": str(ledger.tx_hash[run[0]]), "length": len(run), "start_amount": to_coins(start_value),
            "peeled_amount": to_coins(sum(int(ledger.out_value[ledger.out_start[t] * 2 + 1 - big[t]])
                                          for t in run)),
            "peeled": peeled}
