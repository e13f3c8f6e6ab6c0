"""`baliza mapping suggest`, `check` and `list`: write, try and find the mappings of agencies' own exports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable

from baliza.cli.options import DbOption, JsonOption
from baliza.cli.output import console, errors, fail, print_json
from baliza.i18n import gettext as _

mapping_app = typer.Typer(help="Mappings: load an agency's own export (its headers, formats and words).",
                          no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(mapping_app, name="mapping")


@mapping_app.command("suggest")
def suggest(
    files: Annotated[list[Path], typer.Argument(help="The export files (CSV or .xlsx); the first is read.")],
    name: Annotated[str | None, typer.Option("--name", help="The mapping's name (default: the file's).")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the mapping here (default: print it).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Write a first mapping from the headers and values of an export, listing what a person must decide."""
    from baliza.load.errors import LoadError
    from baliza.load.mapping.suggest import suggest_mapping

    for file in files:
        if not file.is_file():
            fail(_("%(file)s: no such file", file=file))
    try:
        suggestion = suggest_mapping(files, name)
    except (LoadError, ValueError) as exc:
        fail(str(exc))
        return
    if as_json:
        print_json({"table": suggestion.table, "matched": suggestion.matched, "formats": suggestion.formats,
                    "undecided": suggestion.undecided, "mapping": suggestion.mapping})
        return
    text = suggestion.to_yaml()
    if out is None:
        typer.echo(text)
        return
    out.write_text(text, encoding="utf-8")
    console.print(_("Mapping for %(table)s written to %(path)s.", table=suggestion.table, path=out), highlight=False)
    for contract, source in suggestion.matched.items():
        console.print(_("  %(source)s → %(column)s", source=source, column=contract), highlight=False)
    if suggestion.undecided:
        console.print(_("To decide before loading:"))
        for item in suggestion.undecided:
            console.print(f"  - {item}", highlight=False)


@mapping_app.command("check")
def check(
    mapping: Annotated[str, typer.Argument(help="A mapping file, or the name of a shipped mapping (kcs, co-police).")],
    files: Annotated[list[Path], typer.Argument(help="Export files or folders.")],
    db: DbOption = None,
    agency: Annotated[str | None, typer.Option("--agency", help="Reporting agency id.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Show what loading through a mapping would load, normalise or quarantine, without loading anything."""
    from baliza.load.errors import LoadError
    from baliza.load.mapping import find_mapping
    from baliza.load.mapping.check import check_mapping

    try:
        report = check_mapping(db, find_mapping(mapping), files, agency)
    except LoadError as exc:
        fail(str(exc))
        return
    if as_json:
        print_json(report.to_dict())
        return
    table = RichTable(title=_("What %(mapping)s would load (nothing was loaded)", mapping=report.mapping))
    for heading in (_("table"), _("rows"), _("would load"), _("would be normalised"), _("would be quarantined")):
        table.add_column(heading, justify="right")
    for name, counts in report.load.tables.items():
        table.add_row(name, f"{counts.rows:,}", f"{counts.accepted:,}", f"{counts.normalised:,}",
                      f"{counts.quarantined:,}")
    console.print(table)
    if not report.warehouse_checked:
        errors.print(_("No warehouse found: references (units, entry points...) were checked against nothing. "
                       "Give --db to check them against a warehouse."), highlight=False)
    if report.reasons:
        reasons = RichTable(title=_("Why rows would be quarantined"))
        for heading in (_("table"), _("column"), _("rows"), _("first line"), _("reason")):
            reasons.add_column(heading, overflow="fold")
        for reason in report.reasons:
            reasons.add_row(reason.table, reason.column or "", f"{reason.rows:,}", str(reason.first_line or ""),
                            reason.reason)
        console.print(reasons)
    for name, values in report.undecided.items():
        console.print(_("%(name)s: %(count)s spellings have no value yet: %(values)s", name=name,
                        count=len(values), values=", ".join(values[:20])), highlight=False)
    for warning in report.load.warnings:
        console.print(_("warning: %(warning)s", warning=warning), highlight=False)


@mapping_app.command("list")
def list_mappings() -> None:
    """The mappings Baliza ships, with what they read."""
    from baliza.load.mapping import find_mapping, shipped_mappings

    for name in shipped_mappings():
        mapping = find_mapping(name)
        tables = ", ".join(t.table.name for t in mapping.tables)
        console.print(f"[bold]{name}[/] (version {mapping.version}) → {tables}", highlight=False)
        if mapping.description:
            console.print(f"  {mapping.description}", highlight=False)
