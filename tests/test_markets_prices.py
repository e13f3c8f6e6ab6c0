"""Prices in USD on the listing's date, implausible prices marked and left out, drops found."""

from __future__ import annotations

import numpy as np
import pandas as pd

from baliza.markets.currency import to_usd
from baliza.markets.listings import price_frame
from baliza.markets.prices import price_drops, price_series
from markets_world import listing_rows


def test_a_crypto_price_is_converted_at_the_rate_of_its_date() -> None:
    usd, _rate = to_usd(pd.Series([0.01, 0.01, 100.0, 5.0]), pd.Series(["BTC", "btc", "S/", "ZZZ"]),
                       pd.Series(pd.to_datetime(["2022-11-01", "2024-11-01", "2023-06-01", "2023-06-01"])))
    assert usd[1] > 3 * usd[0]  # bitcoin rose between the two dates
    assert 20 < usd[2] < 35  # soles: the symbol is read
    assert np.isnan(usd[3])


def test_corrupt_prices_are_marked_and_never_move_the_median() -> None:
    rows = [{"title": f"Cocaína pura {g}g", "price": 60.0 * g, "currency": "USD", "vendor_handle": f"v{i % 7}",
             "platform": "Nexo Market"} for i, g in enumerate([1, 2, 3, 5, 10] * 6)]
    rows += [{"title": "Cocaína pura 5g", "price": 0.3, "currency": "USD", "vendor_handle": "lost_digits",
              "platform": "Nexo Market"},
             {"title": "Cocaína pura 1g", "price": 3_000_000.0, "currency": "USD", "vendor_handle": "satoshi",
              "platform": "Nexo Market"},
             {"title": "Cocaína pura 1g", "price": 60.0, "currency": "DOGE", "vendor_handle": "odd",
              "platform": "Nexo Market"}]
    priced = price_frame(listing_rows(rows))
    status = dict(zip(priced.vendor_handle, priced.price_status, strict=False))
    assert status["lost_digits"] == "implausible" and status["satoshi"] == "implausible"
    assert status["odd"] == "unknown_currency"
    assert priced.loc[priced.vendor_handle == "satoshi", "price_note"].iloc[0]
    series = price_series(priced, "Peru")
    assert [round(s["median_usd"]) for s in series] == [60] and series[0]["listings"] == 30


def _quarters(prices: dict[str, float], n: int = 30) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    rows = []
    for start, level in prices.items():
        days = pd.date_range(start, periods=n, freq="2D")
        for day, factor in zip(days, rng.lognormal(0, 0.15, n), strict=True):
            rows.append({"title": "Perico 5g", "price": 5 * level * factor, "currency": "USD", "observed_at": day,
                         "vendor_handle": "v", "platform": "Telegram"})
    return price_frame(listing_rows(rows))


def test_a_sharp_drop_is_found_and_a_steady_price_is_not() -> None:
    steady = _quarters({"2023-01-01": 60, "2023-04-01": 62, "2023-07-01": 59, "2023-10-01": 61})
    assert price_drops(steady) == []
    surge = _quarters({"2023-01-01": 60, "2023-04-01": 62, "2023-07-01": 59, "2023-10-01": 30})
    drops = price_drops(surge)
    assert [(d.substance_group, d.period) for d in drops] == [("cocaine_type", "2023Q4")]
    assert drops[0].ratio < 0.6 and drops[0].q_value < 0.05
