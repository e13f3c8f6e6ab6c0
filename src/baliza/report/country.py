"""The whole-country report: one document with every section, for a minister's adviser and the people who
check the figures. Assembling only: each section is filled by the analyses, each analysis runs once, and the
front page reuses their figures.

`write_country_report(warehouse, out_path, fmt)` is what `baliza report country` and `baliza demo` call.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
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
from baliza.i18n import N_, current, language, ngettext
from baliza.i18n import gettext as _
from baliza.i18n.formatting import count, day, percent
from baliza.i18n.labels import label
from baliza.i18n.naming import naming
from baliza.report.assets import asset_figures, asset_section
from baliza.report.benchmarks import benchmark_section
from baliza.report.document import render_document
from baliza.report.early_warning import early_warning_figures, early_warning_section, unodc_figures
from baliza.report.entry_points import entry_point_sections
from baliza.report.growth import catalogue_html, overview_html, units_html
from baliza.report.justice import JusticeFigures, justice_figures, justice_section_of
from baliza.report.section import Section
from baliza.warehouse.store import Warehouse

StepRunner = Callable[[str], AbstractContextManager[None]]  # a named part of the work, e.g. `cli.steps.step`

TITLE = N_("Drug control chain: country report")
WHOLE_WAREHOUSE = N_("every row of the warehouse (the operator's view, not cut to any agency's scope)")
# Headline cards: the indicator, a short label, and the words for its numerator and denominator ("8 of 28
# inspections found drugs"). The exact definitions are in the catalogue at the end of the report.
UNIT_HEADLINES: dict[str, tuple[str, str, str]] = {
    "hit_rate": (N_("Hit rate"), N_("%(n)s found drugs / %(d)s inspections"), ""),
    "hit_rate_targeted": (N_("Hit rate of targeted inspections"),
                          N_("%(n)s found drugs / %(d)s targeted inspections"), ""),
    "hit_rate_random": (N_("Hit rate of random inspections"), N_("%(n)s found drugs / %(d)s random inspections"), ""),
    "partner_sharing_48h": (N_("Seizures shared with partners within 48 h"),
                            N_("%(n)s shared in time / %(d)s seizures"), ""),
    "prosecution_conversion": (N_("Seizures with an arrest that became a case within 90 days"),
                               N_("%(n)s became a case / %(d)s seizures with an arrest"), ""),
    "conviction_conversion": (N_("Seizure cases that led to a conviction"),
                              N_("%(n)s with a conviction / %(d)s seizures with a case"), ""),
    "seizures": (N_("Seizures"), "", ""),
    "quantity_seized_kg": (N_("Kilograms seized (the old metric)"), "", ""),
}
JUSTICE_HEADLINES: dict[str, tuple[str, str, str]] = {
    "clearance_rate": (N_("Clearance rate of prosecution offices"), N_("%(n)s cases resolved / %(d)s cases opened"),
                       ""),
    "conviction_rate": (N_("Convictions among dispositions"),
                        N_("%(n)s convicted / %(d)s defendants' dispositions"), ""),
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
    audience: str = WHOLE_WAREHOUSE  # whose view the figures are (an English message, translated when shown)
    audience_values: Mapping[str, str] = field(default_factory=dict)  # its %(...)s placeholders
    justice_shown: bool = True  # prosecution analytics (funnels, offices' efficiency) are in the report
    assets: Mapping[str, Any] | None = None  # asset recovery (`report.assets`); None: not for this reader
    early_warning: Mapping[str, Any] | None = None  # surges and first detections (`report.early_warning`)
    names: Mapping[str, str] = field(default_factory=dict)  # units', agencies' and staff's names by id


def country_figures(
    warehouse: Warehouse, granularity: Granularity = Granularity.YEAR, *, steps: StepRunner | None = None,
) -> CountryFigures:
    """Every figure of the report, each analysis run once. `steps` names each part as it runs (the CLI shows
    them as progress: together they take seconds); by default the parts run silently."""
    part = steps or _silently
    with part(_("Reading what the data covers")):
        coverage = data_coverage(warehouse)
    with part(_("Computing each unit's indicators against its last period and its peers")):
        growth = growth_report(warehouse, granularity=granularity)
    with part(_("Computing prosecution and court figures and the red flags")):
        justice = justice_figures(warehouse, granularity)
    with part(_("Looking at the entry points")):
        views = entry_point_views(warehouse)
    with part(_("Following seized assets and the early warnings")):
        assets = asset_figures(warehouse, detail=False)
        early_warning = early_warning_figures(warehouse)
        names = _directory(warehouse)
    return CountryFigures(coverage=coverage, growth=growth, justice=justice, entry_points=views, assets=assets,
                          early_warning=early_warning, names=names)


def _silently(_description: str) -> AbstractContextManager[None]:
    return nullcontext()


def _directory(warehouse: Warehouse) -> dict[str, str]:
    """Names of units, offices, entry points and agencies, and staff display names (prosecutors and judges
    are named in the flag queue); never a person's."""
    from baliza.analyses.chain_links import directory_names

    staff = warehouse.table("staff").select("staff_id", "display_name").to_pyarrow().to_pylist()
    return {**directory_names(warehouse), **{r["staff_id"]: r["display_name"] for r in staff if r["display_name"]}}


