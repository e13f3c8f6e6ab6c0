"""Early warning on synthetic drugs and NPS (Global SMART) for the country report and the dashboard: the
figures (`early_warning_figures`, plain data, computed by the analyses in `baliza.analyses.early_warning`)
and the report's section (`early_warning_section`).

The UNODC World Drug Report seizure table is read at run time from `$BALIZA_UNODC_SEIZURES` or
`../shared/data/unodc-world-drug-report/seizures_2018_2022.json` beside the project, never copied; without it
that part is simply absent. Its rises are shown with UNODC's attribution and the table's own caveats.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from baliza.i18n import N_, ngettext
from baliza.i18n import gettext as _
from baliza.i18n.formatting import count, day, number
from baliza.report.section import Section

SERIES_SHOWN = 6  # substances drawn: those with a surge or a first detection first, then the most seized
FDR_LEVEL = 0.01
UNODC_SOURCE = "UNODC, World Drug Report (data: UNODC)"
UNODC_FILE = "seizures_2018_2022.json"
CAVEAT_WORDS = (  # the table's caveats (`analyses.early_warning.unodc.CAVEATS`), in the reader's language
    N_("Seizures reflect enforcement and reporting as much as trafficking."),
    N_("The countries reporting differ between years; counts of reporting countries are shown beside the totals."),
    N_("Only quantities reported in kilograms are in the table."),
)


def unodc_path(explicit: Path | None = None) -> Path | None:
    """Where UNODC's seizure table is, or None."""
    candidates = [explicit] if explicit is not None else [
        Path(p) for p in (os.environ.get("BALIZA_UNODC_SEIZURES"),) if p] + [
        Path.cwd().parent / "shared" / "data" / "unodc-world-drug-report" / UNODC_FILE,
        Path(__file__).resolve().parents[4] / "shared" / "data" / "unodc-world-drug-report" / UNODC_FILE]
    return next((c for c in candidates if c is not None and c.is_file()), None)


@cache
def unodc_figures(path: Path | None = None) -> dict[str, Any]:
    """The regional rises the UNODC table shows (`analyses.early_warning.unodc.rises`), or `available` False."""
    from baliza.analyses.early_warning.unodc import read_seizures, regional_trends, rises

    found = unodc_path(path)
    if found is None:
        return {"available": False, "rises": []}
    frame = read_seizures(found)
    years = sorted(int(y) for y in frame["year"].dropna().unique())
    shown = rises(regional_trends(frame))
    records = [] if shown.empty else shown.sort_values(["year", "ratio"], ascending=[False, False]).to_dict("records")
    return {"available": True, "source": UNODC_SOURCE, "first_year": years[0] if years else None,
            "last_year": years[-1] if years else None, "rises": records}


def early_warning_figures(tables: Any, fdr_level: float = FDR_LEVEL) -> dict[str, Any]:
    """First detections, surges (with the seizures each rests on) and the series of the substances that
    matter most, with their expected band; plain data for the page, the API and the report."""
    from baliza.analyses.early_warning.baseline import expected_band
    from baliza.analyses.early_warning.findings import RULE_FIRST, RULE_SURGE, early_warning_findings
    from baliza.analyses.early_warning.series import monthly_counts

    findings = early_warning_findings(tables, fdr_level=fdr_level)
    firsts = [{**f.details, "evidence": [e.id for e in f.evidence]} for f in findings if f.rule == RULE_FIRST]
    surges = [{**{k: v for k, v in f.details.items() if k != "months"}, "months": f.details.get("months", []),
               "evidence": [e.id for e in f.evidence]} for f in findings if f.rule == RULE_SURGE]
    counts = monthly_counts(tables)
    totals = counts.groupby("substance")["seizures"].sum().sort_values(ascending=False) if not counts.empty else None
    chosen: list[str] = []
    for substance in [s["substance"] for s in surges] + [f["substance"] for f in firsts] + \
            (list(totals.index) if totals is not None else []):
        if substance not in chosen and len(chosen) < SERIES_SHOWN:
            chosen.append(str(substance))
    band = expected_band(tables, chosen, counts) if chosen else None
    series = []
    for substance in chosen:
        points = [] if band is None else band[band["substance"] == substance].to_dict("records")
        series.append({"substance": substance, "total": int(totals[substance]) if totals is not None else 0,
                       "points": [{k: _plain(v) for k, v in p.items() if k != "substance"} for p in points]})
    months = sorted({str(m) for m in counts["month"]}) if not counts.empty else []
    return {"fdr_level": fdr_level, "first_month": months[0] if months else None,
            "last_month": months[-1] if months else None, "seizures": int(counts["seizures"].sum()) if months else 0,
            "substances": int(counts["substance"].nunique()) if months else 0,
            "first_detections": firsts, "surges": surges, "series": series}


def q_text(q: float | None) -> str:
    """A q-value as people read it: four decimals, or "< 0.0001" (in the reader's digits)."""
    if q is None:
        return "–"
    return number(q, 4) if q >= 0.0001 else "< " + number(0.0001, 4)


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    return None if isinstance(value, float) and value != value else value


