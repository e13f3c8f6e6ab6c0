"""The expected band behind each month of a substance's series: what the surge test compares the month with.

For every month with enough history (`surges._baseline`: the same calendar month and its neighbours in up to
three earlier years), the expected count and the central 95 % of a negative binomial with that mean and the
references' over-dispersion. A month above the band is unusual on its own; it is a surge only when it also
passes the Benjamini-Hochberg step across every series and month (`surges.find_surges`).
"""

from __future__ import annotations

import pandas as pd
from scipy import stats

from baliza.analyses.early_warning.series import Tables, monthly_counts
from baliza.analyses.early_warning.surges import _baseline

BAND = 0.95


def _quantile(share: float, mean: float, phi: float) -> float:
    if phi <= 1.0 + 1e-9:
        return float(stats.poisson.ppf(share, mean))
    size = mean / (phi - 1.0)
    return float(stats.nbinom.ppf(share, size, size / (size + mean)))


def expected_band(tables: Tables, substances: list[str] | None = None,
                  counts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per substance and month: seizures, and where history allows the expected count and its 95 % band.

    Columns: substance, month (YYYY-MM), seizures, expected, low, high (the last three null without history).
    `substances`: only these series (as written in `monthly_counts`, lower case); default every one.
    `counts`: `monthly_counts(tables)` when the caller already has it."""
    frame = monthly_counts(tables) if counts is None else counts
    columns = ["substance", "month", "seizures", "expected", "low", "high"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    if substances is not None:
        frame = frame[frame["substance"].isin(substances)]
    rows = []
    tail = (1.0 - BAND) / 2
    for substance, part in frame.groupby("substance", sort=True):
        counts = part["seizures"].to_numpy()
        for t, month in enumerate(part["month"]):
            base = _baseline(counts, t)
            expected = low = high = None
            if base is not None:
                mean, phi = base
                expected, low, high = round(mean, 2), _quantile(tail, mean, phi), _quantile(1 - tail, mean, phi)
            rows.append({"substance": substance, "month": str(month), "seizures": int(counts[t]),
                         "expected": expected, "low": low, "high": high})
    return pd.DataFrame(rows, columns=columns)
