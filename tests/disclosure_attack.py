"""The attacker of published programme tables, written without `baliza.access.disclosure`: it knows how the
tables are built (every figure is a sum of the finest cells, office x quarter x status, none negative; a
hidden figure is not zero, since zeros are shown) and, for every hidden figure, works out with linear
programming the least and the most it can be given everything shown. A figure whose least and most are
less than 1 apart is recovered (a count is a whole number).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linprog

Atom = tuple[Hashable, ...]


@dataclass(frozen=True)
class Published:
    """A published figure: its value (None when hidden) and the finest cells it adds up."""

    label: str
    value: float | None
    atoms: frozenset[Atom]


def figures_of(rows: Sequence[Mapping[str, Any]], columns: Mapping[str, Callable[[Mapping[str, Any], Atom], bool]],
               atoms: Sequence[Atom], label: str, row_label: Callable[[Mapping[str, Any]], str]
               ) -> list[Published]:
    """Each published row's `columns` (column -> which finest cells it counts, given the row)."""
    out = []
    for row in rows:
        for column, counts in columns.items():
            out.append(Published(f"{label}:{row_label(row)}:{column}", row[column],
                                 frozenset(a for a in atoms if counts(row, a))))
    return out


def intervals(figures: Sequence[Published], atoms: Sequence[Atom]) -> dict[str, tuple[float, float]]:
    """For each hidden figure, the least and the most it can be given every shown one."""
    index = {a: k for k, a in enumerate(atoms)}

    def vector(f: Published) -> np.ndarray:
        v = np.zeros(len(atoms))
        for a in f.atoms:
            v[index[a]] = 1.0
        return v

    shown = [f for f in figures if f.value is not None]
    hidden = [f for f in figures if f.value is None]
    equalities = np.array([vector(f) for f in shown]) if shown else None
    targets = np.array([f.value for f in shown]) if shown else None
    floors = np.array([-vector(f) for f in hidden]) if hidden else None  # a hidden figure is at least 1
    out = {}
    for f in hidden:
        v = vector(f)
        bounds = []
        for sign in (1.0, -1.0):
            done = linprog(sign * v, A_ub=floors, b_ub=-np.ones(len(hidden)) if hidden else None,
                           A_eq=equalities, b_eq=targets, bounds=(0, None), method="highs")
            if done.status == 3:  # nothing shown bounds it from above
                bounds.append(float("inf"))
                continue
            assert done.status == 0, done.message
            bounds.append(sign * done.fun)
        out[f.label] = (bounds[0], bounds[1])
    return out


def recovered(figures: Sequence[Published], atoms: Sequence[Atom]) -> dict[str, tuple[float, float]]:
    """The hidden figures an attacker pins down to one whole number."""
    return {label: (low, high) for label, (low, high) in intervals(figures, atoms).items() if high - low < 1 - 1e-6}
