"""The broken links of every seizure at once, and where each chain stands, as Ibis expressions.

`seizure_chain` (in `chain_links`) tells one seizure's story; the chain explorer needs the same verdicts
for every seizure of the warehouse in one query. The rules are the same, and come from the same places:

- breaks are judged on the whole warehouse (all agencies): who may read them is decided afterwards;
- deadlines are judged against the as-of date of their stage (`as_of.stage_as_of`): a deadline passes
  only when `start + window < end_of_day(as_of)`; before that the seizure is `too_early`, not broken;
- windows, tolerance, outcomes and the charged-quantity rule come from `definitions`.

`break_rows` gives one row per row a break rests on (the subject first), so that a viewer can be shown a
break only when they may read what it rests on; `chain_breaks` one row per (seizure, code);
`seizure_status` one row per seizure: broken, too_early, open (a case is running) or complete.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

import ibis
import ibis.expr.types as ir

from baliza.analyses.as_of import end_of_day, stage_as_of
from baliza.analyses.definitions import (
    CASE_WINDOW_DAYS,
    CHARGED_TOLERANCE,
    ENDED_WITHOUT_CONVICTION,
    EVIDENCE_LOST,
    LAB_WINDOW_DAYS,
    charged_per_case,
)
from baliza.warehouse.views import base_quantity, base_unit

AsOf = dict[str, date | None]

# breaks that say something did not happen: a viewer may see them when they may read their subject
ABSENCE_CODES: tuple[str, ...] = ("no_lab_confirmation", "no_case", "limitation_passed")
BREAK_CODES: tuple[str, ...] = (
    "no_lab_confirmation", "no_case", "charged_below_seized", *EVIDENCE_LOST, *ENDED_WITHOUT_CONVICTION,
    "asset_released", "limitation_passed",
)
STATUSES: tuple[str, ...] = ("broken", "too_early", "open", "complete")
BREAK_COLUMNS = ("seizure_id", "code", "break_id", "evidence_table", "evidence_id", "agency_id", "is_subject")


class Tables(Protocol):
    def table(self, name: str) -> ir.Table: ...


def _deadline_passed(start: ir.TimestampValue, days: int, data_end: date | None) -> ir.BooleanValue:
    """`start + days` lies inside the data of the stage (never, when the stage has no data)."""
    if data_end is None:
        return ibis.literal(False)
    return (start + ibis.interval(days=days)) < ibis.literal(end_of_day(data_end))


def _deadline_pending(start: ir.TimestampValue, days: int, data_end: date | None) -> ir.BooleanValue:
    """The stage has data, but it ends before `start + days`: too early to judge."""
    if data_end is None:
        return ibis.literal(False)
    return ~_deadline_passed(start, days, data_end)


def _rows(t: ir.Table, code: ir.Value | str, break_id: ir.Value, table: str, evidence_id: ir.Value,
          subject: bool) -> ir.Table:
    return t.select(
        seizure_id=t.seizure_id.cast("string"),
        code=ibis.literal(code) if isinstance(code, str) else code.cast("string"),
        break_id=break_id.cast("string"),
        evidence_table=ibis.literal(table),
        evidence_id=evidence_id.cast("string"),
        agency_id=t._agency_id.cast("string"),
        is_subject=ibis.literal(subject),
    )


def _seizure_cases(wh: Tables) -> ir.Table:
    s = wh.table("seizures").select("seizure_id")
    c = wh.table("cases")
    # `isin`, not a semi join: Ibis writes `LEFT SEMI JOIN` for PostgreSQL, which has none
    return c.filter(c.seizure_id.notnull() & c.seizure_id.isin(s.seizure_id))


def _in_time_cases(wh: Tables) -> ir.Table:
    """Seizures with a case opened within the case window."""
    s = wh.table("seizures").select("seizure_id", "seized_at")
    c = _seizure_cases(wh).select("seizure_id", "opened_at")
    joined = s.join(c, "seizure_id")
    in_time = joined.filter(joined.opened_at <= joined.seized_at + ibis.interval(days=CASE_WINDOW_DAYS))
    return in_time.select("seizure_id").distinct()


def _case_parts(wh: Tables, name: str) -> ir.Table:
    """Rows of a case's part (charges, events...) with the seizure their case was opened on."""
    cases = _seizure_cases(wh).select("case_id", "seizure_id")
    return wh.table(name).join(cases, "case_id")


def _charged_below_seized(wh: Tables) -> list[ir.Table]:
    s = wh.table("seizures")
    lab = s.lab_quantity.notnull()
    reference = ibis.ifelse(lab, s.lab_quantity, s.quantity)
    s = s.mutate(_reference=base_quantity(reference, s.quantity_unit), _unit=base_unit(s.quantity_unit))
    cases = _seizure_cases(wh).select("case_id", "seizure_id")
    charged = charged_per_case(wh.table("charges"))
    below = (
        s.select("seizure_id", "_reference", "_unit", "_agency_id")
        .join(cases, "seizure_id")
        .join(charged, [("case_id", "case_id"), ("_unit", "base_unit")])
    )
    below = below.filter(below.charged_base < CHARGED_TOLERANCE * below._reference)
    subject = _rows(below, "charged_below_seized", below.case_id, "seizures", below.seizure_id, True)
    ch = wh.table("charges")
    ch = ch.filter(ch.quantity.notnull() & ch.quantity_unit.notnull()).mutate(_unit=base_unit(ch.quantity_unit))
    used = ch.join(below.select("case_id", "seizure_id", "_unit"), ["case_id", "_unit"])
    evidence = _rows(used, "charged_below_seized", used.case_id, "charges", used.charge_id, False)
    return [subject, evidence]


