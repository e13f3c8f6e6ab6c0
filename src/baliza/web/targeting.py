"""The targeting page of one entry point: today's queue with its reasons, outcomes entered by officers, and
the model's card (data period, figures, drift since training).

Who may open it: a caller who may read seizures, from an agency that runs a unit at that entry point. Every
opening is audited (`target_queue_opened`, subject `entry_points/ID`), and so is every outcome entered
(`target_outcome_entered`); the outcomes go to the model folder, where the next `baliza target train` reads
them. The model folder is `BALIZA_TARGET_MODEL`, else `targeting-model` beside the warehouse.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from baliza.access.audit import record
from baliza.access.principal import Principal
from baliza.i18n import gettext as _
from baliza.web.callers import SeizureReader
from baliza.web.formatting import number
from baliza.web.security import context
from baliza.web.templates import render

router = APIRouter(include_in_schema=False)
MODEL_VARIABLE = "BALIZA_TARGET_MODEL"
MAX_CAPACITY = 500
MAX_DAYS = 400


def model_folder(db_path: Path) -> Path:
    return Path(os.environ.get(MODEL_VARIABLE) or db_path.parent / "targeting-model")


def _version(folder: Path) -> str:
    """Changes when the model is retrained or an outcome is entered (the cached queue is then recomputed)."""
    stamps = [str((folder / name).stat().st_mtime_ns) for name in ("model.json", "outcomes.jsonl")
              if (folder / name).is_file()]
    if not stamps:
        raise FileNotFoundError(folder)
    return "-".join(stamps)


def _entry_points(wh: Any, principal: Principal) -> dict[str, str]:
    """The entry points where the principal's agency runs a unit, by id, with their names."""
    units = wh.table("units")
    points = wh.table("entry_points")
    mine = units.filter((units.agency_id == principal.agency_id) & units.entry_point_id.notnull())
    rows = (points.filter(points.entry_point_id.isin(mine.entry_point_id))
            .select("entry_point_id", "name").order_by("name").to_pyarrow().to_pylist())
    return {r["entry_point_id"]: r["name"] for r in rows}


def _allowed(request: Request, principal: Principal, entry_point: str) -> str:
    ctx = context(request)
    with ctx.reading(principal) as (wh, _scope):
        points = _entry_points(wh, principal)
    if entry_point not in points:
        record(ctx.state, principal.username, principal.agency_id, "target_queue_refused",
               f"entry_points/{entry_point[:100]}")
        raise HTTPException(404, _("No entry point %(id)s where your agency runs a unit.", id=entry_point[:100]))
    return points[entry_point]


@router.get("/targeting")
def targeting_index(request: Request, principal: SeizureReader) -> Response:
    ctx = context(request)
    with ctx.reading(principal) as (wh, _scope):
        points = _entry_points(wh, principal)
    return render(request, "targeting.html", {"points": points, "view": None, "problem": None})


@router.get("/targeting/{entry_point}")
def targeting_page(request: Request, entry_point: str, principal: SeizureReader, capacity: int = 30,
                   explore: float = 0.1, days: int = 7) -> Response:
    from baliza.targeting.today import todays_queue

    name = _allowed(request, principal, entry_point)
    capacity = max(1, min(capacity, MAX_CAPACITY))
    explore = max(0.0, min(explore, 1.0))
    days = max(1, min(days, MAX_DAYS))
    ctx = context(request)
    folder = model_folder(ctx.db_path)
    view: dict[str, Any] | None = None
    problem = None
    try:
        key = f"targeting:{entry_point}:{capacity}:{explore}:{days}:{_version(folder)}"
        with ctx.reading(principal) as (wh, _scope):
            view = ctx.cached(key, lambda: todays_queue(wh, folder, entry_point, capacity, explore, days))
    except FileNotFoundError:
        problem = _("No targeting model has been trained yet: run baliza target train --model %(folder)s.",
                    folder=str(folder))
    except KeyError as error:
        problem = str(error).strip("'\"")
    record(ctx.state, principal.username, principal.agency_id, "target_queue_opened", f"entry_points/{entry_point}",
           {"capacity": capacity, "explore": explore, "day": view["day"] if view else None,
            "shown": [item["id"] for item in view["queue"]] if view else []})
    return render(request, "targeting.html", {"points": {}, "view": view, "problem": problem,
                                              "entry_point": entry_point, "name": name, "capacity": capacity,
                                              "explore": explore, "days": days, "number": number})


@router.post("/targeting/{entry_point}/outcome")
def enter_outcome(request: Request, entry_point: str, principal: SeizureReader,
                  consignment_id: Annotated[str, Form(max_length=100)], outcome: Annotated[int, Form()]) -> Response:
    from baliza.targeting.inputs import record_outcome

    _allowed(request, principal, entry_point)
    ctx = context(request)
    with ctx.reading(principal) as (wh, _scope):
        consignments = wh.table("consignments")
        found = consignments.filter((consignments.consignment_id == consignment_id)
                                    & (consignments.entry_point_id == entry_point)).count().execute()
    if not found:
        raise HTTPException(404, _("No consignment %(id)s at this entry point.", id=consignment_id))
    try:
        record_outcome(model_folder(ctx.db_path), consignment_id, outcome, principal.username)
    except (ValueError, FileNotFoundError) as error:
        raise HTTPException(422, str(error)) from None
    record(ctx.state, principal.username, principal.agency_id, "target_outcome_entered",
           f"consignments/{consignment_id}", {"outcome": outcome, "entry_point": entry_point})
    return RedirectResponse(f"/targeting/{entry_point}#c-{consignment_id}", status_code=303)
