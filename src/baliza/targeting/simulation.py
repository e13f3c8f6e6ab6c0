"""Traffickers who adapt, and a targeting unit with or without exploration, over the generated country's years.

The world is the demo country's (`baliza.demo`): its seaports weighted by traffic, the years 2021-2025, the
goods it exports, the shipping lines and the transit hubs of the cocaine trade. Every day `daily`
containers are declared for export and a unit can open `capacity` of them. A small share carry drugs,
sent by traffickers along one route (port, transit hub, declared goods); a few stray off it.

At each quarter's end the traffickers look at how many of their containers were caught; above
`shift_above` they move to a route they have not used. The unit retrains a gradient-boosted model every
month on what its own inspections found (it never learns about the containers it did not open) and fills
each day's capacity with the highest scores, keeping `explore` of it for a random draw among the rest.

Both policies meet the same traffic from the same seed; each world's traffickers react to that world's
unit. Precision is finds over inspections; the oracle is what a unit that knew the drugs would reach.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np

from baliza.demo.geography import ENTRY_POINTS
from baliza.demo.timeline import N_DAYS, PERIOD_START
from baliza.demo.traffic import CARRIERS, HS
from baliza.i18n import gettext as _
from baliza.targeting.queue import choose

HUBS = ("none", "PAN", "ECU", "COL", "MEX", "PAN|ESP")
HUB_WEIGHTS = (0.6, 0.12, 0.08, 0.08, 0.06, 0.06)
DESTINATIONS = ("ESP", "NLD", "BEL", "USA", "MEX", "DEU", "CHN", "ITA")
PARAMS = {"objective": "binary", "learning_rate": 0.1, "num_leaves": 15, "min_data_in_leaf": 3,
          "min_data_per_group": 3, "cat_smooth": 1.0, "num_threads": 1, "verbose": -1, "seed": 3,
          "deterministic": True, "force_col_wise": True}
TREES = 60
WARM_UP_DAYS = 90
MEMORY_DAYS = 180
"""The unit learns from the last six months of its inspections: old finds on a route abandoned long ago
would keep it looking there."""


@dataclass(frozen=True)
class SimulationSettings:
    seed: int = 0
    daily: int = 1000
    capacity: int = 30
    explore: float = 0.1
    drug_share: float = 0.01
    off_route: float = 0.2
    shift_above: float = 0.08
    days: int = N_DAYS

    def check(self) -> None:
        if not 0.0 < self.drug_share < 0.5 or self.capacity >= self.daily or self.days < 2 * WARM_UP_DAYS:
            raise ValueError(_("The simulation needs a drug share between 0 and one half, fewer inspections than "
                               "declarations a day, and at least %(days)s days.", days=2 * WARM_UP_DAYS))


def _seaports() -> tuple[list[str], np.ndarray]:
    ports = [e for e in ENTRY_POINTS if e.kind == "seaport"]
    weights = np.array([e.annual_traffic for e in ports], dtype=float)
    return [e.name for e in ports], weights / weights.sum()


class _Traffic:
    """The containers declared each day, the same for both worlds; the drugs go where each world's
    traffickers choose."""

    def __init__(self, settings: SimulationSettings) -> None:
        rng = np.random.default_rng(settings.seed)
        self.ports, port_weights = _seaports()
        self.goods = list(HS["out"])
        self.carriers = list(CARRIERS["sea_container"])
        n = settings.daily * settings.days
        self.day = np.repeat(np.arange(settings.days), settings.daily)
        self.columns = np.column_stack([
            rng.choice(len(self.ports), n, p=port_weights),
            rng.choice(len(HUBS), n, p=HUB_WEIGHTS),
            rng.integers(0, len(self.goods), n),
            rng.integers(0, len(self.carriers), n),
            rng.integers(0, len(DESTINATIONS), n),
        ]).astype(np.int32)
        self.drug_draw = rng.random(n)
        self.off_route_draw = rng.random(n)
        self.routes = [(p, h, g) for p in range(len(self.ports)) for h in range(1, len(HUBS))
                       for g in range(len(self.goods))]
        self.route_order = rng.permutation(len(self.routes))

    def route_name(self, route: int) -> str:
        port, hub, goods = self.routes[route]
        return f"{self.ports[port]} / {HUBS[hub]} / {HS['out'][self.goods[goods]]}"


def _world(traffic: _Traffic, settings: SimulationSettings, explore: float) -> dict[str, Any]:
    rng = np.random.default_rng(settings.seed + 1)
    features = traffic.columns.copy()
    drugs = traffic.drug_draw < settings.drug_share
    route_index = 0
    inspected = np.zeros(len(drugs), dtype=bool)
    booster = None
    quarters = []
    for start, end in _quarters(settings.days):
        port, hub, goods = traffic.routes[traffic.route_order[route_index % len(traffic.routes)]]
        rows = np.flatnonzero((traffic.day >= start) & (traffic.day < end))
        on_route = rows[drugs[rows] & (traffic.off_route_draw[rows] >= settings.off_route)]
        features[on_route, 0], features[on_route, 1], features[on_route, 2] = port, hub, goods
        found = opened = 0
        for month in range(start, end, 30):
            days = range(month, min(month + 30, end))
            if month >= WARM_UP_DAYS:
                window = (traffic.day < month) & (traffic.day >= month - MEMORY_DAYS)
                booster = _retrain(features, drugs, inspected, window)
            month_rows = np.arange(days[0] * settings.daily, (days[-1] + 1) * settings.daily)
            month_scores = None if booster is None else np.asarray(booster.predict(features[month_rows]))
            for i, day in enumerate(days):
                today = np.arange(day * settings.daily, (day + 1) * settings.daily)
                if month_scores is None:
                    picked = rng.choice(today, settings.capacity, replace=False)
                else:
                    scores = month_scores[i * settings.daily:(i + 1) * settings.daily]
                    chosen, _explored = choose(scores, settings.capacity, explore, "random",
                                               int(rng.integers(1 << 31)))
                    picked = today[chosen]
                inspected[picked] = True
                found += int(drugs[picked].sum())
                opened += len(picked)
        quarter_drugs = int(drugs[rows].sum())
        caught = found / quarter_drugs if quarter_drugs else 0.0
        per_day = drugs[rows].reshape(end - start, settings.daily).sum(axis=1)
        oracle = int(np.minimum(per_day, settings.capacity).sum())
        quarters.append({"precision": found / opened, "caught": caught, "oracle": oracle / opened,
                         "route": traffic.route_name(traffic.route_order[route_index % len(traffic.routes)])})
        if caught > settings.shift_above:
            route_index += 1
    return {"quarters": quarters, "precision": float(np.mean([q["precision"] for q in quarters]))}


def _quarters(days: int) -> list[tuple[int, int]]:
    """(first day, day after the last) of each calendar quarter in the period."""
    dates = PERIOD_START + np.arange(days)
    months = dates.astype("datetime64[M]").astype(int)
    quarter = months // 3
    edges = [0, *np.flatnonzero(np.diff(quarter)) + 1, days]
    return list(itertools.pairwise(edges))


def _quarter_label(first_day: int) -> str:
    month = (PERIOD_START + np.timedelta64(first_day, "D")).astype("datetime64[M]").astype(int)
    return f"{1970 + month // 12} Q{month % 12 // 3 + 1}"


def _retrain(features: np.ndarray, drugs: np.ndarray, inspected: np.ndarray, before: np.ndarray) -> lgb.Booster | None:
    known = inspected & before
    if drugs[known].sum() < 3:
        return None
    data = lgb.Dataset(features[known], drugs[known].astype(float), categorical_feature=[0, 1, 2, 3, 4],
                       free_raw_data=False)
    return lgb.train(PARAMS, data, TREES)


def simulate_years(settings: SimulationSettings) -> dict[str, Any]:
    """Quarter by quarter: precision without exploration and with `settings.explore`, the route the
    traffickers used in each world, and what an oracle would have reached."""
    settings.check()
    traffic = _Traffic(settings)
    exploit = _world(traffic, settings, 0.0)
    explore = _world(traffic, settings, settings.explore)
    quarters = []
    starts = [start for start, _end in _quarters(settings.days)]
    for first, a, b in zip(starts, exploit["quarters"], explore["quarters"], strict=True):
        quarters.append({"quarter": _quarter_label(first), "precision_exploit": a["precision"],
                         "precision_explore": b["precision"],
                         "caught_exploit": a["caught"], "caught_explore": b["caught"], "oracle": b["oracle"],
                         "trafficker_route": a["route"], "trafficker_route_explore": b["route"]})
    return {"settings": {"seed": settings.seed, "daily": settings.daily, "capacity": settings.capacity,
                         "explore": settings.explore, "drug_share": settings.drug_share, "days": settings.days},
            "precision_exploit": exploit["precision"], "precision_explore": explore["precision"],
            "route_shifts_exploit": len({q["trafficker_route"] for q in quarters}) - 1,
            "route_shifts_explore": len({q["trafficker_route_explore"] for q in quarters}) - 1,
            "quarters": quarters}
