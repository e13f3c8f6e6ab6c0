"""Small vectorised drawing helpers shared by the generator's modules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def pick(rng: np.random.Generator, options: Mapping[str, float] | Sequence[str], n: int) -> np.ndarray:
    """`n` values drawn from `options` (a mapping value -> weight, or a sequence drawn uniformly)."""
    if isinstance(options, Mapping):
        values = np.array(list(options), dtype=object)
        weights = np.array(list(options.values()), dtype=float)
        return values[rng.choice(len(values), size=n, p=weights / weights.sum())]
    values = np.array(list(options), dtype=object)
    return values[rng.integers(0, len(values), n)]


def pick_by(rng: np.random.Generator, keys: np.ndarray, table: Mapping[str, Mapping[str, float]]) -> np.ndarray:
    """For each element of `keys`, a value drawn from `table[key]`."""
    out = np.empty(len(keys), dtype=object)
    for key, options in table.items():
        mask = keys == key
        if mask.any():
            out[mask] = pick(rng, options, int(mask.sum()))
    return out


def lognormal(rng: np.random.Generator, median: np.ndarray | float, sigma: float, n: int) -> np.ndarray:
    return np.asarray(median) * np.exp(rng.normal(0.0, sigma, n))


def digits(rng: np.random.Generator, n: int, width: int) -> pa.Array:
    """Random zero-padded digit strings."""
    numbers = pc.cast(pa.array(rng.integers(0, 10**width, n, dtype=np.int64)), pa.string())
    return pc.utf8_lpad(numbers, width, "0")


def letters(rng: np.random.Generator, n: int, width: int) -> pa.Array:
    codes = rng.integers(65, 91, (n, width), dtype=np.uint8)
    return pa.array(codes.view(f"S{width}").ravel()).cast(pa.string())


def join(*parts: pa.Array | np.ndarray | str) -> pa.Array:
    """Element-wise concatenation of strings and string arrays."""
    arrays = [p if isinstance(p, str | pa.Array) else pa.array(p, type=pa.string()) for p in parts]
    return pc.binary_join_element_wise(*arrays, "")


def hexes(rng: np.random.Generator, n: int, width: int) -> pa.Array:
    alphabet = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    codes = alphabet[rng.integers(0, 16, (n, width))]
    return pa.array(codes.astype(np.uint8).view(f"S{width}").ravel()).cast(pa.string())
