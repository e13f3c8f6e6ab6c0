"""The comparison-based growth report's figures: each unit's indicators this period against the last, against
peers, and over a run of periods, with intervals and tests so that a change is called a change only when it is one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from baliza.analyses.benchmarks import peer_groups, peer_percentiles, unit_efficiency
from baliza.analyses.ksi import IndicatorSpec, Kind, compute_indicators, load_catalogue
from baliza.analyses.model import Indicator
from baliza.analyses.periods import Granularity, period_bounds, periods_between
from baliza.stats.change import Change, count_change, proportion_change
from baliza.stats.intervals import poisson_interval, wilson_interval
from baliza.stats.trend import Trend, count_trend, proportion_trend
from baliza.warehouse.store import Warehouse


@dataclass(frozen=True)
class GrowthLine:
    """One indicator of one unit: this period, the last, the interval, the change, the trend and the peer rank."""

    spec: IndicatorSpec
    current: Indicator | None
    previous: Indicator | None
    interval: tuple[float, float] | None
    change: Change
    trend: Trend | None
    peer: Indicator | None
    history: tuple[Indicator | None, ...]  # one per period of the report's window, None where nothing happened

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
class GrowthReport:
    granularity: Granularity
    period: str
    previous_period: str | None
    periods: tuple[str, ...]  # the window, oldest first, ending with `period`
    units: tuple[UnitGrowth, ...]


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
    percentiles = {
        (i.subject_id, i.indicator.removesuffix("_peer_percentile")): i
        for spec in load_catalogue()
        if spec.kind is Kind.PROPORTION
        for i in peer_percentiles(indicators, groups, spec.name, last)
    }
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
            _line(spec, [by_key.get((unit, spec.name, p)) for p in window], percentiles.get((unit, spec.name)))
            for spec in load_catalogue()
        )
        units.append(
            UnitGrowth(unit, str(row.name), str(row.kind), _text(row.programme), str(row.peer_group), lines,
                       efficiency.get(unit, {}))
        )
    return GrowthReport(chosen, last, previous, window, tuple(units))


def _line(spec: IndicatorSpec, history: list[Indicator | None], peer: Indicator | None) -> GrowthLine:
    current = history[-1]
    previous = history[-2] if len(history) > 1 else None
    return GrowthLine(spec, current, previous, _interval(spec, current), _change(spec, current, previous),
                      _trend(spec, history), peer, tuple(history))


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
    return "" if value is None or pd.isna(value) else str(value)  # type: ignore[arg-type]
