"""`trace`: follow value from seed addresses by one rule, and say where it went.

It returns the reached addresses (the taint each received at hops 1..max, its cluster and tags), the
exposure of every reached cluster by category, the peel chains the trace passed through, and the paths as
evidence to the addresses of tagged clusters (or to the addresses asked for).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from baliza.crypto.account_trace import trace_account
from baliza.crypto.clusters import Clustering
from baliza.crypto.evidence import path_to, receiver_of
from baliza.crypto.hops import Hop
from baliza.crypto.ledger import AccountLedger, Ledger, UtxoLedger, to_coins
from baliza.crypto.peel import peel_chains
from baliza.crypto.tags import TagBook
from baliza.crypto.utxo_trace import trace_utxo
from baliza.i18n import gettext as _

METHODS = ("poison", "haircut", "fifo")
DIRECTIONS = ("forward", "backward")
MAX_HOPS_LIMIT = 50
DEFAULT_PATH_LIMIT = 50
UNLABELLED = "unlabelled"


@dataclass
class TraceResult:
    """What a trace found, as plain data (`to_dict` is the JSON `baliza trace --json` prints)."""

    chain: str
    method: str
    max_hops: int
    direction: str
    seeds: list[str]
    asset: str | None
    reached: list[dict[str, Any]]
    paths: list[dict[str, Any]]
    exposure: list[dict[str, Any]] = field(default_factory=list)
    clusters: list[dict[str, Any]] = field(default_factory=list)
    peel_chains: list[dict[str, Any]] = field(default_factory=list)
    hops: list[Hop] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"chain": self.chain, "asset": self.asset, "method": self.method, "max_hops": self.max_hops,
                "direction": self.direction, "seeds": self.seeds, "reached": self.reached, "paths": self.paths,
                "exposure": self.exposure, "clusters": self.clusters, "peel_chains": self.peel_chains}


def check_request(method: str, max_hops: int, direction: str, ledger: Ledger) -> None:
    """Refuse, in words, a trace that cannot be run as asked."""
    if method not in METHODS:
        raise ValueError(_("Unknown tracing method %(method)s: use poison, haircut or fifo.", method=method))
    if direction not in DIRECTIONS:
        raise ValueError(_("Unknown direction %(direction)s: use forward or backward.", direction=direction))
    if not 0 <= max_hops <= MAX_HOPS_LIMIT:
        raise ValueError(_("The number of hops must be between 0 and %(limit)s.", limit=MAX_HOPS_LIMIT))
    if direction == "backward" and (method == "fifo" or isinstance(ledger, AccountLedger)):
        raise ValueError(_("Backward tracing is available on UTXO chains with the poison and haircut rules."))


def run_hops(ledger: Ledger, clustering: Clustering, tags: TagBook, seeds: list[str], method: str,
             max_hops: int, direction: str = "forward") -> list[Hop]:
    """The hops of the trace only (what the benchmark times and the Spark engine is compared with)."""
    check_request(method, max_hops, direction, ledger)
    codes = ledger.address_codes(seeds)
    stop = tags.stop_addresses(clustering)
    if isinstance(ledger, UtxoLedger):
        return trace_utxo(ledger, codes, stop, method, max_hops, backward=direction == "backward")
    return trace_account(ledger, codes, stop, method, max_hops)


def received_by_address(ledger: Ledger, hops: list[Hop]) -> dict[int, float]:
    """Address code -> the taint it received at hops 1..max (units of 1e-8; integer sums stay exact below
    2^53 units, 90 million coins)."""
    total = np.zeros(len(ledger.addresses))
    for hop in hops[1:]:
        if len(hop.items):
            total += np.bincount(receiver_of(ledger, hop.items), weights=hop.taint.astype(np.float64),
                                 minlength=len(ledger.addresses))
    return {int(code): float(total[code]) for code in np.flatnonzero(total)}


def trace(ledger: Ledger, clustering: Clustering, tags: TagBook, seeds: list[str], method: str = "haircut",
          max_hops: int = 6, direction: str = "forward", path_to_addresses: list[str] | None = None,
          path_limit: int = DEFAULT_PATH_LIMIT) -> TraceResult:
    """Trace from the addresses `seeds` by `method` over `max_hops` hops; see the module docstring."""
    unknown = [s for s, c in zip(seeds, ledger.address_codes(seeds).tolist(), strict=True) if c < 0]
    if unknown and len(unknown) == len(seeds):
        raise LookupError(_("No seed address appears on the chain %(chain)s: %(addresses)s.", chain=ledger.chain,
                            addresses=", ".join(unknown[:5])))
    hops = run_hops(ledger, clustering, tags, seeds, method, max_hops, direction)
    received = {code: amount for code, amount in received_by_address(ledger, hops).items() if amount > 0}
    reached: list[dict[str, Any]] = []
    for code, amount in sorted(received.items(), key=lambda kv: (-kv[1], ledger.addresses[kv[0]])):
        address = str(ledger.addresses[code])
        reached.append({"address": address, "cluster_id": str(clustering.cluster_ids[clustering.label[code]]),
                        "tainted_amount": to_coins(amount), "tags": tags.of(address)})
    exposure, clusters = _exposure(clustering, tags, received)
    wanted = path_to_addresses if path_to_addresses is not None else [
        str(r["address"]) for r in reached
        if tags.of(str(r["address"])) or _tagged_cluster(str(r["cluster_id"]), clusters)]
    paths = []
    for address in wanted[:path_limit]:
        code = int(ledger.address_codes([address])[0])
        steps = path_to(ledger, hops, code) if code >= 0 else []
        if steps:
            paths.append({"to": address, "cluster_id": str(clustering.cluster_ids[clustering.label[code]]),
                          "tainted_amount": to_coins(received.get(code, 0)), "steps": steps})
    peels: list[dict[str, Any]] = []
    if isinstance(ledger, UtxoLedger) and direction == "forward":
        passed = np.concatenate([ledger.out_tx[h.items] for h in hops[1:]] or [np.zeros(0, dtype=np.int64)])
        peels = peel_chains(ledger, passed)
    return TraceResult(ledger.chain, method, max_hops, direction, list(seeds),
                       getattr(ledger, "asset", None), reached, paths, exposure, clusters, peels, hops)


def _tagged_cluster(cluster_id: str, clusters: list[dict[str, Any]]) -> bool:
    return any(c["cluster_id"] == cluster_id and c["categories"] for c in clusters)


def _exposure(clustering: Clustering, tags: TagBook, received: dict[int, float]
              ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Taint received per reached cluster, and summed by the categories the clusters are tagged with."""
    categories = tags.cluster_categories(clustering)
    labels = tags.cluster_labels(clustering)
    per_cluster: dict[int, float] = defaultdict(float)
    addresses: dict[int, int] = defaultdict(int)
    for code, amount in received.items():
        number = int(clustering.label[code])
        per_cluster[number] += amount
        addresses[number] += 1
    clusters = [{"cluster_id": str(clustering.cluster_ids[n]), "labels": labels.get(n, []),
                 "categories": sorted(categories.get(n, set())), "tainted_amount": to_coins(amount),
                 "addresses": addresses[n]}
                for n, amount in sorted(per_cluster.items(), key=lambda kv: -kv[1])]
    by_category: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    for n, amount in per_cluster.items():
        for category in sorted(categories.get(n, set())) or [UNLABELLED]:
            by_category[category][0] += amount
            by_category[category][1] += 1
    exposure = [{"category": c, "tainted_amount": to_coins(v[0]), "clusters": int(v[1])}
                for c, v in sorted(by_category.items(), key=lambda kv: -kv[1][0])]
    return exposure, clusters
