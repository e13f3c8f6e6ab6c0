"""The figures the programme analyses return: plain frozen dataclasses, each with `to_dict()` for JSON.

Nothing here names a person: every figure is a count, a share, a median or a ratio over people, and the
only identifiers are those of programme offices, providers, regions and (in threat findings) enrolments.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from baliza.analyses.model import Message


@dataclass(frozen=True)
class Rate:
    """`events` of `people` had the outcome; `value` is None where nobody was counted (a share of no one)."""

    events: int
    people: int
    value: float | None
    low: float | None = None  # 95 % Wilson interval
    high: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Curve:
    """A curve in days: the share not (yet) having had the event after each event time.

    Items still waiting at the end of the data are censored there, not dropped and not counted as events;
    items that ended another way and can no longer have the event (a grower who left without a job) are
    competing events: the curve levels off at the share that never has it (Aalen-Johansen)."""

    event: str  # what the curve waits for: "placement", "drop_out", "discharge"...
    times: tuple[float, ...]
    surviving: tuple[float, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]
    at_risk: tuple[int, ...]
    events: int
    censored: int
    median_days: float | None  # None when half never had the event within the data
    competing: int = 0  # ended another way (e.g. left unplaced): can no longer have the event

    def share_by(self, days: float) -> float:
        """The share that had the event within `days` (1 - S(days))."""
        s = 1.0
        for t, value in zip(self.times, self.surviving, strict=True):
            if t > days:
                break
            s = value
        return 1.0 - s

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PairedChange:
    """A measure before and after among the people with both recorded: medians, and the mean change with
    its 95 % t-interval (paired: each person against themself)."""

    measure: str  # "monthly_income_usd", "physical_score", "mental_score"
    people: int
    median_before: float | None
    median_after: float | None
    mean_change: float | None
    low: float | None
    high: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class UnitComparison:
    """One office, region or provider on one measure, against what its case mix predicts.

    `expected` is the sum over its people of the probability (or mean change) a case-mix model gives them;
    `ratio` = observed / expected (binary measures) or `difference` = observed - expected mean (scores);
    `shrunk` pulls the ratio (or difference) towards the typical unit by how little the unit's own numbers
    say (empirical Bayes); `adjusted_rate` is the indirectly standardised rate (ratio x overall rate).
    `q` is the Benjamini-Hochberg q-value over every unit tested on the measure (None if not tested: fewer
    than the minimum number of people)."""

    unit_id: str
    measure: str
    n: int
    observed: float
    expected: float
    ratio: float | None
    low: float | None  # 95 % interval of the ratio (or difference)
    high: float | None
    shrunk: float | None
    adjusted_rate: float | None
    z: float | None = None
    p: float | None = None
    q: float | None = None
    outside: str | None = None  # "above" or "below" where q <= the FDR level and n >= the minimum

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FunnelLimits:
    """Control limits of a funnel plot: for each volume (expected events, or people for scores) the band
    inside which an ordinary unit falls 95 % and 99.8 % of the time (over-dispersion included)."""

    volume: tuple[float, ...]
    low95: tuple[float, ...]
    high95: tuple[float, ...]
    low998: tuple[float, ...]
    high998: tuple[float, ...]
    target: float  # 1 for ratios, 0 for differences
    tau2: float  # between-unit variance added to the sampling variance

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class MeasureComparison:
    """Every unit on one measure, the funnel they are drawn in, and how the expectation was modelled."""

    measure: str
    kind: str  # "ratio" (binary outcome, O/E) or "difference" (score change, O - E)
    overall: float | None  # the overall rate (or mean change) across the units compared
    units: tuple[UnitComparison, ...]
    funnel: FunnelLimits | None
    method: str  # in English words (stored, logged); the surfaces word `method_message` for the reader
    method_message: Message | None = None  # the method, not yet worded (`baliza.i18n.findings`)

    def to_dict(self) -> dict[str, Any]:
        return {"measure": self.measure, "kind": self.kind, "overall": self.overall,
                "units": [u.to_dict() for u in self.units],
                "funnel": self.funnel.to_dict() if self.funnel else None, "method": self.method,
                "method_message": self.method_message.to_dict() if self.method_message else None}


@dataclass(frozen=True)
class GroupOutcomes:
    """The crude outcomes of one programme office, region or provider (before any adjustment)."""

    group: str  # "office", "region" or "provider"
    group_id: str
    people: int
    rates: dict[str, Rate] = field(default_factory=dict)  # e.g. placement, relapse, drop_out, completion
    median_days: dict[str, float | None] = field(default_factory=dict)  # e.g. time to placement, length of stay
    changes: dict[str, PairedChange] = field(default_factory=dict)
    dependents: int | None = None
    dependents_protected: int | None = None
    curves: dict[str, Curve] = field(default_factory=dict)  # e.g. placement and drop-out, length of stay

    def to_dict(self) -> dict[str, Any]:
        return {"group": self.group, "group_id": self.group_id, "people": self.people,
                "curves": {k: v.to_dict() for k, v in self.curves.items()},
                "rates": {k: v.to_dict() for k, v in self.rates.items()}, "median_days": dict(self.median_days),
                "changes": {k: v.to_dict() for k, v in self.changes.items()},
                "dependents": self.dependents, "dependents_protected": self.dependents_protected}
