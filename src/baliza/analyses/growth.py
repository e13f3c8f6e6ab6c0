"""The comparison-based growth report's figures: each unit's indicators this period against the last, against
peers, and over a run of periods, with intervals and tests so that a change is called a change only when it is one.

Two rules keep the changes honest:

- **Like with like.** An indicator whose outcome takes time (a case, a verdict) is compared on its latest two
  periods whose seizures have had the indicator's horizon to get there (`ksi.horizons`), not on this year's
  seizures that are still waiting for their verdict.
- **Multiplicity.** Every test the report shows (each unit's change against the last period and trend over
  the window, every indicator) is one family: Benjamini-Hochberg q-values over all of them, and a change is
  called one only when its q is below `FDR_LEVEL`. A p of 0.04 among 150 tests is not a finding.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import pandas as pd
from statsmodels.stats.multitest import multipletests

from baliza.analyses.benchmarks import peer_groups, peer_percentiles, unit_efficiency
from baliza.analyses.ksi import Horizon, IndicatorSpec, Kind, Ripeness, compute_indicators, horizons, load_catalogue
from baliza.analyses.model import Indicator
from baliza.analyses.periods import Granularity, period_bounds, periods_between
from baliza.stats.change import Change, count_change, proportion_change
from baliza.stats.intervals import poisson_interval, wilson_interval
from baliza.stats.trend import Trend, count_trend, proportion_trend
from baliza.warehouse.protocol import Warehouse

FDR_LEVEL = 0.05  # the false discovery rate held across all tests of one report
FAMILY = "changes and trends of every unit and indicator in this report"


@dataclass(frozen=True)
class GrowthLine:
    """One indicator of one unit: this period, the last, the interval, the change, the trend and the peer rank.

    `period` and `previous_period` are the two periods compared: the report's last two, or for an indicator
    with a horizon its last two whose seizures had time to reach the outcome. `change_q` and `trend_q` are the
    Benjamini-Hochberg q-values of the two tests within the report's family (None where not tested).
    """

    spec: IndicatorSpec
    current: Indicator | None
    previous: Indicator | None
    interval: tuple[float, float] | None
    change: Change
    trend: Trend | None
    peer: Indicator | None
    history: tuple[Indicator | None, ...]  # one per period of the report's window, None where nothing happened
    period: str | None = None
    previous_period: str | None = None
    horizon: Horizon | None = None
    change_q: float | None = None
    trend_q: float | None = None

    def change_direction(self, level: float = FDR_LEVEL) -> str:
        """'up', 'down' or 'no change' at a false discovery rate of `level` (no change where untested)."""
        return _direction(self.change.current, self.change.previous, self.change_q, level, ("up", "down", "no change"))

    def trend_direction(self, level: float = FDR_LEVEL) -> str:
        """'rising', 'falling' or 'no trend' at a false discovery rate of `level`."""
        slope = self.trend.slope if self.trend else None
        return _direction(slope, 0.0 if slope is not None else None, self.trend_q, level,
                          ("rising", "falling", "no trend"))

    @property
    def enough_data(self) -> bool:
        if self.current is None or self.current.denominator is None:
            return False
        if self.spec.kind is Kind.RATIO:  # a ratio of rates: its denominator is a rate, not a sample size
            return self.current.value is not None
        return self.current.denominator >= self.spec.minimum_sample

    @property
    def intervals(self) -> tuple[tuple[float, float] | None, ...]:
        """The 95% interval of each period of `history` (None where there is no figure or no interval)."""
        return tuple(_interval(self.spec, figure) for figure in self.history)


@dataclass(frozen=True)
class UnitGrowth:
    unit_id: str
    name: str
    kind: str
    programme: str
    peer_group: str
    lines: tuple[GrowthLine, ...]
    efficiency: dict[str, float] = field(default_factory=dict)  # dea_ccr, dea_bcc

    def line(self, name: str) -> GrowthLine | None:
        return next((line for line in self.lines if line.spec.name == name), None)


@dataclass(frozen=True)
class TestFamily:
    """The tests one report shows, corrected together: how many of each, and the FDR level held across them."""

    changes: int
    trends: int
    level: float = FDR_LEVEL
    name: str = FAMILY
    method: str = "Benjamini-Hochberg, statsmodels multipletests fdr_bh"

    @property
    def size(self) -> int:
        return self.changes + self.trends


@dataclass(frozen=True)
class Movement:
    """A change or trend that stands after the correction: who, what, which way, and how sure."""

    unit: UnitGrowth
    line: GrowthLine
    test: str  # "change" or "trend"
    direction: str  # up/down or rising/falling
    p_value: float
    q_value: float


@dataclass(frozen=True)
class GrowthReport:
    granularity: Granularity
    period: str
    previous_period: str | None
    periods: tuple[str, ...]  # the window, oldest first, ending with `period`
    units: tuple[UnitGrowth, ...]
    family: TestFamily = TestFamily(0, 0)
    horizons: tuple[Horizon, ...] = ()  # the censoring rule of each indicator that has one

    def movements(self) -> list[Movement]:
        """Every change and trend significant at the family's FDR level, most certain first."""
        found: list[Movement] = []
        for unit in self.units:
            for line in unit.lines:
                if line.change_direction(self.family.level) != "no change":
                    assert line.change.p_value is not None and line.change_q is not None
                    found.append(Movement(unit, line, "change", line.change_direction(self.family.level),
                                          line.change.p_value, line.change_q))
                if line.trend_direction(self.family.level) != "no trend":
                    assert line.trend is not None and line.trend.p_value is not None and line.trend_q is not None
                    found.append(Movement(unit, line, "trend", line.trend_direction(self.family.level),
                                          line.trend.p_value, line.trend_q))
        return sorted(found, key=lambda m: (m.q_value, m.p_value, m.unit.unit_id, m.line.spec.name, m.test))

    def uncorrected(self, alpha: float = 0.05) -> int:
        """How many tests would have been called significant at p < `alpha` without the correction."""
        return sum(
            1
            for unit in self.units
            for line in unit.lines
            for p in (line.change.p_value, line.trend.p_value if line.trend else None)
            if p is not None and p < alpha
        )