def break_rows(wh: Tables, as_of: AsOf | None = None) -> ir.Table:
    """One row per row a break rests on: seizure_id, code, break_id (one break among several of the same
    code), evidence_table, evidence_id, agency_id (who holds that row) and is_subject (the row the break
    is about: the seizure for no_case and no_lab_confirmation, the case for limitation_passed)."""
    as_of = stage_as_of(wh) if as_of is None else as_of  # type: ignore[arg-type]
    s = wh.table("seizures")
    parts: list[ir.Table] = []

    no_lab = s.filter(s.lab_quantity.isnull() & _deadline_passed(s.seized_at, LAB_WINDOW_DAYS, as_of.get("lab")))
    parts.append(_rows(no_lab, "no_lab_confirmation", no_lab.seizure_id, "seizures", no_lab.seizure_id, True))

    late = s.anti_join(_in_time_cases(wh), "seizure_id")
    no_case = late.filter(_deadline_passed(late.seized_at, CASE_WINDOW_DAYS, as_of.get("case")))
    parts.append(_rows(no_case, "no_case", no_case.seizure_id, "seizures", no_case.seizure_id, True))

    parts += _charged_below_seized(wh)

    events = _case_parts(wh, "case_events")
    lost = events.filter(events.kind.isin(EVIDENCE_LOST))
    parts.append(_rows(lost, lost.kind, lost.event_id, "case_events", lost.event_id, True))

    dispositions = _case_parts(wh, "dispositions")
    ended = dispositions.filter(dispositions.outcome.isin(ENDED_WITHOUT_CONVICTION))
    key = ended.case_id.concat("|", ended.person_id)
    parts.append(_rows(ended, ended.outcome, key, "dispositions", key, True))

    assets = _case_parts(wh, "assets")
    released = assets.filter(assets.released_at.notnull() & assets.confiscated_at.isnull())
    parts.append(_rows(released, "asset_released", released.asset_id, "assets", released.asset_id, True))

    disposition_end = as_of.get("disposition")
    if disposition_end is not None:
        cases = _seizure_cases(wh).anti_join(wh.table("dispositions").select("case_id"), "case_id")
        lapsed = cases.filter(cases.limitation_date.notnull()
                              & (cases.limitation_date.cast("date") < ibis.literal(disposition_end)))
        parts.append(_rows(lapsed, "limitation_passed", lapsed.case_id, "cases", lapsed.case_id, True))
    return ibis.union(*parts, distinct=True)


def chain_breaks(wh: Tables, as_of: AsOf | None = None) -> ir.Table:
    """One row per (seizure_id, code): the subject row of its first break (evidence_table, evidence_id,
    agency_id) and how many breaks of that code the seizure has (n_breaks)."""
    rows = break_rows(wh, as_of)
    subjects = rows.filter(rows.is_subject)
    first = ibis.row_number().over(ibis.window(group_by=[subjects.seizure_id, subjects.code],
                                               order_by=subjects.break_id))
    counts = subjects.group_by(["seizure_id", "code"]).aggregate(n_breaks=subjects.break_id.nunique())
    firsts = subjects.mutate(_rank=first).filter(lambda t: t._rank == 0)
    return firsts.join(counts, ["seizure_id", "code"]).select(
        "seizure_id", "code", "evidence_table", "evidence_id", "agency_id", "n_breaks")


def seizure_progress(wh: Tables, as_of: AsOf | None = None) -> ir.Table:
    """Per seizure, where its chain stands whatever its breaks: too_early (a deadline the data does not
    reach yet), open (a case without any disposition) or complete. Columns: seizure_id, agency_id,
    progress, n_cases."""
    as_of = stage_as_of(wh) if as_of is None else as_of  # type: ignore[arg-type]
    s = wh.table("seizures")
    in_time = _in_time_cases(wh).mutate(_in_time=ibis.literal(True))
    cases = _seizure_cases(wh)
    disposed = wh.table("dispositions").select("case_id").distinct()
    running = cases.anti_join(disposed, "case_id")
    per_seizure = cases.group_by("seizure_id").aggregate(n_cases=cases.count())
    open_cases = running.group_by("seizure_id").aggregate(n_running=running.count())
    t = (s.select("seizure_id", "seized_at", "lab_quantity", "_agency_id")
         .left_join(in_time, "seizure_id").drop("seizure_id_right")
         .left_join(per_seizure, "seizure_id").drop("seizure_id_right")
         .left_join(open_cases, "seizure_id").drop("seizure_id_right"))
    lab_pending = t.lab_quantity.isnull() & _deadline_pending(t.seized_at, LAB_WINDOW_DAYS, as_of.get("lab"))
    case_pending = t._in_time.isnull() & _deadline_pending(t.seized_at, CASE_WINDOW_DAYS, as_of.get("case"))
    progress = ibis.cases(
        (lab_pending | case_pending, "too_early"),
        (t.n_running.fill_null(0) > 0, "open"),
        else_="complete",
    )
    return t.select(seizure_id=t.seizure_id, agency_id=t._agency_id, progress=progress,
                    n_cases=t.n_cases.fill_null(0))


def seizure_status(wh: Tables, as_of: AsOf | None = None) -> ir.Table:
    """Per seizure on the whole warehouse: progress, n_breaks (all codes) and status (broken first)."""
    as_of = stage_as_of(wh) if as_of is None else as_of  # type: ignore[arg-type]
    breaks = chain_breaks(wh, as_of)
    per_seizure = breaks.group_by("seizure_id").aggregate(n_breaks=breaks.n_breaks.sum())
    t = seizure_progress(wh, as_of).left_join(per_seizure, "seizure_id").drop("seizure_id_right")
    n = t.n_breaks.fill_null(0)
    return t.mutate(n_breaks=n, status=ibis.ifelse(n > 0, "broken", t.progress))
