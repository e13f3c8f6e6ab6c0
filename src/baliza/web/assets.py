"""The Asset recovery page and its API: `/assets` and `GET /api/assets`, the same figures for both.

The figures come from `web.assets_view` (computed once per warehouse state and cut; this module only
presents them): the pipeline from identification to return, what is lost between stages, the time each
step takes (survival curves), the assets held abroad and their age, by office, with links to the case
files and to the asset red flags for the roles that may read them.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from baliza.web import assets_charts
from baliza.web.api import REFUSALS, Problem
from baliza.web.assets_view import asset_view
from baliza.web.callers import AssetReader
from baliza.web.security import context
from baliza.web.templates import render

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["api"],
                       responses={code: {**answer, "model": Problem} for code, answer in REFUSALS.items()})


@router.get("/assets")
def assets_page(request: Request, principal: AssetReader) -> Response:
    view = asset_view(context(request), principal)
    return render(request, "assets.html", {
        **view,
        "pipeline_svg": assets_charts.pipeline_bars(view["stages"]),
        "survival_svg": assets_charts.survival_chart(view["stage_times"]),
    })


@api_router.get("/assets")
def assets_api(request: Request, principal: AssetReader) -> dict[str, Any]:
    """Asset recovery as your role and agency may see it: assets reaching each stage (count and value in
    USD), attrition between stages, times between stages (still waiting censored, released a competing end),
    assets abroad, by office and case; assets held by agencies that did not share them, counted by holder."""
    return asset_view(context(request), principal)
