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

import hashlib
from typing import Any

from baliza.access.disclosure import suppress_small_cells
from baliza.access.principal import Principal
from baliza.access.roles import Permission
from baliza.access.scope import Scope, ScopedWarehouse
from baliza.i18n import N_, current
from baliza.i18n import gettext as _
from baliza.web import names, sources
from baliza.web.context import ServingContext

STAGE_WORDS = {"identified": N_("Identified"), "frozen": N_("Frozen"), "confiscated": N_("Confiscated"),
               "recovered": N_("Recovered"), "returned": N_("Returned"),
               "released": N_("Released without confiscation"), "convicted": N_("Convicted")}
STEP_WORDS = {
    ("identified", "frozen"): N_("From identification to freeze"),
    ("frozen", "confiscated"): N_("From freeze to confiscation"),
    ("convicted", "confiscated"): N_("From conviction to confiscation"),
    ("confiscated", "recovered"): N_("From confiscation to recovery"),
    ("recovered", "returned"): N_("From recovery abroad to return"),
}
ASSET_RULES = {"asset_released_after_conviction": N_("Frozen assets released after a conviction"),
               "freeze_lifted_before_verdict": N_("Freezes lifted just before a verdict"),
               "confiscation_shortfall": N_("Offices confiscating far less after convictions than their peers")}
CASES_SHOWN = 25
CURVE_POINTS = 200  # a curve's steps kept for the chart and the API (the median and quartiles are exact)
MLA_NOTE = N_("Mutual legal assistance is approximated by the assets held in another jurisdiction: the data "
              "contract has no table of MLA requests, so requests, their dates and answers are not counted here.")


def country_name(code: str | None) -> str:
    """An ISO alpha-3 jurisdiction as the country's name in the reader's language ('PER' -> 'Peru', 'Perú')."""
    from babel import Locale
    from babel.core import get_global

    if not code:
        return _("unknown jurisdiction")
    alpha2 = (get_global("territory_aliases").get(code) or [code])[0]
    return str(Locale.parse(current()).territories.get(alpha2, code))


def country_wide(principal: Principal) -> bool:
    """Whether the principal sees every agency's assets as aggregates (roles that may not read cases)."""
    return not principal.may(Permission.READ_CASES)


def reader_key(scope: Scope) -> str:
    """One key per distinct cut: the agency and the live grants it received."""
    grants = "|".join(sorted(f"{g.owner_agency_id}/{g.kind}/{g.subject_id}" for g in scope.grants))
    return f"{scope.principal.agency_id}:{hashlib.sha256(grants.encode()).hexdigest()[:16]}"


def stage_word(stage: str) -> str:
    return _(STAGE_WORDS.get(stage, stage))


