"""Which findings a principal may see, and what of each: one rule for the API, the pages and the reports.

A finding is shown when the principal's agency reported its subject or a live grant shares it (as
`Scope.filter` decides for rows); its evidence rows the principal may not read are named with the agency
that holds them and its text withheld (`access.redaction`). Who reported each row is looked up once per
load and kept with the load's results (`Results.row_owners`, computed while precomputing); deciding what a
principal sees is then a matter of set lookups, so a new or revoked grant is seen at once.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, Protocol

import ibis

from baliza.access.redaction import Readable, redact_finding
from baliza.access.scope import DIRECTORY_TABLES, Scope
from baliza.analyses.model import Finding, Reference
from baliza.contract import TABLES_BY_NAME
from baliza.warehouse.store import Warehouse

Owner = tuple[str | None, int | None]  # the agency that reported a row, and the load that brought it
Owners = dict[tuple[str, str], list[Owner]]


class Results(Protocol):
    """Where who reported each row is kept, once per warehouse state (`web.results.LoadResults`)."""

    def row_owners(self, wh: Any, references: Iterable[Reference]) -> Owners: ...


def finding_id(finding: Finding) -> str:
    """A stable id for a finding: the same rule on the same subject and period keeps its id (and decisions)."""
    text = f"{finding.rule}|{finding.subject.table}|{finding.subject.id}|{finding.period or ''}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _key_expression(table: ibis.Table, table_name: str) -> ibis.Value:
    key = TABLES_BY_NAME[table_name].key
    if len(key) == 1:
        return table[key[0]].cast("string")
    expression = table[key[0]].cast("string")
    for column in key[1:]:
        expression = expression.concat("|", table[column].cast("string"))
    return expression


def visible_ids(wh: Warehouse, scope: Scope, table_name: str, ids: set[str]) -> set[str]:
    """Which of `ids` (keys of `table_name`, composite keys joined with '|') the principal's agency owns
    or has been granted."""
    if table_name not in TABLES_BY_NAME or not ids:
        return set()
    t = scope.filter(wh, table_name, owned_only=True)
    key = _key_expression(t, table_name)
    found = t.select(key=key).filter(key.isin(sorted(ids))).distinct().to_pyarrow()["key"].to_pylist()
    return set(found)


def _owners(wh: Warehouse, references: Iterable[Reference]) -> dict[tuple[str, str], list[Owner]]:
    """Who reported each row: (table, id) -> [(agency, load)], one query per table."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for reference in references:
        if reference.table in TABLES_BY_NAME:
            wanted[reference.table].add(reference.id)
    owners: dict[tuple[str, str], list[Owner]] = defaultdict(list)
    for table_name, ids in wanted.items():
        t = wh.table(table_name)
        key = _key_expression(t, table_name)
        rows = (t.select(key=key, agency=t._agency_id, load=t._load_id).filter(key.isin(sorted(ids)))
                .distinct().to_pyarrow().to_pylist())
        for row in rows:
            owners[(table_name, row["key"])].append((row["agency"], row["load"]))
    return owners


def _sees(scope: Scope, table_name: str, subject_id: str, owners: list[Owner]) -> bool:
    """Whether the principal's agency reported the row, or a live grant shares it (as `Scope.filter`)."""
    key = TABLES_BY_NAME[table_name].key
    for agency, load in owners:
        if agency == scope.principal.agency_id:
            return True
        ids = scope.shared.get(agency or "")
        if ids is None:
            continue
        if load in ids.loads:
            return True
        shared_by = ids.key_for(table_name)
        if shared_by is not None and key == (shared_by[0],) and subject_id in shared_by[1]:
            return True
    return False


def visible_findings(wh: Warehouse, scope: Scope, findings: list[Finding],
                     results: Results | None = None) -> list[Finding]:
    """The findings whose subject the principal's agency owns or was granted.

    Who reported each subject is looked up once per list of findings (with `results`); deciding what a
    principal sees is then a matter of set lookups, so a new or revoked grant is seen at once.
    """
    subjects = [f.subject for f in findings]
    owners = _owners(wh, subjects) if results is None else results.row_owners(wh, subjects)
    seen: list[Finding] = []
    slow: dict[str, set[str]] = defaultdict(set)  # subjects shared through another column: asked of the scope
    for f in findings:
        table_name, subject_id = f.subject.table, f.subject.id
        found = owners.get((table_name, subject_id))
        if not found:
            continue
        if _sees(scope, table_name, subject_id, found):
            seen.append(f)
        elif any(agency in scope.shared for agency, _ in found):
            slow[table_name].add(subject_id)
    if slow:
        also = {table: visible_ids(wh, scope, table, ids) for table, ids in slow.items()}
        kept = {id(f) for f in seen}
        seen = [f for f in findings if id(f) in kept or f.subject.id in also.get(f.subject.table, set())]
    return seen


def readable_evidence(wh: Warehouse, scope: Scope, findings: list[Finding],
                      results: Results | None = None) -> Readable:
    """Which rows the findings rest on the principal may read, and who holds the others (for
    `baliza.access.redaction.redact_finding`). Directory rows (agencies, units, entry points) are open."""
    evidence = {(e.table, e.id): e for f in findings for e in f.evidence}
    owners = _owners(wh, evidence.values()) if results is None else results.row_owners(wh, evidence.values())
    rows: set[tuple[str, str]] = set()
    slow: dict[str, set[str]] = defaultdict(set)
    for table_name, row_id in evidence:
        found = owners.get((table_name, row_id), [])
        if not found:
            continue
        if table_name in DIRECTORY_TABLES or _sees(scope, table_name, row_id, found):
            rows.add((table_name, row_id))
        elif any(agency in scope.shared for agency, _ in found):
            slow[table_name].add(row_id)
    for table_name, ids in slow.items():
        rows |= {(table_name, row_id) for row_id in visible_ids(wh, scope, table_name, ids)}
    holders = {ref: held[0][0] or "" for ref in evidence if ref not in rows and (held := owners.get(ref))}
    return Readable(frozenset(rows), holders)


def shown_findings(wh: Warehouse, scope: Scope, findings: list[Finding],
                   results: Results | None = None) -> list[tuple[Finding, dict[str, Any]]]:
    """The findings the principal may see, each with its plain form as the principal may read it."""
    seen = visible_findings(wh, scope, findings, results)
    readable = readable_evidence(wh, scope, seen, results)  # only the rows of the findings shown
    return [(f, {"finding_id": finding_id(f), **redact_finding(f, readable)}) for f in seen]
