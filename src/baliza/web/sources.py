"""Adapters between the pages and the analyses: the dashboard and the API never compute analytics.

Each function calls an analysis (written in its own module by its own team) and hands back its result;
analyses that are not installed yet give an empty list, so the pages still work. Results that do not
depend on who asks (findings, indicators) are computed once per warehouse version and cached; who may
see which of them is decided afterwards, through the access layer.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

import ibis

from baliza.access.chain_view import chain_view
from baliza.access.redaction import Readable, redact_finding
from baliza.access.scope import DIRECTORY_TABLES, Scope
from baliza.analyses.as_of import stage_as_of
from baliza.analyses.chain_links import directory_names, seizure_chain
from baliza.analyses.model import Finding, Indicator, Reference
from baliza.contract import TABLES_BY_NAME
from baliza.warehouse.store import Warehouse
from baliza.web.lookups import LookupWarehouse

log = logging.getLogger(__name__)


class Results(Protocol):
    """Where results that do not depend on who asks are kept, once per warehouse state."""

    def cached(self, name: str, compute: Callable[[], Any]) -> Any: ...


def _cached(results: Results, name: str, compute: Callable[[], Any]) -> Any:
    def guarded() -> Any:
        try:
            return compute()
        except Exception:  # an analysis failing must not take the dashboard down; say so in the log
            log.exception("analysis %s failed", name)
            return []

    return results.cached(name, guarded)


# --- findings -------------------------------------------------------------------------------------------

def finding_id(finding: Finding) -> str:
    """A stable id for a finding: the same rule on the same subject and period keeps its id (and decisions)."""
    text = f"{finding.rule}|{finding.subject.table}|{finding.subject.id}|{finding.period or ''}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def red_flags(wh: Warehouse, results: Results) -> list[Finding]:
    """Every red flag of the justice analyses (`baliza.analyses.integrity.red_flags`)."""
    from baliza.analyses.integrity import red_flags as compute  # scipy and statsmodels: loaded on first use

    return _cached(results, "red_flags", lambda: list(compute(wh)))


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


Owner = tuple[str | None, int | None]  # the agency that reported a row, and the load that brought it


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
    if results is None:
        owners = _owners(wh, (f.subject for f in findings))
    else:  # the list is kept with its owners so that its id stays its own
        owners = results.cached(f"owners:{id(findings)}",
                                lambda: (findings, _owners(wh, (f.subject for f in findings))))[1]
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
    def lookup() -> dict[tuple[str, str], list[Owner]]:
        return _owners(wh, (e for f in findings for e in f.evidence))

    if results is None:
        owners = lookup()
    else:
        owners = results.cached(f"evidence_owners:{id(findings)}", lambda: (findings, lookup()))[1]
    rows: set[tuple[str, str]] = set()
    slow: dict[str, set[str]] = defaultdict(set)
    for (table_name, row_id), found in owners.items():
        if table_name in DIRECTORY_TABLES or _sees(scope, table_name, row_id, found):
            rows.add((table_name, row_id))
        elif any(agency in scope.shared for agency, _ in found):
            slow[table_name].add(row_id)
    for table_name, ids in slow.items():
        rows |= {(table_name, row_id) for row_id in visible_ids(wh, scope, table_name, ids)}
    holders = {ref: found[0][0] or "" for ref, found in owners.items() if ref not in rows and found}
    return Readable(frozenset(rows), holders)


def shown_findings(wh: Warehouse, scope: Scope, findings: list[Finding],
                   results: Results | None = None) -> list[tuple[Finding, dict[str, Any]]]:
    """The findings the principal may see, each with its plain form as the principal may read it."""
    seen = visible_findings(wh, scope, findings, results)
    readable = readable_evidence(wh, scope, findings, results)
    return [(f, {"finding_id": finding_id(f), **redact_finding(f, readable)}) for f in seen]


# --- a seizure's chain ----------------------------------------------------------------------------------

def seizure_timeline(wh: Warehouse, scope: Scope, seizure_id: str, results: Results | None = None, *,
                     withheld: Mapping[str, set[str]] | None = None) -> dict[str, Any] | None:
    """The chain from inspection to verdict and assets as the principal may see it: computed on the whole
    warehouse (`analyses.chain_links.seizure_chain`), then disclosed hit/no-hit (`access.chain_view`).
    None when the seizure does not exist or the principal may read no step of its chain."""
    whole: Any = wh if results is None else LookupWarehouse(wh, None, results.cached)
    names = directory_names(wh) if results is None else results.cached("directory_names", lambda: directory_names(wh))
    as_of = stage_as_of(wh) if results is None else results.cached("stage_as_of", lambda: stage_as_of(wh))
    try:
        chain = seizure_chain(whole, seizure_id, as_of=as_of, names=names)
    except KeyError:
        return None
    view = chain_view(chain, scope, withheld=withheld, names=names)
    return None if view is None else view.to_dict()


def withheld_tables(state: Any) -> dict[str, set[str]]:
    """Per agency, the tables whose rows' existence it does not disclose (`access.requests`)."""
    try:
        from baliza.access.requests import withheld_tables as declared
    except ImportError:  # before access requests exist, nothing is withheld
        return {}
    return declared(state)


