"""One chain read from the warehouse with what tracing needs beside it: its clusters and its tags."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from baliza.crypto.clusters import Clustering, cluster_addresses
from baliza.crypto.ledger import Ledger, load_ledger
from baliza.crypto.tags import TagBook, read_tags
from baliza.crypto.trace import DEFAULT_PATH_LIMIT, TraceResult, trace


@dataclass
class ChainData:
    """A chain's ledger, its clustering and its tags: read once, traced many times."""

    ledger: Ledger
    clustering: Clustering
    tags: TagBook

    def trace(self, seeds: list[str], method: str = "haircut", max_hops: int = 6, direction: str = "forward",
              path_to_addresses: list[str] | None = None, path_limit: int = DEFAULT_PATH_LIMIT) -> TraceResult:
        return trace(self.ledger, self.clustering, self.tags, seeds, method, max_hops, direction,
                     path_to_addresses, path_limit)


def read_chain(warehouse: Any, chain: str, asset: str | None = None, change_heuristic: bool = False) -> ChainData:
    """Read `chain` (and `asset` on an account chain) from the warehouse, cluster it and gather its tags."""
    ledger = load_ledger(warehouse, chain, asset)
    return ChainData(ledger, cluster_addresses(ledger, change_heuristic), read_tags(warehouse, chain))


def expand_seeds(data: ChainData, seeds: list[str]) -> list[str]:
    """Seeds given as addresses or cluster ids, as addresses (a cluster stands for all its addresses)."""
    addresses: list[str] = []
    for seed in seeds:
        try:
            addresses.extend(data.clustering.members(seed))
        except KeyError:
            addresses.append(seed)
    return list(dict.fromkeys(addresses))
