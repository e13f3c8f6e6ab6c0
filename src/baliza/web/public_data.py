"""The aggregates published to civil oversight and, when the setting allows, to everyone (`web.public`):
per place and year, seizures and how many became a case and reached a verdict; per region and year, the
growers enrolled, placed and back to cultivation; per year, treatment episodes. Country-wide, computed once
per warehouse snapshot (`web.precompute`), and disclosed together through `access.disclosure.disclose`:
the page, the oversight pages, the API and the CSV show the same cells.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from baliza.access.disclosure import Figure, PublishedTable, disclose
from baliza.i18n import N_
from baliza.i18n import gettext as _
from baliza.web.context import ServingContext

STAGE_SEIZURES = {"seizures": Figure("seizures"), "to_case": Figure("seizures", (("stage", "case"),)),
                  "to_verdict": Figure("seizures", (("stage", "verdict"),))}
GROWERS = {"enrolled": Figure("growers"), "placed": Figure("growers", (("status", "placed"),)),
           "relapsed": Figure("growers", (("status", "relapsed"),)),
           "other": Figure("growers", (("status", "other"),))}  # not shown, but enrolled minus the others
EPISODES = {"admitted": Figure("episodes"), "discharged": Figure("episodes", (("discharge", "yes"),)),
            "completed": Figure("episodes", (("discharge", "yes"), ("reason", "completed"))),
            "abstinent": Figure("episodes", (("discharge", "yes"), ("abstinent", "yes")))}


def _with_year_totals(rows: list[dict[str, Any]], place: str, counts: tuple[str, ...]) -> list[dict[str, Any]]:
    """The rows and, for each year, the country's total (place None): the line a reader adds up to."""
    totals: dict[str, dict[str, Any]] = {}
    for row in rows:
        total = totals.setdefault(row["year"], {place: None, "year": row["year"], **{c: 0 for c in counts}})
        for c in counts:
            total[c] += row[c] or 0
    return rows + [totals[y] for y in sorted(totals)]


def aggregates_of(wh: Any) -> dict[str, Any]:
    """The three tables as computed (not yet disclosed) and the day of publication: a result computed once
    per load (`web.results.LoadResults.published`)."""
    from baliza.analyses.oversight import (
        enforcement_by_place_and_year,
        livelihood_by_region_and_year,
        published_on,
        treatment_by_year,
    )

    enforcement = enforcement_by_place_and_year(wh.table("seizures"), wh.table("cases"),
                                                wh.table("dispositions"), wh.table("entry_points"))
    livelihood = livelihood_by_region_and_year(wh.table("farmer_enrolments"))
    for row in livelihood:
        row["other"] = row["enrolled"] - row["placed"] - row["relapsed"]
    return {"enforcement": enforcement, "livelihood": livelihood,
            "treatment": treatment_by_year(wh.table("treatment_episodes")),
            "published_on": published_on(wh.table("loads"))}


def aggregates(ctx: ServingContext) -> dict[str, Any]:
    from baliza.web.results import results_of

    return results_of(ctx).published  # type: ignore[no-any-return]


def published(ctx: ServingContext) -> dict[str, Any]:
    """The published aggregates, small cells and their complements hidden (None, listed in `suppressed`)."""
    found = aggregates(ctx)
    unknown = "(none)"  # seizures with no entry point recorded: a place of their own, not the total
    places = {r["place_id"] or unknown: r["place"] or _("Entry point not recorded") for r in found["enforcement"]}
    enforcement = _with_year_totals([{**{k: v for k, v in r.items() if k != "place"}, "place_id": r["place_id"] or
                                      unknown} for r in found["enforcement"]], "place_id", tuple(STAGE_SEIZURES))
    livelihood = _with_year_totals(found["livelihood"], "region", tuple(GROWERS))
    tables = [PublishedTable("enforcement", enforcement, {"place_id": "place", "year": "period"}, STAGE_SEIZURES),
              PublishedTable("livelihood", livelihood, {"region": "place", "year": "period"}, GROWERS,
                             worked_out=("other",)),
              PublishedTable("treatment", found["treatment"], {"year": "period"}, EPISODES)]
    shown = dict(zip(("enforcement", "livelihood", "treatment"), disclose(tables), strict=True))
    for row in shown["enforcement"]:
        row["place"] = places.get(row["place_id"]) if row["place_id"] else None
    return {**shown, "published_on": found["published_on"]}


FIGURE_WORDS = {
    "seizures": N_("Seizures"), "to_case": N_("Seizures that became a case"),
    "to_verdict": N_("Seizures whose case reached a verdict"), "enrolled": N_("Growers enrolled"),
    "placed": N_("Growers placed in legal work"), "relapsed": N_("Growers back to cultivation"),
    "admitted": N_("Treatment episodes admitted"), "discharged": N_("Treatment episodes discharged"),
    "completed": N_("Treatment episodes completed"), "abstinent": N_("Abstinent at discharge"),
}


def as_csv(found: dict[str, Any]) -> str:
    """Every published cell, one line each: table, place, year, figure (its code and its words), value
    (empty when not shown) and the day of publication."""
    figures = {"enforcement": ("place", ("seizures", "to_case", "to_verdict")),
               "livelihood": ("region", ("enrolled", "placed", "relapsed")),
               "treatment": (None, ("admitted", "discharged", "completed", "abstinent"))}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([_("table"), _("place"), _("year"), _("figure"), _("what it counts"), _("value"),
                     _("published on")])
    for table, (place, columns) in figures.items():
        for row in found[table]:
            where = (row.get(place) if place else None) or _("all")
            for column in columns:
                value = row[column]
                writer.writerow([table, where, row["year"], column, _(FIGURE_WORDS[column]),
                                 "" if value is None else int(value), found["published_on"] or ""])
    return out.getvalue()
