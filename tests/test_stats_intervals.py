"""Intervals against statsmodels and published tables."""

from __future__ import annotations

import pytest
from statsmodels.stats.proportion import proportion_confint

from baliza.stats.intervals import poisson_interval, rate_interval, wilson_interval


@pytest.mark.parametrize(("x", "n"), [(0, 10), (3, 10), (10, 10), (57, 1000), (1, 2)])
def test_wilson_matches_statsmodels(x: int, n: int) -> None:
    low, high = wilson_interval(x, n)
    ref_low, ref_high = proportion_confint(x, n, alpha=0.05, method="wilson")
    assert low == pytest.approx(ref_low, abs=1e-12)
    assert high == pytest.approx(ref_high, abs=1e-12)


def test_wilson_of_nothing_is_none() -> None:
    assert wilson_interval(0, 0) is None


@pytest.mark.parametrize(
    ("count", "low", "high"),
    # Garwood (1936) exact 95% limits, as tabulated e.g. by Ulm (1990) and the NIST handbook
    [(0, 0.0, 3.689), (1, 0.0253, 5.572), (5, 1.6235, 11.6683), (10, 4.7954, 18.3904)],
)
def test_garwood_matches_the_published_table(count: int, low: float, high: float) -> None:
    got_low, got_high = poisson_interval(count)
    assert got_low == pytest.approx(low, abs=1e-3)
    assert got_high == pytest.approx(high, abs=1e-3)


def test_rate_interval_scales_by_exposure() -> None:
    low, high = rate_interval(10, 5.0)
    assert (low, high) == pytest.approx((4.7954 / 5, 18.3904 / 5), abs=1e-3)
    assert rate_interval(3, 0) is None
