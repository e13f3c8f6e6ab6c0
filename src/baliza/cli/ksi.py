"""`baliza ksi`: key success indicators of units.

By default a summary that fits a screen: the latest period, one line per unit with its headline figures.
`--unit` gives one unit's every indicator (by id or by name; an unknown unit stops with the close matches),
`--all` every unit, indicator and period with numerators and denominators (the long listing, 1,500 lines
on the demo)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from baliza.cli.names import resolve
from baliza.cli.options import AllOption, DbOption, IdsOption, JsonOption
from baliza.cli.output import console, fail, print_json
from baliza.cli.steps import step
from baliza.cli.tables import NAME_WIDTH, listing, number_column, show, text_column
from baliza.i18n import gettext as _
from baliza.i18n.formatting import MISSING, count, number, percent
from baliza.i18n.labels import indicator_heading

PeriodOption = Annotated[str, typer.Option("--period", help="Period length: year, quarter or month.")]
UnitOption = Annotated[str | None, typer.Option("--unit", help="Only this unit (its id or its name).",
                                                show_default=False)]
# The summary's columns: the figures a unit head looks at first.
HEADLINE = ("seizures", "quantity_seized_kg", "hit_rate", "intelligence_led_share", "prosecution_conversion")


def register(app: typer.Typer) -> None:
    app.command("ksi")(ksi)


def shown(value: float | None, kind: str) -> str:
    """A figure as its kind reads: proportions as percentages, counts whole, the rest with one decimal."""
    if value is None or value != value:
        return MISSING
    if kind == "proportion":
        return percent(value, 1)
    if kind == "count":
        return count(value)
    return number(value, 2 if kind == "ratio" else 1)


def ksi(period: PeriodOption = "year", unit: UnitOption = None, show_all: AllOption = False,
        ids: IdsOption = False, db: DbOption = None, json: JsonOption = False) -> None:
    """Key success indicators per unit: a summary of the latest period, or everything with --all."""
    from baliza.analyses.ksi import compute_indicators
    from baliza.analyses.periods import Granularity
    from baliza.cli.names import units_of
    from baliza.warehouse import open_warehouse

    try:
        granularity = Granularity(period)
    except ValueError:
        fail(_("--period must be year, quarter or month, not %(value)s", value=period))
    try:
        with open_warehouse(db, read_only=True) as wh:
            units = units_of(wh)
            chosen = resolve(unit, units, _("units"), "baliza ksi") if unit is not None else None
            with step(_("Computing the key success indicators")):
                indicators = compute_indicators(wh, granularity, chosen)
    except FileNotFoundError as error:
        fail(str(error))
    if json:
        print_json([
            {"unit_id": i.subject_id, "indicator": i.indicator,
             "period": i.period, "value": i.value, "numerator": i.numerator, "denominator": i.denominator}
            for i in indicators
        ])
        return
    if not indicators:
        console.print(_("No inspections or seizures in the warehouse."))
        return
    latest = max(i.period for i in indicators if i.value is not None)
    if show_all:
        _everything(indicators, units, ids)
    elif chosen is not None:
        _one_unit(indicators, units, chosen, latest)
    else:
        _summary(indicators, units, latest, ids)


def _kinds() -> dict[str, str]:
    from baliza.analyses.ksi import load_catalogue

    return {spec.name: spec.kind.value for spec in load_catalogue()}


def _summary(indicators: list[Any], units: dict[str, str], latest: str, ids: bool) -> None:
    kinds = _kinds()
    values: dict[str, dict[str, float | None]] = {}
    for i in indicators:
        if i.period == latest and i.indicator in HEADLINE:
            values.setdefault(i.subject_id, {})[i.indicator] = i.value
    table = listing(_("Key success indicators, %(period)s", period=latest))
    text_column(table, _("unit"), min_width=NAME_WIDTH)
    if ids:
        text_column(table, _("unit id"), keep_whole=True)
    for name in HEADLINE:
        number_column(table, indicator_heading(name))
    for unit_id, found in sorted(values.items(), key=lambda item: units.get(item[0], item[0])):
        table.add_row(units.get(unit_id, unit_id), *([unit_id] if ids else []),
                      *(shown(found.get(name), kinds[name]) for name in HEADLINE))
    show(table)
    console.print(_("– : nothing to count, or too recent to judge. --unit UNIT shows every indicator of one "
                    "unit; --all every unit, indicator and period with numerators and denominators."),
                  highlight=False)


def _one_unit(indicators: list[Any], units: dict[str, str], unit_id: str, latest: str) -> None:
    kinds = _kinds()
    table = listing(_("%(unit)s (%(id)s): key success indicators, %(period)s", unit=units.get(unit_id, unit_id),
                      id=unit_id, period=latest))
    text_column(table, _("indicator"))
    for heading in (_("value"), _("numerator"), _("denominator")):
        number_column(table, heading)
    for i in indicators:
        if i.period == latest:
            table.add_row(indicator_heading(i.indicator), shown(i.value, kinds[i.indicator]),
                          number(i.numerator, 2), number(i.denominator, 2))
    show(table)
    console.print(_("--all shows every period."), highlight=False)


def _everything(indicators: list[Any], units: dict[str, str], ids: bool) -> None:
    kinds = _kinds()
    table = listing(_("Key success indicators"))
    text_column(table, _("unit"), min_width=NAME_WIDTH)
    if ids:
        text_column(table, _("unit id"), keep_whole=True)
    text_column(table, _("indicator"))
    text_column(table, _("period"), keep_whole=True)
    for heading in (_("value"), _("numerator"), _("denominator")):
        number_column(table, heading)
    for i in indicators:
        table.add_row(units.get(i.subject_id, i.subject_id), *([i.subject_id] if ids else []),
                      indicator_heading(i.indicator), i.period, shown(i.value, kinds[i.indicator]),
                      number(i.numerator, 2), number(i.denominator, 2))
    show(table)
