"""The justice section of the report: funnel plots of case outcomes, the flag queue with its evidence, and
each office's efficiency over time. Everything shown is computed by the analyses; text is HTML-escaped."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any

import altair as alt
import pandas as pd

from baliza.analyses.casefacts import case_facts
from baliza.analyses.efficiency import Subject, efficiency
from baliza.analyses.integrity import red_flags
from baliza.analyses.integrity.outcomes import outcome_funnels
from baliza.analyses.model import Finding, Indicator
from baliza.analyses.periods import Granularity
from baliza.i18n import gettext as _
from baliza.i18n import ngettext
from baliza.i18n.findings import method as finding_method
from baliza.i18n.findings import summary as finding_summary
from baliza.i18n.formatting import count, number
from baliza.i18n.labels import indicator_label, label
from baliza.i18n.naming import display_name
from baliza.report.charts import to_svg
from baliza.report.section import Section
from baliza.warehouse.protocol import Warehouse

EVIDENCE_SHOWN = 10
TREND_INDICATORS = ("clearance_rate", "disposition_time_days", "dismissal_rate", "conviction_rate")


@dataclass(frozen=True)
class JusticeFigures:
    """What the justice section shows, computed once by the analyses (the front page reuses it)."""

    findings: list[Finding]
    funnels: dict[str, pd.DataFrame]
    trend: list[Indicator]  # efficiency per office and period


def justice_figures(warehouse: Warehouse, granularity: Granularity = Granularity.QUARTER) -> JusticeFigures:
    """The flags, funnels and offices' efficiency of `warehouse` (whole, or a principal's `ScopedWarehouse`:
    then of the rows in scope only), the case facts computed once and cached on the engine for them."""
    with case_facts(warehouse).cache() as facts:
        return JusticeFigures(
            findings=red_flags(warehouse, facts=facts),
            funnels=outcome_funnels(warehouse, facts=facts),
            trend=efficiency(warehouse, granularity, Subject.OFFICE, facts=facts),
        )


def justice_section(warehouse: Warehouse, granularity: Granularity = Granularity.QUARTER) -> Section:
    return justice_section_of(justice_figures(warehouse, granularity))


def justice_section_of(figures: JusticeFigures, flags: list[dict[str, Any]] | None = None, *,
                       analytics: bool = True) -> Section:
    """The section from figures already computed. `flags` is the flag queue as the reader may read it
    (`access.redaction.redact_finding`; None: every finding in full, the operator's view); without
    `analytics` (roles the Justice page refuses) the funnels and offices' efficiency are left out."""
    plain = [f.to_dict() for f in figures.findings] if flags is None else flags
    queue = [
        f"<h3>{escape(_('Flag queue (%(count)s)', count=count(len(plain))))}</h3>",
        "<p>" + escape(_("Red flags for review, never verdicts. q is the Benjamini-Hochberg false discovery rate "
                         "across every unit tested by every rule; per-case facts carry no q. Evidence held by another "
                         "agency is named by its holder only: ask them to share it.")) + "</p>",
        _flag_table(plain),
    ]
    efficiency_heading = _("Each office's efficiency over time")
    if not analytics:
        parts = ["<p>" + escape(_("Prosecution analytics (outcome funnels, offices' efficiency) are not part of this "
                                  "reader's report: the role does not read them.")) + "</p>", *queue]
    else:
        parts = [
            f"<h3>{escape(_('Case outcomes against case mix (funnel plots)'))}</h3>",
            "<p>" + escape(_("Each dot is a prosecutor: observed over expected dismissals (or acquittals) of seizure "
                             "cases, the expectation coming from a model of the case mix. Inside the funnel is "
                             "ordinary variation, including the differences between ordinary prosecutors; outside "
                             "the outer line deserves a look.")) + "</p>",
            funnels_svg(figures.funnels),
            *queue,
            f"<h3>{escape(efficiency_heading)}</h3>",
            trend_svg(figures.trend),
        ]
    return Section(_("Prosecution and courts: efficiency and red flags"), "\n".join(parts), anchor="justice")


def funnels_svg(funnels: dict[str, pd.DataFrame]) -> str:
    """Every outcome's funnel side by side, in one figure."""
    charts = [_funnel(name, frame) for name, frame in funnels.items() if not frame.empty]
    if not charts:
        return f"<p>{escape(_('Too few resolved seizure cases per prosecutor for a funnel plot.'))}</p>"
    return f'<figure class="funnel">{to_svg(alt.hconcat(*charts))}</figure>'


def _funnel(outcome: str, frame: pd.DataFrame) -> alt.LayerChart | alt.FacetChart:
    curve = frame.sort_values("expected")
    curve = curve.assign(unit=[display_name("staff", str(u)) if u else "" for u in curve["unit"]])  # by name
    words = label(outcome, "dispositions.outcome")
    base = alt.Chart(curve).encode(x=alt.X("expected:Q", title=_("expected cases: %(outcome)s", outcome=words)))
    lines = [
        base.mark_line(strokeDash=dash, color="grey").encode(y=alt.Y(f"{column}:Q", title=_("observed / expected")))
        for column, dash in (("low95", [4, 4]), ("high95", [4, 4]), ("low998", [1, 0]), ("high998", [1, 0]))
    ]
    dots = base.mark_circle(size=40, color="#1f4e79").encode(y="ratio:Q", tooltip=[
        alt.Tooltip("unit:N", title=_("Prosecutor")), alt.Tooltip("cases:Q", title=_("Cases")),
        alt.Tooltip("ratio:Q", title=_("observed / expected"), format=".2f")])
    title = _("%(outcome)s per prosecutor", outcome=words).capitalize()
    return alt.layer(*lines, dots).properties(title=title, width=280, height=200)


def _flag_table(findings: list[dict[str, Any]]) -> str:
    """Tested flags (with q) one per row with their method; facts about single cases grouped by rule, the
    rule's method stated once. Findings come in their plain form (`Finding.to_dict`, or redacted)."""
    if not findings:
        return f"<p>{escape(_('No red flags.'))}</p>"
    tested = [f for f in findings if f["q_value"] is not None]
    facts = [f for f in findings if f["q_value"] is None]
    parts = []
    if tested:
        rows = "".join(
            f"<tr><td>{escape(label(f['rule']))}</td><td>{escape(_subject(f))}</td>"
            f"<td class='num'>{number(f['score'], 2)}</td><td class='num'>{_q(f['q_value'])}</td>"
            f"<td>{escape(finding_summary(f))}<div class='evidence'>"
            f"{escape(_('Evidence: %(evidence)s', evidence=_evidence(f)))}</div>"
            f"<div class='method'>{escape(finding_method(f))}</div></td></tr>"
            for f in tested
        )
        heading = _("Units that stand out in a statistical test (%(count)s)", count=count(len(tested)))
        parts.append(
            f"<h4>{escape(heading)}</h4>"
            f"<table class='flags tested'><thead><tr><th>{escape(_('Rule'))}</th><th>{escape(_('Subject'))}</th>"
            f"<th class='num'>{escape(_('Score'))}</th><th class='num'>q</th>"
            f"<th>{escape(_('Why, evidence and method'))}</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    by_rule: dict[str, list[dict[str, Any]]] = {}
    for f in facts:
        by_rule.setdefault(f["rule"], []).append(f)
    for rule, group in by_rule.items():
        methods = sorted({finding_method(f) for f in group})
        rows = "".join(
            f"<tr><td>{escape(_subject(f))}</td><td>{escape(finding_summary(f))}</td>"
            f"<td class='evidence'>{escape(_evidence(f))}</td></tr>"
            for f in group
        )
        heading = ngettext("%(rule)s: %(num)s fact in the records", "%(rule)s: %(num)s facts in the records",
                           len(group), rule=label(rule).capitalize())
        parts.append(
            f"<h4>{escape(heading)}</h4>"
            f"<p class='method'>{escape(' / '.join(methods))}</p>"
            f"<table class='flags facts'><thead><tr><th>{escape(_('Subject'))}</th>"
            f"<th>{escape(_('What the records show'))}</th><th>{escape(_('Evidence'))}</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
    return "".join(parts)


def _subject(finding: dict[str, Any]) -> str:
    """The finding's subject by name, its id kept beside it ('Prosecutor 05 (staff/P05)')."""
    table, key = finding["subject"]["table"], finding["subject"]["id"]
    name = display_name(table, key)
    return f"{table}/{key}" if name == key else f"{name} ({table}/{key})"


def _q(q: float | None) -> str:
    if q is None:
        return ""
    return "&lt; " + number(0.001, 3) if q < 0.001 else number(float(f"{q:.2g}"), 3)


def _evidence(finding: dict[str, Any]) -> str:
    evidence = finding["evidence"]
    ids = ", ".join(_("%(table)s: held by %(agency)s", table=e["table"], agency=display_name("agencies", e["held_by"]))
                    if "held_by" in e
                    else f"{e['table']}/{e['id']}" for e in evidence[:EVIDENCE_SHOWN])
    total = (finding.get("details") or {}).get("evidence_count", len(evidence))
    if total > EVIDENCE_SHOWN:
        return _("%(ids)s (first %(shown)s of %(total)s)", ids=ids, shown=EVIDENCE_SHOWN, total=count(total))
    return ids


def trend_svg(indicators: list[Indicator], names: dict[str, str] | None = None,
              link: Callable[[str, str], str] | None = None) -> str:
    """Each office's efficiency indicators over time, one small chart per indicator (offices by name: `names`,
    else the names the surface gives, `baliza.i18n.naming`). With `link` ((office id, period) -> address),
    each point links to the rows it sums up (the web page; a report file has no site to link into)."""
    rows = [
        {"office": names.get(i.subject_id, i.subject_id) if names else display_name("units", i.subject_id),
         "period": i.period, "indicator": indicator_label(i.indicator), "value": i.value,
         **({"rows": link(i.subject_id, i.period)} if link else {})}
        for i in indicators if i.indicator in TREND_INDICATORS and i.value is not None
    ]
    if not rows:
        return f"<p>{escape(_('No cases yet.'))}</p>"
    base = alt.Chart().encode(
        x=alt.X("period:O", title=_("Period")), y=alt.Y("value:Q", title=_("Value")),
        color=alt.Color("office:N", title=_("Office")))
    points = base.mark_point(filled=True, size=40).encode(
        tooltip=[alt.Tooltip("office:N", title=_("Office")), alt.Tooltip("period:O", title=_("Period")),
                 alt.Tooltip("value:Q", title=_("Value"), format=".2f")],
        **({"href": alt.Href("rows:N")} if link else {}))
    chart = (
        alt.layer(base.mark_line(), points, data=pd.DataFrame(rows))
        .properties(width=300, height=160)
        .facet(facet=alt.Facet("indicator:N", title=None), columns=2)
        .resolve_scale(y="independent")
    )
    return f'<figure class="trend">{to_svg(chart)}</figure>'
