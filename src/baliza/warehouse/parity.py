"""Whether two engines gave the same answer: the rule the parity tests and the engines benchmark share.

Two results are the same when they hold the same rows in any order: the same columns (in any order), and in
each column the same values, floats to a relative tolerance (1e-9: DuckDB, PostgreSQL and Spark add in other
orders and differ in the last digits), NULL, NaN and NaT equal to each other, integers and decimals equal to
the same floats, dates equal to timestamps at midnight, aware timestamps compared in UTC. A result may be a
pandas or Arrow table, an Ibis expression or a list of dicts; a nested result (a report, a dict) compares
value by value with `same_data`.

Rows are matched by sorting both results on the columns that identify a row, then on every other column
(floats rounded to 9 significant digits, so that ties break alike on both sides). Columns of numbers and of
timestamps are sorted and compared by numpy, columns of text by pandas, so that a result of millions of rows
compares in seconds; other columns (nested values, a column typed differently on the two sides) value by value.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

RTOL = 1e-9
ATOL = 1e-12  # two values this close to zero are equal whatever their ratio
EXAMPLES = 3  # differing rows shown for each column


def normal(value: Any) -> Any:
    """One value as every engine's answer should agree on it: nulls (None, NaN, NaT, NA) as None, numbers
    (ints, floats, decimals; booleans kept apart) as float, dates and times as naive UTC timestamps,
    sequences as tuples, dicts value by value."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | Decimal | np.integer | np.floating):
        number = float(value)
        return None if math.isnan(number) else number
    if isinstance(value, pd.Timestamp | dt.datetime | np.datetime64):
        stamp = pd.Timestamp(value)
        if stamp is pd.NaT:
            return None
        return stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo is not None else stamp
    if isinstance(value, dt.date):
        return pd.Timestamp(value)
    if isinstance(value, np.ndarray | list | tuple):
        return tuple(normal(v) for v in value)
    if isinstance(value, dict):
        return {k: normal(v) for k, v in value.items()}
    return value


def _same(a: Any, b: Any, rtol: float) -> bool:
    """Two normal values are the same (floats to `rtol`)."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=rtol, abs_tol=ATOL)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y, rtol) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k], rtol) for k in a)
    return bool(a == b)


def same_data(a: Any, b: Any, *, rtol: float = RTOL) -> bool:
    """Two nested results (JSON-like: dicts, lists, numbers, text) are the same, floats to `rtol`."""
    return _same(normal(a), normal(b), rtol)


def as_frame(found: Any) -> pd.DataFrame:
    """A result as a pandas frame with text column names: from Arrow, a list of dicts or an Ibis expression."""
    if isinstance(found, pa.Table):
        frame = found.to_pandas()
    elif isinstance(found, list):
        frame = pd.DataFrame(found)
    elif isinstance(found, pd.DataFrame):
        frame = found.copy(deep=False)
    else:
        frame = found.to_pandas()  # an Ibis table or expression
    frame.columns = [str(c) for c in frame.columns]
    return frame


def _column(series: pd.Series, plain: bool = False) -> tuple[str, np.ndarray]:
    """A column as ("float", float64 with NaN for null) when it holds numbers, ("time", int64 nanoseconds
    since the epoch in UTC, NaT the smallest) when it holds timestamps, ("text", strings and None) when it
    holds text; else, or when `plain`, ("object", normal values)."""
    kind = series.dtype.kind
    if plain:
        pass
    elif kind in "iuf" or isinstance(series.dtype, pd.core.arrays.integer.IntegerDtype | pd.Float64Dtype):
        return "float", series.astype("float64").to_numpy()
    elif kind == "M" or isinstance(series.dtype, pd.DatetimeTZDtype):
        stamps = series.dt.tz_convert("UTC").dt.tz_localize(None) if isinstance(series.dtype, pd.DatetimeTZDtype) \
            else series
        return "time", stamps.astype("datetime64[ns]").to_numpy().view("int64")
    if not plain and pd.api.types.infer_dtype(series, skipna=True) == "string":  # text, and nulls: no `normal`
        return "text", series.astype(object).where(series.notna(), None).to_numpy(dtype=object)
    values = np.empty(len(series), dtype=object)
    values[:] = [normal(v) for v in series.tolist()]
    return "object", values


def _order(value: Any) -> tuple[int, Any]:
    """A sort key for a normal value: nulls first, floats rounded to 9 significant digits."""
    if value is None:
        return (0, "")
    if isinstance(value, float):
        return (1, float(f"{value:.9g}"))
    if isinstance(value, pd.Timestamp):
        return (3, value.value)
    return (2, str(value))


def _sort_key(kind: str, values: np.ndarray) -> np.ndarray:
    """Sortable numbers standing for a column's values (floats rounded as in `_order`)."""
    if kind == "float":
        finite = np.isfinite(values) & (values != 0)
        magnitude = np.floor(np.log10(np.abs(np.where(finite, values, 1.0))))
        scale = 10.0 ** (8 - magnitude)
        return np.where(finite, np.round(values * scale) / scale, values)  # NaN sorts last, on both sides
    if kind == "time":
        return values
    if kind == "text":
        return pd.factorize(values, sort=True)[0]  # nulls -1: first
    keys = [_order(v) for v in values]
    rank = {key: number for number, key in enumerate(sorted(set(keys)))}
    return np.fromiter((rank[key] for key in keys), dtype=np.int64, count=len(keys))


