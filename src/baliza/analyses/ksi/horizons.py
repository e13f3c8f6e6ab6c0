"""Cohorts old enough to have reached their outcome: the censoring rule of indicators that take time.

A seizure made last month has not had time to become a case, let alone to reach a verdict. Counting it in
this year's conviction conversion makes the year look worse than the last for no other reason: last year's
seizures have simply had longer. So an indicator whose outcome takes time (declared in the catalogue with
`horizon_days` and `outcome_stage`) is computed as a fixed-horizon cohort rate:

- its outcome counts only when it came within `horizon_days` of the seizure, and
- only seizures made at least `horizon_days` before the end of the data of its outcome stage
  (`baliza.analyses.as_of.covered_to`, the date every deadline is judged against) are counted.

Every seizure counted has then had exactly the same time to reach the outcome, in every period: a change
over time compares like with like. A period with no seizure old enough is *too recent* (no figure); a period
cut by the cutoff is *partial* (its seizures up to the cutoff only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from baliza.analyses.as_of import STAGES, covered_to, end_of_day
from baliza.analyses.ksi.catalogue import IndicatorSpec, load_catalogue
from baliza.analyses.periods import period_bounds
from baliza.warehouse.protocol import Warehouse

# the data each outcome stage's end is read from, in words (`as_of.STAGES` holds the tables)
STAGE_WORDS = {"lab": "seizure data", "case": "case data", "disposition": "court data"}


class Ripeness(StrEnum):
    RIPE = "ripe"  # every seizure of the period had the full horizon
    PARTIAL = "partial"  # the period's seizures up to the cutoff only
    TOO_RECENT = "too recent"  # no seizure of the period had the full horizon


@dataclass(frozen=True)
class Horizon:
    """The censoring rule of one indicator in one warehouse: its horizon and the end of its outcome's data."""

    indicator: str
    days: int
    stage: str
    data_end: date | None  # None: the outcome stage holds no data, so nothing is censored

    @property
    def cutoff(self) -> datetime | None:
        """Seizures made strictly before this moment had `days` full days before the end of the data."""
        if self.data_end is None:
            return None
        return end_of_day(self.data_end) - timedelta(days=self.days)

    def ripeness(self, period: str) -> Ripeness:
        cutoff = self.cutoff
        if cutoff is None:
            return Ripeness.RIPE
        first, last = period_bounds(period)
        if datetime(first.year, first.month, first.day) >= cutoff:
            return Ripeness.TOO_RECENT
        return Ripeness.RIPE if end_of_day(last) <= cutoff else Ripeness.PARTIAL

    def note(self, period: str) -> str:
        """Why a period's figure is missing or counts fewer seizures than the period made ('' when whole)."""
        state, cutoff = self.ripeness(period), self.cutoff
        if state is Ripeness.RIPE or cutoff is None:
            return ""
        end = self.data_end.isoformat() if self.data_end else "?"
        if state is Ripeness.TOO_RECENT:
            return (f"too recent: no seizure of {period} had {self.days} days before the end of the "
                    f"{self.data_words} ({end})")
        return (f"partial: seizures made before {cutoff.date().isoformat()} only, the later ones had not "
                f"{self.days} days before the end of the {self.data_words} ({end})")

    @property
    def data_words(self) -> str:
        return STAGE_WORDS.get(self.stage, f"{self.stage} data")

    def method(self) -> str:
        """The rule in words, for a report's method text."""
        end = self.data_end.isoformat() if self.data_end else "no data yet"
        return (f"an outcome within {self.days} days of the seizure, counted for seizures made at least "
                f"{self.days} days before the end of the {self.data_words} ({end})")


def horizons(warehouse: Warehouse, specs: tuple[IndicatorSpec, ...] | None = None) -> dict[str, Horizon]:
    """The horizon of every catalogue indicator that has one, each stage's data end read once."""
    chosen = [s for s in (specs if specs is not None else load_catalogue()) if s.horizon_days is not None]
    ends: dict[str, date | None] = {}
    out: dict[str, Horizon] = {}
    for spec in chosen:
        assert spec.horizon_days is not None and spec.outcome_stage is not None  # the loader checks both
        if spec.outcome_stage not in ends:
            ends[spec.outcome_stage] = covered_to(warehouse, STAGES[spec.outcome_stage])
        out[spec.name] = Horizon(spec.name, spec.horizon_days, spec.outcome_stage, ends[spec.outcome_stage])
    return out
