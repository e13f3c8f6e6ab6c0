"""One seizure's path from entry point to verdict to recovered asset, and where that path breaks.

`seizure_chain` gathers the seizure, its inspection, lab result, arrests, cases, charges, case events,
dispositions and assets into a timeline, and names every broken link with the rows it rests on.

It always reads the whole warehouse: a break is a fact about all the data, never about what one agency
happens to see (a customs analyst who cannot read the prosecution's case must not be told that no case
was opened). What a viewer may read of the result is decided afterwards, in `access.chain_view`. Each
step keeps the agency that holds its row for that purpose.

Deadlines (laboratory, case opening, limitation) are judged against the date the data of that stage
covers to (`analyses.as_of`), never against today: a seizure too recent to judge is `too_early`, not
broken. Windows, tolerances and outcomes come from `analyses.definitions`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

import ibis.expr.types as ir

from baliza.analyses.as_of import end_of_day, stage_as_of
from baliza.analyses.definitions import (
    CASE_WINDOW_DAYS,
    CHARGED_TOLERANCE,
    ENDED_WITHOUT_CONVICTION,
    EVIDENCE_LOST,
    LAB_WINDOW_DAYS,
)
from baliza.analyses.model import Reference
from baliza.analyses.wording import money_usd, quantity
from baliza.warehouse.views import base_quantity_value

Row = dict[str, Any]

# breaks that say something did not happen: judged on the subject row (the first evidence row) alone
ABSENCE_BREAKS: dict[str, str] = {"no_lab_confirmation": "lab", "no_case": "case",
                                  "limitation_passed": "disposition"}


class Tables(Protocol):
    """What the chain reads: a warehouse (or anything with `table(name)` giving Ibis-like tables)."""

    def table(self, name: str) -> ir.Table: ...


@dataclass(frozen=True)
class ChainEvent:
    """One dated step of the chain, with the row it comes from and the agency that holds that row."""

    at: datetime
    stage: str  # inspection, seizure, lab, arrest, case, charge, event, disposition, asset
    description: str
    reference: Reference
    holder: str | None = None
    row: Row = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class BrokenLink:
    """A place where the chain from seizure to verdict to asset breaks, with the rows that show it.

    `rows` holds (table, row) for each evidence reference, for deciding who may read the break.
    """

    code: str
    description: str
    evidence: tuple[Reference, ...]
    rows: tuple[tuple[str, Row], ...] = field(default=(), compare=False, repr=False)

    @property
    def subject(self) -> Reference:
        return self.evidence[0]


@dataclass(frozen=True)
class Pending:
    """A deadline that cannot be judged yet: the data ends before it."""

    stage: str
    description: str
    deadline: date
    data_end: date


@dataclass
class SeizureChain:
    seizure: Row
    holder: str | None = None
    events: list[ChainEvent] = field(default_factory=list)
    breaks: list[BrokenLink] = field(default_factory=list)
    pending: list[Pending] = field(default_factory=list)
    as_of: dict[str, date | None] = field(default_factory=dict)
    seizure_row: Row = field(default_factory=dict, repr=False)

    @property
    def status(self) -> str:
        """broken, too_early (a deadline cannot be judged yet), open (a case is running) or complete."""
        if self.breaks:
            return "broken"
        if self.pending:
            return "too_early"
        cases = {e.reference.id for e in self.events if e.stage == "case"}
        disposed = {e.row.get("case_id") for e in self.events if e.stage == "disposition"}
        return "open" if cases - disposed else "complete"

    def to_dict(self) -> dict[str, Any]:
        return {
            "seizure_id": self.seizure["seizure_id"],
            "seizure": self.seizure,
            "holder": self.holder,
            "status": self.status,
            "as_of": {k: v.isoformat() if v else None for k, v in self.as_of.items()},
            "events": [
                {"at": e.at, "stage": e.stage, "description": e.description, "reference": e.reference.to_dict(),
                 "holder": e.holder}
                for e in sorted(self.events, key=lambda e: e.at)
            ],
            "breaks": [
                {"code": b.code, "description": b.description, "evidence": [r.to_dict() for r in b.evidence]}
                for b in self.breaks
            ],
            "pending": [{"stage": p.stage, "description": p.description, "deadline": p.deadline.isoformat(),
                         "data_end": p.data_end.isoformat()} for p in self.pending],
        }


def _rows(warehouse: Tables, table: str, column: str, values: list[str]) -> list[Row]:
    if not values:
        return []
    t = warehouse.table(table)
    return t.filter(t[column].isin(values)).to_pyarrow().to_pylist()


def _as_datetime(value: date | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)


def _content(row: Row) -> Row:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def _stage_dates(warehouse: Tables, as_of: datetime | date | dict[str, date | None] | None) -> dict[str, date | None]:
    if isinstance(as_of, dict):
        return as_of
    if as_of is not None:
        day = as_of.date() if isinstance(as_of, datetime) else as_of
        return {"lab": day, "case": day, "disposition": day}
    return stage_as_of(warehouse)  # type: ignore[arg-type]


class _Builder:
    """Collects one chain's events and breaks."""

    def __init__(self, chain: SeizureChain, names: dict[str, str]) -> None:
        self.chain, self.names = chain, names

    def name(self, code: str | None) -> str:
        """A unit's, office's or entry point's name with its code, or the code alone."""
        if not code:
            return ""
        name = self.names.get(code)
        return f"{name} ({code})" if name and name != code else code

    def event(self, at: date | datetime, stage: str, description: str, table: str, key: str, row: Row) -> None:
        self.chain.events.append(ChainEvent(_as_datetime(at), stage, description, Reference(table, key),
                                            row.get("_agency_id"), row))

    def broken(self, code: str, description: str, *evidence: tuple[str, str, Row]) -> None:
        self.chain.breaks.append(BrokenLink(code, description, tuple(Reference(t, k) for t, k, _ in evidence),
                                            tuple((t, r) for t, _, r in evidence)))

    def too_early(self, stage: str, what: str, deadline: datetime, data_end: date) -> None:
        self.chain.pending.append(Pending(stage, f"too early to judge {what} (data to {data_end:%Y-%m-%d}; "
                                                 f"due by {deadline:%Y-%m-%d})", deadline.date(), data_end))


