"""The indicator catalogue, declared as data in `catalogue.yaml` beside this module."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

import yaml


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


@cache
def load_catalogue() -> tuple[IndicatorSpec, ...]:
    text = resources.files("baliza.analyses.ksi").joinpath("catalogue.yaml").read_text(encoding="utf-8")
    entries = yaml.safe_load(text)["indicators"]
    return tuple(
        IndicatorSpec(
            **{**entry, "kind": Kind(entry["kind"]), "direction": Direction(entry["direction"]),
               "numerator": str(entry["numerator"]), "denominator": str(entry["denominator"])}
        )
        for entry in entries
    )


def get_spec(name: str) -> IndicatorSpec:
    for spec in load_catalogue():
        if spec.name == name:
            return spec
    raise KeyError(f"no indicator named {name!r} in the catalogue")