def _plain(value: Any) -> Any:
    """Numpy and pandas scalars as Python ones (the view is JSON for the API)."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def _records(frame: Any) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _curve(survival: Any) -> list[list[float]]:
    """(days, share still waiting) from day 0, thinned to at most CURVE_POINTS steps."""
    points = [[0.0, 1.0]] + [[float(t), round(float(s), 4)] for t, s in
                            zip(survival.times, survival.surviving, strict=True)]
    if len(points) > CURVE_POINTS:
        stride = len(points) / CURVE_POINTS
        points = [points[int(k * stride)] for k in range(CURVE_POINTS)] + [points[-1]]
    return points


def compute(tables: Any) -> dict[str, Any]:
    """Every figure of the page on `tables` (the whole warehouse or a principal's scoped view), in plain data."""
    from baliza.analyses.as_of import covered_to
    from baliza.analyses.assets import attrition, foreign_assets, pipeline, stage_times

    as_of = covered_to(tables, ("assets", "dispositions"))
    total = _records(pipeline(tables))
    overall = total[0] if total else {}
    stages = [{"stage": s, "assets": int(overall.get(s) or 0), "value_usd": float(overall.get(f"{s}_usd") or 0)}
              for s in ("identified", "frozen", "confiscated", "recovered", "returned", "released")]
    times = stage_times(tables, as_of) if as_of is not None and overall.get("assets") else []
    steps = [{**t.to_dict(), "curve": _curve(t.survival)} for t in times]  # type: ignore[union-attr]
    keep = ("assets", "value_usd", "frozen", "confiscated", "recovered", "returned", "released",
            "confiscated_usd", "recovered_usd")
    by_office = [{"office_id": r["office_id"], **{k: r[k] for k in keep}}
                 for r in _records(pipeline(tables, "office_id"))]
    cases = [{"case_id": r["case_id"], **{k: r[k] for k in keep}}
             for r in _records(pipeline(tables, "case_id")) if r["case_id"] is not None]
    return {
        "as_of": str(as_of) if as_of is not None else None,
        "assets": int(overall.get("assets") or 0), "value_usd": float(overall.get("value_usd") or 0),
        "stages": stages, "attrition": _records(attrition(tables)), "stage_times": steps,
        "foreign": _records(foreign_assets(tables, as_of)), "by_office": by_office, "cases": cases,
    }


def _holders(wh: Any, scope: Scope, ctx: ServingContext) -> tuple[list[dict[str, Any]], bool]:
    """Assets the principal may not see, counted per holding agency; and whether some holder withholds even
    that (`access.withholding`: their rows' existence is not disclosed)."""
    every = wh.table("assets")
    seen = scope.filter(wh, "assets")
    held = every.group_by("_agency_id").aggregate(n=every.count()).to_pyarrow().to_pylist()
    visible = {r["_agency_id"]: r["n"] for r in
               seen.group_by("_agency_id").aggregate(n=seen.count()).to_pyarrow().to_pylist()}
    withheld = sources.withheld_tables(ctx.state)
    out, undisclosed = [], False
    for row in held:
        agency, hidden = row["_agency_id"], int(row["n"]) - int(visible.get(row["_agency_id"], 0))
        if hidden <= 0 or agency == scope.principal.agency_id:
            continue
        if "assets" in withheld.get(agency or "", set()):
            undisclosed = True
            continue
        out.append({"agency_id": agency, "assets": hidden})
    return sorted(out, key=lambda r: (-r["assets"], str(r["agency_id"]))), undisclosed


def _aggregate_cut(figures: dict[str, Any]) -> dict[str, Any]:
    """Oversight's cut: no case named, tables by office and jurisdiction with small cells suppressed."""
    also = ("value_usd", "frozen", "confiscated", "recovered", "returned", "released", "confiscated_usd",
            "recovered_usd")
    foreign_also = ("value_usd", "recovered", "returned", "pending", "median_age_days", "oldest_age_days")
    return {**figures, "cases": [],
            "by_office": suppress_small_cells(figures["by_office"], "assets", also=also, total_published=True),
            "foreign": suppress_small_cells(figures["foreign"], "assets", also=foreign_also),
            "stages": suppress_small_cells(figures["stages"], "assets", also=("value_usd",))}


def _flag_counts(ctx: ServingContext, principal: Principal) -> list[dict[str, Any]] | None:
    """How many asset red flags the principal may read, per rule (None: its role reads no findings)."""
    if not principal.may(Permission.READ_FINDINGS):
        return None
    from baliza.web import services

    found = services.findings(ctx, principal)
    return [{"rule": rule, "label": _(words), "count": sum(1 for f in found if f["rule"] == rule)}
            for rule, words in ASSET_RULES.items()]


def _named(view: dict[str, Any], directory: dict[str, str]) -> dict[str, Any]:
    """Names beside the codes: offices, agencies, jurisdictions, stages and steps, in the reader's language."""
    return {
        **view,
        "stages": [{**s, "label": stage_word(s["stage"])} for s in view["stages"]],
        "attrition": [{**a, "label": _("From %(here)s to %(after)s", here=stage_word(a["from_stage"]).lower(),
                                       after=stage_word(a["to_stage"]).lower())} for a in view["attrition"]],
        "stage_times": [{**t, "label": _(STEP_WORDS.get((t["from_stage"], t["to_stage"]), t["from_stage"]))}
                        for t in view["stage_times"]],
        "by_office": [{**r, "office_name": names.name_of(directory, r["office_id"]) if r["office_id"]
                       else _("No office in your view")} for r in view["by_office"]],
        "foreign": [{**r, "jurisdiction_name": country_name(r["jurisdiction"])} for r in view["foreign"]],
        "held_elsewhere": [{**h, "agency_name": names.name_of(directory, h["agency_id"])}
                           for h in view["held_elsewhere"]],
    }


def asset_view(ctx: ServingContext, principal: Principal) -> dict[str, Any]:
    """The page's and the API's content for `principal`: the same dictionary for both."""
    with ctx.reading(principal) as (wh, scope):
        if country_wide(principal):
            figures = ctx.cached("assets_view:all", lambda: compute(wh))
            view = {**_aggregate_cut(figures), "held_elsewhere": [], "undisclosed": False}
        else:
            key = reader_key(scope)
            figures = ctx.cached(f"assets_view:{key}", lambda: compute(ScopedWarehouse(wh, scope)))
            held, undisclosed = _holders(wh, scope, ctx)
            view = {**figures, "cases": figures["cases"][:CASES_SHOWN], "cases_total": len(figures["cases"]),
                    "held_elsewhere": held, "undisclosed": undisclosed}
    view = _named(view, names.directory(ctx))
    return {**view, "country_wide": country_wide(principal), "language": current(),
            "flags": _flag_counts(ctx, principal), "mla_note": _(MLA_NOTE),
            "can_read_cases": principal.may(Permission.READ_CASES)}
