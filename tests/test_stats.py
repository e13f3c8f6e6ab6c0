"""Shared statistics: Benjamini-Hochberg, the over-dispersed funnel, case-mix adjustment, Kaplan-Meier."""

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from baliza.stats.casemix import fit_case_mix, observed_expected
from baliza.stats.fdr import benjamini_hochberg
from baliza.stats.funnel import fit_funnel, funnel_limits
from baliza.stats.shrinkage import beta_binomial_upper_p, fit_beta_prior, posterior_mean
from baliza.stats.survival import kaplan_meier, median_survival


def test_benjamini_hochberg_matches_statsmodels() -> None:
    rng = np.random.default_rng(1)
    for size in (1, 5, 50, 400):
        p = np.concatenate([rng.uniform(size=size), rng.uniform(0, 0.01, size // 5)])
        expected = multipletests(p, method="fdr_bh")[1]
        np.testing.assert_allclose(benjamini_hochberg(p), expected, rtol=1e-12)


def test_benjamini_hochberg_keeps_untested_units_out() -> None:
    q = benjamini_hochberg([0.01, np.nan, 0.04])
    assert np.isnan(q[1])
    np.testing.assert_allclose(q[[0, 2]], multipletests([0.01, 0.04], method="fdr_bh")[1])


def test_funnel_random_effects_widen_limits_for_overdispersed_units() -> None:
    rng = np.random.default_rng(2)
    n = np.full(40, 400)
    true_rates = rng.normal(0.2, 0.05, 40).clip(0.01, 0.9)  # real differences between ordinary units
    observed = rng.binomial(n, true_rates)
    expected = n * 0.2
    fit = fit_funnel(observed, expected, n * 0.2 * 0.8)
    assert fit.tau2 > 0 and fit.phi > 2
    # with tau² the ordinary spread is mostly inside the 99.8 % limits; without it many would be outside
    raw_z = (observed - expected) / np.sqrt(n * 0.16)
    assert (np.abs(raw_z) > 3.09).sum() > (np.abs(fit.z) > 3.09).sum()
    low, high = funnel_limits(np.array([10.0, 1000.0]), 0.2, fit.tau2)
    assert high[0] > high[1] > 1 > low[1] > low[0]


def test_funnel_without_overdispersion_keeps_binomial_limits() -> None:
    rng = np.random.default_rng(3)
    n = np.full(50, 300)
    observed = rng.binomial(n, 0.1)
    fit = fit_funnel(observed, n * 0.1, n * 0.1 * 0.9)
    assert fit.tau2 < 0.01
    assert fit.p_upper.min() > 0.001


def test_case_mix_adjustment_removes_a_pure_case_mix_difference() -> None:
    # unit A gets only small cases (dismissed 40 %), unit B only large ones (10 %), C a mix: same treatment.
    rows = []
    for unit, small_share in (("A", 1.0), ("B", 0.0), ("C", 0.5)):
        for size, rate in (("small", 0.4), ("large", 0.1)):
            trials = int(1000 * (small_share if size == "small" else 1 - small_share))
            rows.append({"unit": unit, "size": size, "events": round(trials * rate), "trials": trials})
    cells = pd.DataFrame(rows)
    model = fit_case_mix(cells, ["size"])
    per_unit = observed_expected(cells, "unit", model).set_index("unit")
    ratio = per_unit["observed"] / per_unit["expected"]
    np.testing.assert_allclose(ratio.to_numpy(), 1.0, atol=1e-6)
    # the crude rates differ four-fold
    crude = per_unit["observed"] / per_unit["n"]
    assert crude["A"] / crude["B"] > 3.9


def test_beta_binomial_shrinks_small_units_more() -> None:
    events = np.array([2, 20, 10, 12, 9, 11])
    trials = np.array([3, 100, 100, 100, 100, 100])
    prior = fit_beta_prior(events, trials)
    post = posterior_mean(events, trials, prior)
    assert abs(post[0] - prior.mean) < abs(2 / 3 - prior.mean)
    assert beta_binomial_upper_p(np.array([2]), np.array([3]), prior)[0] > 0.01


def test_kaplan_meier_by_hand() -> None:
    # durations 5 (ended), 143 (ended), 337 (censored): S = 2/3, then 1/3; median 143
    times, survival = kaplan_meier(np.array([5, 143, 337]), np.array([True, True, False]))
    np.testing.assert_allclose(times, [5, 143])
    np.testing.assert_allclose(survival, [2 / 3, 1 / 3])
    assert median_survival(np.array([5, 143, 337]), np.array([True, True, False])) == 143
    assert median_survival(np.array([5, 300, 337]), np.array([True, False, False])) is None