# --- the report's section ------------------------------------------------------------------------------------

def _table(headings: list[tuple[str, bool]], rows: list[list[str]]) -> str:
    head = "".join(f"<th{' class=num' if numeric else ''}>{html.escape(text)}</th>" for text, numeric in headings)
    body = "".join("<tr>" + "".join(f"<td{' class=num' if headings[k][1] else ''}>{html.escape(cell)}</td>"
                                    for k, cell in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def early_warning_section(figures: Mapping[str, Any] | None, unodc: Mapping[str, Any] | None) -> Section:
    """First detections and surges from the warehouse, with how each was found, each substance that matters
    drawn against its expected band, and UNODC's regional rises. None: the reader's role does not read it."""
    parts: list[str] = []
    if figures is None:
        parts.append("<p>" + html.escape(_("Early warning is not part of this reader's report: the role does not "
                                           "read it.")) + "</p>")
    elif not figures.get("seizures"):
        parts.append(f"<p>{html.escape(_('No seizures in the data this report covers.'))}</p>")
    else:
        lead = _("%(seizures)s seizures of %(substances)s substances from %(first)s to %(last)s. A surge is a month "
                 "whose seizures of a substance are far above the same months of up to three earlier years "
                 "(negative binomial test, Benjamini-Hochberg across every substance and month, q at most "
                 "%(fdr)s, at least 5 seizures and twice the expected count). A first detection is a substance "
                 "seized for the first time after the first 12 months of data.",
                 seizures=count(figures["seizures"]), substances=count(figures["substances"]),
                 first=figures["first_month"], last=figures["last_month"], fdr=number(figures["fdr_level"], 2))
        from baliza.web.early_warning_charts import panels

        drawn = "".join(f"<h4>{html.escape(p['substance'])}</h4>{p['svg']}" for p in panels(dict(figures)))
        parts.append(f"<p>{html.escape(lead)}</p>")
        explained = _("Each panel: seizures per month (line), the central 95 percent of what the same months of "
                      "earlier years make likely (shaded band), surge months in red.")
        parts.append(f"<p>{html.escape(explained)}</p>{drawn}")
        surges = figures["surges"]
        parts.append(f"<h3>{html.escape(_('Surges'))}</h3>")
        if surges:
            parts.append(_table(
                [(_("Substance"), False), (_("Months"), False), (_("Seizures"), True), (_("Expected"), True),
                 (_("q-value"), True)],
                [[s["substance"], _("%(first)s to %(last)s", first=s["first_month"], last=s["last_month"]),
                  count(s["observed"]), number(s["expected"], 1), q_text(s["q_value"])] for s in surges]))
        else:
            parts.append(f"<p>{html.escape(_('No surge passed the test.'))}</p>")
        firsts = figures["first_detections"]
        parts.append(f"<h3>{html.escape(_('First detections'))}</h3>")
        if firsts:
            parts.append(_table(
                [(_("Substance"), False), (_("First seized"), False), (_("Seizures since"), True)],
                [[f["substance"], day(f["first_seized_at"]),
                  count(f["seizures"]) if f.get("seizures") is not None else _("fewer than 5")] for f in firsts]))
        else:
            parts.append(f"<p>{html.escape(_('No substance was seized for the first time after the first year.'))}</p>")
    if unodc and unodc.get("available"):
        parts.append(unodc_html(unodc))
    return Section(_("Synthetic drugs and new psychoactive substances: early warning"), "".join(parts),
                   "early-warning")


def unodc_html(unodc: Mapping[str, Any]) -> str:
    """UNODC's regional rises with the table's caveats and attribution."""
    rises = unodc["rises"]
    lead = ngettext(
        "The UNODC World Drug Report seizure table, %(first)s to %(last)s: %(num)s region and drug group whose "
        "kilograms seized in a year exceeded every earlier year by half or more, with no more than a fifth more "
        "countries reporting.",
        "The UNODC World Drug Report seizure table, %(first)s to %(last)s: %(num)s regions and drug groups whose "
        "kilograms seized in a year exceeded every earlier year by half or more, with no more than a fifth more "
        "countries reporting.", len(rises), first=unodc["first_year"], last=unodc["last_year"])
    rows = [[r["region"], r["drug_group"], str(r["year"]), count(r["kilograms"]),
             count(r["previous_peak_kilograms"]), count(r["reporting_countries"])] for r in rises]
    table = _table([(_("Region"), False), (_("Drug group"), False), (_("Year"), True), (_("Kilograms"), True),
                    (_("Earlier peak (kg)"), True), (_("Reporting countries"), True)], rows) if rows else ""
    caveats = "".join(f"<li>{html.escape(_(c))}</li>" for c in CAVEAT_WORDS)
    source = _("Source: %(source)s.", source=unodc["source"])
    return (f"<h3>{html.escape(_('Rises in the UNODC World Drug Report'))}</h3><p>{html.escape(lead)}</p>{table}"
            f"<ul class='muted small'>{caveats}</ul><p class='muted small'>{html.escape(source)}</p>")
