"""Clusters of addresses one owner controls, by common-input ownership.

Every input of a transaction is signed by whoever spends it, so the addresses spent together in one
transaction belong, as a rule, to one owner (Meiklejohn et al., 2013). Joining those addresses transaction by
transaction is a union-find over addresses; it is computed here as the connected components of the graph
that links each input address of a transaction to its first one (scipy.sparse.csgraph), which gives the same
partition in one pass over compressed arrays.

CoinJoin transactions are left out: many owners sign them together. A transaction with at least 5 inputs and
at least 5 outputs of one value is taken for a CoinJoin (equal-output detection).

The change heuristic is optional and off by default, because it guesses: in a transaction paying exactly two
outputs, none to an input address, when one output address is seen for the first time and the other was seen
before, the new one is taken for the spender's change and joins the inputs' cluster.

Each cluster explains itself: the transactions that joined its addresses, and by which rule. The cluster id
is the chain and the cluster's smallest address (stable while the cluster is unchanged). An account chain
has no common inputs: each address is its own cluster.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from baliza.crypto.hops import expand
from baliza.crypto.ledger import Ledger, UtxoLedger

COINJOIN_MIN_INPUTS = 5
COINJOIN_MIN_EQUAL_OUTPUTS = 5
COMMON_INPUT = "common_input"
CHANGE = "change"


@dataclass
class Clustering:
    """A cluster number per address, the id of each cluster, and the transactions that joined them."""

    ledger: Ledger
    label: np.ndarray  # cluster number per address code
    cluster_ids: np.ndarray  # id per cluster number
    join_tx: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # joining transactions
    join_rule: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))
    coinjoins: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def cluster_of(self, codes: np.ndarray | int) -> Any:
        """The cluster id of each address code (of the one code given as an int)."""
        return self.cluster_ids[self.label[codes]]

    def rows(self) -> list[dict[str, str]]:
        """[{"address", "cluster_id"}] for every address of the chain."""
        ids = self.cluster_ids[self.label]
        return [{"address": a, "cluster_id": c} for a, c in zip(self.ledger.addresses.tolist(), ids.tolist(),
                                                                 strict=True)]

    def members(self, cluster_id: str) -> list[str]:
        at = np.flatnonzero(self.cluster_ids == cluster_id)
        if not len(at):
            raise KeyError(cluster_id)
        return self.ledger.addresses[self.label == at[0]].tolist()

    def explain(self, cluster_id: str) -> dict[str, Any]:
        """Why the cluster's addresses belong together: the transactions that joined them, oldest first."""
        members = self.members(cluster_id)
        number = int(np.flatnonzero(self.cluster_ids == cluster_id)[0])
        joins: list[dict[str, Any]] = []
        ledger = self.ledger
        if isinstance(ledger, UtxoLedger) and len(self.join_tx):
            first_input = ledger.in_addr[ledger.in_start[self.join_tx].clip(max=len(ledger.in_addr) - 1)]
            mine = self.label[first_input] == number
            for tx, rule in zip(self.join_tx[mine].tolist(), self.join_rule[mine].tolist(), strict=True):
                inputs = ledger.in_addr[ledger.in_start[tx]:ledger.in_start[tx + 1]]
                joined = set(ledger.addresses[inputs].tolist())
                if rule == CHANGE:
                    outputs = ledger.out_addr[ledger.out_start[tx]:ledger.out_start[tx + 1]]
                    joined |= {a for a in ledger.addresses[outputs].tolist() if a in set(members)}
                joins.append({"tx_hash": str(ledger.tx_hash[tx]), "time": str(ledger.tx_time[tx]), "rule": rule,
                              "addresses": sorted(joined)})
            joins.sort(key=lambda j: (j["time"], j["tx_hash"]))
        return {"cluster_id": cluster_id, "addresses": members, "joined_by": joins}


