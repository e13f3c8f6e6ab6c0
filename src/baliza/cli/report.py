"""`baliza report ...`: documents in HTML or PDF. `growth` is the comparison-based growth report (clause 5)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from baliza.access.files import write_private  # reports may name people: owner-only files
from baliza.cli.options import DbOption
from baliza.cli.output import console, fail

report_app = typer.Typer(help="Write reports (HTML or PDF, the same content).", no_args_is_help=True)


class ReportFormat(StrEnum):
    HTML = "html"
    PDF = "pdf"


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")


@report_app.command("growth")
def growth(
    unit: Annotated[str | None, typer.Option("--unit", help="Only this unit.", show_default=False)] = None,
    first: Annotated[str | None, typer.Option("--from", help="First period of the window (2024, 2024-Q1, 2024-01).",
                                              show_default=False)] = None,
    last: Annotated[str | None, typer.Option("--to", help="Period reported on (default: latest with data).",
                                             show_default=False)] = None,
    period: Annotated[str, typer.Option("--period", help="Period length when --from/--to are not given: year, "
                                        "quarter or month.")] = "year",
    output_format: Annotated[ReportFormat, typer.Option("--format", help="html or pdf.")] = ReportFormat.HTML,
    out: Annotated[Path | None, typer.Option("--out", help="File to write (default: growth-report.<format>).",
                                             show_default=False)] = None,
    db: DbOption = None,
) -> None:
    """Each unit's indicators this period against the last and against peers, with intervals and trend tests.

    The operator's view of the whole warehouse (every agency's units); readers get theirs on the dashboard."""
    from baliza.analyses.entry_points import entry_point_views
    from baliza.analyses.growth import granularity_of, growth_report
    from baliza.analyses.periods import Granularity
    from baliza.report.document import render_document
    from baliza.report.entry_points import entry_point_sections
    from baliza.report.growth import growth_sections
    from baliza.warehouse import open_warehouse

    try:
        granularity = Granularity(period)
    except ValueError:
        fail(f"--period must be year, quarter or month, not {period!r}")
        return
    if first and last and granularity_of(first) is not granularity_of(last):
        fail(f"--from {first} and --to {last} must name periods of the same length (year, quarter or month)")
    if first and last and first > last:
        fail(f"--from {first} comes after --to {last}")
    try:
        with open_warehouse(db, read_only=True) as wh:
            figures = growth_report(wh, unit_id=unit, first=first, last=last, granularity=granularity)
            views = entry_point_views(wh) if unit is None else []
    except FileNotFoundError as error:
        fail(str(error))
        return
    except ValueError as error:
        fail(f"cannot read the period: {error}")
        return
    if unit is not None and not figures.units:
        fail(f"no inspections or seizures for unit {unit} in this window")
    subtitle = f"Period {figures.period}" + (f", compared with {figures.previous_period}" if figures.previous_period
                                              else "")
    document = render_document("Growth report", growth_sections(figures) + entry_point_sections(views), subtitle)
    target = out or Path(f"growth-report.{output_format.value}")
    if output_format is ReportFormat.PDF:
        from baliza.report.pdf import html_to_pdf

        write_private(target, html_to_pdf(document))
    else:
        write_private(target, document)
    console.print(f"wrote {target} ({len(figures.units)} units, period {figures.period})")


@report_app.command("country")
def country(
    output_format: Annotated[ReportFormat, typer.Option("--format", help="html or pdf.")] = ReportFormat.HTML,
    out: Annotated[Path | None, typer.Option("--out", help="File to write (default: country-report.<format>).",
                                             show_default=False)] = None,
    period: Annotated[str, typer.Option("--period", help="Period length: year or quarter.")] = "year",
    user: Annotated[str | None, typer.Option(
        "--user", help="Write the report as this user may read it: its agency's units and rows, the grants "
        "it received, its role's permissions (as the dashboard's Reports page); the export is audited. "
        "Without it, the report is the operator's view of the whole warehouse.", show_default=False)] = None,
    db: DbOption = None,
) -> None:
    """The country in one document: headline figures, units, peers and DEA, justice, entry points.

    Without --user this is the operator's view: every agency's rows, for whoever holds the warehouse file.
    With --user NAME it is cut to what that user may read, by the same rules as the dashboard."""
    from baliza.analyses.periods import Granularity
    from baliza.report.country import write_country_report
    from baliza.warehouse import open_warehouse

    if period not in ("year", "quarter"):
        fail(f"--period must be year or quarter, not {period!r}")
    target = out or Path(f"country-report.{output_format.value}")
    try:
        with open_warehouse(db, read_only=True) as wh:
            figures = None if user is None else _figures_for_user(wh, user, Granularity(period))
            write_country_report(wh, target, output_format.value, Granularity(period), figures)
    except FileNotFoundError as error:
        fail(str(error))
        return
    console.print(f"wrote {target}" + (f" as {user} may read it" if user else " (whole warehouse)"))


def _figures_for_user(wh: Any, username: str, granularity: Any) -> Any:
    """The country figures cut to what `username` may read; the export is recorded in the audit log."""
    from baliza.access.audit import record
    from baliza.access.principal import AccessDenied
    from baliza.access.scope import scope_for
    from baliza.access.state import open_state_beside
    from baliza.access.users import get_user
    from baliza.report.country import country_figures
    from baliza.report.readership import figures_for

    state = open_state_beside(wh.path)
    try:
        found = get_user(state, username)
        if found is None or found.disabled:
            fail(f"no active user {username!r} (see baliza user list)")
        assert found is not None
        principal = found.principal(via="cli")
        try:
            figures = figures_for(wh, scope_for(wh, state, principal), country_figures(wh, granularity))
        except AccessDenied as error:
            fail(f"{username}: {error}")
            raise
        record(state, principal.username, principal.agency_id, "export", "reports/country",
               {"via": "cli", "flags": len(figures.flags or [])})
        return figures
    finally:
        state.close()
