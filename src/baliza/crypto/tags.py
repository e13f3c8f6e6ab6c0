"""Who an address belongs to, as the tag sources say: every tag kept with its source.

Tags come from the contract table `crypto_tags` and from tag packs (`baliza.crypto.tagpacks`). Investigators
need all of them, not the best one: an address tagged by an exchange's KYC answer and by an open-source list
keeps both. A cluster carries the tags of all its addresses; a cluster is an exchange when any of its
addresses is tagged `exchange`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from baliza.crypto.clusters import Clustering

TAG_FIELDS = ("address", "label", "category", "source", "confidence", "case_id", "person_id")
PACK_TABLE = "crypto_tag_packs"
EXCHANGE = "exchange"


@dataclass
class TagBook:
    """Tags of one chain by address."""

    by_address: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: list[dict[str, Any]]) -> TagBook:
        book: dict[str, list[dict[str, Any]]] = defaultdict(list)
        seen: set[tuple[Any, ...]] = set()
        for row in rows:
            tag = {k: row.get(k) for k in TAG_FIELDS if k != "address"}
            key = (row["address"], *(tag[k] for k in ("label", "category", "source")))
            if key not in seen:
                seen.add(key)
                book[row["address"]].append(tag)
        return cls(dict(book))

    def of(self, address: str) -> list[dict[str, Any]]:
        return self.by_address.get(address, [])

    def addresses_in(self, category: str) -> list[str]:
        return sorted(a for a, tags in self.by_address.items() if any(t["category"] == category for t in tags))

    def cluster_categories(self, clustering: Clustering) -> dict[int, set[str]]:
        """The categories each cluster number carries through any of its addresses."""
        codes = clustering.ledger.address_codes(list(self.by_address))
        categories: dict[int, set[str]] = defaultdict(set)
        for address, code in zip(self.by_address, codes.tolist(), strict=True):
            if code >= 0:
                categories[int(clustering.label[code])] |= {t["category"] for t in self.by_address[address]}
        return dict(categories)

    def cluster_labels(self, clustering: Clustering) -> dict[int, list[str]]:
        codes = clustering.ledger.address_codes(list(self.by_address))
        labels: dict[int, list[str]] = defaultdict(list)
        for address, code in zip(self.by_address, codes.tolist(), strict=True):
            if code >= 0:
                for tag in self.by_address[address]:
                    if tag["label"] not in labels[int(clustering.label[code])]:
                        labels[int(clustering.label[code])].append(tag["label"])
        return dict(labels)

    def stop_addresses(self, clustering: Clustering) -> np.ndarray:
        """A mask over address codes: the addresses of clusters tagged `exchange` (taint stops there)."""
        exchange_clusters = [n for n, cats in self.cluster_categories(clustering).items() if EXCHANGE in cats]
        return np.isin(clustering.label, np.asarray(exchange_clusters, dtype=np.int64))


def read_tags(warehouse: Any, chain: str) -> TagBook:
    """Every tag of `chain`: the contract table and the tag packs loaded into the warehouse."""
    table = warehouse.table("crypto_tags")
    rows = table.filter(table.chain == chain).select(*TAG_FIELDS).to_pyarrow().to_pylist()
    try:
        packs = warehouse.table(PACK_TABLE)
    except Exception:  # no tag pack loaded yet (ibis names the error by backend)
        packs = None
    if packs is not None:
        rows += packs.filter(packs.chain == chain).select(*TAG_FIELDS).to_pyarrow().to_pylist()
    return TagBook.from_rows(rows)
