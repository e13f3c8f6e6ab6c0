"""Where targeting's declarations come from: an export read through a mapping, or the warehouse; and the
outcomes officers enter on the targeting page, which feed the next training.

Outcomes entered on the page are kept in the model folder (`outcomes.jsonl`: declaration id, 1 or 0, who
entered it and when; never a person's details). A training from the warehouse reads them and fills the
outcome of a consignment the warehouse does not know yet; the warehouse's own outcome wins when both exist.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from baliza.i18n import gettext as _
from baliza.targeting.declarations import Mapping, load_mapping, read_declarations, warehouse_declarations

if TYPE_CHECKING:
    from baliza.warehouse.store import Warehouse

OUTCOMES_FILE = "outcomes.jsonl"


@dataclass(frozen=True)
class Source:
    """The declarations read, and the mapping's extra columns the model may use."""

    declarations: pd.DataFrame
    mapping: str
    extra_numeric: tuple[str, ...] = ()
    extra_categorical: tuple[str, ...] = ()


def from_file(path: str | Path, mapping_name: str) -> Source:
    mapping: Mapping = load_mapping(mapping_name)
    frame = read_declarations(path, mapping)
    return Source(frame, mapping.name, tuple(mapping.extra_numeric), tuple(mapping.extra_categorical))


def from_warehouse(warehouse: Warehouse, model_folder: str | Path | None = None) -> Source:
    frame = warehouse_declarations(warehouse).drop(columns=["inspected"], errors="ignore")
    if model_folder is not None:
        frame = with_entered_outcomes(frame, model_folder)
    return Source(frame, "warehouse")


def record_outcome(model_folder: str | Path, declaration_id: str, outcome: int, entered_by: str) -> dict:
    """Keep one outcome entered by an officer (1: something found, 0: nothing found)."""
    if outcome not in (0, 1):
        raise ValueError(_("An outcome is 1 (something found) or 0 (nothing found)."))
    if not declaration_id or len(declaration_id) > 100:
        raise ValueError(_("A declaration id is needed (at most 100 characters)."))
    entry = {"id": declaration_id, "outcome": outcome, "entered_by": entered_by[:120],
             "at": datetime.now(UTC).isoformat(timespec="seconds")}
    path = Path(model_folder) / OUTCOMES_FILE
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry) + "\n")
    return entry


def entered_outcomes(model_folder: str | Path) -> dict[str, int]:
    """The latest outcome entered for each declaration."""
    path = Path(model_folder) / OUTCOMES_FILE
    if not path.is_file():
        return {}
    latest: dict[str, int] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            latest[str(entry["id"])] = int(entry["outcome"])
    return latest


def with_entered_outcomes(frame: pd.DataFrame, model_folder: str | Path) -> pd.DataFrame:
    entered = entered_outcomes(model_folder)
    if not entered:
        return frame
    filled = frame["id"].map(entered).astype(float)
    return frame.assign(outcome=frame["outcome"].fillna(filled))


def day_candidates(declarations: pd.DataFrame, entry_point: str, day: date | None, *,
                   uninspected_only: bool = True, days: int = 1) -> tuple[pd.DataFrame, date]:
    """The declarations lodged at `entry_point` in the `days` days up to `day` (default: the latest day with
    one), by default only those not inspected yet: the containers still waiting at the port. An export's
    declarations are all candidates (their outcomes are hidden when scoring)."""
    if days < 1:
        raise ValueError(_("A queue covers at least one day."))
    at_office = declarations[declarations["office"] == entry_point]
    if at_office.empty:
        raise KeyError(_("No declaration was lodged at the entry point %(entry_point)s.", entry_point=entry_point))
    if uninspected_only:
        at_office = at_office[at_office["outcome"].isna()]
        if at_office.empty:
            raise KeyError(_("Every declaration at %(entry_point)s has been inspected already.",
                             entry_point=entry_point))
    lodged = at_office["declared_at"].dt.date
    chosen = day or max(lodged)
    first = chosen - timedelta(days=days - 1)
    return at_office[(lodged >= first) & (lodged <= chosen)], chosen


def history_before(declarations: pd.DataFrame, day: date, days: int = 1) -> pd.DataFrame:
    """What was known by the start of the queue's first day."""
    return declarations[declarations["declared_at"].dt.date < day - timedelta(days=days - 1)]