def directory_names(warehouse: Tables) -> dict[str, str]:
    """Names of units, offices, entry points and agencies by their id (directory tables: open to all)."""
    names: dict[str, str] = {}
    for table, key in (("agencies", "agency_id"), ("entry_points", "entry_point_id"), ("units", "unit_id")):
        t = warehouse.table(table)
        for row in t.select(key, "name").to_pyarrow().to_pylist():
            names[row[key]] = row["name"]
    return names


def seizure_chain(warehouse: Tables, seizure_id: str, *,
                  as_of: datetime | date | dict[str, date | None] | None = None,
                  names: dict[str, str] | None = None) -> SeizureChain:
    """The chain of one seizure over the whole warehouse. Raises KeyError when there is no such seizure.

    `as_of`: the date deadlines are judged against (one date for every stage, or one per stage as
    `analyses.as_of.stage_as_of` gives them); by default the date each stage's data covers to.
    `names`: directory names by id (`directory_names`), when the caller keeps them.
    """
    found = _rows(warehouse, "seizures", "seizure_id", [seizure_id])
    if not found:
        raise KeyError(f"no seizure {seizure_id!r} in the warehouse")
    row = found[0]
    seizure = _content(row)
    chain = SeizureChain(seizure, holder=row.get("_agency_id"), as_of=_stage_dates(warehouse, as_of),
                         seizure_row=row)
    b = _Builder(chain, names if names is not None else directory_names(warehouse))
    place = f" at {b.name(seizure['entry_point_id'])}" if seizure.get("entry_point_id") else ""
    b.event(seizure["seized_at"], "seizure",
            f"{quantity(seizure['quantity'], seizure['quantity_unit'])} of {seizure['substance']} seized by "
            f"{b.name(seizure['unit_id'])}{place}", "seizures", seizure_id, row)
    inspection_ids = [seizure["inspection_id"]] if seizure.get("inspection_id") else []
    for inspection in _rows(warehouse, "inspections", "inspection_id", inspection_ids):
        b.event(inspection["inspected_at"], "inspection",
                f"inspection ({inspection['selection'].replace('_', ' ')}) by {b.name(inspection['unit_id'])}: "
                f"{inspection['outcome'].replace('_', ' ')}", "inspections", inspection["inspection_id"], inspection)
    _lab(b, row)
    arrests = _rows(warehouse, "arrests", "seizure_id", [seizure_id])
    for arrest in arrests:
        b.event(arrest["arrested_at"], "arrest", f"person {arrest['person_id']} arrested by "
                f"{b.name(arrest['unit_id'])}", "arrests", arrest["arrest_id"], arrest)
    cases = _rows(warehouse, "cases", "seizure_id", [seizure_id])
    _case_opening(b, row, arrests, cases)
    case_ids = [c["case_id"] for c in cases]
    _charges(b, row, _rows(warehouse, "charges", "case_id", case_ids))
    _case_events(b, _rows(warehouse, "case_events", "case_id", case_ids))
    dispositions = _rows(warehouse, "dispositions", "case_id", case_ids)
    _dispositions(b, dispositions)
    _assets(b, _rows(warehouse, "assets", "case_id", case_ids))
    _limitation(b, cases, dispositions)
    chain.events.sort(key=lambda e: e.at)
    return chain


