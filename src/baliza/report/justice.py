"""The justice section of the report: funnel plots of case outcomes, the flag queue with its evidence, and
each office's efficiency over time. Everything shown is computed by the analyses; text is HTML-escaped."""

from __future__ import annotations

from html import escape

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


def justice_section(warehouse: Warehouse, granularity: Granularity = Granularity.QUARTER) -> Section:
    build_case_facts(warehouse)
    findings = red_flags(warehouse, facts_ready=True)
    funnels = outcome_funnels(warehouse)
    trend = efficiency(warehouse, granularity, Subject.OFFICE, facts_ready=True)
    parts = [
        "<h3>Case outcomes against case mix (funnel plots)</h3>",
        "<p>Each dot is a prosecutor: observed over expected dismissals (or acquittals) of seizure cases, the "
        "expectation coming from a model of the case mix. Inside the funnel is ordinary variation, including "
        "the differences between ordinary prosecutors; outside the outer line deserves a look.</p>",
        *(_funnel_svg(name, frame) for name, frame in funnels.items()),
        f"<h3>Flag queue ({len(findings)})</h3>",
        "<p>Red flags for review, never verdicts. q is the Benjamini-Hochberg false discovery rate across every "
        "unit tested by every rule; per-case facts carry no q.</p>",
        _flag_table(findings),
        "<h3>Each office's efficiency over time</h3>",
        _trend_svg(trend),
    ]
    return Section("Prosecution and courts: efficiency and red flags", "\n".join(parts), anchor="justice")


def _funnel_svg(outcome: str, frame: pd.DataFrame) -> str:
    curve = frame.sort_values("expected")
    base = alt.Chart(curve).encode(x=alt.X("expected:Q", title=f"expected {outcome} cases"))
    lines = [
        base.mark_line(strokeDash=dash, color="grey").encode(y=alt.Y(f"{column}:Q", title="observed / expected"))
        for column, dash in (("low95", [4, 4]), ("high95", [4, 4]), ("low998", [1, 0]), ("high998", [1, 0]))
    ]
    dots = base.mark_circle(size=50).encode(y="ratio:Q", tooltip=["unit", "cases", "ratio"])
    chart = alt.layer(*lines, dots).properties(title=f"{outcome.capitalize()} per prosecutor", width=420, height=260)
    return f'<figure class="funnel">{to_svg(chart)}</figure>'


def _flag_table(findings: list[Finding]) -> str:
    if not findings:
        return "<p>No red flags.</p>"
    rows = []
    for f in findings:
        ids = ", ".join(f"{e.table}/{e.id}" for e in f.evidence[:EVIDENCE_SHOWN])
        more = f.details.get("evidence_count", len(f.evidence)) if f.details else len(f.evidence)
        extra = f" (of {more})" if more > EVIDENCE_SHOWN else ""
        q = "" if f.q_value is None else f"{f.q_value:.2g}"
        rows.append(
            "<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in (
                f.rule, f"{f.subject.table}/{f.subject.id}", f"{f.score:.3g}", q, f.summary, ids + extra, f.method
            )) + "</tr>"
        )
    head = "".join(f"<th>{h}</th>" for h in ("rule", "subject", "score", "q", "why", "evidence", "method"))
    return f'<table class="flags"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _trend_svg(indicators: list[Indicator]) -> str:
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
