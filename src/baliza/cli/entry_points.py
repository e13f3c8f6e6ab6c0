"""`baliza entry-points`: every entry point per country, with the units and programmes present, their
figures, the gaps (traffic and no unit) and the work done together or apart."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from baliza.cli.options import DbOption, IdsOption, JsonOption
from baliza.cli.output import console, fail, print_json
from baliza.cli.steps import step
from baliza.cli.tables import listing, number_column, show, text_column
from baliza.i18n import gettext as _
from baliza.i18n import ngettext
from baliza.i18n.formatting import count, percent
from baliza.i18n.labels import label

CountryOption = Annotated[
    str | None, typer.Option("--country", help="Only this country (ISO alpha-3).", show_default=False)
]


def register(app: typer.Typer) -> None:
    app.command("entry-points")(entry_points)


def entry_points(country: CountryOption = None, ids: IdsOption = False, db: DbOption = None,
                 json: JsonOption = False) -> None:
    """Every entry point per country: units and programmes present, their figures, gaps and joint work."""
    from baliza.analyses.entry_points import entry_point_views
    from baliza.cli.names import directory
    from baliza.warehouse import open_warehouse

    try:
        with open_warehouse(db, read_only=True) as wh:
            names = directory(wh)
            if country is not None:
                known = sorted(set(wh.table("entry_points").country.to_pyarrow().to_pylist()))
                if country.upper() not in known:
                    fail(_("no entry points in country %(country)s; countries with entry points: %(known)s",
                           country=country, known=", ".join(known) or "–"))
                country = country.upper()
            with step(_("Looking at every entry point, its units and their work")):
                views = entry_point_views(wh, country)
    except FileNotFoundError as error:
        fail(str(error))
    if json:
        print_json([view.to_dict() for view in views])
        return
    for view in views:
        table = listing(_("Entry points of %(country)s", country=view.country))
        text_column(table, _("entry point"))
        if ids:
            text_column(table, _("id"), keep_whole=True)
        text_column(table, _("kind"))
        number_column(table, _("traffic a year"))
        text_column(table, _("units (programme): hit rate"))
        number_column(table, _("seizures"))
        for ep in view.entry_points:
            units = "\n".join(
                _("%(unit)s (%(programme)s): %(rate)s", unit=escape(names.get(u.unit_id, u.unit_id)),
                  programme=u.programme or _("no programme"), rate=percent(u.hit_rate, 1) if u.inspections else "–")
                for u in ep.units) or (f"[bold red]{_('no unit')}[/]" if ep.has_traffic else _("no unit"))
            table.add_row(names.get(ep.entry_point_id, ep.entry_point_id), *([ep.entry_point_id] if ids else []),
                          label(ep.kind, "entry_points.kind"), count(ep.annual_traffic), units, count(ep.seizures))
        show(table)
        if view.operations:
            console.print(_("Joint operations: %(count)s", count=count(len(view.operations))), highlight=False)
        for item in view.separate_trainings:
            console.print(ngettext("Trained separately on %(topic)s: %(programmes)s (%(num)s training)",
                                   "Trained separately on %(topic)s: %(programmes)s (%(num)s trainings)",
                                   len(item.training_ids), topic=item.topic,
                                   programmes=", ".join(item.programmes)), highlight=False)
