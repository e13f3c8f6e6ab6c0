"""The chain explorer's table: the seizures a viewer may read, filtered, sorted, counted and cut in pages.

Breaks and progress come from the whole warehouse (`analyses.chain_breaks`, computed once per warehouse
state by the caller); a viewer is shown a break only when they may read what it rests on:
- for a link that did not happen (no laboratory result, no case, limitation passed), its subject (the
  seizure, or the case);
- for the others, every row it rests on (the disposition, the case event, the asset, the charges).
A row is readable when `Scope.filter` keeps it. A seizure whose breaks are all hidden from the viewer is
shown as `continues_elsewhere`, as is one with a case the viewer may not read: never as broken, never as
complete.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from baliza.access.scope import Scope
from baliza.analyses.as_of import STAGES
from baliza.analyses.chain_breaks import ABSENCE_CODES, BREAK_CODES, STATUSES
from baliza.analyses.chain_links import ABSENCE_BREAKS
from baliza.i18n import gettext as _
from baliza.warehouse.views import base_quantity, base_unit

PAGE_SIZE = 50
VIEW_STATUSES: tuple[str, ...] = (*STATUSES, "continues_elsewhere")
EVIDENCE_KEYS: dict[str, tuple[str, ...]] = {
    "seizures": ("seizure_id",), "cases": ("case_id",), "charges": ("charge_id",),
    "case_events": ("event_id",), "dispositions": ("case_id", "person_id"), "assets": ("asset_id",),
}
SORTS: dict[str, str] = {"seized_at": "seized_at", "seizure_id": "seizure_id", "quantity": "base_quantity",
                         "substance": "substance", "unit": "unit_name", "status": "status", "breaks": "n_breaks"}


class BadFilter(ValueError):
    """A filter the explorer cannot apply; the message names the parameter and what it accepts."""


@dataclass(frozen=True)
class ChainFilters:
    agency: str = ""
    unit: str = ""
    entry_point: str = ""
    substance: str = ""
    country: str = ""
    date_from: date | None = None
    date_to: date | None = None
    broken: str = ""  # a break code
    status: str = ""
    sort: str = "-seized_at"
    page: int = 1

    @classmethod
    def parse(cls, params: dict[str, str]) -> ChainFilters:
        """Filters from query parameters; a bad value raises `BadFilter` naming it."""
        dates: dict[str, date | None] = {}
        for name in ("date_from", "date_to"):
            value = (params.get(name) or "").strip()
            try:
                dates[name] = date.fromisoformat(value) if value else None
            except ValueError:
                raise BadFilter(_("%(name)s must be a date written YYYY-MM-DD, not %(value)s", name=name,
                                  value=repr(value[:40]))) from None
        broken, status = (params.get("broken") or "").strip(), (params.get("status") or "").strip()
        if broken and broken not in BREAK_CODES:
            raise BadFilter(_("broken must be one of %(codes)s", codes=", ".join(BREAK_CODES)))
        if status and status not in VIEW_STATUSES:
            raise BadFilter(_("status must be one of %(codes)s", codes=", ".join(VIEW_STATUSES)))
        sort = (params.get("sort") or "-seized_at").strip()
        if sort.removeprefix("-") not in SORTS:
            raise BadFilter(_("sort must be one of %(codes)s (with '-' in front for descending)",
                              codes=", ".join(SORTS)))
        try:
            page = int(params.get("page") or 1)
        except ValueError:
            raise BadFilter(_("page must be a whole number from 1")) from None
        if page < 1:
            raise BadFilter(_("page must be a whole number from 1"))
        text = {k: (params.get(k) or "").strip()[:200] for k in ("agency", "unit", "entry_point", "substance",
                                                                  "country")}
        return cls(**text, **dates, broken=broken, status=status, sort=sort, page=page)

    def query(self, **changes: Any) -> dict[str, str]:
        """The filters as query parameters (empty ones left out), with `changes` applied."""
        values = {**asdict(self), **changes}
        return {k: (v.isoformat() if isinstance(v, date) else str(v)) for k, v in values.items()
                if v not in ("", None) and not (k == "page" and v == 1) and not (k == "sort" and v == "-seized_at")}


def _key(t: ir.Table, table: str) -> ir.StringValue:
    columns = EVIDENCE_KEYS[table]
    key = t[columns[0]].cast("string")
    for column in columns[1:]:
        key = key.concat("|", t[column].cast("string"))
    return key


def undecided_codes(viewer: str, withheld: dict[str, set[str]]) -> tuple[str, ...]:
    """Breaks saying something did not happen that another agency's withholding declaration could contradict:
    not shown at all (showing them, or their absence, would reveal whether a withheld row exists)."""
    others = set().union(*(tables for agency, tables in withheld.items() if agency != viewer), set())
    return tuple(code for code, stage in ABSENCE_BREAKS.items() if others & set(STAGES[stage]))


def visible_breaks(wh: Any, scope: Scope, breaks: ir.Table, undecided: tuple[str, ...] = ()) -> ir.Table:
    """(seizure_id, code, break_id) of the breaks the viewer may see, from `break_rows` of the whole warehouse."""
    rows = breaks.filter(breaks.is_subject | ~breaks.code.isin(ABSENCE_CODES))
    if undecided:
        rows = rows.filter(~rows.code.isin(undecided))
    readable = []
    for table in EVIDENCE_KEYS:
        t = scope.filter(wh, table)
        readable.append(t.select(evidence_table=ibis.literal(table), evidence_id=_key(t, table),
                                 readable=ibis.literal(1)))
    keys = ibis.union(*readable).semi_join(rows.select("evidence_table", "evidence_id"),
                                           ["evidence_table", "evidence_id"])
    marked = rows.left_join(keys, ["evidence_table", "evidence_id"])
    per_break = marked.group_by(["seizure_id", "code", "break_id"]).aggregate(
        ok=marked.readable.fill_null(0).min())
    return per_break.filter(per_break.ok == 1).select("seizure_id", "code", "break_id")


def _readable_cases(wh: Any, scope: Scope) -> ir.Table:
    c = scope.filter(wh, "cases")
    c = c.filter(c.seizure_id.notnull())
    return c.group_by("seizure_id").aggregate(n_readable_cases=c.count())


def _names(wh: Any, table: str, key: str, alias: str) -> ir.Table:
    t = wh.table(table)
    return t.select(**{f"{alias}_id": t[key], f"{alias}_name": t["name"]})


CONTENT: tuple[str, ...] = ("unit_id", "entry_point_id", "substance", "substance_group", "quantity", "quantity_unit",
                            "lab_quantity", "origin_country", "destination_country")


def _seizures_in_view(wh: Any, scope: Scope) -> ir.Table:
    """The seizures the viewer may read, and those whose chain they hold a later step of (a case opened on a
    seizure another agency made, an arrest on it): of these, only the date and the holding agency (hit/no-hit),
    with `seizure_shared` false."""
    every = wh.table("seizures")
    readable = scope.filter(wh, "seizures").select("seizure_id")
    cases, arrests = scope.filter(wh, "cases"), scope.filter(wh, "arrests")
    linked = ibis.union(cases.filter(cases.seizure_id.notnull()).select("seizure_id"),
                        arrests.filter(arrests.seizure_id.notnull()).select("seizure_id"))
    s = every.filter(every.seizure_id.isin(readable.seizure_id) | every.seizure_id.isin(linked.seizure_id))
    shared = s.seizure_id.isin(readable.seizure_id)
    hidden = {c: ibis.ifelse(shared, s[c], ibis.null(s[c].type())) for c in CONTENT}
    return s.select("seizure_id", "seized_at", agency_id=s._agency_id, seizure_shared=shared, **hidden)


def chain_rows(wh: Any, scope: Scope, breaks: ir.Table, progress: ir.Table,
               undecided: tuple[str, ...] = ()) -> ir.Table:
    """One row per seizure the viewer may read or holds a later step of (`_seizures_in_view`), with names,
    the break codes they may see and the status as
    they may know it. Depends only on the scope, so its SQL is compiled once per scope; the filters are
    applied on top (`where_clause`)."""
    s = _seizures_in_view(wh, scope)
    shown = visible_breaks(wh, scope, breaks, undecided)
    kinds = shown.select("seizure_id", "code").distinct()
    codes = (kinds.group_by("seizure_id").aggregate(codes=kinds.code.collect(order_by=kinds.code))
             .join(shown.group_by("seizure_id").aggregate(n_breaks=shown.count()), "seizure_id"))
    t = (s.left_join(progress.select("seizure_id", "progress", "n_cases", whole_status="status"), "seizure_id")
         .drop("seizure_id_right")
         .left_join(codes, "seizure_id").drop("seizure_id_right")
         .left_join(_readable_cases(wh, scope), "seizure_id").drop("seizure_id_right")
         .left_join(_names(wh, "units", "unit_id", "unit"), "unit_id").drop("unit_id_right")
         .left_join(_names(wh, "entry_points", "entry_point_id", "entry_point"), "entry_point_id")
         .drop("entry_point_id_right")
         .left_join(_names(wh, "agencies", "agency_id", "agency"), "agency_id").drop("agency_id_right"))
    n_breaks = t.n_breaks.fill_null(0)
    hidden = (t.whole_status == "broken") | (t.n_readable_cases.fill_null(0) < t.n_cases.fill_null(0))
    status = ibis.cases(
        (n_breaks > 0, "broken"),
        (t.progress == "too_early", "too_early"),
        (hidden, "continues_elsewhere"),
        else_=t.progress.fill_null("open"),
    )
    return t.mutate(n_breaks=n_breaks, status=status, base_quantity=base_quantity(t.quantity, t.quantity_unit),
                    base_unit=base_unit(t.quantity_unit), codes=t.codes.fill_null(ibis.literal([], "array<string>")))


def where_clause(filters: ChainFilters) -> tuple[str, list[Any]]:
    """The filters as a SQL condition over `chain_rows`, with its parameters (never spliced into the SQL)."""
    f = filters
    conditions: list[str] = []
    params: list[Any] = []
    for column, value in (("agency_id", f.agency), ("unit_id", f.unit), ("entry_point_id", f.entry_point),
                          ("status", f.status)):
        if value:
            conditions.append(f"{column} = ?")
            params.append(value)
    if f.substance:
        conditions.append("lower(substance) = lower(?)")
        params.append(f.substance)
    if f.country:
        conditions.append("(origin_country = ? or destination_country = ?)")
        params += [f.country, f.country]
    if f.date_from:
        conditions.append("seized_at >= ?")
        params.append(datetime(f.date_from.year, f.date_from.month, f.date_from.day))
    if f.date_to:
        conditions.append("seized_at < ?")
        params.append(datetime(f.date_to.year, f.date_to.month, f.date_to.day) + timedelta(days=1))
    if f.broken:
        conditions.append("list_contains(codes, ?)")
        params.append(f.broken)
    return (" and ".join(conditions) or "true"), params


def order_clause(filters: ChainFilters) -> str:
    column = SORTS[filters.sort.removeprefix("-")]
    direction = "desc" if filters.sort.startswith("-") else "asc"
    return f'"{column}" {direction} nulls last, seizure_id asc'


def totals(cursor: Any, rows: str) -> dict[str, Any]:
    """Counts over every row the filters keep (the registered view `rows`, not only the page): seizures,
    per status, per visible break code, and the quantity seized per base unit."""
    by_status = dict(cursor.execute(f"select status, count(*) from {rows} group by status").fetchall())
    by_code = dict(cursor.execute(f"select code, count(*) from (select unnest(codes) as code from {rows}) "
                                  "group by code").fetchall())
    by_unit = cursor.execute(f"select base_unit, sum(base_quantity), count(*) from {rows} group by base_unit "
                             "order by base_unit").fetchall()
    return {
        "seizures": sum(by_status.values()),
        "by_status": {s: by_status.get(s, 0) for s in VIEW_STATUSES},
        "by_break": {c: by_code.get(c, 0) for c in BREAK_CODES},
        "quantity": [{"unit": unit, "total": total, "seizures": n} for unit, total, n in by_unit],
    }
