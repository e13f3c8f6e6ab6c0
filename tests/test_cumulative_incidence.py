"""Aalen-Johansen cumulative incidence (`stats.survival.cumulative_incidence`): a competing end is not a
censoring. Checked against Kaplan-Meier where there is no competing end, against the closed form of two
exponential risks, and for the coverage of its 95 % interval."""

from __future__ import annotations

import numpy as np
import pytest

from baliza.stats.survival import cumulative_incidence, kaplan_meier


def _two_risks(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Event at rate 0.10 a day, a competing end at 0.05, censoring at 1/30; times in whole days."""
    event, other, censor = rng.exponential(10, n), rng.exponential(20, n), rng.exponential(30, n)
    first = np.minimum.reduce([event, other, censor])
    causes = np.where(first == event, 1, np.where(first == other, 2, 0))
    return np.ceil(first), causes


def _incidence_at(fit, day: float) -> tuple[float, float, float]:
    k = int(np.searchsorted(fit.times, day, side="right")) - 1
    return 1 - fit.surviving[k], 1 - fit.high[k], 1 - fit.low[k]


TRUE_AT_10 = 0.10 / 0.15 * (1 - np.exp(-0.15 * 10))  # F(t) = l1 / (l1 + l2) (1 - exp(-(l1 + l2) t))


def test_without_a_competing_end_it_is_kaplan_meier() -> None:
    rng = np.random.default_rng(3)
    days, ended = rng.integers(1, 60, 300).astype(float), rng.random(300) < 0.6
    km, aj = kaplan_meier(days, ended), cumulative_incidence(days, ended.astype(int))
    assert aj.times == km.times and aj.at_risk == km.at_risk
    assert aj.surviving == pytest.approx(km.surviving)
    assert (aj.events, aj.censored, aj.competing) == (km.events, km.censored, 0)


def test_it_finds_the_share_that_has_the_event_where_kaplan_meier_overstates_it() -> None:
    days, causes = _two_risks(np.random.default_rng(4), 100_000)
    incidence, low, high = _incidence_at(cumulative_incidence(days, causes), 10)
    assert incidence == pytest.approx(TRUE_AT_10, abs=0.006) and low < TRUE_AT_10 < high
    censoring_the_others = 1 - kaplan_meier(days, causes == 1).surviving[9]
    assert censoring_the_others > TRUE_AT_10 + 0.05  # 1 - exp(-1) = 0.63 against 0.52
    # the curve levels off at the share that ever has the event (2/3), not at 1
    assert 1 - cumulative_incidence(days, causes).surviving[-1] == pytest.approx(2 / 3, abs=0.01)


def test_its_interval_covers_the_truth_about_95_times_in_100() -> None:
    rng = np.random.default_rng(5)
    covered = sum(low <= TRUE_AT_10 <= high
                  for _incidence, low, high in (_incidence_at(cumulative_incidence(*_two_risks(rng, 150)), 10)
                                                for _ in range(400)))
    assert 0.92 <= covered / 400 <= 0.985


def test_empty_and_censored_only_inputs() -> None:
    assert cumulative_incidence(np.array([]), np.array([])).times == ()
    only = cumulative_incidence(np.array([5.0, 7.0]), np.array([0, 2]))
    assert only.times == () and (only.censored, only.competing, only.events) == (1, 1, 0)
