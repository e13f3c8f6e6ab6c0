"""One seizure's path from entry point to verdict to recovered asset, and where that path breaks.

`seizure_chain` gathers the seizure, its inspection, lab result, arrests, cases, charges, case events,
dispositions and assets into a timeline, and names every broken link with the rows it rests on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from baliza.analyses.model import Reference
from baliza.warehouse.store import Warehouse
from baliza.warehouse.views import base_quantity_value

CASE_WINDOW_DAYS = 90
LAB_WINDOW_DAYS = 60
SHRINK_TOLERANCE = 0.8  # charged below 80 % of the lab (else seized) quantity is a broken link

Row = dict[str, Any]


@dataclass(frozen=True)
class ChainEvent:
    """One dated step of the chain."""

    at: datetime
    stage: str  # inspection, seizure, lab, arrest, case, charge, event, disposition, asset
    description: str
    reference: Reference


@dataclass(frozen=True)
class BrokenLink:
    """A place where the chain from seizure to verdict to asset breaks, with the rows that show it."""

    code: str
    description: str
    evidence: tuple[Reference, ...]


@dataclass
class SeizureChain:
    seizure: Row
    events: list[ChainEvent] = field(default_factory=list)
    breaks: list[BrokenLink] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "seizure": self.seizure,
            "events": [
                {"at": e.at, "stage": e.stage, "description": e.description, "reference": e.reference.to_dict()}
                for e in sorted(self.events, key=lambda e: e.at)
            ],
            "breaks": [
                {"code": b.code, "description": b.description, "evidence": [r.to_dict() for r in b.evidence]}
                for b in self.breaks
            ],
        }


def _rows(warehouse: Warehouse, table: str, column: str, values: list[str]) -> list[Row]:
    if not values:
        return []
    t = warehouse.table(table)
    return t.filter(t[column].isin(values)).to_pyarrow().to_pylist()


def _as_datetime(value: date | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)


def seizure_chain(warehouse: Warehouse, seizure_id: str, *, as_of: datetime | None = None) -> SeizureChain:
    """The chain of one seizure. Raises KeyError when the warehouse has no such seizure."""
    found = _rows(warehouse, "seizures", "seizure_id", [seizure_id])
    if not found:
        raise KeyError(f"no seizure {seizure_id!r} in the warehouse")
    seizure = {k: v for k, v in found[0].items() if not k.startswith("_")}
    now = as_of or datetime.now()
    chain = SeizureChain(seizure)
    seized_at: datetime = seizure["seized_at"]
    unit = seizure["quantity_unit"]
    chain.events.append(
        ChainEvent(seized_at, "seizure",
                   f"{seizure['quantity']:g} {unit} of {seizure['substance']} seized by unit {seizure['unit_id']}",
                   Reference("seizures", seizure_id))
    )
    for inspection in _rows(warehouse, "inspections", "inspection_id", [seizure["inspection_id"]] if
                            seizure["inspection_id"] else []):
        chain.events.append(
            ChainEvent(inspection["inspected_at"], "inspection",
                       f"inspection ({inspection['selection']}) by unit {inspection['unit_id']}: "
                       f"{inspection['outcome']}", Reference("inspections", inspection["inspection_id"]))
        )
    _lab(chain, seizure, now)
    arrests = _rows(warehouse, "arrests", "seizure_id", [seizure_id])
    for arrest in arrests:
        chain.events.append(
            ChainEvent(arrest["arrested_at"], "arrest", f"person {arrest['person_id']} arrested",
                       Reference("arrests", arrest["arrest_id"]))
        )
    cases = _rows(warehouse, "cases", "seizure_id", [seizure_id])
    _case_opening(chain, seizure, arrests, cases, now)
    case_ids = [c["case_id"] for c in cases]
    charges = _rows(warehouse, "charges", "case_id", case_ids)
    _charges(chain, seizure, charges)
    _case_events(chain, _rows(warehouse, "case_events", "case_id", case_ids))
    _dispositions(chain, _rows(warehouse, "dispositions", "case_id", case_ids))
    _assets(chain, _rows(warehouse, "assets", "case_id", case_ids))
    _limitation(chain, cases, warehouse, now)
    chain.events.sort(key=lambda e: e.at)
    return chain


def _lab(chain: SeizureChain, seizure: Row, now: datetime) -> None:
    ref = Reference("seizures", seizure["seizure_id"])
    if seizure["lab_quantity"] is not None:
        at = seizure["lab_confirmed_at"] or seizure["seized_at"]
        purity = f", purity {seizure['lab_purity_pct']:g} %" if seizure["lab_purity_pct"] is not None else ""
        chain.events.append(ChainEvent(at, "lab", f"laboratory confirmed {seizure['lab_quantity']:g} "
                                                  f"{seizure['quantity_unit']}{purity}", ref))
    elif now - seizure["seized_at"] > timedelta(days=LAB_WINDOW_DAYS):
        chain.breaks.append(BrokenLink("no_lab_confirmation",
                                       f"no laboratory confirmation {LAB_WINDOW_DAYS} days after the seizure", (ref,)))


def _case_opening(chain: SeizureChain, seizure: Row, arrests: list[Row], cases: list[Row], now: datetime) -> None:
    for case in cases:
        chain.events.append(
            ChainEvent(case["opened_at"], "case",
                       f"case {case['case_id']} opened at office {case['office_id']}"
                       + (f", lead prosecutor {case['lead_prosecutor_id']}" if case["lead_prosecutor_id"] else ""),
                       Reference("cases", case["case_id"]))
        )
    seized_at: datetime = seizure["seized_at"]
    deadline = seized_at + timedelta(days=CASE_WINDOW_DAYS)
    in_time = [c for c in cases if c["opened_at"] <= deadline]
    if in_time or now < deadline:
        return
    evidence = (Reference("seizures", seizure["seizure_id"]),
                *(Reference("arrests", a["arrest_id"]) for a in arrests))
    who = f" although {len(arrests)} person(s) were arrested" if arrests else " (no arrest recorded)"
    late = f"; a case was opened only on {min(c['opened_at'] for c in cases):%Y-%m-%d}" if cases else ""
    chain.breaks.append(BrokenLink("no_case", f"no case opened within {CASE_WINDOW_DAYS} days of the seizure"
                                              f"{who}{late}", evidence))


def _charges(chain: SeizureChain, seizure: Row, charges: list[Row]) -> None:
    seized_unit = seizure["quantity_unit"]
    reference_quantity = seizure["lab_quantity"] if seizure["lab_quantity"] is not None else seizure["quantity"]
    basis = "laboratory" if seizure["lab_quantity"] is not None else "seized"
    reference_base = base_quantity_value(reference_quantity, seized_unit)
    charged_total = 0.0
    comparable: list[Row] = []
    for charge in charges:
        quantity = f" for {charge['quantity']:g} {charge['quantity_unit']}" if charge["quantity"] is not None else ""
        chain.events.append(
            ChainEvent(charge["filed_at"], "charge", f"{charge['offence']} charged against {charge['person_id']}"
                                                     f"{quantity}", Reference("charges", charge["charge_id"]))
        )
        if charge["quantity"] is not None and charge["quantity_unit"] is not None:
            base = base_quantity_value(charge["quantity"], charge["quantity_unit"])
            if base is not None and reference_base is not None and base[1] == reference_base[1]:
                # Co-defendants are often charged with the same quantity: take the largest charge.
                charged_total = max(charged_total, base[0])
                comparable.append(charge)
    if comparable and reference_base is not None and charged_total < SHRINK_TOLERANCE * reference_base[0]:
        chain.breaks.append(BrokenLink(
            "charged_below_seized",
            f"charged quantity {charged_total:g} {reference_base[1]} is below {SHRINK_TOLERANCE:.0%} of the "
            f"{basis} quantity {reference_base[0]:g} {reference_base[1]}",
            (Reference("seizures", seizure["seizure_id"]), *(Reference("charges", c["charge_id"]) for c in comparable)),
        ))


def _case_events(chain: SeizureChain, events: list[Row]) -> None:
    for event in events:
        who = f" by {event['staff_id']}" if event["staff_id"] else ""
        asked = f" (requested by {event['requested_by']})" if event["requested_by"] else ""
        ref = Reference("case_events", event["event_id"])
        chain.events.append(ChainEvent(event["at"], "event", f"{event['kind'].replace('_', ' ')}{who}{asked}", ref))
        if event["kind"] in ("evidence_missing", "evidence_destroyed"):
            chain.breaks.append(BrokenLink(event["kind"], f"evidence reported {event['kind'].split('_')[1]} on "
                                                          f"{event['at']:%Y-%m-%d} in case {event['case_id']}", (ref,)))


def _dispositions(chain: SeizureChain, dispositions: list[Row]) -> None:
    for d in dispositions:
        ref = Reference("dispositions", f"{d['case_id']}|{d['person_id']}")
        sentence = f", {d['sentence_months']:g} months" if d["sentence_months"] is not None else ""
        judge = f" (judge {d['judge_id']})" if d["judge_id"] else ""
        chain.events.append(ChainEvent(d["disposed_at"], "disposition",
                                       f"{d['person_id']}: {d['outcome'].replace('_', ' ')}{sentence}{judge}", ref))
        if d["outcome"] in ("dismissed", "acquitted", "statute_barred", "withdrawn"):
            chain.breaks.append(BrokenLink(d["outcome"], f"case {d['case_id']} ended for {d['person_id']}: "
                                                          f"{d['outcome'].replace('_', ' ')}", (ref,)))


_ASSET_STEPS = ("identified_at", "frozen_at", "confiscated_at", "recovered_at", "returned_at", "released_at")


def _assets(chain: SeizureChain, assets: list[Row]) -> None:
    for asset in assets:
        ref = Reference("assets", asset["asset_id"])
        for step in _ASSET_STEPS:
            if asset[step] is not None:
                chain.events.append(ChainEvent(
                    _as_datetime(asset[step]), "asset",
                    f"{asset['kind'].replace('_', ' ')} worth USD {asset['estimated_value_usd']:,.0f} "
                    f"{step.removesuffix('_at')}", ref))
        if asset["released_at"] is not None and asset["confiscated_at"] is None:
            chain.breaks.append(BrokenLink("asset_released", f"asset {asset['asset_id']} (USD "
                                                             f"{asset['estimated_value_usd']:,.0f}) released without "
                                                             "confiscation", (ref,)))


def _limitation(chain: SeizureChain, cases: list[Row], warehouse: Warehouse, now: datetime) -> None:
    disposed = {d["case_id"] for d in _rows(warehouse, "dispositions", "case_id", [c["case_id"] for c in cases])}
    for case in cases:
        limit = case["limitation_date"]
        if limit is not None and _as_datetime(limit) < now and case["case_id"] not in disposed:
            chain.breaks.append(BrokenLink("limitation_passed", f"case {case['case_id']} passed its limitation date "
                                                                f"{limit:%Y-%m-%d} without a disposition",
                                           (Reference("cases", case["case_id"]),)))
