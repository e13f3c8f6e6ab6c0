"""Planted asset-recovery anomalies and substance surges, drawn from their own random streams.

Kept apart from the main draws so that planting changes nothing else in the country (the same seed gives the
same seizures, cases and verdicts with or without these plants):

- **released after conviction**: a frozen asset of a convicted case is released weeks after the verdict and
  never confiscated (with corruption planted only);
- **freeze lifted before the verdict**: a frozen asset of a case about to end in a conviction is released days
  before the verdict (with corruption planted only);
- **surges**: for a few months a substance is seized far more often than before (the traffickers' new
  product), written as a share of its group's seizures relabelled to it; both names are weighed in kilograms
  or litres, so quantities and units stay valid.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from baliza.demo.timeline import EXTRACT_AT

RELEASE_AFTER_CONVICTION_SHARE = 0.04
LIFTED_BEFORE_VERDICT_SHARE = 0.03
CONVICTED = ("convicted", "plea_convicted")


@dataclass(frozen=True)
class Surge:
    substance: str
    replaces: tuple[str, ...]  # seizures of these substances (same group, weighed alike) are relabelled
    start: str
    end: str  # exclusive
    share: float

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


SURGES = (
    Surge("cocaine base", ("cocaine hydrochloride", "coca paste"), "2024-06-01", "2024-10-01", 0.7),
    Surge("cannabis resin", ("cannabis herb",), "2023-02-01", "2023-06-01", 1.0),
)


def plant_surges(rng: np.random.Generator, seizures: dict[str, np.ndarray]) -> None:
    """Relabel seizures in each surge window (in place)."""
    name = seizures["substance"]
    seized = seizures["seized_at"].astype("datetime64[s]")
    for surge in SURGES:
        window = (seized >= np.datetime64(surge.start)) & (seized < np.datetime64(surge.end))
        chosen = window & np.isin(name, surge.replaces) & (rng.random(len(name)) < surge.share)
        name[chosen] = surge.substance


def plant_asset_anomalies(
    rng: np.random.Generator, assets: dict[str, np.ndarray], case_ids: np.ndarray, outcome: np.ndarray,
    decided_at: np.ndarray,
) -> tuple[list[str], list[str]]:
    """Release some frozen assets of convicted cases after (or just before) the verdict, in place.

    `case_ids`, `outcome`, `decided_at`: per case, its outcome and when it was decided. Returns the asset ids
    released after a conviction and those whose freeze was lifted just before the verdict."""
    n = len(assets["asset_id"])
    if n == 0:
        return [], []
    row = {c: i for i, c in enumerate(case_ids)}
    index = np.array([row.get(c, -1) for c in assets["case_id"]])
    known = index >= 0
    case_outcome = np.where(known, outcome[np.maximum(index, 0)], "")
    decided = np.where(known, decided_at[np.maximum(index, 0)], np.datetime64("NaT")).astype("datetime64[s]")
    frozen = assets["frozen_at"].astype("datetime64[s]")
    eligible = (known & np.isin(case_outcome, CONVICTED) & ~np.isnat(frozen) & ~np.isnat(decided)
                & (decided <= EXTRACT_AT - np.timedelta64(120, "D")) & (frozen < decided - np.timedelta64(30, "D")))
    draw = rng.random(n)
    after = eligible & (draw < RELEASE_AFTER_CONVICTION_SHARE)
    before = eligible & ~after & (draw < RELEASE_AFTER_CONVICTION_SHARE + LIFTED_BEFORE_VERDICT_SHARE)
    days = rng.uniform(10, 90, n).astype(int).astype("timedelta64[D]")
    days_before = rng.uniform(2, 25, n).astype(int).astype("timedelta64[D]")
    released = assets["released_at"].astype("datetime64[D]").copy()
    released[after] = (decided[after].astype("datetime64[D]") + days[after])
    released[before] = (decided[before].astype("datetime64[D]") - days_before[before])
    assets["released_at"] = released
    for column in ("confiscated_at", "recovered_at", "returned_at"):
        values = assets[column].astype("datetime64[D]").copy()
        values[after | before] = np.datetime64("NaT")
        assets[column] = values
    ids = np.asarray(assets["asset_id"], dtype=object)
    return [str(a) for a in ids[after]], [str(a) for a in ids[before]]
