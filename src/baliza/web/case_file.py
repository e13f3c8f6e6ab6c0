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
from baliza.i18n import N_, ngettext
from baliza.i18n import gettext as _
from baliza.web.formatting import day, money, months, quantity_text, words

Row = dict[str, Any]
CASE_PARTS: tuple[str, ...] = parts_of("cases")  # parties, charges, events, dispositions, assets
ASSET_STEPS: tuple[str, ...] = ("identified_at", "frozen_at", "confiscated_at", "recovered_at", "returned_at",
                                "released_at")
STEP_WORDS: dict[str, str] = {"identified_at": N_("identified %(day)s"), "frozen_at": N_("frozen %(day)s"),
                              "confiscated_at": N_("confiscated %(day)s"), "recovered_at": N_("recovered %(day)s"),
                              "returned_at": N_("returned %(day)s"), "released_at": N_("released %(day)s")}
STEP_EVENTS: dict[str, str] = {
    "identified_at": N_("%(kind)s worth %(amount)s identified"), "frozen_at": N_("%(kind)s worth %(amount)s frozen"),
    "confiscated_at": N_("%(kind)s worth %(amount)s confiscated"),
    "recovered_at": N_("%(kind)s worth %(amount)s recovered"),
    "returned_at": N_("%(kind)s worth %(amount)s returned"), "released_at": N_("%(kind)s worth %(amount)s released")}


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
        unit = units.get(s["unit_id"], s["unit_id"])
        values = {"quantity": quantity_text(s["quantity"], s["quantity_unit"]), "substance": s["substance"],
                  "day": day(s["seized_at"]), "unit": unit}
        if s.get("entry_point_id"):
            sentence = _("%(quantity)s of %(substance)s seized on %(day)s by %(unit)s at %(entry_point)s",
                         entry_point=points.get(s["entry_point_id"], s["entry_point_id"]), **values)
        else:
            sentence = _("%(quantity)s of %(substance)s seized on %(day)s by %(unit)s", **values)
        return {"seizure_id": seizure_id, "shared": True, "seized_at": s["seized_at"], "sentence": sentence}
    every = wh.table("seizures")
    held = every.filter(every.seizure_id == seizure_id).select("seized_at", "_agency_id").to_pyarrow().to_pylist()
    if not held:
        return {"seizure_id": seizure_id, "shared": False, "sentence": _("the seizure is not in the warehouse")}
    holder = held[0]["_agency_id"]
    agency = names.get(holder) or holder
    return {"seizure_id": seizure_id, "shared": False, "holder": holder, "holder_name": agency,
            "sentence": _("a seizure made on %(day)s, held by %(agency)s: not shared with you",
                          day=day(held[0]["seized_at"]), agency=agency)}


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


def _part_words(table: str, n: int) -> str:
    """'3 charges', '1 step of the case'... in the reader's language."""
    if table == "case_parties":
        return ngettext("%(num)s party", "%(num)s parties", n)
    if table == "charges":
        return ngettext("%(num)s charge", "%(num)s charges", n)
    if table == "case_events":
        return ngettext("%(num)s step of the case", "%(num)s steps of the case", n)
    if table == "dispositions":
        return ngettext("%(num)s disposition", "%(num)s dispositions", n)
    return ngettext("%(num)s asset", "%(num)s assets", n)


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
                what = _part_words(table, hidden)
                held.append({"what": what, "agency_id": row["_agency_id"],
                             "held_by": names.get(row["_agency_id"], row["_agency_id"])})
    return held


def _all_agencies(wh: Any) -> set[str]:
    return {r for r in wh.table("agencies").agency_id.to_pyarrow().to_pylist() if r}


def _person(people: dict[str, str], person_id: str | None) -> str:
    if not person_id:
        return _("someone")
    name = people.get(person_id)
    if name is None or name == person_id:
        return person_id
    return name if name == MASK else f"{name} ({person_id})"


def _opening(case: Row, office: str, staff: dict[str, str]) -> str:
    """The case's first sentence: when, where, why it was opened, by whom it is led, how it was assigned."""
    lead = case.get("lead_prosecutor_id")
    values = {"day": day(case["opened_at"]), "office": office, "origin": words(case["origin"]),
              "prosecutor": staff.get(lead, lead) if lead else "", "assignment": words(case.get("assignment"))}
    if lead and case.get("assignment"):
        text = _("Opened on %(day)s at %(office)s, from a %(origin)s, led by %(prosecutor)s (assigned "
                 "%(assignment)s).", **values)
    elif lead:
        text = _("Opened on %(day)s at %(office)s, from a %(origin)s, led by %(prosecutor)s.", **values)
    elif case.get("assignment"):
        text = _("Opened on %(day)s at %(office)s, from a %(origin)s (assigned %(assignment)s).", **values)
    else:
        text = _("Opened on %(day)s at %(office)s, from a %(origin)s.", **values)
    if case.get("limitation_date"):
        text += " " + _("The limitation date is %(day)s.", day=day(case["limitation_date"]))
    return text


