"""Every whole-country result of one load, in one object: `LoadResults`, read through `results_of(ctx)`.

Red flags, unit indicators, the justice figures, the country report's figures, every chain's link status,
the names and agencies, and who reported each row a finding rests on do not depend on who asks. They are
computed once per load, in the background, before the new data is served (`web.precompute`), stored on
disk beside the warehouse (`warehouse.results`) and read back at the next start. A request then only cuts
them to what its principal may read (`access.finding_scope`, `web.explorer`).

Each result is an attribute declared with `Result` (or `Result(keys=...)` for one value per granularity):
a reader names the attribute, so a misspelt or renamed result is an `AttributeError`, never an analysis
silently run again on a request. A result read before it was computed (tests, which do not precompute,
or a server still computing its first results) is computed then, once, and counted in `on_request`.

To add a result: declare `my_result = Result(_("what it is"), compute)` below, where `compute(wh,
results)` returns plain data that pickles (lists, dicts, dataclasses, Arrow tables); read it as
`results_of(ctx).my_result`. `web.precompute` computes and stores every declared result; nothing else.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from baliza.analyses.model import Finding, Indicator, Reference

log = logging.getLogger(__name__)
T = TypeVar("T")
GRANULARITIES = ("year", "quarter", "month")
Owner = tuple[str | None, int | None]  # the agency that reported a row, and the load that brought it
Owners = dict[tuple[str, str], list[Owner]]


class Result(Generic[T]):
    """One whole-country result of a load: `compute(wh, results)` on the whole warehouse, `fallback` when
    the analysis fails (logged: one analysis failing must not take every page down). With `keys`, one
    value per key (`results.name[key]`), each computed when first asked for."""

    def __init__(self, label: str, compute: Callable[..., T], fallback: Any = None,
                 keys: tuple[str, ...] = ()) -> None:
        self.label, self.compute, self.fallback, self.keys = label, compute, fallback, keys
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, results: LoadResults | None, owner: type) -> Any:
        if results is None:
            return self
        if self.keys:
            return _Keyed(results, self)
        return results.value(self, None)

    def slots(self) -> list[tuple[str, str | None]]:
        """The stored values this result is made of: (name, key)."""
        return [(self.name, key) for key in self.keys] if self.keys else [(self.name, None)]


class _Keyed:
    """`results.name[key]` for a result with one value per key."""

    def __init__(self, results: LoadResults, result: Result[Any]) -> None:
        self.results, self.result = results, result

    def __getitem__(self, key: str) -> Any:
        if key not in self.result.keys:
            raise KeyError(f"{self.result.name} has no value for {key!r} (it has {', '.join(self.result.keys)})")
        return self.results.value(self.result, key)


# --- how each result is computed (whole warehouse; the analyses are imported when first used) ----------

def _stage_as_of(wh: Any, _results: LoadResults) -> Any:
    from baliza.analyses.as_of import stage_as_of

    return stage_as_of(wh)


def _directory_names(wh: Any, _results: LoadResults) -> dict[str, str]:
    from baliza.analyses.chain_links import directory_names

    return directory_names(wh)


def _staff_names(wh: Any, _results: LoadResults) -> dict[str, str]:
    rows = wh.table("staff").select("staff_id", "display_name").to_pyarrow().to_pylist()
    return {r["staff_id"]: r["display_name"] for r in rows if r["display_name"]}


def _agencies(wh: Any, _results: LoadResults) -> list[dict[str, str]]:
    from baliza.access.agencies import known_agencies

    return known_agencies(wh)


def _red_flags(wh: Any, _results: LoadResults) -> list[Finding]:
    from baliza.analyses.integrity import red_flags  # scipy and statsmodels: loaded on first use

    return list(red_flags(wh))


def _chain_links(wh: Any, results: LoadResults) -> tuple[Any, Any]:
    from baliza.analyses.chain_breaks import break_rows, seizure_status

    as_of = results.stage_as_of
    return break_rows(wh, as_of).to_pyarrow(), seizure_status(wh, as_of).to_pyarrow()


def _indicators(wh: Any, _results: LoadResults, granularity: str) -> list[Indicator]:
    from baliza.analyses.ksi import compute_indicators
    from baliza.analyses.periods import Granularity

    return list(compute_indicators(wh, Granularity(granularity)))


def _indicator_rows(_wh: Any, results: LoadResults, granularity: str) -> list[dict[str, Any]]:
    return [i.to_dict() for i in results.indicators[granularity]]


def _indicators_hidden(_wh: Any, results: LoadResults) -> set[tuple[str, ...]]:
    from baliza.access.disclosure import protect_indicators

    return protect_indicators([row for g in GRANULARITIES for row in results.indicator_rows[g]])


def _justice(wh: Any, _results: LoadResults, granularity: str) -> Any:
    from baliza.analyses.periods import Granularity
    from baliza.report.justice import justice_figures

    return justice_figures(wh, Granularity(granularity))


def _country(wh: Any, _results: LoadResults) -> Any:
    from baliza.report.country import country_figures

    return country_figures(wh)


def _growth(wh: Any, _results: LoadResults) -> Any:
    from baliza.analyses.growth import growth_report

    return growth_report(wh)


def _published(wh: Any, _results: LoadResults) -> dict[str, Any]:
    from baliza.web.public_data import aggregates_of

    return aggregates_of(wh)


def _file_agencies(wh: Any, _results: LoadResults) -> dict[tuple[int, str], str]:
    from baliza.web.load_owners import file_agencies, shared_loads

    return file_agencies(wh, shared_loads(wh))


class LoadResults:
    """The whole-country results of one state of the warehouse (see the module's docstring)."""

    stage_as_of = Result("the date each chain stage is judged against", _stage_as_of)
    directory_names = Result("the names of units, offices, entry points and agencies", _directory_names,
                             fallback={})
    staff_names = Result("the display names of staff (prosecutors and judges are named in findings)",
                         _staff_names, fallback={})
    agencies = Result("the agencies", _agencies, fallback=[])
    red_flags: Result[list[Finding]] = Result("red flags", _red_flags, fallback=[])
    chain_links = Result("the link status of every seizure's chain", _chain_links)
    indicators = Result("unit indicators", _indicators, fallback=[], keys=GRANULARITIES)
    indicator_rows = Result("unit indicators as rows", _indicator_rows, fallback=[], keys=GRANULARITIES)
    indicators_hidden = Result("indicator cells to suppress", _indicators_hidden, fallback=set())
    justice = Result("justice figures", _justice, keys=GRANULARITIES)
    country = Result("country report figures", _country)
    growth = Result("growth report by year", _growth)
    file_agencies = Result("the agency of each file of a load of several agencies", _file_agencies, fallback={})
    published = Result("the aggregates published to oversight and the public", _published)

    def __init__(self, version: str, warehouse: Callable[[], Any], stored: dict[str, Any] | None = None) -> None:
        self.version = version
        self._warehouse = warehouse  # the calling thread's cursor on this state of the warehouse
        stored = stored or {}
        self._values: dict[tuple[str, str | None], Any] = dict(stored.get("values", {}))
        self._owners: Owners = defaultdict(list, stored.get("owners", {}))
        self._asked: set[tuple[str, str]] = set(stored.get("asked", ()))
        self._lock = threading.RLock()  # one computes, the others wait for its answer
        self.on_request: list[str] = []  # results computed when a reader asked (none once precomputed)
        self.precomputing = False

    @classmethod
    def declared(cls) -> list[Result[Any]]:
        """Every result, in the order they are computed (later ones may read earlier ones)."""
        return [value for value in vars(cls).values() if isinstance(value, Result)]

    def value(self, result: Result[Any], key: str | None) -> Any:
        slot = (result.name, key)
        if slot in self._values:
            return self._values[slot]
        with self._lock:
            if slot not in self._values:
                if not self.precomputing:
                    self.on_request.append(result.name if key is None else f"{result.name}[{key}]")
                    log.warning("result %s computed on request (not precomputed)", result.name)
                self._values[slot] = self._compute(result, key)
            return self._values[slot]

    def holds(self, result: Any, key: str | None, value: Any) -> bool:
        """Whether `value` is this load's own `result` (already computed), not one planted by a test."""
        return self._values.get((result.name, key), None) is value

    def _compute(self, result: Result[Any], key: str | None) -> Any:
        try:
            wh = self._warehouse()
            return result.compute(wh, self) if key is None else result.compute(wh, self, key)
        except Exception:
            log.exception("analysis %s failed", result.name)
            return result.fallback

    def row_owners(self, wh: Any, references: Iterable[Reference]) -> Owners:
        """Who reported each of `references` (table, id) -> [(agency, load)]: kept once asked (those of every
        finding's rows are asked while precomputing), so a request only decides with set lookups."""
        from baliza.access.finding_scope import _owners

        wanted = {(r.table, r.id) for r in references}
        missing = wanted - self._asked
        if missing:
            with self._lock:
                missing = wanted - self._asked
                if missing:
                    found = _owners(wh, (Reference(t, i) for t, i in missing))
                    for ref, owners in found.items():
                        self._owners[ref] = owners
                    self._asked |= missing
        return self._owners

    def is_complete(self) -> bool:
        return all(slot in self._values for result in self.declared() for slot in result.slots())

    def to_store(self) -> dict[str, Any]:
        with self._lock:
            return {"values": dict(self._values), "owners": dict(self._owners), "asked": set(self._asked)}


def results_of(ctx: Any) -> LoadResults:
    """The results of the state of the warehouse this request reads (its pinned snapshot)."""
    return ctx.snapshot.results  # type: ignore[no-any-return]
