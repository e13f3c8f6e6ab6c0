"""The findings as a work queue: where each finding sits (its office and seizing unit), filters and facets
over the findings the principal may read, a sort order, and the page's query kept in its links.

`services.findings` decides which findings the principal sees (scope, hit/no-hit evidence, audit); this
module only places, filters and orders them. A finding's office is the prosecution office of its subject
(a prosecutor's office, a case's office, the office itself); its unit the unit that made the seizure behind
it. Both are read from the rows the principal may read; unknown otherwise.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import HTTPException

from baliza.access.principal import Principal
from baliza.i18n import gettext as _
from baliza.i18n.findings import summary as finding_summary
from baliza.web.context import ServingContext
from baliza.web.names import decision_label, rule_label, table_label

STATUSES = ("undecided", "confirmed", "dismissed", "needs_more_data")
SORTS = ("review", "q_value", "score", "rule", "office")
PER_PAGE = 50


@dataclass(frozen=True)
class QueueQuery:
    """What the page was asked for; `parse` refuses bad values with a 400 naming the parameter."""

    rule: str = ""
    subject: str = ""
    office: str = ""
    unit: str = ""
    status: str = ""
    q_max: float | None = None
    sort: str = "review"
    page: int = 1
    who: str = ""  # one subject, by id (a chart's point links here)

    @classmethod
    def parse(cls, params: dict[str, str]) -> QueueQuery:
        def text(name: str) -> str:
            return str(params.get(name, "") or "")[:120]

        page_text = text("page") or "1"
        if not page_text.isdigit() or int(page_text) < 1:
            raise HTTPException(400, _("page must be a whole number from 1, not %(value)r", value=page_text[:20]))
        q_text = text("q_max")
        try:
            q_max = float(q_text) if q_text else None
        except ValueError:
            raise HTTPException(400, _("q_max must be a number between 0 and 1, not %(value)r",
                                       value=q_text[:20])) from None
        if q_max is not None and not 0 <= q_max <= 1:
            raise HTTPException(400, _("q_max must be a number between 0 and 1, not %(value)r", value=q_text[:20]))
        status, sort = text("status"), text("sort") or "review"
        if status and status not in STATUSES:
            raise HTTPException(400, _("status must be one of: %(choices)s", choices=", ".join(STATUSES)))
        if sort not in SORTS:
            raise HTTPException(400, _("sort must be one of: %(choices)s", choices=", ".join(SORTS)))
        return cls(text("rule"), text("subject"), text("office"), text("unit"), status, q_max, sort,
                   int(page_text[:6]), text("who"))

    def link(self, **changes: Any) -> str:
        """The query string of this query with `changes` (page back to 1 unless named)."""
        values = {"rule": self.rule, "subject": self.subject, "office": self.office, "unit": self.unit,
                  "status": self.status, "q_max": "" if self.q_max is None else f"{self.q_max:g}",
                  "sort": self.sort if self.sort != "review" else "", "page": "", "who": self.who}
        values.update({k: "" if v is None else str(v) for k, v in changes.items()})
        return urlencode({k: v for k, v in values.items() if v})


def placed(ctx: ServingContext, principal: Principal, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each finding with its `office_id`, `unit_id` and `status` (undecided or the latest decision)."""
    with ctx.reading(principal) as (wh, scope):
        staff_office = _pairs(scope.filter(wh, "staff"), "staff_id", "unit_id")
        cases = scope.filter(wh, "cases").select("case_id", "office_id", "seizure_id").to_pyarrow().to_pylist()
        seizure_unit = _pairs(scope.filter(wh, "seizures"), "seizure_id", "unit_id")
        units = wh.table("units")
        offices = set(units.filter(units.kind == "prosecution_office").unit_id.to_pyarrow().to_pylist())
    case_office = {c["case_id"]: c["office_id"] for c in cases}
    case_unit = {c["case_id"]: seizure_unit.get(c["seizure_id"]) for c in cases if c["seizure_id"]}
    out = []
    for f in found:
        table, subject = f["subject"]["table"], f["subject"]["id"]
        office = unit = None
        if table == "staff":
            office = staff_office.get(subject)
        elif table == "cases":
            office, unit = case_office.get(subject), case_unit.get(subject)
        elif table == "seizures":
            unit = seizure_unit.get(subject)
        elif table == "units":
            office, unit = (subject, None) if subject in offices else (None, subject)
        elif table in ("crypto_io", "crypto_transfers"):  # a crypto finding sits with its wallet's first case
            case = next(iter((f["details"].get("links") or {}).get("cases") or []), None)
            office, unit = case_office.get(case), case_unit.get(case)
        status = f["decision"]["decision"] if f["decision"] else "undecided"
        out.append({**f, "office_id": office, "unit_id": unit, "status": status})
    return out


