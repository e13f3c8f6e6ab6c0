"""The asset-recovery page and API as one principal may see them (UNCAC chapter V, StAR).

The analyses (`baliza.analyses.assets`) run on the warehouse as the principal sees it, once per distinct
cut and warehouse state:
- roles that read rows (analysts, prosecution inspectors): the assets, cases and dispositions their agency
  reported or was granted (`ScopedWarehouse`). Assets held by other agencies are not dropped in silence:
  they are counted and named by their holder (unless the holder withholds whether it holds any), with no id;
- roles that read aggregates only (oversight): every asset in the country, with no case named, and tables
  by office or jurisdiction cut where a cell counts fewer than 5 assets (and its complement, since the total
  is shown beside them: `access.disclosure`).
Mutual legal assistance is approximated by the assets held abroad: the data contract has no table of MLA
requests, and the page says so.
"""

from __future__ import annotations

from typing import Any

from baliza.access.disclosure import suppress_small_cells
from baliza.access.principal import Principal
from baliza.access.roles import Permission
from baliza.access.scope import Scope, ScopedWarehouse
from baliza.i18n import N_, current
from baliza.i18n import gettext as _
from baliza.report.assets import MLA_NOTE, asset_figures, named
from baliza.web import names, sources
from baliza.web.context import ServingContext

ASSET_RULES = {"asset_released_after_conviction": N_("Frozen assets released after a conviction"),
               "freeze_lifted_before_verdict": N_("Freezes lifted just before a verdict"),
               "confiscation_shortfall": N_("Offices confiscating far less after convictions than their peers")}
CASES_SHOWN = 25


def country_wide(principal: Principal) -> bool:
    """Whether the principal sees every agency's assets as aggregates (roles that may not read cases)."""
    return not principal.may(Permission.READ_CASES)


def reader_key(scope: Scope) -> str:
    """One key per distinct cut (`Scope.cache_key`)."""
    return scope.cache_key()


def _holders(wh: Any, scope: Scope, ctx: ServingContext) -> tuple[list[dict[str, Any]], bool]:
    """Assets the principal may not see, per holding agency; and whether some holder withholds even that."""
    return sources.held_by(wh, scope, ctx, "assets")


def _aggregate_cut(figures: dict[str, Any]) -> dict[str, Any]:
    """Oversight's cut: no case named; the tables by office and by jurisdiction hide cells of fewer than 5
    assets (an office's or a country's few assets point at their owners) and their complements, the totals
    being published (the country's stages, and the assets abroad in the attrition). The country's totals per
    stage stay: they count assets across the country, not people."""
    also = ("value_usd", "frozen", "confiscated", "recovered", "returned", "released", "confiscated_usd",
            "recovered_usd")
    foreign_also = ("value_usd", "recovered", "returned", "pending", "median_age_days", "oldest_age_days")
    return {**figures, "cases": [],
            "by_office": suppress_small_cells(figures["by_office"], "assets", also=also, total_published=True),
            "foreign": suppress_small_cells(figures["foreign"], "assets", also=foreign_also, total_published=True)}


def _flag_counts(ctx: ServingContext, principal: Principal) -> list[dict[str, Any]] | None:
    """How many asset red flags the principal may read, per rule (None: its role reads no findings)."""
    if not principal.may(Permission.READ_FINDINGS):
        return None
    from baliza.web import services

    found = services.findings(ctx, principal)
    return [{"rule": rule, "label": _(words), "count": sum(1 for f in found if f["rule"] == rule)}
            for rule, words in ASSET_RULES.items()]


def _named(view: dict[str, Any], directory: dict[str, str]) -> dict[str, Any]:
    """Names beside the codes (`report.assets.named`), and the holders of what the principal may not see."""
    return {**named(view, directory), "held_elsewhere": [{**h, "agency_name": names.name_of(directory, h["agency_id"])}
                                                        for h in view["held_elsewhere"]]}


def asset_view(ctx: ServingContext, principal: Principal) -> dict[str, Any]:
    """The page's and the API's content for `principal`: the same dictionary for both."""
    with ctx.reading(principal) as (wh, scope):
        if country_wide(principal):
            figures = ctx.cached("assets_view:all", lambda: asset_figures(wh))
            view = {**_aggregate_cut(figures), "held_elsewhere": [], "undisclosed": False}
        else:
            key = reader_key(scope)
            figures = ctx.cached(f"assets_view:{key}", lambda: asset_figures(ScopedWarehouse(wh, scope)))
            held, undisclosed = _holders(wh, scope, ctx)
            view = {**figures, "cases": figures["cases"][:CASES_SHOWN], "cases_total": len(figures["cases"]),
                    "held_elsewhere": held, "undisclosed": undisclosed}
    view = _named(view, names.directory(ctx))
    return {**view, "country_wide": country_wide(principal), "language": current(),
            "flags": _flag_counts(ctx, principal), "mla_note": _(MLA_NOTE),
            "can_read_cases": principal.may(Permission.READ_CASES)}
