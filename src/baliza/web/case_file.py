"""A case as a document a person can read: who is in it, what they were charged with, what happened, how it
ended for each of them, and what was traced of their assets.

Everything is read through the viewer's scope: a part of the case they may not read is left out, and a
seizure the case was opened on but that another agency holds is named by its holder only (hit/no-hit).
Offices, units, entry points and agencies are given by name; persons by name only to roles that may read
persons, and a protected person stays masked (`access.protection`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from baliza.access.protection import MASK, present_persons
from baliza.access.roles import Permission
from baliza.access.scope import Scope
from baliza.contract.links import parts_of
from baliza.web.formatting import day, money, months, quantity_text, words

Row = dict[str, Any]
CASE_PARTS: tuple[str, ...] = parts_of("cases")  # parties, charges, events, dispositions, assets
ASSET_STEPS: tuple[str, ...] = ("identified_at", "frozen_at", "confiscated_at", "recovered_at", "returned_at",
                                "released_at")


def _plain(row: Row) -> Row:
    out = {k: v for k, v in row.items() if not k.startswith("_")}
    if "_agency_id" in row:
        out["reported_by"] = row["_agency_id"]
    return out


def _read(wh: Any, scope: Scope, table: str, column: str, values: list[str], order: str) -> list[Row]:
    if not values:
        return []
    t = scope.filter(wh, table)
    return [_plain(r) for r in t.filter(t[column].isin(values)).order_by(order).to_pyarrow().to_pylist()]


def _names(wh: Any, table: str, key: str, ids: set[str]) -> dict[str, str]:
    """Names from a directory table (readable by all), or from staff (display names only)."""
    wanted = sorted(i for i in ids if i)
    if not wanted:
        return {}
    t = wh.table(table)
    name = "display_name" if table == "staff" else "name"
    rows = t.filter(t[key].isin(wanted)).select(key, name).to_pyarrow().to_pylist()
    return {r[key]: r[name] for r in rows if r[name]}


def _people(wh: Any, scope: Scope, person_ids: set[str]) -> dict[str, str]:
    """What the viewer may call each person: a name, '[protected]', or nothing (then the id is used)."""
    if not person_ids or not scope.principal.may(Permission.READ_PERSONS):
        return {}
    p = scope.filter(wh, "persons")
    rows = p.filter(p.person_id.isin(sorted(person_ids))).to_pyarrow().to_pylist()
    return {r["person_id"]: r.get("full_name") or r["person_id"] for r in present_persons(wh, scope, rows)}


def _when(value: date | datetime | None) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return datetime.min


def _seizure(wh: Any, scope: Scope, seizure_id: str | None, names: dict[str, str]) -> Row | None:
    if not seizure_id:
        return None
    t = scope.filter(wh, "seizures")
    found = t.filter(t.seizure_id == seizure_id).to_pyarrow().to_pylist()
    if found:
        s = found[0]
        units = _names(wh, "units", "unit_id", {s["unit_id"]})
        points = _names(wh, "entry_points", "entry_point_id", {s.get("entry_point_id") or ""})
        return {"seizure_id": seizure_id, "shared": True, "seized_at": s["seized_at"],
                "sentence": f"{quantity_text(s['quantity'], s['quantity_unit'])} of {s['substance']} seized on "
                            f"{day(s['seized_at'])} by {units.get(s['unit_id'], s['unit_id'])}"
                            + (f" at {points.get(s['entry_point_id'], s['entry_point_id'])}"
                               if s.get("entry_point_id") else "")}
    every = wh.table("seizures")
    held = every.filter(every.seizure_id == seizure_id).select("seized_at", "_agency_id").to_pyarrow().to_pylist()
    if not held:
        return {"seizure_id": seizure_id, "shared": False, "sentence": "the seizure is not in the warehouse"}
    holder = held[0]["_agency_id"]
    agency = names.get(holder) or holder
    return {"seizure_id": seizure_id, "shared": False, "holder": holder, "holder_name": agency,
            "sentence": f"a seizure made on {day(held[0]['seized_at'])}, held by {agency}: not shared with you"}


def case_file(wh: Any, scope: Scope, case_id: str) -> Row | None:
    """The case `case_id` as the viewer may read it, or None when they may not read the case itself.

    Keeps the rows of each part (`case_parties`, `charges`, ...) as the API has always given them, and adds
    `document`: the case told in sentences (parties with their charges and outcome, a timeline, assets).
    """
    cases = scope.filter(wh, "cases")
    found = cases.filter(cases.case_id == case_id).to_pyarrow().to_pylist()
    if not found:
        return None
    case = _plain(found[0])
    parts = {name: _read(wh, scope, name, "case_id", [case_id], "case_id") for name in CASE_PARTS}
    parts["charges"].sort(key=lambda r: (_when(r["filed_at"]), r["charge_id"]))
    parts["case_events"].sort(key=lambda r: (_when(r["at"]), r["event_id"]))
    agencies = _names(wh, "agencies", "agency_id", {case.get("reported_by") or ""} | {
        r.get("reported_by") or "" for rows in parts.values() for r in rows})
    staff_ids = {case.get("lead_prosecutor_id") or ""} | {e.get("staff_id") or "" for e in parts["case_events"]} \
        | {d.get("judge_id") or "" for d in parts["dispositions"]}
    staff = _names(wh, "staff", "staff_id", staff_ids)
    units = _names(wh, "units", "unit_id", {case["office_id"]})
    person_ids = {r["person_id"] for name in ("case_parties", "charges", "dispositions") for r in parts[name]} | {
        a["owner_person_id"] for a in parts["assets"] if a.get("owner_person_id")}
    people = _people(wh, scope, person_ids)
    seizure = _seizure(wh, scope, case.get("seizure_id"), _names(wh, "agencies", "agency_id", _all_agencies(wh)))
    document = _document(case, parts, seizure, units, agencies, staff, people)
    document["held_elsewhere"] = _held_elsewhere(wh, scope, case_id)
    return {"case": case, **parts, "document": document}


PART_WORDS: dict[str, tuple[str, str]] = {
    "case_parties": ("party", "parties"), "charges": ("charge", "charges"),
    "case_events": ("step of the case", "steps of the case"), "dispositions": ("disposition", "dispositions"),
    "assets": ("asset", "assets")}


def _held_elsewhere(wh: Any, scope: Scope, case_id: str) -> list[Row]:
    """The parts of the case other agencies hold and do not share with the viewer: which kind, how many and
    who holds them (hit/no-hit), never their content."""
    names = _names(wh, "agencies", "agency_id", _all_agencies(wh))
    held: list[Row] = []
    for table in CASE_PARTS:
        every, readable = wh.table(table), scope.filter(wh, table)
        every, readable = every.filter(every.case_id == case_id), readable.filter(readable.case_id == case_id)
        total = every.group_by("_agency_id").aggregate(n=every.count())
        mine = readable.group_by("_agency_id").aggregate(n=readable.count())
        seen = {r["_agency_id"]: r["n"] for r in mine.to_pyarrow().to_pylist()}
        for row in total.to_pyarrow().to_pylist():
            hidden = row["n"] - seen.get(row["_agency_id"], 0)
            if hidden > 0:
                what = f"{hidden} {PART_WORDS[table][hidden > 1]}"
                held.append({"what": what, "agency_id": row["_agency_id"],
                             "held_by": names.get(row["_agency_id"], row["_agency_id"])})
    return held


def _all_agencies(wh: Any) -> set[str]:
    return {r for r in wh.table("agencies").agency_id.to_pyarrow().to_pylist() if r}


def _person(people: dict[str, str], person_id: str | None) -> str:
    if not person_id:
        return "someone"
    name = people.get(person_id)
    if name is None or name == person_id:
        return person_id
    return name if name == MASK else f"{name} ({person_id})"


def _document(case: Row, parts: dict[str, list[Row]], seizure: Row | None, units: dict[str, str],
              agencies: dict[str, str], staff: dict[str, str], people: dict[str, str]) -> Row:
    office = units.get(case["office_id"], case["office_id"])
    holder = agencies.get(case.get("reported_by") or "", case.get("reported_by"))
    lead = case.get("lead_prosecutor_id")
    opening = (f"Opened on {day(case['opened_at'])} at {office}, from a {words(case['origin'])}"
               + (f", led by {staff.get(lead, lead)}" if lead else "")
               + (f" (assigned {words(case['assignment'])})" if case.get("assignment") else "") + ".")
    if case.get("limitation_date"):
        opening += f" The limitation date is {day(case['limitation_date'])}."
    charges: dict[str, list[str]] = defaultdict(list)
    for c in parts["charges"]:
        amount = f" for {quantity_text(c['quantity'], c['quantity_unit'])}" if c.get("quantity") is not None else ""
        charges[c["person_id"]].append(f"{words(c['offence'])}{amount}, filed {day(c['filed_at'])}")
    outcomes: dict[str, str] = {}
    for d in parts["dispositions"]:
        judge = f" by {staff.get(d['judge_id'], d['judge_id'])}" if d.get("judge_id") else ""
        sentence = f", sentenced to {months(d['sentence_months'])}" if d.get("sentence_months") is not None else ""
        fine = f", fined {money(d['fine_usd'])}" if d.get("fine_usd") is not None else ""
        outcomes[d["person_id"]] = f"{words(d['outcome'])} on {day(d['disposed_at'])}{judge}{sentence}{fine}"
    roles = {p["person_id"]: p["role"] for p in parts["case_parties"]}
    order = list(roles) + [p for p in list(charges) + list(outcomes) if p not in roles]
    parties = [{"person_id": p, "name": _person(people, p), "role": words(roles.get(p, "defendant")),
                "charges": charges.get(p, []), "outcome": outcomes.get(p)} for p in dict.fromkeys(order)]
    timeline: list[tuple[datetime, str]] = [(_when(case["opened_at"]), f"case opened at {office}")]
    for e in parts["case_events"]:
        who = f" by {staff.get(e['staff_id'], e['staff_id'])}" if e.get("staff_id") else ""
        asked = f", asked by the {e['requested_by']}" if e.get("requested_by") else ""
        note = f": {e['note']}" if e.get("note") else ""
        timeline.append((_when(e["at"]), f"{words(e['kind'])}{who}{asked}{note}"))
    for c in parts["charges"]:
        timeline.append((_when(c["filed_at"]), f"{_person(people, c['person_id'])} charged with "
                                               f"{words(c['offence'])}"))
    for d in parts["dispositions"]:
        timeline.append((_when(d["disposed_at"]), f"{_person(people, d['person_id'])}: {words(d['outcome'])}"))
    assets = []
    for a in parts["assets"]:
        steps = [f"{step.removesuffix('_at')} {day(a[step])}" for step in ASSET_STEPS if a.get(step)]
        owner = f", owned by {_person(people, a['owner_person_id'])}" if a.get("owner_person_id") else ""
        assets.append({"asset_id": a["asset_id"], "sentence": f"{words(a['kind']).capitalize()} worth "
                       f"{money(a['estimated_value_usd'])}{owner}: " + (", ".join(steps) or "no step recorded"),
                       "held_by": agencies.get(a.get("reported_by") or "", a.get("reported_by"))})
        for step in ASSET_STEPS:
            if a.get(step):
                timeline.append((_when(a[step]), f"{words(a['kind'])} worth {money(a['estimated_value_usd'])} "
                                                 f"{step.removesuffix('_at')}"))
    timeline.sort(key=lambda item: item[0])
    return {"title": f"Case {case['case_id']}", "office": office, "held_by": holder, "opening": opening,
            "seizure": seizure, "parties": parties, "assets": assets,
            "timeline": [{"on": day(at), "what": what} for at, what in timeline]}
