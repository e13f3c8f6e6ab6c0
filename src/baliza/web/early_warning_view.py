"""The Early warning page and API (Global SMART) as one principal may see them.

The figures (`report.early_warning.early_warning_figures`: surges, first detections, series with their
expected band) are computed once per warehouse state and cut:
- roles that read seizures (analysts, unit officers): on the seizures their agency reported or was granted
  (`ScopedWarehouse`), each surge and first detection with the seizures it rests on, linked to their chains.
  Seizures held by other agencies are counted and named by their holder (unless the holder withholds whether
  it holds any), never shown and never silently left out;
- roles that read aggregates only (oversight): every seizure in the country, no seizure named, and a month
  counting fewer than 5 seizures of a substance is not shown (`access.disclosure`, as on the overview).
The UNODC World Drug Report's regional rises follow when the shared table is present, with its attribution.
"""

from __future__ import annotations

import logging
from typing import Any

from baliza.access.disclosure import MIN_CELL
from baliza.access.principal import Principal
from baliza.access.roles import Permission
from baliza.access.scope import Scope, ScopedWarehouse
from baliza.i18n import gettext as _
from baliza.web import names, sources
from baliza.web.assets_view import reader_key
from baliza.web.context import ServingContext

log = logging.getLogger(__name__)


def country_wide(principal: Principal) -> bool:
    """Whether the principal sees every agency's seizures as aggregates (roles that may not read seizures)."""
    return not principal.may(Permission.READ_SEIZURES)


def _compute(tables: Any) -> dict[str, Any]:
    from baliza.report.early_warning import early_warning_figures

    return early_warning_figures(tables)


def _holders(wh: Any, scope: Scope, ctx: ServingContext) -> tuple[list[dict[str, Any]], bool]:
    """Seizures the principal may not see, per holding agency; and whether some holder withholds even that."""
    return sources.held_by(wh, scope, ctx, "seizures")


def _aggregate_cut(figures: dict[str, Any]) -> dict[str, Any]:
    """Oversight's cut: no seizure ids; months of fewer than 5 seizures of a substance not shown, nor the
    expected band of a series with such a month (it is an average of earlier months)."""
    def small(n: int | None) -> bool:
        return n is not None and 0 < n < MIN_CELL

    series = []
    for s in figures["series"]:
        hidden = any(small(p["seizures"]) for p in s["points"])
        # the band is the mean of earlier months: with one of them hidden it would give it away by subtraction
        band = {"expected": None, "low": None, "high": None} if hidden else {}
        series.append({**s, "total": None if small(s["total"]) else s["total"], "band_hidden": hidden,
                       "points": [{**p, **band, "seizures": None if small(p["seizures"]) else p["seizures"],
                                   "suppressed": small(p["seizures"])} for p in s["points"]]})
    firsts = [{**{k: v for k, v in f.items() if k != "evidence"},
               "seizures": None if small(f["seizures"]) else f["seizures"]} for f in figures["first_detections"]]
    surges = [{k: v for k, v in s.items() if k != "evidence"} for s in figures["surges"]]
    return {**figures, "series": series, "first_detections": firsts, "surges": surges}


def early_warning_view(ctx: ServingContext, principal: Principal) -> dict[str, Any]:
    """The page's and the API's content for `principal`: the same dictionary for both."""
    from baliza.report.early_warning import unodc_figures

    with ctx.reading(principal) as (wh, scope):
        if country_wide(principal):
            view = {**_aggregate_cut(ctx.cached("early_warning:all", lambda: _compute(wh))),
                    "held_elsewhere": [], "undisclosed": False}
        else:
            figures = ctx.cached(f"early_warning:{reader_key(scope)}", lambda: _compute(ScopedWarehouse(wh, scope)))
            held, undisclosed = _holders(wh, scope, ctx)
            view = {**figures, "held_elsewhere": held, "undisclosed": undisclosed}
    directory = names.directory(ctx)
    view["held_elsewhere"] = [{**h, "agency_name": names.name_of(directory, h["agency_id"])}
                              for h in view["held_elsewhere"]]
    try:
        unodc = unodc_figures()
    except ValueError:  # a file there that is not the table: said in the log, the page goes on without it
        log.exception("the UNODC seizure table could not be read")
        unodc = {"available": False, "rises": []}
    return {**view, "country_wide": country_wide(principal), "unodc": unodc,
            "can_read_seizures": principal.may(Permission.READ_SEIZURES),
            "scope_words": _("every seizure in the country, as aggregates") if country_wide(principal)
            else _("the seizures your agency reported or was granted")}
