"""Today's work at one entry point, as plain data for the targeting page: the queue with its reasons, the
model's card and the drift of the declarations scored since it was trained.

`todays_queue` reads the warehouse (consignments, inspections, seizures) and the model folder (with the
outcomes officers entered there) and returns dictionaries; it neither prints nor serves.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from baliza.targeting.drift import drift_summary
from baliza.targeting.inputs import day_candidates, entered_outcomes, from_warehouse, history_before
from baliza.targeting.model import load
from baliza.targeting.queue import build_queue

if TYPE_CHECKING:
    from baliza.warehouse.store import Warehouse

DRIFT_SAMPLE = 5000
"""The latest declarations scored to measure drift (enough for ten bins, quick on every page)."""


def todays_queue(warehouse: Warehouse, model_folder: str | Path, entry_point: str, capacity: int,
                 explore: float, days: int = 7) -> dict[str, Any]:
    """The queue over the containers not yet inspected that were lodged in the last `days` days."""
    model = load(model_folder)
    source = from_warehouse(warehouse, model_folder)
    declarations = source.declarations
    candidates, day = day_candidates(declarations, entry_point, None, days=days)
    items = build_queue(model, candidates, capacity, explore=explore, seed=int(pd.Timestamp(day).strftime("%Y%m%d")),
                        history=history_before(declarations, day, days))
    entered = entered_outcomes(model_folder)
    queue = [item.to_dict() | {"entered": entered.get(item.id)} for item in items]
    return {"entry_point": entry_point, "day": day.isoformat(), "days": days, "candidates": len(candidates),
            "queue": queue, "card": model.card, "drift": _drift(model, declarations)}


def _drift(model: Any, declarations: pd.DataFrame) -> dict[str, Any]:
    trained_to = pd.Timestamp(model.card["period"]["to"]) + pd.Timedelta(days=1)
    since = declarations[declarations["declared_at"] >= trained_to]
    label = trained_to.date().isoformat()
    if since.empty:  # nothing new since training: the latest month stands in
        start = declarations["declared_at"].max() - pd.Timedelta(days=30)
        since, label = declarations[declarations["declared_at"] >= start], start.date().isoformat()
    recent = since.sort_values("declared_at").tail(DRIFT_SAMPLE)
    scores = model.score(recent, outcomes_known=True)["score"].to_numpy()
    return drift_summary(model.card, scores, label)
