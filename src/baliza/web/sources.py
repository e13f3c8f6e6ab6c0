"""Adapters between the pages and the analyses: the dashboard and the API never compute analytics.

The results that do not depend on who asks (findings, indicators, the justice and country figures) are
computed once per load (`web.precompute`) and kept in one object, `web.results.LoadResults`; the functions
here read it (`results_of`) and hand back what a page needs, and who may see which of it is decided
afterwards, through the access layer. Tests plant their own results by replacing these functions.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import ibis

from baliza.access.chain_view import chain_view
from baliza.access.finding_scope import (  # noqa: F401  (the web's names for them)
    finding_id,
    readable_evidence,
    shown_findings,
    visible_findings,
    visible_ids,
)
from baliza.access.scope import Scope
from baliza.analyses.chain_links import seizure_chain
from baliza.analyses.model import Finding, Indicator
from baliza.warehouse.store import Warehouse
from baliza.web.lookups import LookupWarehouse
from baliza.web.results import GRANULARITIES, LoadResults, results_of

log = logging.getLogger(__name__)


def _results(results: Any) -> LoadResults:
    """The `LoadResults` of a serving context (the request's snapshot), or the object itself."""
    return results if isinstance(results, LoadResults) else results_of(results)


# --- findings -------------------------------------------------------------------------------------------

def red_flags(wh: Warehouse, results: Any) -> list[Finding]:
    """Every red flag of the justice analyses (`baliza.analyses.integrity.red_flags`), computed once per load."""
    return _results(results).red_flags


# --- a seizure's chain ----------------------------------------------------------------------------------

def seizure_timeline(wh: Warehouse, scope: Scope, seizure_id: str, results: Any = None, *,
                     withheld: Mapping[str, set[str]] | None = None) -> dict[str, Any] | None:
    """The chain from inspection to verdict and assets as the principal may see it: computed on the whole
    warehouse (`analyses.chain_links.seizure_chain`), then disclosed hit/no-hit (`access.chain_view`).
    None when the seizure does not exist or the principal may read no step of its chain."""
    from baliza.analyses.as_of import stage_as_of
    from baliza.analyses.chain_links import directory_names

    whole: Any
    if results is None:
        whole, names, as_of = wh, directory_names(wh), stage_as_of(wh)
    else:
        loaded = _results(results)
        # the chain's tables held in memory with their keys, once per load: a dozen lookups, no table scans
        whole = LookupWarehouse(wh, None, results.cached, indexed=True)
        names, as_of = loaded.directory_names, loaded.stage_as_of
    try:
        chain = seizure_chain(whole, seizure_id, as_of=as_of, names=names)
    except KeyError:
        return None
    view = chain_view(chain, scope, withheld=withheld, names=names)
    return None if view is None else view.to_dict()


def warm_chain_lookups(wh: Warehouse, results: Any) -> None:
    """Build the chain's in-memory lookups (`web.lookups.KeyIndex`) by following one seizure's chain, so
    that the first chain page after a load does not build them."""
    first = wh.duckdb.execute("select seizure_id from seizures limit 1").fetchall()
    if first:
        loaded = _results(results)
        seizure_chain(LookupWarehouse(wh, None, results.cached, indexed=True), first[0][0],
                      as_of=loaded.stage_as_of, names=loaded.directory_names)


def withheld_tables(state: Any) -> dict[str, set[str]]:
    """Per agency, the tables whose rows' existence it does not disclose (`access.withholding`)."""
    from baliza.access.withholding import withheld_tables as declared

    return declared(state)


def held_by(wh: Any, scope: Any, ctx: Any, table: str) -> tuple[list[dict[str, Any]], bool]:
    """Rows of `table` the scope may not read, as `{"agency_id", table: n}` per holder, most first; and
    whether some holder declared that it withholds even their existence (then it is not named)."""
    withheld = withheld_tables(ctx.state)
    hidden = scope.held_elsewhere(wh, table)
    named = {agency: n for agency, n in hidden.items() if table not in withheld.get(agency or "", set())}
    undisclosed = len(named) < len(hidden)
    rows = [{"agency_id": agency, table: n} for agency, n in named.items()]
    return sorted(rows, key=lambda r: (-r[table], str(r["agency_id"]))), undisclosed


# --- indicators and aggregates --------------------------------------------------------------------------

def unit_indicators(wh: Warehouse, results: Any, granularity: str = "year") -> list[Indicator]:
    """Key success indicators per unit and period (`baliza.analyses.ksi.compute_indicators`)."""
    return _results(results).indicators[granularity]  # type: ignore[no-any-return]


def indicator_rows(results: Any, indicators: list[Indicator], granularity: str) -> list[dict[str, Any]]:
    """`indicators` as plain rows: those kept with the results when they are the load's own."""
    loaded = _results(results)
    if loaded.holds(LoadResults.indicators, granularity, indicators):
        return loaded.indicator_rows[granularity]  # type: ignore[no-any-return]
    return [i.to_dict() for i in indicators]


def indicators_hidden(wh: Warehouse, results: Any) -> set[tuple[str, ...]]:
    """The unit indicator cells an aggregate-only reader may not see, decided once over every granularity
    the pages, the API and the reports publish (`baliza.access.disclosure.protect_indicators`)."""
    from baliza.access.disclosure import protect_indicators

    loaded = _results(results)
    published = [unit_indicators(wh, results, g) for g in GRANULARITIES]
    if all(loaded.holds(LoadResults.indicators, g, figures) for figures, g in zip(published, GRANULARITIES,
                                                                                   strict=True)):
        return loaded.indicators_hidden  # type: ignore[no-any-return]
    return protect_indicators([i.to_dict() for figures in published for i in figures])  # planted (tests)


def seizures_by_month(seizures: ibis.Table) -> list[dict[str, Any]]:
    """Seizures per month and substance group (`baliza.analyses.seizure_counts`)."""
    from baliza.analyses.seizure_counts import seizures_by_month as count

    return count(seizures)


def seizures_by_entry_point(wh: Warehouse, seizures: ibis.Table) -> list[dict[str, Any]]:
    """Seizures per entry point with its name and coordinates (`baliza.analyses.seizure_counts`)."""
    from baliza.analyses.seizure_counts import seizures_by_entry_point as count

    return count(wh, seizures)


# --- justice and the country report ---------------------------------------------------------------------

def justice_figures(wh: Warehouse, results: Any, granularity: str = "quarter") -> Any | None:
    """Outcome funnels, the flag queue and each office's efficiency over time
    (`baliza.report.justice.justice_figures`), for the whole warehouse; None if it failed."""
    return _results(results).justice[granularity] or None


def country_figures(wh: Warehouse, results: Any) -> Any | None:
    """Every figure of the country report (`baliza.report.country.country_figures`), for the whole warehouse."""
    return _results(results).country or None