def country_document(figures: CountryFigures, language_code: str | None = None) -> str:
    """The report as one HTML document, in `language_code` (default: the current language); findings name
    offices, units, prosecutors and judges by name (`figures.names`), not by id."""
    with language(language_code or current()), naming(figures.names):
        return _country_document(figures)


def _country_document(figures: CountryFigures) -> str:
    growth = figures.growth
    sections: list[Section] = []
    if growth.units:
        sections += [
            Section(_("Interdiction units: key success indicators %(period)s", period=growth.period),
                    overview_html(growth), "growth"),
            benchmark_section(growth),
            Section(_("Each unit against its last period and its peers"), units_html(growth), "units"),
        ]
    else:
        sections.append(Section(_("Interdiction units"),
                                f"<p>{html.escape(_('No inspections or seizures in the warehouse.'))}</p>", "growth"))
    sections.append(justice_section_of(figures.justice, figures.flags, analytics=figures.justice_shown))
    sections.append(asset_section(figures.assets, figures.names))
    sections.append(early_warning_section(figures.early_warning, _unodc()))
    sections += entry_point_sections(figures.entry_points, figures.others_units)
    sections.append(Section(_("How each indicator is counted"), catalogue_html(), "indicators"))
    if growth.previous_period:
        subtitle = _("Units: period %(period)s, compared with %(previous)s. Figures over %(audience)s.",
                     period=growth.period, previous=growth.previous_period, audience=_audience(figures))
    else:
        subtitle = _("Units: period %(period)s. Figures over %(audience)s.", period=growth.period,
                     audience=_audience(figures))
    return render_document(_(TITLE), sections, subtitle, front=front_page(figures))


def write_country_report(
    warehouse: Warehouse, out_path: str | Path, fmt: str = "html", granularity: Granularity = Granularity.YEAR,
    figures: CountryFigures | None = None, language_code: str | None = None,
) -> Path:
    """Write the country report as `fmt` ('html' or 'pdf') to `out_path`; the PDF is made from the same HTML.

    `figures` already cut to a reader (`report.readership.figures_for`); by default the whole warehouse.
    `language_code` ("es", "pt", "en"): the report's language, by default the current one (`i18n.language`)."""
    if fmt not in ("html", "pdf"):
        raise ValueError(f"format must be html or pdf, not {fmt!r}")
    target = Path(out_path)
    document = country_document(figures or country_figures(warehouse, granularity), language_code)
    if fmt == "pdf":
        from baliza.report.pdf import html_to_pdf

        write_private(target, html_to_pdf(document))
    else:
        write_private(target, document)
    return target


def _unodc() -> dict[str, Any] | None:
    """UNODC's regional rises when the shared table is beside the project (None when it cannot be read)."""
    try:
        return unodc_figures()
    except ValueError:
        return None


def _audience(figures: CountryFigures) -> str:
    """Whose view the figures are, in the report's language."""
    return _(figures.audience, **figures.audience_values)