def _charge(c: Row) -> str:
    values = {"offence": words(c["offence"]), "day": day(c["filed_at"])}
    if c.get("quantity") is not None:
        return _("%(offence)s for %(quantity)s, filed %(day)s",
                 quantity=quantity_text(c["quantity"], c["quantity_unit"]), **values)
    return _("%(offence)s, filed %(day)s", **values)


def _outcome(d: Row, staff: dict[str, str]) -> str:
    values = {"outcome": words(d["outcome"], "dispositions.outcome"), "day": day(d["disposed_at"])}
    if d.get("judge_id"):
        parts = [_("%(outcome)s on %(day)s by %(judge)s", judge=staff.get(d["judge_id"], d["judge_id"]), **values)]
    else:
        parts = [_("%(outcome)s on %(day)s", **values)]
    if d.get("sentence_months") is not None:
        parts.append(_("sentenced to %(length)s", length=months(d["sentence_months"])))
    if d.get("fine_usd") is not None:
        parts.append(_("fined %(amount)s", amount=money(d["fine_usd"])))
    return ", ".join(parts)


def _event(e: Row, staff: dict[str, str]) -> str:
    text = words(e["kind"])
    if e.get("staff_id"):
        text = _("%(event)s by %(person)s", event=text, person=staff.get(e["staff_id"], e["staff_id"]))
    if e.get("requested_by"):
        text = _("%(event)s, asked by %(party)s", event=text,
                 party=words(e["requested_by"], "case_events.requested_by"))
    return f"{text}: {e['note']}" if e.get("note") else text


def _asset(a: Row, people: dict[str, str]) -> str:
    steps = ", ".join(_(STEP_WORDS[step], day=day(a[step])) for step in ASSET_STEPS if a.get(step))
    values = {"kind": words(a["kind"]).capitalize(), "amount": money(a["estimated_value_usd"]),
              "steps": steps or _("no step recorded")}
    if a.get("owner_person_id"):
        return _("%(kind)s worth %(amount)s, owned by %(owner)s: %(steps)s",
                 owner=_person(people, a["owner_person_id"]), **values)
    return _("%(kind)s worth %(amount)s: %(steps)s", **values)


def _document(case: Row, parts: dict[str, list[Row]], seizure: Row | None, units: dict[str, str],
              agencies: dict[str, str], staff: dict[str, str], people: dict[str, str]) -> Row:
    office = units.get(case["office_id"], case["office_id"])
    holder = agencies.get(case.get("reported_by") or "", case.get("reported_by"))
    charges: dict[str, list[str]] = defaultdict(list)
    for c in parts["charges"]:
        charges[c["person_id"]].append(_charge(c))
    outcomes = {d["person_id"]: _outcome(d, staff) for d in parts["dispositions"]}
    roles = {p["person_id"]: p["role"] for p in parts["case_parties"]}
    order = list(roles) + [p for p in list(charges) + list(outcomes) if p not in roles]
    parties = [{"person_id": p, "name": _person(people, p), "role": roles.get(p, "defendant"),
                "charges": charges.get(p, []), "outcome": outcomes.get(p)} for p in dict.fromkeys(order)]
    timeline: list[tuple[datetime, str]] = [(_when(case["opened_at"]), _("case opened at %(office)s", office=office))]
    timeline += [(_when(e["at"]), _event(e, staff)) for e in parts["case_events"]]
    timeline += [(_when(c["filed_at"]), _("%(person)s charged with %(offence)s", person=_person(people, c["person_id"]),
                                          offence=words(c["offence"]))) for c in parts["charges"]]
    timeline += [(_when(d["disposed_at"]), f"{_person(people, d['person_id'])}: "
                                           f"{words(d['outcome'], 'dispositions.outcome')}")
                 for d in parts["dispositions"]]
    assets = []
    for a in parts["assets"]:
        assets.append({"asset_id": a["asset_id"], "sentence": _asset(a, people),
                       "held_by": agencies.get(a.get("reported_by") or "", a.get("reported_by"))})
        for step in ASSET_STEPS:
            if a.get(step):
                timeline.append((_when(a[step]), _(STEP_EVENTS[step], kind=words(a["kind"]),
                                                   amount=money(a["estimated_value_usd"]))))
    timeline.sort(key=lambda item: item[0])
    return {"title": _("Case %(id)s", id=case["case_id"]), "office": office, "held_by": holder,
            "opening": _opening(case, office, staff), "seizure": seizure, "parties": parties, "assets": assets,
            "timeline": [{"on": day(at), "what": what} for at, what in timeline]}
