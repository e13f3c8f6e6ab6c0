"""Tracing on an account chain: the three rules over each address's balance, transfer by transfer in time.

Hop 0 is every transfer into a seed address, tainted in full, from its first receipt on. A transfer out of
an address carrying taint of hop h carries taint of hop h+1; only hops 1..max carry taint; an address of an
exchange cluster receives taint but passes none on.

- poison: every transfer out of an address that has received taint (hop h, the smallest it received) is
  tainted in full at hop h+1; once tainted, an address stays tainted.
- haircut: a transfer of amount a out of a balance b carries a/b of the taint the balance holds, hop by hop.
- fifo: a balance is a queue of received pieces; a transfer takes pieces from the front.

A balance never goes below zero: value sent beyond what the data shows the address received comes from
before the data, and carries no taint. Amounts are integer units of 1e-8 (haircut taint is fractional).
"""

from __future__ import annotations

from collections import defaultdict, deque

import numpy as np

from baliza.crypto.hops import Hop
from baliza.crypto.ledger import AccountLedger


class _Recorder:
    """Collects, per hop, the transfers carrying taint, their taint and their parent transfer."""

    def __init__(self, max_hops: int) -> None:
        self.rows: list[dict[int, list[float]]] = [{} for _ in range(max_hops + 1)]

    def add(self, hop: int, transfer: int, taint: float, parent: int) -> None:
        row = self.rows[hop].setdefault(transfer, [0, parent, 0])
        row[0] += taint
        if taint > row[2]:
            row[1], row[2] = parent, taint

    def hops(self, exact: bool) -> list[Hop]:
        out = []
        for row in self.rows:
            items = sorted(row)
            taint = np.asarray([row[i][0] for i in items], dtype=np.int64 if exact else np.float64)
            out.append(Hop(np.asarray(items, dtype=np.int64), taint,
                           np.asarray([row[i][1] for i in items], dtype=np.int64)))
        return out


def trace_account(ledger: AccountLedger, seeds: np.ndarray, stop_address: np.ndarray, method: str,
                  max_hops: int) -> list[Hop]:
    """Hops 0..max_hops of a trace from the addresses `seeds` (codes) over the ledger's transfers."""
    seed = np.zeros(len(ledger.addresses), dtype=bool)
    seed[seeds[seeds >= 0]] = True
    passes = ~stop_address | seed
    recorder = _Recorder(max_hops)
    run = {"poison": _poison, "haircut": _haircut, "fifo": _fifo}[method]
    run(ledger, seed, passes, max_hops, recorder)
    return recorder.hops(exact=method != "haircut")


def _poison(ledger: AccountLedger, seed: np.ndarray, passes: np.ndarray, max_hops: int, rec: _Recorder) -> None:
    hop_of: dict[int, tuple[int, int]] = {}  # address -> (smallest hop received, the transfer that brought it)
    for k, (a, b, v) in enumerate(zip(ledger.src.tolist(), ledger.dst.tolist(), ledger.value.tolist(),
                                      strict=True)):
        held = hop_of.get(a)
        if held is not None and passes[a] and held[0] < max_hops and not seed[b]:
            rec.add(held[0] + 1, k, v, held[1])
            if b not in hop_of or hop_of[b][0] > held[0] + 1:
                hop_of[b] = (held[0] + 1, k)
        if seed[b]:
            rec.add(0, k, v, -1)
            hop_of[b] = (0, k)


def _haircut(ledger: AccountLedger, seed: np.ndarray, passes: np.ndarray, max_hops: int, rec: _Recorder) -> None:
    balance: dict[int, int] = defaultdict(int)
    taint: dict[int, dict[int, float]] = {}  # address -> hop -> taint its balance holds
    brought: dict[tuple[int, int], tuple[float, int]] = {}  # (address, hop) -> largest (taint, transfer) in
    for k, (a, b, v) in enumerate(zip(ledger.src.tolist(), ledger.dst.tolist(), ledger.value.tolist(),
                                      strict=True)):
        held, paid = balance[a], min(v, balance[a])
        carried: dict[int, float] = {}
        if a in taint and held > 0 and paid > 0:
            share = paid / held
            for h, t in taint[a].items():
                carried[h] = t * share
                taint[a][h] = t - carried[h]
        balance[a] = held - paid
        balance[b] += v
        if seed[b]:
            taint.setdefault(b, {})[0] = taint.get(b, {}).get(0, 0.0) + v
            rec.add(0, k, v, -1)
            _bring(brought, b, 0, v, k)
            continue
        if not passes[a]:
            continue
        for h, c in carried.items():
            if c > 0 and h < max_hops:
                parent = brought.get((a, h), (0.0, -1))[1]
                rec.add(h + 1, k, c, parent)
                taint.setdefault(b, {})[h + 1] = taint.get(b, {}).get(h + 1, 0.0) + c
                _bring(brought, b, h + 1, c, k)


def _bring(brought: dict[tuple[int, int], tuple[float, int]], address: int, hop: int, amount: float,
           transfer: int) -> None:
    if amount > brought.get((address, hop), (0.0, -1))[0]:
        brought[(address, hop)] = (amount, transfer)


def _fifo(ledger: AccountLedger, seed: np.ndarray, passes: np.ndarray, max_hops: int, rec: _Recorder) -> None:
    queues: dict[int, deque[list[int]]] = defaultdict(deque)  # pieces [length, hop (-1 clean), transfer in]
    for k, (a, b, v) in enumerate(zip(ledger.src.tolist(), ledger.dst.tolist(), ledger.value.tolist(),
                                      strict=True)):
        queue, taken, left = queues[a], [], v
        while left > 0 and queue:
            piece = queue[0]
            part = min(piece[0], left)
            taken.append([part, piece[1], piece[2]])
            left -= part
            if part == piece[0]:
                queue.popleft()
            else:
                piece[0] -= part
        target = queues[b]
        if seed[b]:
            _push(target, [v, 0, k])
            rec.add(0, k, v, -1)
            continue
        for part, hop, came_in in taken:
            next_hop = hop + 1 if passes[a] and 0 <= hop < max_hops else -1
            if next_hop > 0:
                rec.add(next_hop, k, part, came_in)
            _push(target, [part, next_hop, k if next_hop >= 0 else -1])
        if left > 0:
            _push(target, [left, -1, -1])


def _push(queue: deque[list[int]], piece: list[int]) -> None:
    if queue and queue[-1][1] == piece[1] and queue[-1][2] == piece[2]:
        queue[-1][0] += piece[0]
    else:
        queue.append(piece)