def coinjoin_transactions(ledger: UtxoLedger) -> np.ndarray:
    """Transactions with at least 5 inputs and at least 5 outputs of one value (equal-output CoinJoins)."""
    n_inputs = np.diff(ledger.in_start)
    candidates = np.flatnonzero((n_inputs >= COINJOIN_MIN_INPUTS)
                                & (np.diff(ledger.out_start) >= COINJOIN_MIN_EQUAL_OUTPUTS))
    if not len(candidates):
        return np.zeros(0, dtype=np.int64)
    outs, group = expand(ledger.out_start[candidates], ledger.out_start[candidates + 1])
    value = ledger.out_value[outs]
    order = np.lexsort((value, group))
    group, value = group[order], value[order]
    new_run = np.ones(len(group), dtype=bool)
    new_run[1:] = (group[1:] != group[:-1]) | (value[1:] != value[:-1])
    run_length = np.bincount(np.cumsum(new_run) - 1)
    largest = np.zeros(len(candidates), dtype=np.int64)
    np.maximum.at(largest, group[new_run], run_length)
    return candidates[largest >= COINJOIN_MIN_EQUAL_OUTPUTS]


def _change_links(ledger: UtxoLedger, excluded: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(transaction, change output address) for the one-time change heuristic."""
    n_out = np.diff(ledger.out_start)
    first_seen = np.full(len(ledger.addresses), np.iinfo(np.int64).max, dtype=np.int64)
    order = np.argsort(ledger.tx_time, kind="stable")
    rank = np.empty(ledger.n_tx, dtype=np.int64)
    rank[order] = np.arange(ledger.n_tx)
    np.minimum.at(first_seen, ledger.out_addr, rank[ledger.out_tx])
    np.minimum.at(first_seen, ledger.in_addr, rank[ledger.in_tx])
    allowed = np.ones(ledger.n_tx, dtype=bool)
    allowed[excluded] = False
    two = np.flatnonzero((n_out == 2) & allowed & (np.diff(ledger.in_start) > 0))
    a, b = ledger.out_addr[ledger.out_start[two]], ledger.out_addr[ledger.out_start[two] + 1]
    new_a, new_b = first_seen[a] == rank[two], first_seen[b] == rank[two]
    width = np.int64(len(ledger.addresses))
    input_pairs = np.unique(ledger.in_tx * width + ledger.in_addr)
    pays_input = np.isin(two * width + a, input_pairs) | np.isin(two * width + b, input_pairs)
    one_new = (new_a ^ new_b) & ~pays_input & (a != b)
    change = np.where(new_a, a, b)
    return two[one_new], change[one_new]


def cluster_addresses(ledger: Ledger, change_heuristic: bool = False) -> Clustering:
    """Group the addresses of `ledger` by common-input ownership (and, if asked, one-time change)."""
    n = len(ledger.addresses)
    if not isinstance(ledger, UtxoLedger):
        return Clustering(ledger, np.arange(n), np.asarray([f"{ledger.chain}:{a}" for a in ledger.addresses],
                                                           dtype=object))
    coinjoins = coinjoin_transactions(ledger)
    first = ledger.in_addr[ledger.in_start[ledger.in_tx]]  # the first input address of each input's transaction
    is_coinjoin = np.zeros(ledger.n_tx, dtype=bool)
    is_coinjoin[coinjoins] = True
    kept = ~is_coinjoin[ledger.in_tx] & (ledger.in_addr != first)
    rows, cols = [ledger.in_addr[kept]], [first[kept]]
    joining = np.flatnonzero(np.bincount(ledger.in_tx[kept], minlength=ledger.n_tx))
    join_tx, join_rule = [joining], [np.full(len(joining), COMMON_INPUT, dtype=object)]
    if change_heuristic:
        tx, change = _change_links(ledger, coinjoins)
        rows.append(change)
        cols.append(ledger.in_addr[ledger.in_start[tx]])
        join_tx.append(tx)
        join_rule.append(np.full(len(tx), CHANGE, dtype=object))
    r, c = np.concatenate(rows), np.concatenate(cols)
    graph = sp.coo_matrix((np.ones(len(r), dtype=np.int8), (r, c)), shape=(n, n)).tocsr()
    _, label = connected_components(graph, directed=False)
    smallest = np.full(label.max() + 1 if n else 0, n, dtype=np.int64)
    smallest[label[::-1]] = np.arange(n)[::-1]  # the last write wins: each cluster's smallest address
    # number clusters by their smallest address, so that numbering and ids are stable
    order = np.argsort(smallest)
    renumber = np.empty_like(order)
    renumber[order] = np.arange(len(order))
    label = renumber[label]
    ids = np.asarray([f"{ledger.chain}:{a}" for a in ledger.addresses[smallest[order]].tolist()], dtype=object)
    return Clustering(ledger, label, ids, np.concatenate(join_tx), np.concatenate(join_rule), coinjoins)
