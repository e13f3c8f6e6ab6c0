"""`baliza ksi` (key success indicators of units) and `baliza entry-points` (all entry points in one view)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from baliza.cli.options import DbOption, JsonOption
from baliza.cli.output import console, fail, print_json

PeriodOption = Annotated[str, typer.Option("--period", help="Period length: year, quarter or month.")]
UnitOption = Annotated[str | None, typer.Option("--unit", help="Only this unit (unit_id).", show_default=False)]
CountryOption = Annotated[
    str | None, typer.Option("--country", help="Only this country (ISO alpha-3).", show_default=False)
]


def register(app: typer.Typer) -> None:
    app.command("ksi")(ksi)
    app.command("entry-points")(entry_points)


def ksi(period: PeriodOption = "year", unit: UnitOption = None, db: DbOption = None, json: JsonOption = False) -> None:
    """Key success indicators per unit and period, each with its numerator and denominator."""
    from baliza.analyses.ksi import compute_indicators
    from baliza.analyses.periods import Granularity
    from baliza.warehouse import open_warehouse

    try:
        granularity = Granularity(period)
    except ValueError:
        fail(f"--period must be year, quarter or month, not {period!r}")
        return
    try:
        with open_warehouse(db, read_only=True) as wh:
            indicators = compute_indicators(wh, granularity, unit)
    except FileNotFoundError as error:
        fail(str(error))
        return
    if json:
        print_json([
            {"unit_id": i.subject_id, "indicator": i.indicator, "period": i.period, "value": i.value,
             "numerator": i.numerator, "denominator": i.denominator}
            for i in indicators
        ])
        return
    table = Table("unit", "indicator", "period", "value", "numerator", "denominator", title="Key success indicators")
    for i in indicators:
        table.add_row(i.subject_id, i.indicator, i.period, _show(i.value), _show(i.numerator), _show(i.denominator))
    console.print(table)


def entry_points(country: CountryOption = None, db: DbOption = None, json: JsonOption = False) -> None:
    """Every entry point per country: units and programmes present, their figures, gaps and joint work."""
    from baliza.analyses.entry_points import entry_point_views
    from baliza.warehouse import open_warehouse

    try:
        with open_warehouse(db, read_only=True) as wh:
            views = entry_point_views(wh, country)
    except FileNotFoundError as error:
        fail(str(error))
        return
    if json:
        print_json([view.to_dict() for view in views])
        return
    for view in views:
        table = Table("entry point", "kind", "traffic", "units (programme)", "hit rate", "seizures",
                      title=f"Entry points of {view.country}")
        for ep in view.entry_points:
            units = ", ".join(f"{u.unit_id} ({u.programme or 'none'})" for u in ep.units) or (
                "[bold red]no unit[/]" if ep.has_traffic else "no unit")
            rates = ", ".join(_show(u.hit_rate) for u in ep.units if u.inspections)
            table.add_row(ep.entry_point_id, ep.kind, _show(ep.annual_traffic), units, rates, _show(ep.seizures))
        console.print(table)
        if view.operations:
            console.print(f"  joint operations: {len(view.operations)}")
        for item in view.separate_trainings:
            console.print(f"  trained separately on [b]{item.topic}[/]: {', '.join(item.programmes)} "
                          f"({len(item.training_ids)} trainings)")


def _show(value: float | int | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.3f}"
    return f"{value:,.0f}"
