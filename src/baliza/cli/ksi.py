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
    app.command("benchmark")(benchmark)


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


def benchmark(
    period: Annotated[str | None, typer.Option("--period", help="Period label: 2025, 2025-Q1 or 2025-03 "
                                               "(default: the latest year with data).", show_default=False)] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Units against their peers: percentile ranks with intervals, and DEA efficiency (CCR and BCC)."""
    from baliza.analyses.benchmarks import peer_groups, peer_percentiles, unit_efficiency
    from baliza.analyses.growth import granularity_of
    from baliza.analyses.ksi import Kind, compute_indicators, load_catalogue
    from baliza.analyses.periods import Granularity
    from baliza.warehouse import open_warehouse

    granularity = granularity_of(period) if period else Granularity.YEAR
    try:
        with open_warehouse(db, read_only=True) as wh:
            indicators = compute_indicators(wh, granularity)
            label = period or max((i.period for i in indicators if i.indicator == "hit_rate"), default="")
            groups = peer_groups(wh)
            figures = unit_efficiency(wh, label, granularity) if label else []
            for spec in load_catalogue():
                if spec.kind is Kind.PROPORTION and label:
                    figures += peer_percentiles(indicators, groups, spec.name, label)
    except FileNotFoundError as error:
        fail(str(error))
        return
    if json:
        print_json([{"unit_id": i.subject_id, **{k: v for k, v in i.to_dict().items() if k != "subject_id"}}
                    for i in figures])
        return
    table = Table("unit", "peer group", "DEA (CCR)", "DEA (BCC)", "hit rate percentile (95%)",
                  title=f"Benchmarks {label}")
    by_unit: dict[str, dict[str, object]] = {}
    for i in figures:
        by_unit.setdefault(i.subject_id, {})[i.indicator] = i
    group_of = dict(zip(groups["unit_id"], groups["peer_group"], strict=True))
    for unit, found in sorted(by_unit.items()):
        rank = found.get("hit_rate_peer_percentile")
        shown = f"{rank.value:.0f} ({rank.low:.0f}–{rank.high:.0f})" if rank else "–"  # type: ignore[attr-defined]
        ccr, bcc = found.get("dea_ccr"), found.get("dea_bcc")
        table.add_row(unit, str(group_of.get(unit, "")), f"{ccr.value:.2f}" if ccr else "–",  # type: ignore[attr-defined]
                      f"{bcc.value:.2f}" if bcc else "–", shown)  # type: ignore[attr-defined]
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