def front_page(figures: CountryFigures) -> str:
    lead = _("Figures over %(audience)s: every unit's (or office's) numerators and denominators added up, so each "
             "can be checked by hand. Sections below break them down.", audience=_audience(figures))
    return (
        f"<section class='front'><h2>{html.escape(_('Headline figures'))}</h2>"
        f"<p class='lead'>{html.escape(lead)}</p>"
        f"<div class='figures'>{''.join(_headline_cards(figures))}</div>"
        f"<h2>{html.escape(_('What the data covers'))}</h2>{_coverage(figures.coverage)}</section>"
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
    parts = _("%(tested)s people or units that stand out in a statistical test (FDR-controlled), %(facts)s facts "
              "about single cases", tested=count(tested), facts=count(len(findings) - tested))
    cards.append(
        f"<div class='figure'><div class='label'>{html.escape(_('Red flags for review'))}</div>"
        f"<div class='value'>{count(len(findings))}</div><div class='parts'>{html.escape(parts)}</div></div>"
    )
    entry_points = [ep for view in figures.entry_points for ep in view.entry_points]
    uncovered = sum(len(view.uncovered) for view in figures.entry_points)
    if entry_points:
        of_all = _("of %(total)s entry points", total=count(len(entry_points)))
        cards.append(
            f"<div class='figure'><div class='label'>{html.escape(_('Entry points with traffic but no unit'))}</div>"
            f"<div class='value'>{count(uncovered)}</div><div class='parts'>{html.escape(of_all)}</div></div>"
        )
    return cards


def _card(words: tuple[str, str, str], figure: Indicator, kind: Kind) -> str:
    title, fraction, _unused = words
    if figure.value is None:
        value = "–"
    elif kind is Kind.PROPORTION:
        value = percent(figure.value, 1)
    else:
        value = count(figure.value)
    if kind is Kind.PROPORTION:
        parts = html.escape(_(fraction, n=count(figure.numerator or 0), d=count(figure.denominator or 0)))
    else:
        parts = html.escape(figure.note)
    return (f"<div class='figure'><div class='label'>{html.escape(_(title))}</div><div class='value'>{value} "
            f"<span class='period'>{html.escape(figure.period)}</span></div>"
            f"<div class='parts'>{parts}</div></div>")


def _coverage(coverage: Coverage) -> str:
    loads = ngettext("%(num)s load", "%(num)s loads", coverage.loads)
    if coverage.first_load and coverage.last_load:
        loads = _("%(loads)s, %(first)s to %(last)s", loads=loads, first=day(coverage.first_load),
                  last=day(coverage.last_load))
    if coverage.agencies:
        loads = _("%(loads)s, from %(agencies)s", loads=loads, agencies=", ".join(coverage.agencies))
    spans = "".join(
        f"<tr><td>{html.escape(span.table)}</td><td class='muted'>{html.escape(span.column)}</td>"
        f"<td class='num'>{count(coverage.rows.get(span.table, 0))}</td>"
        f"<td class='num'>{day(span.first) or '–'}</td><td class='num'>{day(span.last) or '–'}</td></tr>"
        for span in coverage.spans
    )
    others = ", ".join(f"{name} {count(n)}" for name, n in coverage.rows.items()
                       if n and name not in {span.table for span in coverage.spans})
    summary = _("%(rows)s rows in %(tables)s tables, from %(loads)s; %(quarantined)s rows set aside in quarantine "
                "(see %(command)s).", rows=count(coverage.total_rows),
                tables=count(sum(1 for n in coverage.rows.values() if n)), loads=loads,
                quarantined=count(coverage.quarantined), command="baliza quarantine")
    headings = "".join(f"<th{' class=num' if numeric else ''}>{html.escape(text)}</th>" for text, numeric in (
        (_("Table"), False), (_("Dated by"), False), (_("Rows"), True), (_("First"), True), (_("Last"), True)))
    return (
        f"<p>{html.escape(summary)}</p>"
        f"<table><thead><tr>{headings}</tr></thead><tbody>{spans}</tbody></table>"
        f"<p class='muted small'>{html.escape(_('Other tables: %(tables)s.', tables=others or label('none')))}</p>"
    )
