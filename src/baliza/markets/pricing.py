"""Price per gram (or per dose) in USD, and whether it is plausible.

A listing's USD price (`currency.to_usd`) divided by its grams gives the price per gram; by its doses, the
price per dose. Scraped prices are often corrupt, so each is judged before it counts: outside its substance
group's range (`data/plausible_prices.yaml`), or more than `outlier_factor` times away from the median of
its group's in-range prices (where the group has enough of them), it is marked implausible, with the reason,
and left out of every median and comparison. The listing itself is kept and shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import yaml

from baliza.markets.lexicon import DATA

PRICE_STATUSES = ("plausible", "implausible", "no_price", "no_quantity", "unknown_currency")


@dataclass(frozen=True)
class PlausiblePrices:
    outlier_factor: float
    min_listings_for_median: int
    per_gram_usd: dict[str, tuple[float, float]]
    per_dose_usd: dict[str, tuple[float, float]]


@cache
def plausible_prices() -> PlausiblePrices:
    raw: dict[str, Any] = yaml.safe_load((DATA / "plausible_prices.yaml").read_text(encoding="utf-8"))
    return PlausiblePrices(float(raw["outlier_factor"]), int(raw["min_listings_for_median"]),
                           {k: (float(v[0]), float(v[1])) for k, v in raw["per_gram_usd"].items()},
                           {k: (float(v[0]), float(v[1])) for k, v in raw["per_dose_usd"].items()})


def _judge(value: np.ndarray, group: np.ndarray, ranges: dict[str, tuple[float, float]], factor: float,
           min_n: int) -> tuple[np.ndarray, np.ndarray]:
    """(plausible, reason) of each price against its group's range, then its group's median."""
    low = pd.Series(group).map({g: r[0] for g, r in ranges.items()}).to_numpy(dtype=float, na_value=np.nan)
    high = pd.Series(group).map({g: r[1] for g, r in ranges.items()}).to_numpy(dtype=float, na_value=np.nan)
    has = ~np.isnan(value)
    ranged = ~np.isnan(low)
    outside = has & ranged & ((value < low) | (value > high))
    reason = np.full(len(value), None, dtype=object)
    reason[outside & (value < low)] = "below the plausible range of its substance group"
    reason[outside & (value > high)] = "above the plausible range of its substance group"
    inside = has & ~outside
    frame = pd.DataFrame({"group": group, "log": np.log(np.where(inside & (value > 0), value, np.nan))})
    stats = frame.groupby("group", dropna=True)["log"].agg(["median", "count"])
    median = frame.group.map(stats["median"]).to_numpy(dtype=float, na_value=np.nan)
    count = frame.group.map(stats["count"]).to_numpy(dtype=float, na_value=0)
    far = inside & (count >= min_n) & (np.abs(frame.log.to_numpy() - median) > np.log(factor))
    reason[far] = f"more than {factor:g} times away from the median of its substance group"
    return has & ~outside & ~far, reason


def price_listings(price_usd: np.ndarray, grams: np.ndarray, doses: np.ndarray, group: np.ndarray,
                   has_price: np.ndarray) -> pd.DataFrame:
    """Per listing: price_per_gram_usd, price_per_dose_usd, price_status and price_note."""
    settings = plausible_prices()
    with np.errstate(divide="ignore", invalid="ignore"):
        per_gram = np.where(grams > 0, price_usd / grams, np.nan)
        per_dose = np.where(doses > 0, price_usd / doses, np.nan)
    gram_ok, gram_reason = _judge(per_gram, group, settings.per_gram_usd, settings.outlier_factor,
                                  settings.min_listings_for_median)
    dose_ok, dose_reason = _judge(per_dose, group, settings.per_dose_usd, settings.outlier_factor,
                                  settings.min_listings_for_median)
    measured = ~np.isnan(per_gram) | ~np.isnan(per_dose)
    plausible = gram_ok | dose_ok
    status = np.select(
        [~has_price, np.isnan(price_usd), ~measured, plausible],
        ["no_price", "unknown_currency", "no_quantity", "plausible"], "implausible").astype(object)
    note = np.full(len(status), None, dtype=object)
    wrong = status == "implausible"
    note[wrong] = np.where(pd.isna(gram_reason), dose_reason, gram_reason)[wrong]
    return pd.DataFrame({"price_per_gram_usd": per_gram, "price_per_dose_usd": per_dose, "price_status": status,
                         "price_note": note})
