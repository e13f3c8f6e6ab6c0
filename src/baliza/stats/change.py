"""Is this period different from the last? Exact tests, so that a change is called a change only when it is one.

A report that shows many of these tests corrects them together (`baliza.analyses.growth`: Benjamini-Hochberg
q-values over the report's family); `Change.is_change` alone is the uncorrected test.
"""

from __future__ import annotations

from dataclasses import dataclass

from scipy import stats


@dataclass(frozen=True)
class Change:
    """This period against the last: the difference (or ratio for counts) and the p-value of a two-sided test."""

    current: float | None
    previous: float | None
    p_value: float | None
    method: str

    def is_change(self, alpha: float = 0.05) -> bool:
        return self.p_value is not None and self.p_value < alpha

    def direction(self, alpha: float = 0.05) -> str:
        """'up', 'down' or 'no change' (no change also where the test cannot be run)."""
        if not self.is_change(alpha) or self.current is None or self.previous is None:
            return "no change"
        return "up" if self.current > self.previous else "down"


def proportion_change(x1: int, n1: int, x0: int, n0: int) -> Change:
    """Two proportions (current x1/n1, previous x0/n0) compared by Fisher's exact test."""
    current = x1 / n1 if n1 > 0 else None
    previous = x0 / n0 if n0 > 0 else None
    if n1 <= 0 or n0 <= 0:
        return Change(current, previous, None, "Fisher exact test")
    result = stats.fisher_exact([[x1, n1 - x1], [x0, n0 - x0]])
    return Change(current, previous, float(result.pvalue), "Fisher exact test")


def count_change(c1: int, c0: int, exposure1: float = 1.0, exposure0: float = 1.0) -> Change:
    """Two Poisson counts compared by the exact conditional (binomial) test, over equal or given exposures."""
    if exposure1 <= 0 or exposure0 <= 0:
        return Change(None, None, None, "exact conditional Poisson test")
    current, previous = c1 / exposure1, c0 / exposure0
    total = c1 + c0
    if total == 0:
        return Change(current, previous, 1.0, "exact conditional Poisson test")
    share = exposure1 / (exposure1 + exposure0)
    p_value = float(stats.binomtest(int(c1), int(total), share).pvalue)
    return Change(current, previous, p_value, "exact conditional Poisson test")


def format_p(value: float, symbol: str = "p") -> str:
    """A p- or q-value as a reader should see it: 'p < 0.001', never 'p=0.000'; three decimals below 0.1."""
    if value < 0.001:
        return f"{symbol} < 0.001"
    return f"{symbol} = {value:.3f}" if value < 0.1 else f"{symbol} = {value:.2f}"
