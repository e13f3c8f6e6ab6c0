"""Asset recovery (UNCAC chapter V, StAR) for the country report and the dashboard: the figures
(`asset_figures`, plain data from the analyses in `baliza.analyses.assets`), their words (`named`), and the
report's section (`asset_section`).

Figures are computed on whatever `tables` holds: the whole warehouse (the operator's report), or one reader's
view (`ScopedWarehouse`: its agency's assets, cases and convictions). Mutual legal assistance is approximated
by the assets held abroad: the data contract has no table of MLA requests, and the report says so.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from baliza.i18n import N_, current
from baliza.i18n import gettext as _
from baliza.i18n.formatting import count, day, money, percent
from baliza.report.section import Section

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


def asset_figures(tables: Any, detail: bool = True) -> dict[str, Any]:
    """Every asset-recovery figure on `tables` (the whole warehouse or a principal's scoped view), in plain data.
    Without `detail` (the report), the tables by office and by case are left out (empty)."""
    from baliza.analyses.as_of import covered_to
    from baliza.analyses.assets import attrition, foreign_assets, pipeline, stage_times

    if int(tables.table("assets").count().to_pyarrow().as_py()) == 0:  # nothing to follow: no queries
        return {"as_of": None, "assets": 0, "value_usd": 0.0, "stages": [], "attrition": [], "stage_times": [],
                "foreign": [], "by_office": [], "cases": []}
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
                 for r in _records(pipeline(tables, "office_id"))] if detail else []
    cases = [{"case_id": r["case_id"], **{k: r[k] for k in keep}}
             for r in _records(pipeline(tables, "case_id")) if r["case_id"] is not None] if detail else []
    return {
        "as_of": str(as_of) if as_of is not None else None,
        "assets": int(overall.get("assets") or 0), "value_usd": float(overall.get("value_usd") or 0),
        "stages": stages, "attrition": _records(attrition(tables)), "stage_times": steps,
        "foreign": _records(foreign_assets(tables, as_of)), "by_office": by_office, "cases": cases,
    }



def named(figures: Mapping[str, Any], directory: Mapping[str, str]) -> dict[str, Any]:
    """`figures` with words beside the codes, in the current language: stages, steps, offices (by name from
    `directory`), jurisdictions (country names)."""
    return {
        **figures,
        "stages": [{**s, "label": stage_word(s["stage"])} for s in figures["stages"]],
        "attrition": [{**a, "label": _("From %(here)s to %(after)s", here=stage_word(a["from_stage"]).lower(),
                                       after=stage_word(a["to_stage"]).lower())} for a in figures["attrition"]],
        "stage_times": [{**t, "label": _(STEP_WORDS.get((t["from_stage"], t["to_stage"]), t["from_stage"]))}
                        for t in figures["stage_times"]],
        "by_office": [{**r, "office_name": directory.get(str(r["office_id"]), str(r["office_id"]))
                       if r["office_id"] else _("No office in your view")} for r in figures["by_office"]],
        "foreign": [{**r, "jurisdiction_name": country_name(r["jurisdiction"])} for r in figures["foreign"]],
    }


# --- the report's section ------------------------------------------------------------------------------------

def _table(headings: list[tuple[str, bool]], rows: list[list[str]]) -> str:
    head = "".join(f"<th{' class=num' if numeric else ''}>{html.escape(text)}</th>" for text, numeric in headings)
    body = "".join("<tr>" + "".join(f"<td{' class=num' if headings[k][1] else ''}>{html.escape(cell)}</td>"
                                    for k, cell in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def asset_section(figures: Mapping[str, Any] | None, directory: Mapping[str, str] | None = None) -> Section:
    """The pipeline, what is lost between stages, how long each step takes and the assets abroad, each number
    with the words that say how it was counted. None: the reader's role does not read asset recovery."""
    title = _("Asset recovery: from identification to return")
    if figures is None:
        words = _("Asset recovery is not part of this reader's report: the role does not read it.")
        return Section(title, f"<p>{html.escape(words)}</p>", "assets")
    if not figures.get("assets"):
        return Section(title, f"<p>{html.escape(_('No assets in the data this report covers.'))}</p>", "assets")
    from baliza.web.assets_charts import pipeline_bars, survival_chart

    view = named(figures, directory or {})
    lead = _("%(count)s assets worth %(value)s in all, data to %(day)s. An asset reached a stage when its date for "
             "that stage is filled; an asset may skip a recorded stage, so the stages are not a strict funnel. "
             "Values are the estimated values in US dollars as recorded.", count=count(view["assets"]),
             value=money(view["value_usd"]), day=day(view["as_of"]) or "–")
    stages = _table([(_("Stage"), False), (_("Assets"), True), (_("Value"), True)],
                    [[s["label"], count(s["assets"]), money(s["value_usd"])] for s in view["stages"]])
    lost = _table([(_("Step"), False), (_("Reached the stage"), True), (_("Went on"), True), (_("Released"), True),
                   (_("Still waiting"), True), (_("Went on (share)"), True)],
                  [[a["label"], count(a["reached"]), count(a["went_on"]), count(a["released"]), count(a["waiting"]),
                    percent(a["went_on_share"]) if a["went_on_share"] is not None else "–"] for a in view["attrition"]])
    times = _table([(_("Step"), False), (_("Followed"), True), (_("Reached the next stage"), True),
                    (_("Still waiting or released"), True), (_("Median days"), True), (_("Within a year"), True)],
                   [[t["label"], count(t["followed"]), count(t["reached"]), count(t["still_waiting_or_left"]),
                     count(t["median_days"]) if t["median_days"] is not None else _("not reached"),
                     percent(t["share_within_365_days"]) if t["share_within_365_days"] is not None else "–"]
                    for t in view["stage_times"]])
    foreign = _table([(_("Jurisdiction"), False), (_("Assets"), True), (_("Value"), True), (_("Recovered"), True),
                      (_("Returned"), True), (_("Waiting"), True), (_("Median age (days)"), True)],
                     [[f["jurisdiction_name"], count(f["assets"]), money(f["value_usd"]), count(f["recovered"]),
                       count(f["returned"]), count(f["pending"]),
                       count(f["median_age_days"]) if f.get("median_age_days") is not None else "–"]
                      for f in view["foreign"]]) if view["foreign"] else \
        f"<p>{html.escape(_('No assets held in another jurisdiction.'))}</p>"
    parts = [
        f"<p>{html.escape(lead)}</p>", pipeline_bars(view["stages"]), stages,
        f"<h3>{html.escape(_('What is lost between stages'))}</h3>",
        "<p>" + html.escape(_("Of the assets that reached a stage: how many reached the next, how many were released "
                              "without confiscation, and how many are still waiting. Only assets held abroad can be "
                              "returned.")) + "</p>", lost,
        f"<h3>{html.escape(_('How long each step takes'))}</h3>",
        "<p>" + html.escape(_("The share of assets that have not reached the next stage, by days since the earlier "
                              "one. Assets still waiting at the end of the data count as waiting until then "
                              "(censored); a released asset will never reach the next stage, so the curve levels off "
                              "above zero (Aalen-Johansen), instead of counting it as still able to.")) + "</p>",
        survival_chart(view["stage_times"]), times,
        f"<h3>{html.escape(_('Assets abroad'))}</h3>", f"<p>{html.escape(_(MLA_NOTE))}</p>", foreign,
    ]
    return Section(title, "\n".join(parts), "assets")
