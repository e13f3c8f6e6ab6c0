"""The two currencies every analysis pays in: Indicators and Findings (see the design)."""

from __future__ import annotations

from collections.abc import Mapping
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
class Message:
    """A sentence for people, not yet worded: an analysis never words for people, the surfaces do.

    `text` is the English source, a catalogue msgid marked with `N_()` where it is written (so
    `python -m baliza.i18n.extract` finds it), with `%(name)s` placeholders; `values` fill them. With
    `plural`, the sentence is chosen by the count `values["num"]` (as `ngettext`; `Message.counted`).
    Values stay plain data, formatted in the reader's language when the sentence is worded
    (`baliza.i18n.findings`): an int is a count, a float a number with two decimals, a str is shown as it
    is (ids, names); typed values (`baliza.analyses.wording.share`, `.decimal`, `.significant`, `.label`,
    `.amount`, `.money`, `.day`) say how else to show a number or a code.
    """

    text: str
    values: Mapping[str, Any] = field(default_factory=dict)
    plural: str | None = None

    @classmethod
    def counted(cls, forms: tuple[str, str], values: Mapping[str, Any]) -> Message:
        """A sentence with a singular and a plural, chosen by `values["num"]`: `forms` is
        `N_plural("%(num)s seizure ...", "%(num)s seizures ...")`."""
        return cls(forms[0], values, forms[1])

    def english(self) -> str:
        """The sentence in English (what old readers and logs see)."""
        from baliza.i18n.findings import english  # the wording lives with the surfaces' translations

        return english(self)

    @classmethod
    def from_dict(cls, plain: Mapping[str, Any]) -> Message:
        """A message read back from its plain form (`to_dict`)."""
        return cls(str(plain["text"]), dict(plain.get("values") or {}), plain.get("plural"))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text, "values": dict(self.values)}
        if self.plural is not None:
            out["plural"] = self.plural
        return out


@dataclass(frozen=True)
class Finding:
    """A red flag or a risk score for review, never a verdict.

    A person must be able to read why it fired (`summary`, `method`) and check it by hand
    (`evidence`: the rows it rests on).

    An analysis says why as `messages` (the summary, one `Message` per sentence) and `method_messages` (the
    method); the surfaces word them in the reader's language (`baliza.i18n.findings.summary(finding)`).
    `summary` and `method` are then left empty and filled here with the English wording, so that stored
    findings and readers that only know `summary` still read. A finding written before messages existed has
    only `summary` and `method`, and is shown with them.
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
    messages: tuple[Message, ...] = ()
    method_messages: tuple[Message, ...] = ()

    def __post_init__(self) -> None:
        from baliza.i18n.findings import english_text

        if not self.summary and self.messages:
            object.__setattr__(self, "summary", english_text(self.messages))
        if not self.method and self.method_messages:
            object.__setattr__(self, "method", english_text(self.method_messages))

    @classmethod
    def from_dict(cls, plain: Mapping[str, Any]) -> Finding:
        """A finding read back from its stored plain form (`to_dict`); one stored before messages existed
        comes back with its English `summary` and `method` only, and is shown with them."""
        return cls(
            str(plain["rule"]), Reference(plain["subject"]["table"], plain["subject"]["id"]), float(plain["score"]),
            str(plain.get("summary") or ""),
            tuple(Reference(e["table"], e["id"]) for e in plain.get("evidence", []) if "id" in e),
            str(plain.get("method") or ""), plain.get("q_value"), plain.get("period"), dict(plain.get("details") or {}),
            tuple(Message.from_dict(m) for m in plain.get("messages") or ()),
            tuple(Message.from_dict(m) for m in plain.get("method_messages") or ()),
        )

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
            "messages": [m.to_dict() for m in self.messages],
            "method_messages": [m.to_dict() for m in self.method_messages],
        }
