"""`baliza assets`: the asset-recovery pipeline, what is lost between stages and how long each step takes."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from baliza.analyses.as_of import covered_to
from baliza.analyses.assets import attrition, foreign_assets, pipeline, stage_times
from baliza.analyses.assets.pipeline import GROUPINGS
from baliza.analyses.wording import money_usd
from baliza.cli.options import DbOption, JsonOption
from baliza.cli.output import console, fail, print_json
from baliza.i18n import gettext as _
from baliza.warehouse import open_warehouse

ByOption = Annotated[str | None, typer.Option("--by", help="Group by office_id, jurisdiction or kind.",
                                              show_default=False)]


def assets_command(db: DbOption = None, by: ByOption = None, as_json: JsonOption = False) -> None:
    """Assets identified, frozen, confiscated, recovered and returned: counts, values, attrition and times."""
    if by is not None and by not in GROUPINGS:
        fail(_("Unknown grouping %(by)s: use office_id, jurisdiction or kind.", by=by))
    try:
        warehouse = open_warehouse(db, read_only=True)
    except FileNotFoundError as error:
        fail(str(error))
        raise
    with warehouse:
        as_of = covered_to(warehouse, ("assets", "dispositions"))
        stages = pipeline(warehouse, by)
        lost = attrition(warehouse)
        times = stage_times(warehouse, as_of) if as_of else []
        foreign = foreign_assets(warehouse, as_of)
    payload: dict[str, Any] = {
        "as_of": as_of, "pipeline": stages.to_dict("records"), "attrition": lost.to_dict("records"),
        "stage_times": [t.to_dict() for t in times], "foreign": foreign.to_dict("records"),
    }
    if as_json:
        print_json(payload)
        return
    if stages.empty or int(stages["assets"].sum()) == 0:
        console.print(_("No assets in the warehouse."))
        return
    table = Table(title=_("Asset recovery pipeline (data to %(day)s)", day=as_of))
    for column in ([by] if by else []) + [_("Assets"), _("Frozen"), _("Confiscated"), _("Recovered"),
                                          _("Released")]:
        table.add_column(column, justify="left" if column == by else "right")
    for row in stages.head(20).to_dict("records"):
        cells = [f"{int(row[s]):,} · {money_usd(row[f'{s}_usd'])}"
                 for s in ("frozen", "confiscated", "recovered", "released")]
        table.add_row(*([str(row[by])] if by else []), f"{int(row['assets']):,}", *cells)
    console.print(table)
    steps = Table(title=_("Time between stages (days; assets still waiting count as waiting)"))
    for column in (_("Step"), _("Followed"), _("Reached"), _("Median"), _("Within a year")):
        steps.add_column(column, justify="right")
    for t in payload["stage_times"]:
        share = t["share_within_365_days"]
        steps.add_row(f"{t['from_stage']} → {t['to_stage']}", f"{t['followed']:,}", f"{t['reached']:,}",
                      "–" if t["median_days"] is None else f"{t['median_days']:.0f}",
                      "–" if share is None else f"{share:.0%}")
    console.print(steps)


def register(app: typer.Typer) -> None:
    app.command("assets")(assets_command)
