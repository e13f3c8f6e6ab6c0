"""The small demo country on each engine holds the DuckDB warehouse's tables, row for row; and the parity
assertion tells a real difference from an engine's way of writing the same value."""

from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pandas as pd
import pytest

from baliza.contract import TABLES
from baliza.warehouse.protocol import Warehouse
from engines import EngineWarehouses, assert_same_frames

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning")


def test_each_engine_holds_every_contract_table_with_the_same_rows(
    warehouse_on: Warehouse, engine_warehouses: EngineWarehouses
) -> None:
    duckdb = engine_warehouses.duckdb
    assert isinstance(warehouse_on, Warehouse)
    expected = duckdb.row_counts()
    assert sum(expected.values()) > 10_000  # the demo country, not an empty warehouse
    counts = [warehouse_on.table(t.name).aggregate(n=lambda r: r.count()).mutate(name=ibis.literal(t.name))
              for t in TABLES]  # one query (Spark plans each query for a second or more)
    got = {r["name"]: int(r["n"]) for r in ibis.union(*counts).to_pyarrow().to_pylist()}
    assert got == expected


def test_each_engine_gives_the_same_seizures_and_loads(
    warehouse_on: Warehouse, engine_warehouses: EngineWarehouses
) -> None:
    duckdb = engine_warehouses.duckdb
    for name, key in (("seizures", ["seizure_id"]), ("loads", ["load_id"])):
        columns = [c for c in duckdb.table(name).columns if c != "_row_hash"]
        assert_same_frames(warehouse_on.table(name).select(columns).to_pyarrow(),
                           duckdb.table(name).select(columns).to_pyarrow(), sort_by=key)


def test_the_same_rows_in_another_order_and_spelling_are_the_same() -> None:
    a = pd.DataFrame({"id": ["x", "y", "z"], "n": [1, 2, None], "v": [0.1 + 0.2, np.nan, 3.0],
                      "day": [dt.date(2024, 1, 2), None, dt.date(2024, 3, 4)]})
    b = pd.DataFrame({"v": [3.0, 0.3, None], "n": [np.nan, 1.0, 2.0], "id": ["z", "x", "y"],
                      "day": [pd.Timestamp("2024-03-04"), pd.Timestamp("2024-01-02"), pd.NaT]})
    b = b.iloc[[1, 2, 0]]  # and rows in yet another order
    assert_same_frames(a, b, sort_by=["id"])


def test_text_with_nulls_and_times_in_another_zone_are_the_same_but_another_word_is_not() -> None:
    a = pd.DataFrame({"id": ["x", None, "z"],
                      "at": pd.to_datetime(["2024-01-01 12:00", None, "2024-01-02 00:00"], utc=True)})
    b = pd.DataFrame({"id": [None, "z", "x"],
                      "at": [pd.NaT, pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-01 12:00")]})
    assert_same_frames(a, b, sort_by=["id"])
    with pytest.raises(AssertionError, match="column id: 1 of 3 rows differ"):
        assert_same_frames(a, b.assign(id=[None, "z", "y"]), sort_by=["at"])
    with pytest.raises(AssertionError, match="column at"):
        assert_same_frames(a, b.assign(at=b["at"] + pd.Timedelta(seconds=1)), sort_by=["id"])


@pytest.mark.parametrize(("change", "message"), [
    ({"v": [0.30001, np.nan, 3.0]}, "column v"),
    ({"n": [1, 2, 0]}, "column n"),
    ({"id": ["x", "y", "w"]}, "column id"),
])
def test_a_different_value_is_named(change: dict[str, list[object]], message: str) -> None:
    a = pd.DataFrame({"id": ["x", "y", "z"], "n": [1, 2, None], "v": [0.3, np.nan, 3.0]})
    b = a.assign(**change)
    with pytest.raises(AssertionError, match=message):
        assert_same_frames(a, b, sort_by=["n"])


def test_a_missing_row_or_column_is_a_difference() -> None:
    a = pd.DataFrame({"id": ["x", "y"], "n": [1, 2]})
    with pytest.raises(AssertionError, match="rows"):
        assert_same_frames(a, a.iloc[:1], sort_by=["id"])
    with pytest.raises(AssertionError, match="columns differ"):
        assert_same_frames(a, a.drop(columns="n"), sort_by=["id"])