def _deadline_passed(b: _Builder, stage: str, start: datetime, days: int, what: str) -> bool:
    """Whether `days` after `start` lies inside the data of `stage`; records `too_early` when it does not."""
    deadline = start + timedelta(days=days)
    data_end = b.chain.as_of.get(stage)
    if data_end is None:
        return False
    if deadline < end_of_day(data_end):
        return True
    b.too_early(stage, what, deadline, data_end)
    return False


def _lab(b: _Builder, row: Row) -> None:
    s = row
    if s["lab_quantity"] is not None:
        at = s["lab_confirmed_at"] or s["seized_at"]
        purity = f", purity {s['lab_purity_pct']:g} %" if s["lab_purity_pct"] is not None else ""
        b.event(at, "lab", f"laboratory confirmed {quantity(s['lab_quantity'], s['quantity_unit'])}{purity}",
                "seizures", s["seizure_id"], row)
    elif _deadline_passed(b, "lab", s["seized_at"], LAB_WINDOW_DAYS, "the laboratory result"):
        b.broken("no_lab_confirmation", f"no laboratory confirmation {LAB_WINDOW_DAYS} days after the seizure",
                 ("seizures", s["seizure_id"], row))


def _case_opening(b: _Builder, seizure: Row, arrests: list[Row], cases: list[Row]) -> None:
    for case in cases:
        lead = f", lead prosecutor {case['lead_prosecutor_id']}" if case["lead_prosecutor_id"] else ""
        b.event(case["opened_at"], "case", f"case {case['case_id']} opened at {b.name(case['office_id'])}{lead}",
                "cases", case["case_id"], case)
    seized_at: datetime = seizure["seized_at"]
    in_time = [c for c in cases if c["opened_at"] <= seized_at + timedelta(days=CASE_WINDOW_DAYS)]
    if in_time or not _deadline_passed(b, "case", seized_at, CASE_WINDOW_DAYS, "whether a case was opened"):
        return
    who = f" although {len(arrests)} person(s) were arrested" if arrests else " (no arrest recorded)"
    late = f"; a case was opened only on {min(c['opened_at'] for c in cases):%Y-%m-%d}" if cases else ""
    b.broken("no_case", f"no case opened within {CASE_WINDOW_DAYS} days of the seizure{who}{late}",
             ("seizures", seizure["seizure_id"], seizure), *(("arrests", a["arrest_id"], a) for a in arrests))


def charged_quantity(charges: list[Row], base_unit: str) -> tuple[float, list[Row]] | None:
    """The charged quantity of one case in `base_unit` (`definitions`: the sum over defendants of each
    one's largest charge), with the charges it rests on; None when no charge has a comparable quantity."""
    largest: dict[str, float] = {}
    used: list[Row] = []
    for charge in charges:
        base = base_quantity_value(charge["quantity"], charge["quantity_unit"])
        if base is None or base[1] != base_unit:
            continue
        largest[charge["person_id"]] = max(largest.get(charge["person_id"], 0.0), base[0])
        used.append(charge)
    return (sum(largest.values()), used) if used else None