def _differ(kind: str, x: np.ndarray, y: np.ndarray, rtol: float) -> np.ndarray:
    """Where two sorted columns of the same kind differ."""
    if kind == "float":
        with np.errstate(invalid="ignore"):
            close = np.abs(x - y) <= np.maximum(rtol * np.maximum(np.abs(x), np.abs(y)), ATOL)
        return ~((x == y) | close | (np.isnan(x) & np.isnan(y)))
    if kind in ("time", "text"):
        return np.asarray(x != y, dtype=bool)
    return np.fromiter((not _same(p, q, rtol) for p, q in zip(x, y, strict=True)), dtype=bool, count=len(x))


def _shown(kind: str, value: Any) -> Any:
    if kind == "float":
        return None if math.isnan(value) else float(value)
    if kind == "time":
        return None if value == np.iinfo(np.int64).min else pd.Timestamp(int(value))
    return value


def frame_differences(got: Any, expected: Any, *, sort_by: Sequence[str], rtol: float = RTOL) -> list[str]:
    """What differs between two results held as rows (nothing: the same), `sort_by` the columns that
    identify a row: one line for columns or a row count that differ, else one line for each column whose
    values differ, with how many rows and the first few."""
    a, b = as_frame(got), as_frame(expected)
    if sorted(a.columns) != sorted(b.columns):
        return [f"columns differ: {sorted(a.columns)} != {sorted(b.columns)}"]
    missing = [c for c in sort_by if c not in a.columns]
    if missing:
        return [f"sort_by names columns the results lack: {missing}"]
    if len(a) != len(b):
        return [f"{len(a)} rows != {len(b)} rows"]
    names = list(a.columns)
    columns_a: dict[str, tuple[str, np.ndarray]] = {}
    columns_b: dict[str, tuple[str, np.ndarray]] = {}
    for c in names:
        columns_a[c], columns_b[c] = _column(a[c]), _column(b[c])
        if columns_a[c][0] != columns_b[c][0]:  # e.g. numbers on one engine, all nulls (objects) on the other
            columns_a[c], columns_b[c] = _column(a[c], plain=True), _column(b[c], plain=True)
    order = [*sort_by, *[c for c in names if c not in sort_by]]

    def permutation(columns: dict[str, tuple[str, np.ndarray]]) -> np.ndarray:
        if not len(a):
            return np.arange(0)
        return np.lexsort([_sort_key(*columns[c]) for c in reversed(order)])  # the last key is the first

    rows_a, rows_b = permutation(columns_a), permutation(columns_b)
    differences = []
    for c in names:
        (kind, x), (_, y) = columns_a[c], columns_b[c]
        x, y = x[rows_a], y[rows_b]
        bad = np.flatnonzero(_differ(kind, x, y, rtol))
        if not len(bad):
            continue
        examples = []
        for row in bad[:EXAMPLES]:
            key = ", ".join(f"{k}={_shown(columns_a[k][0], columns_a[k][1][rows_a[row]])!r}" for k in sort_by)
            examples.append(f"row {row} ({key}): {_shown(kind, x[row])!r} != {_shown(kind, y[row])!r}")
        differences.append(f"column {c}: {len(bad)} of {len(a)} rows differ; " + "; ".join(examples))
    return differences
