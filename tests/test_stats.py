"""Shared statistics against published worked examples and simulations with known truth.

Benjamini-Hochberg on the fifteen p-values of Benjamini & Hochberg (1995), DerSimonian-Laird on the BCG
vaccine trials (Colditz et al. 1994, as analysed in metafor's documentation), the funnel's leave-one-out
tau² on simulated countries where it is known which unit leaks, case-mix adjustment on a hand-built case.
"""

import numpy as np
import pandas as pd
import pytest

from baliza.analyses.integrity import benjamini_hochberg
from baliza.stats.casemix import fit_case_mix, observed_expected
from baliza.stats.funnel import dersimonian_laird, fit_funnel, funnel_limits

# Benjamini & Hochberg (1995), section 4: 15 p-values from a study of myocardial infarction treatments.
BH_1995 = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262, 0.5719,
           0.6528, 0.7590, 1.000]

# BCG vaccine trials (Colditz et al. 1994): vaccinated TB+, TB-, control TB+, TB-.
BCG = np.array([[4, 119, 11, 128], [6, 300, 29, 274], [3, 228, 11, 209], [62, 13536, 248, 12619],
                [33, 5036, 47, 5761], [180, 1361, 372, 1079], [8, 2537, 10, 619], [505, 87886, 499, 87892],
                [29, 7470, 45, 7232], [17, 1699, 65, 1600], [186, 50448, 141, 27197], [5, 2493, 3, 2338],
                [27, 16886, 29, 17825]], float)


def test_benjamini_hochberg_rejects_the_four_hypotheses_of_the_1995_paper() -> None:
    q = benjamini_hochberg(BH_1995)
    # the paper: BH at 0.05 rejects the four smallest (Bonferroni only the three below 0.0033)
    assert list(q <= 0.05) == [True] * 4 + [False] * 11
    # by hand: q_(4) = 0.0095 * 15 / 4; q_(5) = min over j >= 5 of p_(j) 15 / j = 0.0201 * 15 / 5
    assert q[3] == pytest.approx(0.035625) and q[4] == pytest.approx(0.0603)
    assert q[5] == q[6] == pytest.approx(0.0298 * 15 / 7)  # step-up: 0.0278 * 15/6 is above 0.0298 * 15/7


def test_dersimonian_laird_on_the_bcg_trials() -> None:
    tp, tn, cp, cn = BCG.T
    log_rr = np.log((tp / (tp + tn)) / (cp / (cp + cn)))
    variance = 1 / tp - 1 / (tp + tn) + 1 / cp - 1 / (cp + cn)
    assert dersimonian_laird(log_rr, variance) == pytest.approx(0.3088, abs=1e-4)  # metafor: tau^2 = 0.3088


def test_dersimonian_laird_is_zero_without_heterogeneity() -> None:
    # three identical estimates: Q = 0 < k - 1, so tau² is truncated at zero (not negative)
    assert dersimonian_laird(np.array([0.2, 0.2, 0.2]), np.array([0.01, 0.02, 0.03])) == 0.0


def _country(rng: np.random.Generator, rates: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, ...]:
    events = rng.binomial(n, rates)
    pooled = events.sum() / n.sum()
    return events, n * pooled, n * pooled * (1 - pooled), n


def test_a_leak_among_five_units_cannot_hide_itself() -> None:
    """Five units, four leaving 6-12 % of seizures unconverted and one 46 %: the leak stands out in nearly
    every simulated country, because each unit is judged against the spread of the others."""
    rng = np.random.default_rng(7)
    found = 0
    for _ in range(200):
        rates = np.append(rng.uniform(0.06, 0.12, 4), 0.46)
        fit = fit_funnel(*_country(rng, rates, rng.integers(40, 160, 5)))
        found += fit.p_upper[4] < 0.01
    assert found >= 190


def test_ordinary_small_countries_give_few_small_p_values() -> None:
    """No leak, units 6-12 % unconverted: a unit's one-sided p below 0.01 should be rare."""
    rng = np.random.default_rng(8)
    small = 0
    for _ in range(200):
        fit = fit_funnel(*_country(rng, rng.uniform(0.06, 0.12, 5), rng.integers(40, 160, 5)))
        small += int((fit.p_upper < 0.01).sum())
    assert small <= 0.02 * 1000


def test_a_leak_among_many_units_is_found_with_one_estimate_for_all() -> None:
    rng = np.random.default_rng(9)
    rates = np.append(rng.uniform(0.06, 0.12, 199), 0.30)
    fit = fit_funnel(*_country(rng, rates, rng.integers(40, 160, 200)))
    assert "over all 200 units" in fit.method and len(set(fit.tau2)) == 1
    assert fit.p_upper[199] < 1e-4
    assert fit.p_upper.argmin() == 199


def test_few_units_are_judged_without_themselves() -> None:
    fit = fit_funnel(np.array([5, 6, 7, 40]), np.full(4, 14.5), np.full(4, 12.0), np.full(4, 100))
    assert "over the other 3 units" in fit.method
    assert fit.tau2[3] < fit.tau2[0]  # the outlier's yardstick is the three ordinary units' spread


def test_funnel_random_effects_widen_limits_for_overdispersed_units() -> None:
    rng = np.random.default_rng(2)
    n = np.full(40, 400)
    true_rates = rng.normal(0.2, 0.05, 40).clip(0.01, 0.9)  # real differences between ordinary units
    observed = rng.binomial(n, true_rates)
    expected = n * 0.2
    fit = fit_funnel(observed, expected, n * 0.2 * 0.8)
    # the true between-unit variance of O/E; winsorising the peers' z at the 10th-90th percentile (so that
    # outliers cannot set tau²) costs about half of it with normal differences, never more than that here
    true_tau2 = float(np.var(true_rates / 0.2))
    assert 0.4 * true_tau2 < fit.typical_tau2 < 1.2 * true_tau2
    raw_z = (observed - expected) / np.sqrt(n * 0.16)
    assert (np.abs(raw_z) > 3.09).sum() > (np.abs(fit.z) > 3.09).sum()
    low, high = funnel_limits(np.array([10.0, 1000.0]), 0.2, fit.typical_tau2)
    assert high[0] > high[1] > 1 > low[1] > low[0]


def test_funnel_without_overdispersion_keeps_binomial_limits() -> None:
    rng = np.random.default_rng(3)
    n = np.full(50, 300)
    observed = rng.binomial(n, 0.1)
    fit = fit_funnel(observed, n * 0.1, n * 0.1 * 0.9)
    assert fit.typical_tau2 < 0.01
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


def test_case_mix_probabilities_do_not_overflow_for_separated_cells() -> None:
    # one cell never has the event, another always: logits of +-30 and beyond must give 0 and 1, not nan
    cells = pd.DataFrame({"unit": ["A", "B", "C"], "size": ["x", "y", "z"], "events": [0, 500, 250],
                          "trials": [500, 500, 500]})
    model = fit_case_mix(cells, ["size"])
    assert np.isfinite(model.fitted).all()
    assert model.fitted.iloc[0] < 0.01 and model.fitted.iloc[1] > 0.99
