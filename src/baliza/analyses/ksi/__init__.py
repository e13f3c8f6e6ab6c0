"""Key success indicators of interdiction units (issue 4), declared in `catalogue.yaml` and computed in Ibis.

`compute_indicators(warehouse, granularity)` returns every indicator of the catalogue as `Indicator`s with their
numerator and denominator, one per unit, indicator and period.
"""

from __future__ import annotations

from collections.abc import Iterable

from baliza.analyses.ksi.capacity import capacity_indicators
from baliza.analyses.ksi.catalogue import Direction, IndicatorSpec, Kind, get_spec, load_catalogue
from baliza.analyses.ksi.inspections import inspection_indicators
from baliza.analyses.ksi.seizures import seizure_indicators
from baliza.analyses.model import Indicator
from baliza.analyses.periods import Granularity
from baliza.warehouse.store import Warehouse

FAMILIES = {
    "inspections": inspection_indicators,
    "seizures": seizure_indicators,
    "capacity": capacity_indicators,
}

__all__ = [
    "Direction",
    "IndicatorSpec",
    "Kind",
    "compute_indicators",
    "get_spec",
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
    order = {spec.name: position for position, spec in enumerate(load_catalogue())}
    return sorted(indicators, key=lambda i: (i.subject_id, order[i.indicator], i.period))