def granularity_of(label: str) -> Granularity:
    if "-Q" in label:
        return Granularity.QUARTER
    return Granularity.MONTH if "-" in label else Granularity.YEAR


def growth_report(
    warehouse: Warehouse,
    *,
    unit_id: str | None = None,
    first: str | None = None,
    last: str | None = None,
    granularity: Granularity | None = None,
) -> GrowthReport:
    """Figures for the growth report of every unit (or one) up to period `last` (default: the latest with data)."""
    named = last or first
    chosen = granularity_of(named) if named else (granularity or Granularity.YEAR)
    indicators = compute_indicators(warehouse, chosen)
    # the window follows inspections (a seizure's date can fall just past the last inspection); seizures otherwise
    seen = sorted({i.period for i in indicators if i.indicator == "hit_rate"}) or sorted(
        {i.period for i in indicators if i.indicator == "seizures"}
    )
    if not seen:
        return GrowthReport(chosen, last or "", None, (), ())
    last = last or seen[-1]
    first = first or seen[0]
    window = tuple(periods_between(period_bounds(first)[0], period_bounds(last)[0], chosen))
    previous = window[-2] if len(window) > 1 else None
    groups = peer_groups(warehouse)
    rules = horizons(warehouse)

    @cache
    def percentiles(name: str, period: str) -> dict[str, Indicator]:
        return {i.subject_id: i for i in peer_percentiles(indicators, groups, name, period)}

    efficiency: dict[str, dict[str, float]] = {}
    for i in unit_efficiency(warehouse, last, chosen):
        efficiency.setdefault(i.subject_id, {})[i.indicator] = float(i.value or 0.0)
    by_key = {(i.subject_id, i.indicator, i.period): i for i in indicators}
    active = {i.subject_id for i in indicators if i.period in window and i.indicator in ("hit_rate", "seizures")}
    units: list[UnitGrowth] = []
    for row in groups.itertuples(index=False):
        unit = str(row.unit_id)
        if unit not in active or (unit_id is not None and unit != unit_id):
            continue
        lines = tuple(
            _line(spec, window, [by_key.get((unit, spec.name, p)) for p in window], rules.get(spec.name),
                  _peer_of(percentiles, unit))
            for spec in load_catalogue()
        )
        units.append(
            UnitGrowth(unit, str(row.name), str(row.kind), _text(row.programme), str(row.peer_group), lines,
                       efficiency.get(unit, {}))
        )
    corrected, family = correct_for_multiplicity(units)
    return GrowthReport(chosen, last, previous, window, tuple(corrected), family, tuple(rules.values()))


def compared_periods(window: tuple[str, ...], horizon: Horizon | None) -> tuple[str | None, str | None]:
    """The two periods a line compares: the window's last two, or its last two with seizures old enough."""
    usable = [p for p in window if horizon is None or horizon.ripeness(p) is not Ripeness.TOO_RECENT]
    return (usable[-1] if usable else None), (usable[-2] if len(usable) > 1 else None)


