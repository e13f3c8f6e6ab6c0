"""The service's own routes: `/health` (for a load balancer), `/metrics` (Prometheus) and, for
administrators, `/api/service` (loads, the results being computed after a load, and their progress).

`/health` and `/metrics` need no sign-in and say nothing about the data: whether the warehouse answers,
counts of requests and loads, durations. Keep `/metrics` to the monitoring network at the reverse proxy
(docs/operations.md).
"""

from __future__ import annotations

import time
from datetime import UTC
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from baliza.access.principal import Principal
from baliza.access.roles import Permission
from baliza.warehouse.loadlock import current_holder
from baliza.web.api import REFUSALS, Problem
from baliza.web.context import ServingContext
from baliza.web.observability import Metrics
from baliza.web.security import context, require

router = APIRouter()
Administrator = Annotated[Principal, Depends(require(Permission.MANAGE_USERS))]


def load_figures(ctx: ServingContext) -> dict[str, Any]:
    """How many loads the served warehouse holds and when the last one finished (no data)."""
    def compute() -> dict[str, Any]:
        with ctx.locked() as wh:
            count, finished = wh.duckdb.execute(
                "select count(*), max(finished_at) from loads where status = 'committed'").fetchall()[0]
        return {"loads": int(count), "last_finished": finished.replace(tzinfo=UTC).timestamp() if finished else 0.0}
    return ctx.cached("service:load_figures", compute)  # type: ignore[no-any-return]


@router.get("/health", include_in_schema=False)
def health(request: Request) -> JSONResponse:
    """200 when the warehouse answers a query, else 503. Nothing about the data."""
    try:
        with context(request).locked() as wh:
            wh.duckdb.execute("select 1").fetchall()
    except Exception:
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> PlainTextResponse:
    ctx = context(request)
    collected: Metrics = request.app.state.metrics
    figures = load_figures(ctx)
    refresh = ctx.refresh
    uploads = getattr(request.app.state, "uploads", None)
    gauges = {
        "baliza_warehouse_loads": ("Loads in the warehouse being served.", figures["loads"]),
        "baliza_warehouse_last_load_timestamp_seconds": ("When the last served load finished (Unix time).",
                                                         figures["last_finished"]),
        "baliza_load_running": ("1 while a load holds the load lock.", 1 if current_holder(ctx.db_path) else 0),
        "baliza_load_queue": ("Uploads waiting for the load lock in this server.",
                              uploads.waiting if uploads is not None else 0),
        "baliza_results_computing": ("1 while the results of a new load are being computed.",
                                     1 if refresh.state == "computing" else 0),
        "baliza_results_steps_done": ("Steps of the results computation done.", refresh.done),
        "baliza_results_steps_total": ("Steps of the results computation in all.", refresh.total),
        "baliza_results_last_seconds": ("How long computing the last results took.", refresh.seconds or 0.0),
    }
    counters = {
        "baliza_results_refreshes_total": ("Results computed for a warehouse file (at start or after a load).",
                                           refresh.refreshes),
        "baliza_results_failures_total": ("Results computations that failed.", refresh.failures),
    }
    return PlainTextResponse(collected.render(gauges, counters), media_type="text/plain; version=0.0.4")


@router.get("/api/service", tags=["service"], responses={code: {**answer, "model": Problem}
                                                          for code, answer in REFUSALS.items() if code != 404})
def service_status(request: Request, principal: Administrator) -> dict[str, Any]:
    """The warehouse being served, a load running (who, since when), and the results being computed
    after a load with their progress. Administrators only."""
    ctx = context(request)
    holder = current_holder(ctx.db_path)
    refresh = ctx.refresh.to_dict()
    if refresh["started_at"] is not None and refresh["state"] == "computing":
        refresh["running_seconds"] = round(time.time() - refresh["started_at"], 1)
    return {"version": ctx.version, **load_figures(ctx),
            "load_running": holder.__dict__ if holder else None, "results": refresh}
