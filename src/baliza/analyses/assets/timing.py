"""How long each step of asset recovery takes: survival curves, with assets still waiting counted as waiting.

For a step from stage A to stage B, every asset that reached A is followed from its A date until:
- its B date (the event), or
- the day it left the pipeline (released without reaching B): a competing end, since it can no longer reach
  B (counted apart in `attrition`; censoring it, as if it still might, would make B look likelier and
  sooner than it is), or
- the end of the data (`as_of`), still waiting: censored.
Curves are Aalen-Johansen cumulative incidences (`stats.survival.cumulative_incidence`); with no asset
released they are Kaplan-Meier.
Confiscation is followed twice: from the freeze (every frozen asset), and from the case's first conviction
(frozen assets of convicted cases only: how long a court's order takes to become a confiscation).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from baliza.analyses.assets.pipeline import Tables, asset_stages
from baliza.stats.survival import Survival, cumulative_incidence, kaplan_meier

TRANSITIONS: tuple[tuple[str, str], ...] = (
    ("identified", "frozen"), ("frozen", "confiscated"), ("convicted", "confiscated"), ("confiscated", "recovered"),
    ("recovered", "returned"),
)


@dataclass(frozen=True)
class StageTime:
    from_stage: str
    to_stage: str
    survival: Survival

    def to_dict(self) -> dict[str, object]:
        s = self.survival
        followed = s.events + s.censored + s.competing
        return {"from_stage": self.from_stage, "to_stage": self.to_stage, "followed": followed,
                "reached": s.events, "still_waiting_or_left": s.censored + s.competing, "still_waiting": s.censored,
                "left": s.competing, "median_days": s.median,
                "p25_days": s.quantile(0.25), "p75_days": s.quantile(0.75),
                "share_within_365_days": round(s.share_done_by(365), 4) if followed else None}


def step_durations(frame: pd.DataFrame, start: str, end: str, as_of: date) -> tuple[np.ndarray, np.ndarray]:
    """Durations in days from `start` to `end` (or to release / `as_of`) and how each ended: 1 `end` reached,
    2 released before it, 0 still waiting at `as_of`."""
    begin = pd.to_datetime(frame[f"{start}_at"])
    finish = pd.to_datetime(frame[f"{end}_at"])
    released = pd.to_datetime(frame["released_at"])
    stop = finish.where(finish.notna(), released.where(released.notna(), pd.Timestamp(as_of)))
    days = (stop - begin).dt.days.to_numpy(dtype=float)
    days = np.maximum(days, 0.0)
    return days, np.where(finish.notna(), 1, np.where(released.notna(), 2, 0))


def stage_times(tables: Tables, as_of: date, by: str | None = None) -> list[StageTime] | dict[str, list[StageTime]]:
    """A survival curve per step; per group of `by` (office_id, jurisdiction, kind) when given."""
    frame = asset_stages(tables).to_pandas()
    groups = {None: frame} if by is None else dict(tuple(frame.groupby(by, dropna=True)))
    out: dict[str | None, list[StageTime]] = {}
    for key, part in groups.items():
        steps = []
        for start, end in TRANSITIONS:
            reached = part[part[f"{start}_at"].notna()]
            if start == "convicted":
                reached = reached[reached["frozen_at"].notna()]
            if end == "returned":
                reached = reached[reached["foreign"].fillna(False).astype(bool)]
            days, ended = step_durations(reached, start, end, as_of)
            fit = cumulative_incidence(days, ended) if (ended == 2).any() else kaplan_meier(days, ended == 1)
            steps.append(StageTime(start, end, fit))
        out[key] = steps
    return out[None] if by is None else {str(k): v for k, v in out.items()}
