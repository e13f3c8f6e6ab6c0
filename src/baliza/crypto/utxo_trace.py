"""Tracing on a UTXO chain, hop by hop over compressed arrays (the rules: docs/crypto.md).

Hop 0 is every output paying a seed address, tainted in full. A transaction spending outputs of hop h gives
its outputs hop h+1; only hops 1..max carry taint. An output paying an address of an exchange cluster
receives taint but passes none on.

- poison: an output is tainted, in full, when any non-stop input is; its hop is 1 + the smallest input hop
  (a breadth-first search over outputs).
- haircut: per hop, an output of value v receives v·T_h/S of the taint T_h the transaction's inputs carry
  at hop h (S: all input value; the fee keeps its share). Linear, so each hop is one gather and one
  scatter over the frontier (numpy), in float64 units of 1e-8: far below 1e-8 of the coin off the exact
  value for any amount below 10^7 coins.
- fifo (Clayton's rule): the inputs' units laid end to end in input order are handed to the outputs in
  output order; what is left is the fee. Units keep their hop, so each output is a list of pieces
  (length, hop, source). Exact integer units, transaction by transaction in dependency order over the
  part of the chain the poison search reaches (FIFO taint never goes further).

Backward tracing (poison and haircut) follows the same rules upstream: a transaction whose outputs carry
taint hands it to its inputs in proportion to their value (haircut) or in full (poison), and the taint
lands on the outputs those inputs spend.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from baliza.crypto.hops import Hop, expand, largest_per_group
from baliza.crypto.ledger import UtxoLedger


def _seed_hop(ledger: UtxoLedger, seed_address: np.ndarray) -> Hop:
    """Hop 0: every output paying a seed address, tainted in full."""
    codes = np.flatnonzero(seed_address)
    at, _ = expand(ledger.address_out_start[codes], ledger.address_out_start[codes + 1])
    items = np.sort(ledger.outputs_by_address[at])
    return Hop(items, ledger.out_value[items].astype(np.int64), np.full(len(items), -1, dtype=np.int64))


def trace_utxo(ledger: UtxoLedger, seeds: np.ndarray, stop_address: np.ndarray, method: str, max_hops: int,
               backward: bool = False) -> list[Hop]:
    """Hops 0..max_hops of a trace from the addresses `seeds` (codes); `stop_address`: exchange mask.

    Work is proportional to the frontier, not to the chain: the masks are over addresses and the indexes
    (spender of each output, outputs of each address) are built once per ledger."""
    seed_address = np.zeros(len(ledger.addresses), dtype=bool)
    seed_address[seeds[seeds >= 0]] = True
    stop_only = stop_address & ~seed_address
    hop0 = _seed_hop(ledger, seed_address)
    if method == "fifo":
        if backward:
            raise ValueError("fifo")
        seed_out = seed_address[ledger.out_addr]
        return _fifo(ledger, seed_out, stop_only[ledger.out_addr], hop0, max_hops)
    spender = ledger.spender
    visited = None
    if method == "poison":
        visited = np.zeros(len(ledger.out_value), dtype=bool)
        visited[hop0.items] = True
    hops = [hop0]
    s_total = ledger.tx_input_value
    for _h in range(1, max_hops + 1):
        previous = hops[-1]
        carrying = ~stop_only[ledger.out_addr[previous.items]] & (previous.taint > 0)
        frontier, taint = previous.items[carrying], previous.taint[carrying].astype(np.float64)
        if backward:
            tx = ledger.out_tx[frontier]
        else:
            inputs = spender[frontier]
            linked = inputs >= 0
            frontier, taint, inputs = frontier[linked], taint[linked], inputs[linked]
            tx = ledger.in_tx[inputs]
        txs, group = np.unique(tx, return_inverse=True)
        carried = np.bincount(group, weights=taint, minlength=len(txs))
        best = largest_per_group(group, taint, frontier, len(txs))
        if backward:
            ins, g = expand(ledger.in_start[txs], ledger.in_start[txs + 1])
            keep = ledger.in_spent[ins] >= 0
            ins, g = ins[keep], g[keep]
            items, share_value = ledger.in_spent[ins], ledger.in_value[ins]
        else:
            items, g = expand(ledger.out_start[txs], ledger.out_start[txs + 1])
            share_value = ledger.out_value[items]
        fresh = ~seed_address[ledger.out_addr[items]]
        if visited is not None:
            fresh &= ~visited[items]
        items, g, share_value = items[fresh], g[fresh], share_value[fresh]
        if method == "poison":
            amount = ledger.out_value[items].astype(np.int64)
        else:
            s = s_total[txs[g]]
            amount = np.where(s > 0, share_value * carried[g] / np.where(s > 0, s, 1), 0.0)
        parent = best[g]
        if backward:  # two inputs of one hop spend one output only in a double spend: add them up
            items, first, inverse = np.unique(items, return_index=True, return_inverse=True)
            amount = (ledger.out_value[items].astype(np.int64) if method == "poison"
                      else np.bincount(inverse, weights=amount, minlength=len(items)))
            parent = parent[first]
        positive = amount > 0
        hop = Hop(items[positive], amount[positive], parent[positive]).sorted()
        if visited is not None:
            visited[hop.items] = True
        hops.append(hop)
        if not len(hop.items):
            hops.extend(Hop.empty() for _ in range(max_hops - _h))
            break
    return hops


def _dependency_order(ledger: UtxoLedger, txs: np.ndarray) -> list[int]:
    """The transactions `txs` ordered so that each comes after those whose outputs it spends (Kahn)."""
    chosen = set(txs.tolist())
    needs: dict[int, int] = {}
    feeds: dict[int, list[int]] = {}
    for t in chosen:
        spent = ledger.in_spent[ledger.in_start[t]:ledger.in_start[t + 1]]
        parents = {int(ledger.out_tx[o]) for o in spent[spent >= 0].tolist()} & chosen
        needs[t] = len(parents)
        for p in parents:
            feeds.setdefault(p, []).append(t)
    ready = deque(sorted((t for t, n in needs.items() if n == 0), key=lambda t: (ledger.tx_time[t], t)))
    order: list[int] = []
    while ready:
        t = ready.popleft()
        order.append(t)
        for child in feeds.get(t, []):
            needs[child] -= 1
            if needs[child] == 0:
                ready.append(child)
    return order


Piece = list  # [length (int units), hop (-1: clean), source output]


def _fifo(ledger: UtxoLedger, seed_out: np.ndarray, stop_out: np.ndarray, hop0: Hop, max_hops: int) -> list[Hop]:
    poison = _poison_reach(ledger, seed_out, stop_out, max_hops)
    pieces: dict[int, list[Piece]] = {int(o): [[int(ledger.out_value[o]), 0, -1]] for o in hop0.items.tolist()}
    for tx in _dependency_order(ledger, np.unique(ledger.out_tx[poison])):
        laid: list[Piece] = []
        for i in range(int(ledger.in_start[tx]), int(ledger.in_start[tx + 1])):
            spent, value = int(ledger.in_spent[i]), int(ledger.in_value[i])
            source = pieces.get(spent, []) if spent >= 0 and not stop_out[spent] else []
            taken = 0
            for length, hop, _ in source:
                part = min(length, value - taken)
                if part <= 0:
                    break
                next_hop = hop + 1 if 0 <= hop < max_hops else -1
                _append(laid, [part, next_hop, spent if next_hop > 0 else -1])
                taken += part
            if taken < value:
                _append(laid, [value - taken, -1, -1])
        cursor = 0
        for o in range(int(ledger.out_start[tx]), int(ledger.out_start[tx + 1])):
            if seed_out[o]:
                cursor = _skip(laid, cursor, int(ledger.out_value[o]))
                continue
            got, cursor = _take(laid, cursor, int(ledger.out_value[o]))
            if any(p[1] > 0 for p in got):
                pieces[o] = got
    return _pieces_to_hops(pieces, hop0, max_hops)


def _append(pieces: list[Piece], piece: Piece) -> None:
    if pieces and pieces[-1][1] == piece[1] and pieces[-1][2] == piece[2]:
        pieces[-1][0] += piece[0]
    else:
        pieces.append(piece)


def _take(laid: list[Piece], cursor: int, amount: int) -> tuple[list[Piece], int]:
    """`amount` units from the laid pieces, starting at piece `cursor` (which is consumed in place)."""
    got: list[Piece] = []
    while amount > 0 and cursor < len(laid):
        length, hop, source = laid[cursor]
        part = min(length, amount)
        _append(got, [part, hop, source])
        amount -= part
        if part == length:
            cursor += 1
        else:
            laid[cursor] = [length - part, hop, source]
    return got, cursor


def _skip(laid: list[Piece], cursor: int, amount: int) -> int:
    return _take(laid, cursor, amount)[1]


def _poison_reach(ledger: UtxoLedger, seed_out: np.ndarray, stop_out: np.ndarray, max_hops: int) -> np.ndarray:
    """Outputs a poison trace reaches at hops 1..max_hops (FIFO taint never reaches further)."""
    spender = ledger.spender
    visited = seed_out.copy()
    frontier = np.flatnonzero(seed_out)
    reached: list[np.ndarray] = []
    for _ in range(max_hops):
        frontier = frontier[~stop_out[frontier]]
        inputs = spender[frontier]
        txs = np.unique(ledger.in_tx[inputs[inputs >= 0]])
        outs, _g = expand(ledger.out_start[txs], ledger.out_start[txs + 1])
        outs = outs[~visited[outs]]
        visited[outs] = True
        reached.append(outs)
        frontier = outs
    return np.concatenate(reached) if reached else np.zeros(0, dtype=np.int64)


def _pieces_to_hops(pieces: dict[int, list[Piece]], hop0: Hop, max_hops: int) -> list[Hop]:
    by_hop: list[dict[int, tuple[int, dict[int, int]]]] = [{} for _ in range(max_hops + 1)]
    for output, parts in pieces.items():
        for length, hop, source in parts:
            if 1 <= hop <= max_hops:
                total, sources = by_hop[hop].get(output, (0, {}))
                sources[source] = sources.get(source, 0) + length
                by_hop[hop][output] = (total + length, sources)
    hops = [hop0]
    for h in range(1, max_hops + 1):
        items = sorted(by_hop[h])
        taint = [by_hop[h][o][0] for o in items]
        parent = [max(sorted(by_hop[h][o][1].items()), key=lambda kv: kv[1])[0] for o in items]
        hops.append(Hop(np.asarray(items, dtype=np.int64), np.asarray(taint, dtype=np.int64),
                        np.asarray(parent, dtype=np.int64)))
    return hops
