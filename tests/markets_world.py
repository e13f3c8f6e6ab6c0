"""Small online-market worlds written straight into a warehouse, for the markets tests: listings built from
parts (vendor, platform, title, price, date), with whatever crypto tags, persons and arrests a test needs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from baliza.markets.listings import LISTING_COLUMNS
from baliza.warehouse.store import Warehouse, open_warehouse


def insert(warehouse: Warehouse, table: str, frame: pd.DataFrame) -> None:
    con = warehouse.duckdb
    con.register("_frame", frame)
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _frame")
    con.unregister("_frame")


def listing_rows(rows: list[dict]) -> pd.DataFrame:
    """Listings with every contract column (missing ones null) and ids LS-1, LS-2, ..."""
    frame = pd.DataFrame(rows)
    for column in LISTING_COLUMNS:
        if column not in frame:
            frame[column] = None
    frame["listing_id"] = frame["listing_id"].fillna(pd.Series([f"LS-{i + 1}" for i in range(len(frame))]))
    frame["platform_kind"] = frame["platform_kind"].fillna("darknet_market")
    frame["observed_at"] = pd.to_datetime(frame["observed_at"].fillna("2024-03-01"))
    frame["price"] = pd.to_numeric(frame["price"])
    return frame[list(LISTING_COLUMNS)]


def market_warehouse(path: Path, rows: list[dict], **tables: pd.DataFrame) -> Path:
    """A warehouse at `path` holding `rows` as online listings, plus `tables` (name -> frame)."""
    with open_warehouse(path) as warehouse:
        warehouse.ensure_schema()
        insert(warehouse, "agencies", pd.DataFrame({"agency_id": ["AG-1"], "name": ["Cyber unit"],
                                                    "country": ["PER"], "kind": ["police"]}))
        for name, frame in tables.items():
            insert(warehouse, name, frame)
        insert(warehouse, "online_listings", listing_rows(rows))
    return path
