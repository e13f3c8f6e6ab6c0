"""`baliza listings`, `baliza vendors` and `baliza listings-import`: drug trade on the internet.

`listings` prints every online listing with its substance group (and why, and how sure), quantity, unit and
price per gram in USD; `vendors` the vendor accounts and the links between them across platforms, with the
evidence and match probability of each, and the findings. The analysis is `baliza.markets`; this module
only presents it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from baliza.cli.options import DbOption, JsonOption
from baliza.cli.output import console, fail, print_json
from baliza.i18n import gettext as _
from baliza.i18n import ngettext
from baliza.i18n.findings import summary as finding_summary

SubstanceOption = Annotated[str | None, typer.Option("--substance", help="Only this substance group.")]
PlatformOption = Annotated[str | None, typer.Option("--platform", help="Only this platform (as named).")]
CountryOption = Annotated[str | None, typer.Option(
    "--country", help="Country for UNODC prices and shipping findings (default: the warehouse's).")]


def listings(db: DbOption = None, json: JsonOption = False, substance: SubstanceOption = None,
             platform: PlatformOption = None,
             limit: Annotated[int, typer.Option("--limit", help="Rows to print as a table (JSON: all).")] = 40,
             ) -> None:
    """Every online listing: substance group (why, how sure), quantity, unit, price per gram in USD."""
    from baliza.markets.listings import listing_records, price_frame, read_listings
    from baliza.warehouse import open_warehouse

    try:
        with open_warehouse(db, read_only=True) as warehouse:
            frame = price_frame(read_listings(warehouse))
    except FileNotFoundError as error:
        fail(str(error))
        return
    if substance:
        frame = frame[frame.substance_group == substance]
    if platform:
        frame = frame[frame.platform == platform]
    records = listing_records(frame)
    if json:
        print_json(records)
        return
    from baliza.markets.names import group_names, price_status_names

    groups, statuses = group_names(), price_status_names()
    table = Table(title=_("Online listings (%(n)s)", n=f"{len(records):,}"))
    for header in (_("Listing"), _("Vendor"), _("Title"), _("Substance group"), _("Sure"), _("Quantity"),
                   _("USD per gram"), _("Price")):
        table.add_column(header)
    for r in records[:limit]:
        ppg = r["price_per_gram_usd"]
        table.add_row(r["listing_id"], r["vendor_id"], r["title"], groups.get(r["substance_group"] or "", ""),
                      f"{r['classification_confidence']:.0%}" if r["classification_confidence"] is not None else "",
                      f"{r['quantity']:g} {r['unit']}" if r["quantity"] is not None else "",
                      f"{ppg:,.2f}" if ppg is not None else "",
                      statuses[r["price_status"]])
    console.print(table)


def vendors(db: DbOption = None, json: JsonOption = False, country: CountryOption = None) -> None:
    """Vendor accounts, the links between them across platforms (evidence, probability), and findings."""
    from baliza.markets.picture import market_picture, vendor_records
    from baliza.warehouse import open_warehouse

    try:
        with open_warehouse(db, read_only=True) as warehouse:
            picture = market_picture(warehouse, country)
    except (FileNotFoundError, LookupError) as error:
        fail(str(error))
        return
    payload: dict[str, Any] = {"country": picture.country, "vendors": vendor_records(picture),
                               "links": [k.to_dict() for k in picture.links],
                               "findings": [f.to_dict() for f in picture.findings]}
    if json:
        print_json(payload)
        return
    table = Table(title=_("Vendor accounts linked across platforms"))
    for header in (_("Vendor"), _("Linked to"), _("Probability"), _("Evidence")):
        table.add_column(header)
    from baliza.markets.names import evidence_names

    kinds = evidence_names()
    for link in payload["links"]:
        table.add_row(link["vendor_a"], link["vendor_b"], f"{link['probability']:.2%}",
                      "; ".join(kinds.get(e["kind"], e["kind"]) + (": " + str(e["value"]) if "value" in e else "")
                                for e in link["evidence"]))
    console.print(table)
    console.print(ngettext("%(num)s vendor account.", "%(num)s vendor accounts.", len(payload["vendors"])))
    console.print(ngettext("%(num)s link between accounts.", "%(num)s links between accounts.",
                           len(payload["links"])))
    for finding in picture.findings:
        console.print(f"• {finding_summary(finding)}")


def listings_import(
    scrape: Annotated[Path, typer.Argument(help="The scraper's file: CSV, JSON or JSON lines.")],
    mapping: Annotated[Path, typer.Option("--mapping", help="YAML: contract column -> scraper column.")],
    out: Annotated[Path, typer.Option("--out", help="Dataset folder to write online_listings.csv into.")],
) -> None:
    """Turn a scraper's export into online_listings through a column mapping (then `baliza load` it)."""
    from baliza.markets.scrape import MappingError, import_scrape

    try:
        target = import_scrape(scrape, mapping, out)
    except (MappingError, FileNotFoundError, ValueError) as error:
        fail(str(error))
        return
    console.print(_("Wrote %(path)s; load it with: baliza load %(folder)s", path=str(target), folder=str(out)))


def register(app: typer.Typer) -> None:
    app.command()(listings)
    app.command()(vendors)
    app.command("listings-import")(listings_import)
