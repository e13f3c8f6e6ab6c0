"""Adapters between the pages and the analyses: the dashboard and the API never compute analytics.

Each function calls an analysis (written in its own module by its own team) and hands back its result;
analyses that are not installed yet give an empty list, so the pages still work. Results that do not
depend on who asks (findings, indicators) are computed once per warehouse version and cached; who may
see which of them is decided afterwards, through the access layer.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
from collections import defaultdict
from typing import Any

import ibis

from baliza.access.scope import Scope, ScopedWarehouse
from baliza.analyses.model import Finding, Indicator
from baliza.contract import TABLES_BY_NAME
from baliza.warehouse.store import Warehouse

log = logging.getLogger(__name__)


def _analysis(module: str, function: str) -> Any | None:
    """`module.function` if that analysis is installed, else None."""
    try:
        return getattr(importlib.import_module(module), function)
    except (ImportError, AttributeError):
        return None


def warehouse_version(wh: Warehouse) -> str:
    """Changes whenever a load finishes, so cached results are recomputed after new data."""
    loads = wh.table("loads")
    return f"{loads.count().execute()}:{loads.load_id.max().execute()}"


def _cached(cache: dict[str, Any], wh: Warehouse, name: str, compute: Any) -> Any:
    key = f"{name}@{warehouse_version(wh)}"
    if key not in cache:
        try:
            cache[key] = compute()
        except Exception:  # an analysis failing must not take the dashboard down; say so in the log
            log.exception("analysis %s failed", name)
            cache[key] = []
    return cache[key]


# --- findings -------------------------------------------------------------------------------------------

def finding_id(finding: Finding) -> str:
    """A stable id for a finding: the same rule on the same subject and period keeps its id (and decisions)."""
    text = f"{finding.rule}|{finding.subject.table}|{finding.subject.id}|{finding.period or ''}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def red_flags(wh: Warehouse, cache: dict[str, Any]) -> list[Finding]:
    """Every red flag of the justice analyses (`baliza.analyses.integrity.red_flags`)."""
    compute = _analysis("baliza.analyses.integrity", "red_flags")
    if compute is None:
        return []
    return _cached(cache, wh, "red_flags", lambda: list(compute(wh)))


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


def visible_findings(wh: Warehouse, scope: Scope, findings: list[Finding]) -> list[Finding]:
    """The findings whose subject the principal's agency owns or was granted."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for f in findings:
        wanted[f.subject.table].add(f.subject.id)
    seen = {table: visible_ids(wh, scope, table, ids) for table, ids in wanted.items()}
    return [f for f in findings if f.subject.id in seen[f.subject.table]]


# --- a seizure's chain ----------------------------------------------------------------------------------

def seizure_timeline(wh: Warehouse, scope: Scope, seizure_id: str) -> dict[str, Any] | None:
    """The chain from inspection to verdict and assets, with broken links, as the principal may see it.

    Uses `baliza.analyses.chain_links.seizure_chain` on the scoped warehouse; None when the seizure is
    not in scope.
    """
    seizure_chain = _analysis("baliza.analyses.chain_links", "seizure_chain")
    scoped = ScopedWarehouse(wh, scope)
    if seizure_chain is None:  # pragma: no cover - the lead's module is on main
        return None
    try:
        return seizure_chain(scoped, seizure_id).to_dict()
    except KeyError:
        return None


# --- indicators and aggregates --------------------------------------------------------------------------

def unit_indicators(wh: Warehouse, cache: dict[str, Any], granularity: str = "year") -> list[Indicator]:
    """Key success indicators per unit and period (`baliza.analyses.ksi.compute_indicators`)."""
    compute = _analysis("baliza.analyses.ksi", "compute_indicators")
    if compute is None:
        return []
    from baliza.analyses.periods import Granularity

    return _cached(cache, wh, f"ksi:{granularity}", lambda: list(compute(wh, Granularity(granularity))))


def seizures_by_month(seizures: ibis.Table) -> list[dict[str, Any]]:
    """Seizures per month and substance group, from the seizures the caller may count."""
    month = seizures.seized_at.truncate("M").cast("date").name("month")
    counted = seizures.group_by([month, seizures.substance_group]).aggregate(seizures=seizures.count())
    return counted.order_by(["month", "substance_group"]).to_pyarrow().to_pylist()


def seizures_by_entry_point(wh: Warehouse, seizures: ibis.Table) -> list[dict[str, Any]]:
    """Seizures per entry point with its name and coordinates."""
    located = seizures.filter(seizures.entry_point_id.notnull())
    counted = located.group_by("entry_point_id").aggregate(seizures=located.count())
    points = wh.table("entry_points").select("entry_point_id", "name", "kind", "country", "latitude", "longitude")
    joined = points.left_join(counted, "entry_point_id").drop("entry_point_id_right")
    joined = joined.mutate(seizures=joined.seizures.fill_null(0))
    return joined.order_by(ibis.desc("seizures")).to_pyarrow().to_pylist()
