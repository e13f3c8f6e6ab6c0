"""Change and trend tests: they call a change a change only when it is one."""

from __future__ import annotations

import pytest
from scipy import stats

from baliza.stats.change import count_change, proportion_change
from baliza.stats.trend import count_trend, proportion_trend


def test_proportion_change_is_fisher_exact() -> None:
    change = proportion_change(30, 100, 10, 100)
    assert change.p_value == pytest.approx(stats.fisher_exact([[30, 70], [10, 90]]).pvalue)
    assert change.direction() == "up"
    assert proportion_change(5, 20, 4, 20).direction() == "no change"


def test_proportion_change_without_a_previous_period_is_not_tested() -> None:
    assert proportion_change(3, 10, 0, 0).p_value is None


def test_count_change_is_the_exact_conditional_test() -> None:
    change = count_change(40, 20)
    assert change.p_value == pytest.approx(stats.binomtest(40, 60, 0.5).pvalue)
    assert change.direction() == "up"
    assert count_change(12, 10).direction() == "no change"
    assert count_change(0, 0).p_value == 1.0


def test_proportion_trend_finds_a_steady_rise_and_not_noise() -> None:
    rising = proportion_trend([10, 20, 30, 40, 50], [100] * 5)
    assert rising.direction() == "rising" and rising.slope > 0
    flat = proportion_trend([20, 21, 19, 20, 20], [100] * 5)
    assert flat.direction() == "no trend"
    assert proportion_trend([1, 2], [10, 10]).p_value is None  # too few periods


def test_count_trend_with_exposure() -> None:
    falling = count_trend([80, 60, 40, 25, 10])
    assert falling.direction() == "falling"
    # counts rising only because exposure doubled each period: no trend in the rate
    assert count_trend([10, 20, 40, 80], [1, 2, 4, 8]).direction() == "no trend"