def _charges(b: _Builder, seizure: Row, charges: list[Row]) -> None:
    for charge in charges:
        amount = f" for {quantity(charge['quantity'], charge['quantity_unit'])}" if charge["quantity"] is not None \
            else ""
        b.event(charge["filed_at"], "charge",
                f"{charge['offence'].replace('_', ' ')} charged against {charge['person_id']}{amount}",
                "charges", charge["charge_id"], charge)
    lab = seizure["lab_quantity"] is not None
    reference = base_quantity_value(seizure["lab_quantity"] if lab else seizure["quantity"], seizure["quantity_unit"])
    if reference is None:
        return
    by_case: dict[str, list[Row]] = {}
    for charge in charges:
        by_case.setdefault(charge["case_id"], []).append(charge)
    for case_id, own in sorted(by_case.items()):
        charged = charged_quantity(own, reference[1])
        if charged is None or charged[0] >= CHARGED_TOLERANCE * reference[0]:
            continue
        basis = "laboratory" if lab else "seized"
        b.broken("charged_below_seized",
                 f"case {case_id} charges {quantity(charged[0], reference[1])} in all, below "
                 f"{CHARGED_TOLERANCE:.0%} of the {basis} quantity {quantity(reference[0], reference[1])}",
                 ("seizures", seizure["seizure_id"], seizure),
                 *(("charges", c["charge_id"], c) for c in charged[1]))


def _case_events(b: _Builder, events: list[Row]) -> None:
    for event in events:
        who = f" by {event['staff_id']}" if event["staff_id"] else ""
        asked = f" (requested by {event['requested_by']})" if event["requested_by"] else ""
        b.event(event["at"], "event", f"{event['kind'].replace('_', ' ')}{who}{asked}", "case_events",
                event["event_id"], event)
        if event["kind"] in EVIDENCE_LOST:
            b.broken(event["kind"], f"evidence reported {event['kind'].split('_')[1]} on {event['at']:%Y-%m-%d} "
                                    f"in case {event['case_id']}", ("case_events", event["event_id"], event))


def _dispositions(b: _Builder, dispositions: list[Row]) -> None:
    for d in dispositions:
        key = f"{d['case_id']}|{d['person_id']}"
        sentence = f", {d['sentence_months']:g} months" if d["sentence_months"] is not None else ""
        judge = f" (judge {d['judge_id']})" if d["judge_id"] else ""
        b.event(d["disposed_at"], "disposition", f"{d['person_id']}: {d['outcome'].replace('_', ' ')}{sentence}"
                                                 f"{judge}", "dispositions", key, d)
        if d["outcome"] in ENDED_WITHOUT_CONVICTION:
            b.broken(d["outcome"], f"case {d['case_id']} ended for {d['person_id']}: "
                                   f"{d['outcome'].replace('_', ' ')}", ("dispositions", key, d))


_ASSET_STEPS = ("identified_at", "frozen_at", "confiscated_at", "recovered_at", "returned_at", "released_at")


def _assets(b: _Builder, assets: list[Row]) -> None:
    for asset in assets:
        for step in _ASSET_STEPS:
            if asset[step] is not None:
                b.event(asset[step], "asset", f"{asset['kind'].replace('_', ' ')} worth "
                        f"{money_usd(asset['estimated_value_usd'])} {step.removesuffix('_at')}", "assets",
                        asset["asset_id"], asset)
        if asset["released_at"] is not None and asset["confiscated_at"] is None:
            b.broken("asset_released", f"asset {asset['asset_id']} ({money_usd(asset['estimated_value_usd'])}) "
                                       "released without confiscation", ("assets", asset["asset_id"], asset))


def _limitation(b: _Builder, cases: list[Row], dispositions: list[Row]) -> None:
    disposed = {d["case_id"] for d in dispositions}
    data_end = b.chain.as_of.get("disposition")
    for case in cases:
        limit = case["limitation_date"]
        if limit is None or case["case_id"] in disposed or data_end is None:
            continue
        if _as_datetime(limit).date() < data_end:
            b.broken("limitation_passed", f"case {case['case_id']} passed its limitation date {limit:%Y-%m-%d} "
                                          "without a disposition", ("cases", case["case_id"], case))
