"""The two currencies every analysis pays in: Indicators and Findings (see the design)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Indicator:
    """A figure about a subject in a period, always with what it was computed from.

    `value` is None where the denominator is zero (a rate of nothing is not zero). `numerator` and
    `denominator` are None only where a part is itself a rate that could not be computed (e.g.
    `targeting_lift` of a unit that made no random inspections) or where a period is too recent for an outcome
    that takes time (`baliza.analyses.ksi.horizons`, the reason in `note`); otherwise counts and proportions
    always have both.
    """

    subject_table: str  # "units", "staff", ...
    subject_id: str
    indicator: str
    period: str  # "2025", "2025-Q1", "2025-03"
    value: float | None
    numerator: float | None
    denominator: float | None
    low: float | None = None  # confidence interval, where one is computed
    high: float | None = None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Reference:
    """A row of the warehouse, named by table and id (a composite key is joined with '|')."""

    table: str
    id: str

    def to_dict(self) -> dict[str, str]:
        return {"table": self.table, "id": self.id}


@dataclass(frozen=True)
class Finding:
    """A red flag or a risk score for review, never a verdict.

    A person must be able to read why it fired (`summary`, `method`) and check it by hand
    (`evidence`: the rows it rests on).
    """

    rule: str
    subject: Reference
    score: float
    summary: str
    evidence: tuple[Reference, ...]
    method: str
    q_value: float | None = None  # Benjamini-Hochberg q where a statistical test stands behind it
    period: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "subject": self.subject.to_dict(),
            "score": self.score,
            "q_value": self.q_value,
            "summary": self.summary,
            "evidence": [e.to_dict() for e in self.evidence],
            "method": self.method,
            "period": self.period,
            "details": self.details,
        }
