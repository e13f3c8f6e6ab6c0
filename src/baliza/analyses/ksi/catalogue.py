"""The indicator catalogue, declared as data in `catalogue.yaml` beside this module."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

import yaml

from baliza.analyses import definitions
from baliza.analyses.as_of import STAGES


class Kind(StrEnum):
    PROPORTION = "proportion"
    COUNT = "count"
    TOTAL = "total"
    RATIO = "ratio"
    MEAN = "mean"


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"
    NEUTRAL = "neutral"


@dataclass(frozen=True)
class IndicatorSpec:
    """What an indicator means and how it is counted, in words a unit head can check."""

    name: str
    family: str
    meaning: str
    numerator: str
    denominator: str
    kind: Kind
    direction: Direction
    minimum_sample: int
    unit_subject: str
    dated_by: str
    # An outcome that takes time (a case, a verdict) is counted only within `horizon_days` of the dated row,
    # and only rows at least that old at the end of the data of `outcome_stage` (an `as_of.STAGES` key) count.
    horizon_days: int | None = None
    outcome_stage: str | None = None


@cache
def load_catalogue() -> tuple[IndicatorSpec, ...]:
    text = resources.files("baliza.analyses.ksi").joinpath("catalogue.yaml").read_text(encoding="utf-8")
    return tuple(_spec(entry) for entry in yaml.safe_load(text)["indicators"])


def _spec(entry: dict[str, Any]) -> IndicatorSpec:
    horizon = _horizon_days(entry)
    stage = entry.get("outcome_stage")
    if (horizon is None) != (stage is None):
        raise ValueError(f"indicator {entry['name']!r}: horizon_days and outcome_stage go together")
    if stage is not None and stage not in STAGES:
        raise ValueError(f"indicator {entry['name']!r}: outcome_stage {stage!r} is not one of {sorted(STAGES)}")
    texts = {key: _words(entry[key], horizon) for key in ("meaning", "numerator", "denominator")}
    return IndicatorSpec(**{**entry, **texts, "kind": Kind(entry["kind"]), "direction": Direction(entry["direction"]),
                            "horizon_days": horizon})


def _horizon_days(entry: dict[str, Any]) -> int | None:
    """`horizon_days` as a number of days: written as one, or as the name of a window in `definitions`."""
    value = entry.get("horizon_days")
    if value is None or isinstance(value, int):
        return value
    days = getattr(definitions, str(value), None)
    if not isinstance(days, int):
        raise ValueError(f"indicator {entry['name']!r}: horizon_days {value!r} is neither a number of days nor "
                         "a window named in baliza.analyses.definitions")
    return days


def _words(text: object, horizon: int | None) -> str:
    """A catalogue text with `{horizon_days}` written out, so the words always say the window computed."""
    return str(text) if horizon is None else str(text).replace("{horizon_days}", str(horizon))


def get_spec(name: str) -> IndicatorSpec:
    for spec in load_catalogue():
        if spec.name == name:
            return spec
    raise KeyError(f"no indicator named {name!r} in the catalogue")