def _peer_of(percentiles: Callable[[str, str], dict[str, Indicator]], unit: str
             ) -> Callable[[str, str], Indicator | None]:
    """The unit's percentile among its peers, by indicator and period."""
    return lambda name, period: percentiles(name, period).get(unit)


def _line(
    spec: IndicatorSpec,
    window: tuple[str, ...],
    history: list[Indicator | None],
    horizon: Horizon | None,
    peer_of: Callable[[str, str], Indicator | None],
) -> GrowthLine:
    period, previous_period = compared_periods(window, horizon)
    figures = dict(zip(window, history, strict=True))
    current = figures.get(period) if period else None
    previous = figures.get(previous_period) if previous_period else None
    peer = peer_of(spec.name, period) if period and spec.kind is Kind.PROPORTION else None
    return GrowthLine(spec, current, previous, _interval(spec, current), _change(spec, current, previous),
                      _trend(spec, history), peer, tuple(history), period, previous_period, horizon)


def correct_for_multiplicity(units: list[UnitGrowth]) -> tuple[list[UnitGrowth], TestFamily]:
    """Benjamini-Hochberg q-values over every change and trend test of the report (one family)."""
    tests: list[tuple[int, int, str, float]] = []  # unit index, line index, field for its q, p
    for u, unit in enumerate(units):
        for k, line in enumerate(unit.lines):
            if line.change.p_value is not None:
                tests.append((u, k, "change_q", line.change.p_value))
            if line.trend is not None and line.trend.p_value is not None:
                tests.append((u, k, "trend_q", line.trend.p_value))
    changes = sum(1 for test in tests if test[2] == "change_q")
    family = TestFamily(changes, len(tests) - changes)
    if not tests:
        return units, family
    q_values = multipletests([test[3] for test in tests], alpha=family.level, method="fdr_bh")[1]
    adjusted: dict[tuple[int, int], dict[str, Any]] = {}  # q-value fields of the line
    for (u, k, name, _), q in zip(tests, q_values, strict=True):
        adjusted.setdefault((u, k), {})[name] = float(q)
    return [
        replace(unit, lines=tuple(replace(line, **adjusted.get((u, k), {})) for k, line in enumerate(unit.lines)))
        for u, unit in enumerate(units)
    ], family


def _direction(now: float | None, before: float | None, q: float | None, level: float,
               words: tuple[str, str, str]) -> str:
    if q is None or q >= level or now is None or before is None or now == before:
        return words[2]
    return words[0] if now > before else words[1]


def _interval(spec: IndicatorSpec, figure: Indicator | None) -> tuple[float, float] | None:
    if figure is None:
        return None
    if spec.kind is Kind.PROPORTION:
        return wilson_interval(*_counts(figure))
    if spec.kind is Kind.COUNT:
        return poisson_interval(_counts(figure)[0])
    return None


def _change(spec: IndicatorSpec, current: Indicator | None, previous: Indicator | None) -> Change:
    now = current.value if current else None
    before = previous.value if previous else None
    if spec.kind is Kind.COUNT:
        return count_change(_counts(current)[0], _counts(previous)[0])
    if spec.kind is not Kind.PROPORTION:
        return Change(now, before, None, "no test for this kind of figure")
    if current is None or previous is None:
        return Change(now, before, None, "nothing to compare with in one of the two periods")
    (hits_now, n_now), (hits_before, n_before) = _counts(current), _counts(previous)
    if min(n_now, n_before) < max(spec.minimum_sample, 1):
        return Change(now, before, None, f"fewer than {spec.minimum_sample} cases in a period: not tested")
    return proportion_change(hits_now, n_now, hits_before, n_before)


def _trend(spec: IndicatorSpec, history: list[Indicator | None]) -> Trend | None:
    counts = [_counts(h) for h in history]
    if spec.kind is Kind.PROPORTION:
        return proportion_trend([x for x, _ in counts], [n for _, n in counts])
    if spec.kind is Kind.COUNT:
        return count_trend([x for x, _ in counts])
    return None


def _counts(figure: Indicator | None) -> tuple[int, int]:
    """Numerator and denominator of a proportion or count as whole numbers; a period without the figure is 0 of 0.

    Only ratios of rates (targeting_lift) can have a missing part, and no interval, change or trend is computed
    for them.
    """
    if figure is None:
        return 0, 0
    return int(figure.numerator or 0), int(figure.denominator or 0)


def _text(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(value)
