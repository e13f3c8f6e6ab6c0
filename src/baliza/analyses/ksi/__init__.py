"""Key success indicators of interdiction units (issue 4), declared in `catalogue.yaml` and computed in Ibis.

`compute_indicators(warehouse, granularity)` returns every indicator of the catalogue as `Indicator`s with their
numerator and denominator, one per unit, indicator and period. An indicator whose outcome takes time counts only
seizures old enough to have reached it (`ksi.horizons`): a period too recent for any has no figure at all (value,
numerator and denominator None, the reason in `note`), a period cut by the cutoff says so in `note`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from baliza.analyses.ksi.capacity import capacity_indicators
from baliza.analyses.ksi.catalogue import Direction, IndicatorSpec, Kind, get_spec, load_catalogue
from baliza.analyses.ksi.horizons import Horizon, Ripeness, horizons
from baliza.analyses.ksi.inspections import inspection_indicators
from baliza.analyses.ksi.seizures import seizure_indicators
from baliza.analyses.model import Indicator
from baliza.analyses.periods import Granularity
from baliza.warehouse.protocol import Warehouse

FAMILIES = {
    "inspections": inspection_indicators,
    "seizures": seizure_indicators,
    "capacity": capacity_indicators,
}

__all__ = [
    "Direction",
    "Horizon",
    "IndicatorSpec",
    "Kind",
    "Ripeness",
    "compute_indicators",
    "get_spec",
    "horizons",
    "load_catalogue",
]


def compute_indicators(
    warehouse: Warehouse,
    granularity: Granularity = Granularity.YEAR,
    unit_id: str | None = None,
    names: Iterable[str] | None = None,
) -> list[Indicator]:
    """Every catalogue indicator (or only `names`) per unit and period, sorted by unit, indicator, period."""
    wanted = set(names) if names is not None else {spec.name for spec in load_catalogue()}
    families = {spec.family for spec in load_catalogue() if spec.name in wanted}
    indicators: list[Indicator] = []
    for family in sorted(families):
        indicators.extend(i for i in FAMILIES[family](warehouse, granularity, unit_id) if i.indicator in wanted)
    rules = horizons(warehouse, tuple(spec for spec in load_catalogue() if spec.name in wanted))
    indicators = [_censored(i, rules[i.indicator]) if i.indicator in rules else i for i in indicators]
    order = {spec.name: position for position, spec in enumerate(load_catalogue())}
    return sorted(indicators, key=lambda i: (i.subject_id, order[i.indicator], i.period))


def _censored(figure: Indicator, horizon: Horizon) -> Indicator:
    """A too-recent period loses its figure (a rate of seizures that had no time is no rate); a partial one says so."""
    note = horizon.note(figure.period)
    if horizon.ripeness(figure.period) is Ripeness.TOO_RECENT:
        return replace(figure, value=None, numerator=None, denominator=None, note=note)
    return replace(figure, note=note) if note else figure
