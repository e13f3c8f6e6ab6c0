"""Prices in USD on the listing's date.

Rates come from `data/exchange_rates.csv` (currency, period, usd_per_unit): annual averages for national
currencies and quarterly means for crypto assets, entered by hand from the public reference series (central
banks' and the IMF's annual average exchange rates; daily closing prices of the crypto assets averaged by
quarter), rounded: good to a few per cent, enough for prices per gram compared across years, not for
accounting. An agency replaces it with its own feed in the same format through `$BALIZA_EXCHANGE_RATES`.
A listing takes the latest rate of its currency published at or before its date (or the earliest after it,
for dates before the table starts); a currency the table does not know gives no USD price.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from baliza.markets.lexicon import DATA

RATES_FILE = DATA / "exchange_rates.csv"
ALIASES = {"S/": "PEN", "S/.": "PEN", "SOLES": "PEN", "$": "USD", "US$": "USD", "R$": "BRL", "€": "EUR",
           "£": "GBP", "XBT": "BTC", "BITCOIN": "BTC", "MONERO": "XMR", "TETHER": "USDT"}


def _period_start(period: str) -> pd.Timestamp:
    year, _, quarter = period.partition("-Q")
    return pd.Timestamp(int(year), 3 * (int(quarter) - 1) + 1 if quarter else 1, 1)


@cache
def exchange_rates(path: Path | None = None) -> pd.DataFrame:
    """The rate table: currency, starts (the period's first day), usd_per_unit, period."""
    source = path or Path(os.environ.get("BALIZA_EXCHANGE_RATES") or RATES_FILE)
    frame = pd.read_csv(source, dtype={"currency": str, "period": str, "usd_per_unit": float})
    missing = {"currency", "period", "usd_per_unit"} - set(frame.columns)
    if missing:
        raise ValueError(f"exchange rates {source}: missing columns {sorted(missing)}")
    frame["currency"] = frame.currency.str.upper().str.strip()
    frame["starts"] = [_period_start(p) for p in frame.period]
    return frame.sort_values("starts").reset_index(drop=True)


def normalise_currency(codes: pd.Series) -> pd.Series:
    """ISO 4217 codes and crypto tickers, upper case, with the common symbols ("S/", "R$", "€") read."""
    upper = codes.astype("string").str.strip().str.upper()
    return upper.replace(ALIASES)


def to_usd(amounts: pd.Series, currencies: pd.Series, dates: pd.Series,
           rates: pd.DataFrame | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(USD amount, rate used) per row; NaN where the amount, currency or rate is missing."""
    table = exchange_rates() if rates is None else rates
    frame = pd.DataFrame({"row": np.arange(len(amounts)), "currency": normalise_currency(currencies).to_numpy(),
                          "date": pd.to_datetime(dates, utc=True).dt.tz_localize(None).astype("datetime64[ns]")
                          .to_numpy(), "amount": pd.to_numeric(amounts, errors="coerce").to_numpy()})
    frame["date"] = frame["date"].fillna(pd.Timestamp("1970-01-01"))
    known = frame[frame.currency.isin(set(table.currency))].sort_values("date")
    known = known.astype({"currency": object})  # both sides of the join: plain Python strings, even when empty
    right = table[["currency", "starts", "usd_per_unit"]].astype({"starts": "datetime64[ns]", "currency": object})
    back = pd.merge_asof(known, right, left_on="date", right_on="starts", by="currency", direction="backward")
    ahead = pd.merge_asof(known, right, left_on="date", right_on="starts", by="currency", direction="forward")
    rate = np.full(len(frame), np.nan)
    rate[back.row.to_numpy()] = back.usd_per_unit.fillna(ahead.usd_per_unit).to_numpy()
    return frame.amount.to_numpy(dtype=float) * rate, rate
