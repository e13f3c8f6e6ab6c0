"""Adapters between the pages and the analyses: the dashboard and the API never compute analytics.

Each function calls an analysis (written in its own module by its own team) and hands back its result;
analyses that are not installed yet give an empty list, so the pages still work. Results that do not
depend on who asks (findings, indicators) are computed once per warehouse version and cached; who may
see which of them is decided afterwards, through the access layer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, Protocol

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
from baliza.analyses.as_of import stage_as_of
from baliza.analyses.chain_links import directory_names, seizure_chain
from baliza.analyses.model import Finding, Indicator
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

def red_flags(wh: Warehouse, results: Results) -> list[Finding]:
    """Every red flag of the justice analyses (`baliza.analyses.integrity.red_flags`)."""
    from baliza.analyses.integrity import red_flags as compute  # scipy and statsmodels: loaded on first use

    return _cached(results, "red_flags", lambda: list(compute(wh)))


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
    """Per agency, the tables whose rows' existence it does not disclose (`access.withholding`)."""
    from baliza.access.withholding import withheld_tables as declared

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
