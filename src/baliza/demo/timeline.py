"""The calendar of the synthetic country: the reporting period, seasons and trends, as NumPy datetimes.

Times are `datetime64[s]` in UTC; dates are `datetime64[D]`. The period is 2021-01-01 .. 2025-12-31 and the
extract is taken at its end: nothing happens after `PERIOD_END`, and cases still running then stay open.
"""

from __future__ import annotations

import numpy as np

PERIOD_START = np.datetime64("2021-01-01", "D")
PERIOD_END = np.datetime64("2025-12-31", "D")
EXTRACT_AT = np.datetime64("2025-12-31T23:59:59", "s")
N_DAYS = int((PERIOD_END - PERIOD_START).astype(int)) + 1
DAY = np.timedelta64(1, "D")
SECONDS_PER_DAY = 86_400


def day_weights(growth_per_year: float = 0.06, season_amplitude: float = 0.22, peak_month: int = 11) -> np.ndarray:
    """Relative weight of each day of the period: a yearly trend times a seasonal wave peaking in `peak_month`."""
    days = np.arange(N_DAYS)
    years = days / 365.25
    peak_day = (peak_month - 0.5) * 30.4
    doy = (days + (PERIOD_START - PERIOD_START.astype("datetime64[Y]")).astype(int)) % 365.25
    season = 1.0 + season_amplitude * np.cos(2 * np.pi * (doy - peak_day) / 365.25)
    weekday = np.where(((days + 4) % 7) >= 5, 0.75, 1.0)  # 2021-01-01 was a Friday; weekends are quieter
    weights = (1.0 + growth_per_year) ** years * season * weekday
    return weights / weights.sum()


def sample_times(rng: np.random.Generator, n: int, weights: np.ndarray, day_hours: bool = False) -> np.ndarray:
    """`n` moments of the period drawn with the given day weights; `day_hours` favours working hours."""
    days = rng.choice(N_DAYS, size=n, p=weights)
    working = np.clip(rng.normal(13.5, 3.2, n), 0, 23.99) * 3600
    seconds = working if day_hours else rng.uniform(0, SECONDS_PER_DAY, n)
    return PERIOD_START.astype("datetime64[s]") + (days * SECONDS_PER_DAY + seconds.astype(np.int64)).astype(
        "timedelta64[s]"
    )


def after(times: np.ndarray, days: np.ndarray) -> np.ndarray:
    """`times` plus a (fractional) number of days."""
    return times + np.round(np.asarray(days) * SECONDS_PER_DAY).astype(np.int64).astype("timedelta64[s]")


def within_extract(times: np.ndarray) -> np.ndarray:
    """Whether each moment happened by the extract (NaT counts as not happened)."""
    return ~np.isnat(times) & (times <= EXTRACT_AT)


def to_date(times: np.ndarray) -> np.ndarray:
    return times.astype("datetime64[D]")


def nat(n: int) -> np.ndarray:
    return np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")


def nat_dates(n: int) -> np.ndarray:
    return np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
