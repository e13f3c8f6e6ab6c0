"""The ground truth of a generated country: what was planted, kept apart from the dataset."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class Truth:
    seed: int
    scale: str
    corruption: bool
    corrupt_prosecutors: list[str] = field(default_factory=list)
    corrupt_judges: list[str] = field(default_factory=list)
    low_conversion_units: list[str] = field(default_factory=list)
    shrunk_cases: list[str] = field(default_factory=list)
    steered_prosecutors: list[str] = field(default_factory=list)
    limitation_cases: list[str] = field(default_factory=list)
    evidence_cases: list[str] = field(default_factory=list)
    laundering_addresses: list[str] = field(default_factory=list)
    vendor_aliases: list[list[str]] = field(default_factory=list)
    honest_outliers: dict[str, str] = field(default_factory=dict)
    # Extra detail for evaluations (other keys may be added):
    corrupt_prosecutor_patterns: dict[str, list[str]] = field(default_factory=dict)
    reassigned_cases: list[str] = field(default_factory=list)
    steered_group_cases: list[str] = field(default_factory=list)
    bought_cases: list[str] = field(default_factory=list)
    laundering_case: str | None = None
    laundering_path: list[dict] = field(default_factory=list)
    released_after_conviction_assets: list[str] = field(default_factory=list)
    freeze_lifted_before_verdict_assets: list[str] = field(default_factory=list)
    surges: list[dict] = field(default_factory=list)  # substance, replaces, start, end (exclusive), share
    first_detections: dict[str, str] = field(default_factory=dict)  # substance -> first day it can be seized
    same_people: list[list[str]] = field(default_factory=list)  # [customs' record, the police's] of one person
    repeat_offenders: list[list[str]] = field(default_factory=list)  # one person's records at separate seizures

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2, ensure_ascii=False), encoding="utf-8")


def default_truth_path(out_dir: Path) -> Path:
    """`<parent>/<name>.truth.json`: beside the dataset folder, never inside it."""
    out_dir = out_dir.resolve()
    return out_dir.parent / f"{out_dir.name}.truth.json"


def is_inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True
