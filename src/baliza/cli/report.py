"""`baliza report ...`: documents in HTML or PDF. `growth` is the comparison-based growth report (clause 5)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from baliza.access.files import write_private  # reports may name people: owner-only files
from baliza.access.principal import Principal
from baliza.access.roles import Permission, Role
from baliza.cli.lang import LangOption, speaking
from baliza.cli.options import DbOption
from baliza.cli.output import console, fail
from baliza.cli.steps import step
from baliza.i18n import gettext as _
from baliza.i18n import ngettext

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
    lang: LangOption = None,
    db: DbOption = None,
) -> None:
    """Each unit's indicators this period against the last and against peers, with intervals and trend tests.

    The operator's view of the whole warehouse (every agency's units); readers get theirs on the dashboard."""
    from baliza.analyses.entry_points import entry_point_views
    from baliza.analyses.growth import granularity_of, growth_report
    from baliza.analyses.periods import Granularity
    from baliza.cli.names import resolve, units_of
    from baliza.report.document import render_document
    from baliza.report.entry_points import entry_point_sections
    from baliza.report.growth import growth_sections
    from baliza.warehouse import open_warehouse

    try:
        granularity = Granularity(period)
    except ValueError:
        fail(_("--period must be year, quarter or month, not %(value)s", value=period))
    if first and last and granularity_of(first) is not granularity_of(last):
        fail(_("--from %(first)s and --to %(last)s must name periods of the same length (year, quarter or month)",
               first=first, last=last))
    if first and last and first > last:
        fail(_("--from %(first)s comes after --to %(last)s", first=first, last=last))
    with speaking(lang):
        try:
            with open_warehouse(db, read_only=True) as wh:
                chosen = resolve(unit, units_of(wh), _("units"), "baliza ksi") if unit is not None else None
                with step(_("Computing each unit's indicators against its last period and its peers")):
                    figures = growth_report(wh, unit_id=chosen, first=first, last=last, granularity=granularity)
                with step(_("Looking at the entry points")):
                    views = entry_point_views(wh) if chosen is None else []
        except FileNotFoundError as error:
            fail(str(error))
        except ValueError as error:
            fail(_("cannot read the period: %(error)s", error=error))
        if chosen is not None and not figures.units:
            fail(_("no inspections or seizures for unit %(unit)s in this window", unit=chosen))
        subtitle = (_("Period %(period)s, compared with %(previous)s", period=figures.period,
                      previous=figures.previous_period) if figures.previous_period
                    else _("Period %(period)s", period=figures.period))
        target = out or Path(f"growth-report.{output_format.value}")
        with step(_("Writing %(file)s", file=target)):
            document = render_document(_("Growth report"), growth_sections(figures) + entry_point_sections(views),
                                       subtitle)
            if output_format is ReportFormat.PDF:
                from baliza.report.pdf import html_to_pdf

                write_private(target, html_to_pdf(document))
            else:
                write_private(target, document)
        console.print(ngettext("wrote %(file)s (%(num)s unit, period %(period)s)",
                               "wrote %(file)s (%(num)s units, period %(period)s)", len(figures.units),
                               file=target, period=figures.period), highlight=False)


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
    lang: LangOption = None,
    db: DbOption = None,
) -> None:
    """The country in one document: headline figures, units, peers and DEA, justice, entry points.

    Without --user this is the operator's view: every agency's rows, for whoever holds the warehouse file.
    With --user NAME it is cut to what that user may read, by the same rules as the dashboard."""
    from baliza.analyses.periods import Granularity
    from baliza.report.country import country_figures, write_country_report
    from baliza.warehouse import open_warehouse

    if period not in ("year", "quarter"):
        fail(_("--period must be year or quarter, not %(value)s", value=period))
    target = out or Path(f"country-report.{output_format.value}")
    with speaking(lang):
        try:
            with open_warehouse(db, read_only=True) as wh:
                if user is not None:
                    _check_user(wh, user)  # before the seconds the figures take
                figures = country_figures(wh, Granularity(period), steps=step)
                if user is not None:
                    figures = _figures_for_user(wh, user, figures)
                with step(_("Writing %(file)s", file=target)):
                    write_country_report(wh, target, output_format.value, Granularity(period), figures)
        except FileNotFoundError as error:
            fail(str(error))
        console.print(_("wrote %(file)s as %(user)s may read it", file=target, user=user) if user
                      else _("wrote %(file)s (whole warehouse)", file=target), highlight=False)


class Programme(StrEnum):
    LIVELIHOOD = "livelihood"
    TREATMENT = "treatment"
    BOTH = "both"


@report_app.command("programmes")
def programmes(
    programme: Annotated[Programme, typer.Option("--programme",
                                                 help="livelihood, treatment or both.")] = Programme.BOTH,
    output_format: Annotated[ReportFormat, typer.Option("--format", help="html or pdf.")] = ReportFormat.HTML,
    out: Annotated[Path | None, typer.Option("--out", help="File to write (default: programme-report.<format>).",
                                             show_default=False)] = None,
    user: Annotated[str | None, typer.Option(
        "--user", help="Write the report as this user may read it: the rows its agency loaded or was granted, "
        "if its role reads programme outcomes; the export is audited. Without it, the operator's view of the whole "
        "warehouse.", show_default=False)] = None,
    lang: LangOption = None,
    db: DbOption = None,
) -> None:
    """The protection programmes' outcomes for programme officers and donors: placement, income, relapse and
    retention per office and region; treatment completion, scores and providers compared. Counts under 5,
    and those that would give one away, are not shown; no person appears."""
    from baliza.report.programmes import WarehouseSource, programme_report
    from baliza.warehouse import open_warehouse
    from baliza.web.programmes_data import publication

    chosen = ["livelihood", "treatment"] if programme is Programme.BOTH else [programme.value]
    target = out or Path(f"programme-report.{output_format.value}")
    with speaking(lang):
        try:
            with open_warehouse(db, read_only=True) as wh:
                if user is None:
                    reader, source = Principal("operator", "*", Role.PROGRAMME_OFFICER), WarehouseSource(wh)
                else:
                    reader, scope = _reader(wh, user)
                    if not reader.may(Permission.READ_PROGRAMMES):
                        fail(_("%(user)s's role (%(role)s) does not read programme outcomes", user=user,
                               role=reader.role.value))
                    source = WarehouseSource(wh, scope)
                found = {}
                for name in chosen:
                    with step(_("Computing the %(programme)s programme's outcomes", programme=name)):
                        found[name] = publication(source, reader, name)
                if user is not None:
                    _audit_export(wh, reader, "reports/programmes", {"via": "cli", "programmes": chosen})
        except FileNotFoundError as error:
            fail(str(error))
        with step(_("Writing %(file)s", file=target)):
            document = programme_report(found)
            if output_format is ReportFormat.PDF:
                from baliza.report.pdf import html_to_pdf

                write_private(target, html_to_pdf(document))
            else:
                write_private(target, document)
        console.print(_("wrote %(file)s as %(user)s may read it", file=target, user=user) if user
                      else _("wrote %(file)s (whole warehouse)", file=target), highlight=False)


def _reader(wh: Any, username: str) -> tuple[Principal, Any]:
    """The active user `username` as a principal, and the scope of rows it may read."""
    from baliza.access.principal import AccessDenied
    from baliza.access.scope import scope_for
    from baliza.access.state import open_state_beside
    from baliza.access.users import get_user

    state = open_state_beside(wh.home)
    try:
        found = get_user(state, username)
        if found is None or found.disabled:
            fail(_("no active user '%(user)s' (see baliza user list)", user=username))
        principal = found.principal(via="cli")
        try:
            return principal, scope_for(wh, state, principal)
        except AccessDenied as error:
            fail(f"{username}: {error}")
    finally:
        state.close()


def _audit_export(wh: Any, principal: Principal, target: str, details: dict[str, Any]) -> None:
    from baliza.access.audit import record
    from baliza.access.state import open_state_beside

    state = open_state_beside(wh.home)
    try:
        record(state, principal.username, principal.agency_id, "export", target, details)
    finally:
        state.close()


def _check_user(wh: Any, username: str) -> None:
    from baliza.access.state import open_state_beside
    from baliza.access.users import get_user

    state = open_state_beside(wh.home)
    try:
        found = get_user(state, username)
    finally:
        state.close()
    if found is None or found.disabled:
        fail(_("no active user '%(user)s' (see baliza user list)", user=username))


def _figures_for_user(wh: Any, username: str, whole: Any) -> Any:
    """The country figures cut to what `username` may read; the export is recorded in the audit log."""
    from baliza.access.principal import AccessDenied
    from baliza.report.readership import figures_for

    principal, scope = _reader(wh, username)
    try:
        figures = figures_for(wh, scope, whole)
    except AccessDenied as error:
        fail(f"{username}: {error}")
    _audit_export(wh, principal, "reports/country", {"via": "cli", "flags": len(figures.flags or [])})
    return figures
