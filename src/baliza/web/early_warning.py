"""The Early warning page and its API: `/early-warning` and `GET /api/early-warning`, the same figures.

Synthetic drugs and new psychoactive substances (Global SMART): each charted substance's seizures per month
against its expected band, the surges that passed the test with their q-values, first detections, and the
UNODC World Drug Report's regional rises. The figures come from `web.early_warning_view`; this module only
presents them.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from baliza.report.early_warning import q_text
from baliza.web import early_warning_charts
from baliza.web.api import REFUSALS, Problem
from baliza.web.callers import EarlyWarningReader
from baliza.web.early_warning_view import early_warning_view
from baliza.web.security import context
from baliza.web.templates import render

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["api"],
                       responses={code: {**answer, "model": Problem} for code, answer in REFUSALS.items()})


@router.get("/early-warning")
def early_warning_page(request: Request, principal: EarlyWarningReader) -> Response:
    view = early_warning_view(context(request), principal)
    return render(request, "early_warning.html", {**view, "panels": early_warning_charts.panels(view),
                                                  "q_text": q_text})


@api_router.get("/early-warning")
def early_warning_api(request: Request, principal: EarlyWarningReader) -> dict[str, Any]:
    """Early warning as your role and agency may see it: surges (q-values, Benjamini-Hochberg across every
    substance and month), first detections, each charted substance's monthly seizures with the expected band,
    seizures held by agencies that did not share them counted by holder, and UNODC's regional rises."""
    return early_warning_view(context(request), principal)
