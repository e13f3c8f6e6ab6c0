"""Search by id or name, as one viewer may see the results.

The full-text index (`web.search_index`) says which seizures, cases, units, entry points, agencies,
substances, places and persons match; each hit is then read back through the viewer's scope, so a hit
the viewer may not read is not shown (not even as a count). Persons are searched only for roles that may
read persons, and a protected person is shown masked (their name was never indexed).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

import ibis

from baliza.access.protection import MASK, present_persons
from baliza.access.roles import Permission
from baliza.access.scope import Scope
from baliza.web.formatting import day, quantity_text, words
from baliza.web.search_index import KINDS, Match, country_name, index_for, warehouse_version

Row = dict[str, Any]
MAX_QUERY = 100

# which permission each kind of hit needs (directory rows, substances and places need none beyond the page's)
NEEDS: dict[str, Permission] = {"seizure": Permission.READ_SEIZURES, "case": Permission.READ_CASES,
                                "person": Permission.READ_PERSONS}


def _explore(**filters: str) -> str:
    return "/chain?" + urlencode(filters)


def _scoped(wh: Any, scope: Scope, table: str, column: str, keys: list[str], select: str = "*") -> list[Row]:
    """Rows of `table` the viewer may read whose `column` is one of `keys`: the scope compiled to SQL, the
    keys passed as parameters (compiling a long `isin` list costs more than the query)."""
    if not keys:
        return []
    sql = str(ibis.to_sql(scope.filter(wh, table), dialect="duckdb"))
    marks = ", ".join("?" * len(keys))
    query = f'select {select} from ({sql}) where "{column}" in ({marks})'
    if select != "*":
        query += " group by all"
    return wh.duckdb.sql(query, params=keys).to_arrow_table().to_pylist()


def _seizures(wh: Any, scope: Scope, keys: list[str]) -> list[Row]:
    rows = _scoped(wh, scope, "seizures", "seizure_id", keys)
    return [{"kind": "seizure", "id": r["seizure_id"], "label": r["seizure_id"],
             "detail": f"{quantity_text(r['quantity'], r['quantity_unit'])} of {r['substance']}, "
                       f"seized {day(r['seized_at'])}", "href": f"/chain/seizure/{r['seizure_id']}"} for r in rows]


def _cases(wh: Any, scope: Scope, keys: list[str]) -> list[Row]:
    rows = _scoped(wh, scope, "cases", "case_id", keys)
    units = wh.table("units")
    offices = sorted({r["office_id"] for r in rows})
    names = {r["unit_id"]: r["name"] for r in units.filter(units.unit_id.isin(offices)).select("unit_id", "name")
             .to_pyarrow().to_pylist()} if offices else {}
    return [{"kind": "case", "id": r["case_id"], "label": r["case_id"],
             "detail": f"opened {day(r['opened_at'])} at {names.get(r['office_id'], r['office_id'])}",
             "href": f"/chain/case/{r['case_id']}"} for r in rows]


def _persons(wh: Any, scope: Scope, keys: list[str]) -> list[Row]:
    rows = present_persons(wh, scope, _scoped(wh, scope, "persons", "person_id", keys))
    return [{"kind": "person", "id": r["person_id"], "label": r.get("full_name") or r["person_id"],
             "detail": "protected person" if r.get("protected") or r.get("full_name") == MASK else r["person_id"],
             "href": f"/chain/person/{r['person_id']}"} for r in rows]


def _counts(wh: Any, scope: Scope, column: str, keys: list[str]) -> dict[str, int]:
    found = _scoped(wh, scope, "seizures", column, keys, select=f'"{column}" as key, count(*) as n')
    return {r["key"]: r["n"] for r in found}


def _substances(wh: Any, scope: Scope, keys: list[str]) -> list[Row]:
    counts = _counts(wh, scope, "substance", keys)
    return [{"kind": "substance", "id": k, "label": k, "detail": f"{counts[k]:,} seizures you may see",
             "href": _explore(substance=k)} for k in keys if counts.get(k)]


def _places(wh: Any, scope: Scope, keys: list[str]) -> list[Row]:
    seen: dict[str, int] = defaultdict(int)
    for column in ("origin_country", "destination_country"):
        for key, n in _counts(wh, scope, column, keys).items():
            seen[key] += n
    points = wh.table("entry_points")
    points = points.filter(points.country.isin(keys))
    ports = points.group_by("country").aggregate(n=points.count())
    port_counts = {r["country"]: r["n"] for r in ports.to_pyarrow().to_pylist()}
    out = []
    for k in keys:
        if not (seen.get(k) or port_counts.get(k)):
            continue
        parts = [f"{seen[k]:,} seizures from or to it"] if seen.get(k) else []
        parts += [f"{port_counts[k]:,} entry points"] if port_counts.get(k) else []
        out.append({"kind": "place", "id": k, "label": f"{country_name(k)} ({k})", "detail": ", ".join(parts),
                    "href": _explore(country=k)})
    return out


def _directory(kind: str, matches: list[Match]) -> list[Row]:
    column = {"unit": "unit", "entry_point": "entry_point", "agency": "agency"}[kind]
    rows = []
    for m in matches:
        name = m.label.removesuffix(m.key).strip() if kind != "entry_point" else m.label.split(f" {m.key}")[0]
        rows.append({"kind": kind, "id": m.key, "label": name or m.key, "detail": f"{words(kind)} {m.key}",
                     "href": _explore(**{column: m.key})})
    return rows


def search(wh: Any, scope: Scope, query: str, limit: int = 20) -> list[Row]:
    """Hits for `query` (ids or names, any part of a word, any case) that the viewer may see, by kind."""
    query = query.strip()[:MAX_QUERY]
    if not query:
        return []
    principal = scope.principal
    kinds = tuple(k for k in KINDS if k not in NEEDS or principal.may(NEEDS[k]))
    index = index_for(wh.path)
    index.ensure(wh, warehouse_version(wh))
    by_kind: dict[str, list[Match]] = defaultdict(list)
    for m in index.match(query, kinds, per_kind=max(limit * 5, 50)):
        by_kind[m.kind].append(m)
    readers = {"seizure": _seizures, "case": _cases, "person": _persons, "substance": _substances,
               "place": _places}
    hits: list[Row] = []
    for kind in kinds:
        matches = by_kind.get(kind, [])
        if not matches:
            continue
        if kind in readers:
            order = {m.key: i for i, m in enumerate(matches)}
            found = readers[kind](wh, scope, [m.key for m in matches])
            found.sort(key=lambda h: order.get(h["id"], len(order)))
        else:
            found = _directory(kind, matches)
        hits += found[:limit]
    return hits
