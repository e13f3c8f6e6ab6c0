"""`baliza efficiency` and `baliza flags`: prosecution efficiency and corruption red flags."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from baliza.analyses.efficiency import SUBJECT_COLUMN, Subject, efficiency
from baliza.analyses.model import Indicator
from baliza.analyses.periods import Granularity
from baliza.cli.options import DbOption, JsonOption
from baliza.cli.output import console, fail, print_json
from baliza.warehouse import Warehouse, open_warehouse

SHOWN = ("incoming", "resolved", "pending_end", "clearance_rate", "disposition_time_days", "case_turnover_ratio",
         "dismissal_rate", "conviction_rate", "median_days_to_resolution_km")

PeriodOption = Annotated[Granularity, typer.Option("--period", help="Length of the reporting periods.")]
SettingsOption = Annotated[
    Path | None,
    typer.Option("--settings", help="YAML file of the agency's own thresholds (see docs/red-flags.md).",
                 show_default=False),
]
ByOption = Annotated[Subject, typer.Option("--by", help="Whose efficiency: an office, a prosecutor or a judge.")]


def indicator_json(indicator: Indicator, by: Subject) -> dict[str, object]:
    key = "office_id" if by is Subject.OFFICE else "staff_id"
    return {key: indicator.subject_id, "indicator": indicator.indicator, "period": indicator.period,
            "value": indicator.value, "numerator": indicator.numerator, "denominator": indicator.denominator}


def _open(db: Path | None) -> Warehouse:
    """The warehouse, read-only: these commands never change it."""
    try:
        return open_warehouse(db, read_only=True)
    except FileNotFoundError as error:
        fail(str(error))
        raise


def efficiency_command(
    db: DbOption = None, period: PeriodOption = Granularity.YEAR, by: ByOption = Subject.OFFICE,
    as_json: JsonOption = False,
) -> None:
    """Clearance rate, disposition time, turnover, dismissals, convictions... per office, prosecutor or judge."""
    with _open(db) as warehouse:
        indicators = efficiency(warehouse, period, by)
    if as_json:
        print_json([indicator_json(i, by) for i in indicators])
        return
    if not indicators:
        console.print("No cases in the warehouse.")
        return
    table = Table(title=f"Efficiency by {by.value} and {period.value}", show_lines=False)
    table.add_column(SUBJECT_COLUMN[by], no_wrap=True)
    table.add_column("period", no_wrap=True)
    for name in SHOWN:
        table.add_column(name.replace("_", " "), justify="right")
    rows: dict[tuple[str, str], dict[str, float | None]] = {}
    for i in indicators:
        rows.setdefault((i.subject_id, i.period), {})[i.indicator] = i.value
    for (subject, label), values in rows.items():
        table.add_row(subject, label, *(_fmt(values.get(name)) for name in SHOWN))
    console.print(table)


def flags_command(db: DbOption = None, settings: SettingsOption = None, as_json: JsonOption = False) -> None:
    """Red flags for review (never verdicts): outcome outliers, shrinkage, unconverted seizures, steering..."""
    from baliza.analyses.integrity import FlagSettings, SettingsError, red_flags  # scipy, statsmodels: when needed

    try:
        chosen = FlagSettings.load(settings)
    except SettingsError as error:
        fail(str(error))
        raise
    with _open(db) as warehouse:
        findings = red_flags(warehouse, chosen)
    if as_json:
        print_json([f.to_dict() for f in findings])
        return
    if not findings:
        console.print("No red flags.")
        return
    tested = sum(f.q_value is not None for f in findings)
    console.print(f"[bold]{len(findings)} red flags for review[/] (never verdicts): {tested} backed by a statistical "
                  f"test, with a Benjamini-Hochberg q-value across every unit tested; {len(findings) - tested} facts "
                  f"about single cases. Thresholds: {chosen.source} (docs/red-flags.md).\n")
    for number, f in enumerate(findings, 1):
        q = "" if f.q_value is None else f" · q = {f.q_value:.2g}"
        console.print(f"[bold]{number}. {f.rule.replace('_', ' ')}[/] · {f.subject.table} {f.subject.id}{q} · "
                      f"score {f.score:.3g}", highlight=False)
        shown = ", ".join(f"{e.table}:{e.id}" for e in f.evidence[:8])
        more = f" (+{len(f.evidence) - 8} more)" if len(f.evidence) > 8 else ""
        body = Text(f.summary + "\n")
        body.append(f"method: {f.method}\nevidence: {shown}{more}\n", style="dim")
        console.print(Padding(body, (0, 0, 0, 3)))


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


def register(app: typer.Typer) -> None:
    app.command("efficiency")(efficiency_command)
    app.command("flags")(flags_command)
