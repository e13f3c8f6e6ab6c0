"""Peer groups: units of the same kind whose entry points carry a similar volume of traffic."""

from __future__ import annotations

import re

import pandas as pd

from baliza.warehouse.protocol import Warehouse

BANDS = ("low", "medium", "high")
MIN_UNITS_FOR_BANDS = 6  # fewer units of a kind with known traffic: one band for all of them


def peer_groups(warehouse: Warehouse) -> pd.DataFrame:
    """One row per unit: unit_id, name, kind, programme, entry_point_id, annual_traffic, traffic_band, peer_group.

    The traffic band is the tertile of `annual_traffic` among units of the same kind (cut points computed per kind,
    since passengers and containers are not on one scale); 'unknown' where the traffic is not reported, 'all'
    where a kind has too few units with known traffic to be split.
    """
    units = warehouse.table("units").select("unit_id", "name", "kind", "programme", "entry_point_id")
    entry_points = warehouse.table("entry_points").select("entry_point_id", "annual_traffic")
    frame = units.left_join(entry_points, "entry_point_id").drop("entry_point_id_right").to_pandas()
    frame["traffic_band"] = "unknown"
    for _, rows in frame.groupby("kind"):
        known = rows[rows["annual_traffic"].notna()]
        if known.empty:
            continue
        if len(known) < MIN_UNITS_FOR_BANDS:
            frame.loc[known.index, "traffic_band"] = "all"
            continue
        ranks = known["annual_traffic"].rank(method="first")
        frame.loc[known.index, "traffic_band"] = pd.qcut(ranks, 3, labels=list(BANDS)).astype(str)
    frame["peer_group"] = frame["kind"] + "/" + frame["traffic_band"]
    order = sorted(range(len(frame)), key=lambda k: natural_key(str(frame["unit_id"].iloc[k])))
    return frame.iloc[order].reset_index(drop=True)


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that puts U2 before U10."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text) if part)
