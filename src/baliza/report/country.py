"""The whole-country report: one document with every section, for a minister's adviser and the people who
check the figures. Assembling only: each section is filled by the analyses, each analysis runs once, and the
front page reuses their figures.

`write_country_report(warehouse, out_path, fmt)` is what `baliza report country` and `baliza demo` call.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from baliza.access.files import write_private  # reports may name people: owner-only files
from baliza.analyses.coverage import Coverage, data_coverage
from baliza.analyses.entry_points import CountryView, entry_point_views
from baliza.analyses.growth import GrowthReport, growth_report
from baliza.analyses.headlines import latest_period, pooled_share, pooled_total
from baliza.analyses.ksi import Kind, get_spec
from baliza.analyses.model import Indicator
from baliza.analyses.periods import Granularity
from baliza.report.benchmarks import benchmark_section
from baliza.report.document import render_document
from baliza.report.entry_points import entry_point_sections
from baliza.report.growth import catalogue_html, overview_html, units_html
from baliza.report.justice import JusticeFigures, justice_figures, justice_section_of
from baliza.report.section import Section
from baliza.warehouse.store import Warehouse

TITLE = "Drug control chain: country report"
WHOLE_WAREHOUSE = "every row of the warehouse (the operator's view, not cut to any agency's scope)"
# Headline cards: the indicator, a short label, and the words for its numerator and denominator ("8 of 28
# inspections found drugs"). The exact definitions are in the catalogue at the end of the report.
UNIT_HEADLINES: dict[str, tuple[str, str, str]] = {
    "hit_rate": ("Hit rate", "found drugs", "inspections"),
    "hit_rate_targeted": ("Hit rate of targeted inspections", "found drugs", "targeted inspections"),
    "hit_rate_random": ("Hit rate of random inspections", "found drugs", "random inspections"),
    "partner_sharing_48h": ("Seizures shared with partners within 48 h", "shared in time", "seizures"),
    "prosecution_conversion": ("Seizures with an arrest that became a case within 90 days", "became a case",
                               "seizures with an arrest"),
    "conviction_conversion": ("Seizure cases that led to a conviction", "with a conviction",
                              "seizures with a case"),
    "seizures": ("Seizures", "", ""),
    "quantity_seized_kg": ("Kilograms seized (the old metric)", "", ""),
}
JUSTICE_HEADLINES: dict[str, tuple[str, str, str]] = {
    "clearance_rate": ("Clearance rate of prosecution offices", "cases resolved", "cases opened"),
    "conviction_rate": ("Convictions among dispositions", "convicted", "defendants' dispositions"),
}


@dataclass(frozen=True)
class CountryFigures:
    """Everything the report shows, each computed once; `report.readership.figures_for` cuts it to a reader."""

    coverage: Coverage
    growth: GrowthReport
    justice: JusticeFigures
    entry_points: list[CountryView]
    flags: list[dict[str, Any]] | None = None  # the flag queue as the reader may read it (None: in full)
    others_units: Mapping[str, int] = field(default_factory=dict)  # entry point -> units the reader may not see
    audience: str = WHOLE_WAREHOUSE  # whose view the figures are
    justice_shown: bool = True  # prosecution analytics (funnels, offices' efficiency) are in the report


def country_figures(warehouse: Warehouse, granularity: Granularity = Granularity.YEAR) -> CountryFigures:
    return CountryFigures(
        coverage=data_coverage(warehouse),
        growth=growth_report(warehouse, granularity=granularity),
        justice=justice_figures(warehouse, granularity),
        entry_points=entry_point_views(warehouse),
    )


def country_document(figures: CountryFigures) -> str:
    growth = figures.growth
    sections: list[Section] = []
    if growth.units:
        sections += [
            Section(f"Interdiction units: key success indicators {growth.period}", overview_html(growth), "growth"),
            benchmark_section(growth),
            Section("Each unit against its last period and its peers", units_html(growth), "units"),
        ]
    else:
        sections.append(Section("Interdiction units", "<p>No inspections or seizures in the warehouse.</p>",
                                "growth"))
    sections.append(justice_section_of(figures.justice, figures.flags, analytics=figures.justice_shown))
    sections += entry_point_sections(figures.entry_points, figures.others_units)
    sections.append(Section("How each indicator is counted", catalogue_html(), "indicators"))
    subtitle = f"Units: period {growth.period}" + (f", compared with {growth.previous_period}"
                                                   if growth.previous_period else "") \
        + f". Figures over {figures.audience}."
    return render_document(TITLE, sections, subtitle, front=front_page(figures))


def write_country_report(
    warehouse: Warehouse, out_path: str | Path, fmt: str = "html", granularity: Granularity = Granularity.YEAR,
    figures: CountryFigures | None = None,
) -> Path:
    """Write the country report as `fmt` ('html' or 'pdf') to `out_path`; the PDF is made from the same HTML.

    `figures` already cut to a reader (`report.readership.figures_for`); by default the whole warehouse."""
    if fmt not in ("html", "pdf"):
        raise ValueError(f"format must be html or pdf, not {fmt!r}")
    target = Path(out_path)
    document = country_document(figures or country_figures(warehouse, granularity))
    if fmt == "pdf":
        from baliza.report.pdf import html_to_pdf

        write_private(target, html_to_pdf(document))
    else:
        write_private(target, document)
    return target


def front_page(figures: CountryFigures) -> str:
    return (
        "<section class='front'><h2>Headline figures</h2>"
        f"<p class='lead'>Figures over {html.escape(figures.audience)}: every unit's (or office's) numerators and "
        "denominators added up, so each can be checked by hand. Sections below break them down.</p>"
        f"<div class='figures'>{''.join(_headline_cards(figures))}</div>"
        f"<h2>What the data covers</h2>{_coverage(figures.coverage)}</section>"
    )


def _headline_cards(figures: CountryFigures) -> list[str]:
    cards = []
    for name, words in UNIT_HEADLINES.items():
        kind = get_spec(name).kind
        current = [line.current for unit in figures.growth.units if (line := unit.line(name)) is not None]
        pooled = pooled_share(current) if kind is Kind.PROPORTION else pooled_total(current)
        if pooled is not None:
            cards.append(_card(words, pooled, kind))
    for name, words in JUSTICE_HEADLINES.items():
        period = latest_period(figures.justice.trend, name)
        pooled = pooled_share(i for i in figures.justice.trend if i.indicator == name and i.period == period)
        if pooled is not None:
            cards.append(_card(words, pooled, Kind.PROPORTION))
    findings = figures.justice.findings
    tested = sum(1 for f in findings if f.q_value is not None)
    cards.append(
        "<div class='figure'><div class='label'>Red flags for review</div>"
        f"<div class='value'>{len(findings)}</div><div class='parts'>{tested} people or units that stand out in a "
        f"statistical test (FDR-controlled), {len(findings) - tested} facts about single cases</div></div>"
    )
    entry_points = [ep for view in figures.entry_points for ep in view.entry_points]
    uncovered = sum(len(view.uncovered) for view in figures.entry_points)
    if entry_points:
        cards.append(
            "<div class='figure'><div class='label'>Entry points with traffic but no unit</div>"
            f"<div class='value'>{uncovered}</div><div class='parts'>of {len(entry_points)} entry points</div></div>"
        )
    return cards


def _card(words: tuple[str, str, str], figure: Indicator, kind: Kind) -> str:
    label, numerator, denominator = words
    if figure.value is None:
        value = "–"
    elif kind is Kind.PROPORTION:
        value = f"{100 * figure.value:.1f}%"
    else:
        value = f"{figure.value:,.0f}"
    if kind is Kind.PROPORTION:
        parts = (f"{figure.numerator or 0:,.0f} {html.escape(numerator)} / {figure.denominator or 0:,.0f} "
                 f"{html.escape(denominator)}")
    else:
        parts = html.escape(figure.note)
    return (f"<div class='figure'><div class='label'>{html.escape(label)}</div><div class='value'>{value} "
            f"<span class='period'>{html.escape(figure.period)}</span></div>"
            f"<div class='parts'>{parts}</div></div>")


def _coverage(coverage: Coverage) -> str:
    loads = (f"{coverage.loads} load{'s' if coverage.loads != 1 else ''}"
             + (f", {coverage.first_load:%Y-%m-%d} to {coverage.last_load:%Y-%m-%d}" if coverage.first_load
                and coverage.last_load else "")
             + (f", from {html.escape(', '.join(coverage.agencies))}" if coverage.agencies else ""))
    spans = "".join(
        f"<tr><td>{html.escape(span.table)}</td><td class='muted'>{html.escape(span.column)}</td>"
        f"<td class='num'>{coverage.rows.get(span.table, 0):,}</td>"
        f"<td class='num'>{span.first or '–'}</td><td class='num'>{span.last or '–'}</td></tr>"
        for span in coverage.spans
    )
    others = ", ".join(f"{name} {n:,}" for name, n in coverage.rows.items()
                       if n and name not in {span.table for span in coverage.spans})
    return (
        f"<p>{coverage.total_rows:,} rows in {sum(1 for n in coverage.rows.values() if n)} tables, from {loads}; "
        f"{coverage.quarantined:,} rows set aside in quarantine (see <code>baliza quarantine</code>).</p>"
        "<table><thead><tr><th>Table</th><th>Dated by</th><th class='num'>Rows</th><th class='num'>First</th>"
        f"<th class='num'>Last</th></tr></thead><tbody>{spans}</tbody></table>"
        f"<p class='muted small'>Other tables: {html.escape(others) or 'none'}.</p>"
    )
