"""Intervals against published tables: Newcombe (1998) for Wilson, Garwood (1936) for Poisson counts."""

from __future__ import annotations

import pytest

from baliza.stats.intervals import poisson_interval, rate_interval, wilson_interval


@pytest.mark.parametrize(
    ("x", "n", "low", "high"),
    # Newcombe RG (1998), Two-sided confidence intervals for the single proportion, Stat Med 17:857, Table II,
    # method 3 (Wilson score, no continuity correction)
    [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)],
)
def test_wilson_matches_newcombe_1998(x: int, n: int, low: float, high: float) -> None:
    got_low, got_high = wilson_interval(x, n)
    assert got_low == pytest.approx(low, abs=1e-4)
    assert got_high == pytest.approx(high, abs=1e-4)


def test_wilson_of_nothing_is_none() -> None:
    assert wilson_interval(0, 0) is None


def test_wilson_at_another_confidence_is_wider() -> None:
    assert wilson_interval(15, 148, 0.99)[1] > 0.1605 > wilson_interval(15, 148, 0.90)[1]


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
