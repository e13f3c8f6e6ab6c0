"""Taint by hop: what a trace computes, whichever the rule and the chain.

A trace is a list of hops. Hop h holds the items (outputs on a UTXO chain, transfers on an account chain)
that carry taint at hop h, sorted by item number, with the taint each carries (in units of 1e-8, possibly
fractional under the haircut rule) and the item it came from at hop h-1 (the largest contributor), which is
what evidence paths are read from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Hop:
    """The items tainted at one hop, their taint and the item at the hop before that carried most of it."""

    items: np.ndarray  # sorted item numbers
    taint: np.ndarray  # float64 (haircut) or int64 (poison, FIFO) units
    parent: np.ndarray  # item number at the hop before, -1 at hop 0

    @classmethod
    def empty(cls) -> Hop:
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=np.int64))

    def sorted(self) -> Hop:
        order = np.argsort(self.items, kind="stable")
        return Hop(self.items[order], self.taint[order], self.parent[order])

    def lookup(self, item: int) -> tuple[float, int] | None:
        """(taint, parent) of `item` at this hop, or None when it carries none."""
        at = int(np.searchsorted(self.items, item))
        if at < len(self.items) and self.items[at] == item:
            return float(self.taint[at]), int(self.parent[at])
        return None


def expand(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All of range(starts[k], ends[k]) for every k, concatenated, and the k each one comes from."""
    lengths = (ends - starts).astype(np.int64)
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    group = np.repeat(np.arange(len(starts)), lengths)
    offsets = np.cumsum(lengths) - lengths
    return starts[group] + np.arange(total) - offsets[group], group


def largest_per_group(group: np.ndarray, weight: np.ndarray, item: np.ndarray, n_groups: int) -> np.ndarray:
    """For each group, the item of largest weight (ties: the smallest item); -1 for an empty group."""
    best = np.full(n_groups, -1, dtype=np.int64)
    if not len(group):
        return best
    order = np.lexsort((item, -weight, group))
    first = np.ones(len(order), dtype=bool)
    first[1:] = group[order][1:] != group[order][:-1]
    best[group[order][first]] = item[order][first]
    return best
