"""The thresholds of people resolution, read from `settings.yaml` beside this module (declared once, as data)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

SETTINGS_FILE = Path(__file__).with_name("settings.yaml")


@dataclass(frozen=True)
class PeopleSettings:
    match_threshold: float
    min_records_to_train: int
    deterministic_recall: float
    random_pairs: int


@cache
def people_settings() -> PeopleSettings:
    """The settings in `settings.yaml`; a missing or misspelt key stops with its name."""
    raw = yaml.safe_load(SETTINGS_FILE.read_text(encoding="utf-8"))
    try:
        linking = raw["linking"]
        return PeopleSettings(
            match_threshold=float(linking["match_threshold"]),
            min_records_to_train=int(linking["min_records_to_train"]),
            deterministic_recall=float(linking["deterministic_recall"]),
            random_pairs=int(linking["random_pairs"]))
    except KeyError as missing:
        raise ValueError(f"{SETTINGS_FILE}: no setting {missing}") from None
