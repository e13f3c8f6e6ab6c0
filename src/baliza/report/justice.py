"""The justice section of the report: funnel plots of case outcomes, the flag queue with its evidence, and
each office's efficiency over time. Everything shown is computed by the analyses; text is HTML-escaped."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

import altair as alt
import pandas as pd

from baliza.analyses.casefacts import build_case_facts
from baliza.analyses.efficiency import Subject, efficiency
from baliza.analyses.integrity import red_flags
from baliza.analyses.integrity.outcomes import outcome_funnels
from baliza.analyses.model import Finding, Indicator
from baliza.analyses.periods import Granularity
from baliza.report.charts import to_svg
from baliza.report.section import Section
from baliza.warehouse.store import Warehouse

EVIDENCE_SHOWN = 10
TREND_INDICATORS = ("clearance_rate", "disposition_time_days", "dismissal_rate", "conviction_rate")


@dataclass(frozen=True)
class JusticeFigures:
    """What the justice section shows, computed once by the analyses (the front page reuses it)."""

    findings: list[Finding]
    funnels: dict[str, pd.DataFrame]
    trend: list[Indicator]  # efficiency per office and period


def justice_figures(warehouse: Warehouse, granularity: Granularity = Granularity.QUARTER) -> JusticeFigures:
    build_case_facts(warehouse)
    return JusticeFigures(
        findings=red_flags(warehouse, facts_ready=True),
        funnels=outcome_funnels(warehouse),
        trend=efficiency(warehouse, granularity, Subject.OFFICE, facts_ready=True),
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
        f"<h3>Flag queue ({len(plain)})</h3>",
        "<p>Red flags for review, never verdicts. q is the Benjamini-Hochberg false discovery rate across every "
        "unit tested by every rule; per-case facts carry no q. Evidence held by another agency is named by its "
        "holder only: ask them to share it.</p>",
        _flag_table(plain),
    ]
    if not analytics:
        parts = ["<p>Prosecution analytics (outcome funnels, offices' efficiency) are not part of this reader's "
                 "report: the role does not read them.</p>", *queue]
    else:
        parts = [
            "<h3>Case outcomes against case mix (funnel plots)</h3>",
            "<p>Each dot is a prosecutor: observed over expected dismissals (or acquittals) of seizure cases, the "
            "expectation coming from a model of the case mix. Inside the funnel is ordinary variation, including "
            "the differences between ordinary prosecutors; outside the outer line deserves a look.</p>",
            funnels_svg(figures.funnels),
            *queue,
            "<h3>Each office's efficiency over time</h3>",
            trend_svg(figures.trend),
        ]
    return Section("Prosecution and courts: efficiency and red flags", "\n".join(parts), anchor="justice")


def funnels_svg(funnels: dict[str, pd.DataFrame]) -> str:
    """Every outcome's funnel side by side, in one figure."""
    charts = [_funnel(name, frame) for name, frame in funnels.items() if not frame.empty]
    if not charts:
        return "<p>Too few resolved seizure cases per prosecutor for a funnel plot.</p>"
    return f'<figure class="funnel">{to_svg(alt.hconcat(*charts))}</figure>'


def _funnel(outcome: str, frame: pd.DataFrame) -> alt.LayerChart | alt.FacetChart:
    curve = frame.sort_values("expected")
    base = alt.Chart(curve).encode(x=alt.X("expected:Q", title=f"expected {outcome} cases"))
    lines = [
        base.mark_line(strokeDash=dash, color="grey").encode(y=alt.Y(f"{column}:Q", title="observed / expected"))
        for column, dash in (("low95", [4, 4]), ("high95", [4, 4]), ("low998", [1, 0]), ("high998", [1, 0]))
    ]
    dots = base.mark_circle(size=40, color="#1f4e79").encode(y="ratio:Q", tooltip=["unit", "cases", "ratio"])
    return alt.layer(*lines, dots).properties(title=f"{outcome.capitalize()} per prosecutor", width=280, height=200)


def _flag_table(findings: list[dict[str, Any]]) -> str:
    """Tested flags (with q) one per row with their method; facts about single cases grouped by rule, the
    rule's method stated once. Findings come in their plain form (`Finding.to_dict`, or redacted)."""
    if not findings:
        return "<p>No red flags.</p>"
    tested = [f for f in findings if f["q_value"] is not None]
    facts = [f for f in findings if f["q_value"] is None]
    parts = []
    if tested:
        rows = "".join(
            f"<tr><td>{escape(f['rule'])}</td><td>{escape(_subject(f))}</td>"
            f"<td class='num'>{f['score']:.3g}</td><td class='num'>{_q(f['q_value'])}</td>"
            f"<td>{escape(f['summary'])}<div class='evidence'>Evidence: {escape(_evidence(f))}</div>"
            f"<div class='method'>{escape(f['method'])}</div></td></tr>"
            for f in tested
        )
        parts.append(
            f"<h4>Units that stand out in a statistical test ({len(tested)})</h4>"
            "<table class='flags tested'><thead><tr><th>Rule</th><th>Subject</th><th class='num'>Score</th>"
            f"<th class='num'>q</th><th>Why, evidence and method</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    by_rule: dict[str, list[dict[str, Any]]] = {}
    for f in facts:
        by_rule.setdefault(f["rule"], []).append(f)
    for rule, group in by_rule.items():
        methods = sorted({f["method"] for f in group})
        rows = "".join(
            f"<tr><td>{escape(_subject(f))}</td><td>{escape(f['summary'])}</td>"
            f"<td class='evidence'>{escape(_evidence(f))}</td></tr>"
            for f in group
        )
        parts.append(
            f"<h4>{escape(rule.replace('_', ' ').capitalize())}: {len(group)} "
            f"{'fact' if len(group) == 1 else 'facts'} in the records</h4>"
            f"<p class='method'>{escape(' / '.join(methods))}</p>"
            "<table class='flags facts'><thead><tr><th>Subject</th><th>What the records show</th>"
            f"<th>Evidence</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    return "".join(parts)


def _subject(finding: dict[str, Any]) -> str:
    return f"{finding['subject']['table']}/{finding['subject']['id']}"


def _q(q: float | None) -> str:
    if q is None:
        return ""
    return "&lt; 0.001" if q < 0.001 else f"{q:.2g}"


def _evidence(finding: dict[str, Any]) -> str:
    evidence = finding["evidence"]
    ids = ", ".join(f"{e['table']}: held by {e['held_by']}" if "held_by" in e else f"{e['table']}/{e['id']}"
                    for e in evidence[:EVIDENCE_SHOWN])
    total = (finding.get("details") or {}).get("evidence_count", len(evidence))
    return ids + (f" (first {EVIDENCE_SHOWN} of {total})" if total > EVIDENCE_SHOWN else "")


def trend_svg(indicators: list[Indicator]) -> str:
    rows = [
        {"office": i.subject_id, "period": i.period, "indicator": i.indicator, "value": i.value}
        for i in indicators if i.indicator in TREND_INDICATORS and i.value is not None
    ]
    if not rows:
        return "<p>No cases yet.</p>"
    chart = (
        alt.Chart(pd.DataFrame(rows))
        .mark_line(point=True)
        .encode(x=alt.X("period:O"), y=alt.Y("value:Q"), color="office:N")
        .properties(width=300, height=160)
        .facet(facet="indicator:N", columns=2)
        .resolve_scale(y="independent")
    )
    return f'<figure class="trend">{to_svg(chart)}</figure>'