def _pairs(t: Any, key: str, value: str) -> dict[str, Any]:
    return {r[key]: r[value] for r in t.select(key, value).to_pyarrow().to_pylist()}


def matching(rows: list[dict[str, Any]], query: QueueQuery) -> list[dict[str, Any]]:
    """The findings the filters keep, in the chosen order (review order: undecided first, as found)."""
    kept = [f for f in rows if (not query.rule or f["rule"] == query.rule)
            and (not query.subject or f["subject"]["table"] == query.subject)
            and (not query.who or f["subject"]["id"] == query.who)
            and (not query.office or f["office_id"] == query.office)
            and (not query.unit or f["unit_id"] == query.unit)
            and (not query.status or f["status"] == query.status)
            and (query.q_max is None or (f["q_value"] is not None and f["q_value"] <= query.q_max))]
    if query.sort == "q_value":
        kept.sort(key=lambda f: (f["q_value"] is None, f["q_value"] or 0))
    elif query.sort == "score":
        kept.sort(key=lambda f: -(f["score"] or 0))
    elif query.sort == "rule":
        kept.sort(key=lambda f: f["rule"])
    elif query.sort == "office":
        kept.sort(key=lambda f: (f["office_id"] is None, f["office_id"] or ""))
    return kept


def facets(rows: list[dict[str, Any]]) -> dict[str, list[tuple[str, int]]]:
    """Counts per value of each filter over every finding the principal reads (not only those shown)."""
    def counted(values: list[Any]) -> list[tuple[str, int]]:
        return sorted(Counter(v for v in values if v).items(), key=lambda item: (-item[1], item[0]))

    return {
        "rule": counted([f["rule"] for f in rows]),
        "subject": counted([f["subject"]["table"] for f in rows]),
        "office": counted([f["office_id"] for f in rows]),
        "unit": counted([f["unit_id"] for f in rows]),
        "status": counted([f["status"] for f in rows]),
    }


def rule_meanings() -> dict[str, str]:
    """What each rule looks for, in the words of `analyses/integrity/rules.yaml`, in the reader's language
    (each meaning is a catalogue msgid, extracted from the file)."""
    from baliza.analyses.integrity.rules import load_rules

    return {spec.name: _(spec.meaning) for spec in load_rules()}


def export_table(rows: list[dict[str, Any]], names: dict[str, str]) -> tuple[list[str], list[list[Any]]]:
    """The filtered findings as a table: words first, ids kept as extra columns."""
    header = [_("Red flag"), _("Subject"), _("Office"), _("Seizing unit"), _("Status"), _("Explanation"),
              _("q-value"), _("Score"), _("Period"), _("Decided by"), _("Note"), _("finding_id"), _("rule"),
              _("subject_table"), _("subject_id"), _("office_id"), _("unit_id")]
    body = []
    for f in rows:
        decision, subject = f["decision"] or {}, f["subject"]
        body.append([
            rule_label(f["rule"]), f"{table_label(subject['table'])} {names.get(subject['id'], subject['id'])}",
            names.get(f["office_id"] or "", f["office_id"] or ""), names.get(f["unit_id"] or "", f["unit_id"] or ""),
            decision_label(None if f["status"] == "undecided" else f["status"]), finding_summary(f), f["q_value"],
            f["score"], f["period"] or "",
            decision.get("decided_by", ""), decision.get("note", ""), f["finding_id"], f["rule"],
            f["subject"]["table"], f["subject"]["id"], f["office_id"] or "", f["unit_id"] or "",
        ])
    return header, body
