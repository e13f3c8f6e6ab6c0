"""Threats against growers who left cultivation escalate: each enrolment with threats reported is a finding
for its programme office, dated the day the enrolment was loaded.

A grower who reports threats from traffickers needs the office to act within the day, so this is a fact
rule (no statistics, no threshold of significance): it fires on every such enrolment. The finding is about
the enrolment (its pseudonymous id), never the person: no name, document or phone, and no `person_id`.
Its subject is the enrolment row, so only the agency that reported it (the programme) or one it shared it
with sees it (`baliza.access.finding_scope`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import ibis

from baliza.analyses.integrity.threats import RULE
from baliza.analyses.model import Finding, Message, Reference
from baliza.analyses.wording import named
from baliza.i18n import N_, N_plural


def threat_findings(enrolments: ibis.Table, loads: ibis.Table | None = None, min_threats: int = 1) -> list[Finding]:
    """One finding per enrolment with at least `min_threats` threats reported, newest load first.

    `loads`: the warehouse's `loads` table, to date each finding the day its enrolment was loaded (without
    it, or for rows not loaded through it, the finding carries the enrolment date). The summary names
    the programme office by its id as a named value: the surfaces word it with the office's name."""
    if min_threats < 1:
        raise ValueError(f"min_threats must be at least 1, not {min_threats}")
    t = enrolments.filter(enrolments.threats_reported.fill_null(0) >= min_threats)
    columns = {"enrolment_id": t.enrolment_id, "office": t.programme_office_id, "region": t.region,
               "threats": t.threats_reported, "enrolled_at": t.enrolled_at,
               "protection": t.protection_level}
    if loads is not None and "_load_id" in t.columns:
        loaded = loads.select(load=loads.load_id, loaded_at=ibis.coalesce(loads.finished_at, loads.started_at))
        rows = t.left_join(loaded, t._load_id == loaded.load).select(**columns, loaded_at=loaded.loaded_at)
    else:
        rows = t.select(**columns, loaded_at=ibis.null().cast("timestamp"))
    found = [_finding(r) for r in rows.to_pyarrow().to_pylist()]
    return sorted(found, key=lambda f: (f.period or "", f.subject.id), reverse=True)


def _finding(row: dict[str, Any]) -> Finding:
    day = _day(row["loaded_at"]) or _day(row["enrolled_at"])
    threats = int(row["threats"])
    summary = Message.counted(N_plural(
        "Enrolment %(enrolment)s reported %(num)s threat; programme office %(office)s is to contact the grower "
        "and review their protection within the day.",
        "Enrolment %(enrolment)s reported %(num)s threats; programme office %(office)s is to contact the grower "
        "and review their protection within the day."),
        {"num": threats, "enrolment": str(row["enrolment_id"]), "office": named("units", row["office"])})
    method = Message(N_("Every enrolment with at least one threat reported becomes a finding for its programme "
                        "office on the day it is loaded; it states a fact in the records, not a statistical "
                        "estimate."))
    return Finding(
        RULE, Reference("farmer_enrolments", str(row["enrolment_id"])), float(threats), "",
        (Reference("farmer_enrolments", str(row["enrolment_id"])), Reference("units", str(row["office"]))),
        "", period=day, messages=(summary,), method_messages=(method,),
        details={"programme_office_id": row["office"], "region": row["region"], "threats": threats,
                 "protection_level": row["protection"], "loaded_on": day})


def _day(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    return (value.date() if isinstance(value, datetime) else value).isoformat()