# --- indicators and aggregates --------------------------------------------------------------------------

def unit_indicators(wh: Warehouse, results: Results, granularity: str = "year") -> list[Indicator]:
    """Key success indicators per unit and period (`baliza.analyses.ksi.compute_indicators`)."""
    from baliza.analyses.ksi import compute_indicators as compute
    from baliza.analyses.periods import Granularity

    return _cached(results, f"ksi:{granularity}", lambda: list(compute(wh, Granularity(granularity))))


def indicators_hidden(wh: Warehouse, results: Results) -> set[tuple[str, ...]]:
    """The unit indicator cells an aggregate-only reader may not see, decided once over every granularity
    the pages, the API and the reports publish (`baliza.access.disclosure.protect_indicators`)."""
    from baliza.access.disclosure import protect_indicators

    published = [unit_indicators(wh, results, g) for g in ("year", "quarter", "month")]
    key = "indicators_hidden:" + ":".join(str(id(figures)) for figures in published)
    # the lists are kept with the answer, so that their ids stay theirs
    return results.cached(key, lambda: (published, protect_indicators(
        [i.to_dict() for figures in published for i in figures])))[1]


def seizures_by_month(seizures: ibis.Table) -> list[dict[str, Any]]:
    """Seizures per month and substance group (`baliza.analyses.seizure_counts`)."""
    from baliza.analyses.seizure_counts import seizures_by_month as count

    return count(seizures)


def seizures_by_entry_point(wh: Warehouse, seizures: ibis.Table) -> list[dict[str, Any]]:
    """Seizures per entry point with its name and coordinates (`baliza.analyses.seizure_counts`)."""
    from baliza.analyses.seizure_counts import seizures_by_entry_point as count

    return count(wh, seizures)


# --- justice and the country report ---------------------------------------------------------------------

def justice_figures(wh: Warehouse, results: Results, granularity: str = "quarter") -> Any | None:
    """Outcome funnels, the flag queue and each office's efficiency over time
    (`baliza.report.justice.justice_figures`), for the whole warehouse; None if it failed."""
    from baliza.analyses.periods import Granularity
    from baliza.report.justice import justice_figures as compute

    return _cached(results, f"justice:{granularity}", lambda: compute(wh, Granularity(granularity))) or None


def country_figures(wh: Warehouse, results: Results) -> Any | None:
    """Every figure of the country report (`baliza.report.country.country_figures`), for the whole warehouse."""
    from baliza.report.country import country_figures as compute

    return _cached(results, "country_figures", lambda: compute(wh)) or None
