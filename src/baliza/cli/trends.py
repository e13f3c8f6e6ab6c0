"""`baliza trends`: early warning on synthetic drugs and NPS (first detections, surges), and the UNODC table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from baliza.analyses.early_warning.findings import RULE_FIRST, early_warning_findings
from baliza.analyses.early_warning.unodc import CAVEATS, read_seizures, regional_trends, rises
from baliza.cli.options import DbOption, JsonOption
from baliza.cli.output import console, fail, print_json
from baliza.i18n import gettext as _
from baliza.warehouse import open_warehouse

UnodcOption = Annotated[Path | None, typer.Option(
    "--unodc", help="Read the UNODC World Drug Report seizure table (JSON) instead of the warehouse.",
    show_default=False)]


def trends_command(db: DbOption = None, unodc: UnodcOption = None, as_json: JsonOption = False) -> None:
    """First detections of substances and significant rises in seizures (or the UNODC table's regional rises)."""
    if unodc is not None:
        _unodc(unodc, as_json)
        return
    try:
        warehouse = open_warehouse(db, read_only=True)
    except FileNotFoundError as error:
        fail(str(error))
        raise
    with warehouse:
        findings = early_warning_findings(warehouse)
    if as_json:
        print_json([f.to_dict() for f in findings])
        return
    if not findings:
        console.print(_("No first detections or surges in the warehouse."))
        return
    table = Table(title=_("Early warning: first detections and surges"))
    table.add_column(_("Kind"))
    table.add_column(_("What was seen"), overflow="fold")
    for f in findings:
        kind = _("First detection") if f.rule == RULE_FIRST else _("Surge")
        table.add_row(kind, f.summary)
    console.print(table)


def _unodc(path: Path, as_json: bool) -> None:
    try:
        frame = read_seizures(path)
    except ValueError as error:
        fail(str(error))
        raise
    found = rises(regional_trends(frame))
    payload: dict[str, Any] = {"source": "UNODC World Drug Report (data: UNODC)", "caveats": list(CAVEATS),
                               "rises": found.to_dict("records")}
    if as_json:
        print_json(payload)
        return
    table = Table(title=_("Rises in kilograms seized by region (data: UNODC)"))
    for column in (_("Region"), _("Drug group"), _("Year"), _("Kilograms"), _("Earlier peak"), _("Countries")):
        table.add_column(column)
    for r in payload["rises"]:
        table.add_row(r["region"], r["drug_group"], str(r["year"]), f"{r['kilograms']:,.0f}",
                      f"{r['previous_peak_kilograms']:,.0f}", str(r["reporting_countries"]))
    console.print(table)
    for caveat in CAVEATS:
        console.print(f"· {caveat}")


def register(app: typer.Typer) -> None:
    app.command("trends")(trends_command)
