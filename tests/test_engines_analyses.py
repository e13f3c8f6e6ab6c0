"""Every analysis written in Ibis gives the same results on DuckDB, PostgreSQL and Spark (to float tolerance),
on the small demo country: the views, the seizure chain and its breaks, seizure counts, entry points, the key
success indicators and their horizons, peer groups and efficiency, oversight figures, the programmes'
outcomes and the growth report.

Each result is computed once per engine (`_results`) and compared with DuckDB's; deadlines are judged
against the dates DuckDB computes (those dates are compared themselves in `as_of`).

Spark answers each query in a second or more whatever its size, so it runs each Ibis code path once: the
indicators by quarter (by year they differ only in the period label, which the quarter covers), and not
the growth report, which is Python over the indicators, peers and efficiency compared here (it runs on
PostgreSQL).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from baliza.analyses.as_of import stage_as_of
from baliza.analyses.benchmarks import peer_groups, unit_efficiency
from baliza.analyses.chain_breaks import break_rows, seizure_status
from baliza.analyses.chain_links import directory_names, seizure_chain
from baliza.analyses.entry_points import entry_point_views
from baliza.analyses.growth import growth_report
from baliza.analyses.ksi import compute_indicators, horizons
from baliza.analyses.oversight import (
    enforcement_by_place_and_year,
    livelihood_by_region_and_year,
    published_on,
    treatment_by_year,
)
from baliza.analyses.periods import Granularity
from baliza.analyses.programmes import compare_providers, livelihood_report, treatment_report
from baliza.analyses.seizure_counts import seizures_by_entry_point, seizures_by_month
from baliza.warehouse.protocol import Engine, Warehouse
from baliza.warehouse.views import case_status, chain
from engines import EngineWarehouses, assert_same_frames

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning",
                                        "ignore::RuntimeWarning")

Context = dict[str, Any]
Analysis = Callable[[Warehouse, Context], Any]


def _one(found: Any) -> list[dict[str, Any]]:
    """A result that is one object (a report, a dict): one row whose cells hold its nested parts."""
    if dataclasses.is_dataclass(found) and not isinstance(found, type):
        found = dataclasses.asdict(found)
    elif hasattr(found, "to_dict"):
        found = found.to_dict()
    return [found]


def _indicators(found: list[Any]) -> list[dict[str, Any]]:
    return [i.to_dict() for i in found]


def _chains(wh: Warehouse, context: Context) -> list[dict[str, Any]]:
    rows = []
    for seizure in context["seizures"]:
        found = seizure_chain(wh, seizure, as_of=context["as_of"], names=context["names"]).to_dict()
        rows.append({"seizure_id": seizure, "status": found["status"], "events": found["events"],
                     "breaks": found["breaks"], "pending": found["pending"]})
    return rows


def _enforcement(wh: Warehouse, context: Context) -> Any:
    return enforcement_by_place_and_year(wh.table("seizures"), wh.table("cases"), wh.table("dispositions"),
                                         wh.table("entry_points"))


ANALYSES: dict[str, tuple[Analysis, list[str]]] = {
    "as_of": (lambda wh, c: [{k: v for k, v in stage_as_of(wh).items()}], ["lab"]),
    "case_status": (lambda wh, c: case_status(wh).to_pyarrow(), ["case_id"]),
    "chain_view": (lambda wh, c: chain(wh).to_pyarrow(), ["seizure_id"]),
    "chain_breaks": (lambda wh, c: break_rows(wh, c["as_of"]).to_pyarrow(), ["seizure_id", "code", "break_id"]),
    "seizure_status": (lambda wh, c: seizure_status(wh, c["as_of"]).to_pyarrow(), ["seizure_id"]),
    "seizure_chains": (_chains, ["seizure_id"]),
    "seizures_by_month": (lambda wh, c: seizures_by_month(wh.table("seizures")), ["month", "substance_group"]),
    "seizures_by_entry_point": (lambda wh, c: seizures_by_entry_point(wh, wh.table("seizures")),
                                ["entry_point_id"]),
    "entry_point_views": (lambda wh, c: [v.to_dict() for v in entry_point_views(wh)], ["country"]),
    "ksi_year": (lambda wh, c: _indicators(compute_indicators(wh, Granularity.YEAR)),
                 ["subject_id", "indicator", "period"]),
    "ksi_quarter": (lambda wh, c: _indicators(compute_indicators(wh, Granularity.QUARTER)),
                    ["subject_id", "indicator", "period"]),
    "horizons": (lambda wh, c: [{"name": k, **dataclasses.asdict(v)} for k, v in horizons(wh).items()], ["name"]),
    "peer_groups": (lambda wh, c: peer_groups(wh), ["unit_id"]),
    "unit_efficiency": (lambda wh, c: _indicators(unit_efficiency(wh, c["period"])), ["subject_id", "indicator"]),
    "enforcement": (_enforcement, ["place_id", "year"]),
    "livelihood_by_region": (lambda wh, c: livelihood_by_region_and_year(wh.table("farmer_enrolments")),
                             ["region", "year"]),
    "treatment_by_year": (lambda wh, c: treatment_by_year(wh.table("treatment_episodes")), ["year"]),
    "published_on": (lambda wh, c: [{"day": published_on(wh.table("loads"))}], ["day"]),
    "livelihood": (lambda wh, c: _one(livelihood_report(wh.table("farmer_enrolments"))), []),
    "treatment": (lambda wh, c: _one(treatment_report(wh.table("treatment_episodes"))), []),
    "providers": (lambda wh, c: _one(compare_providers(wh.table("treatment_episodes"))), []),
    "growth": (lambda wh, c: _one(growth_report(wh, granularity=Granularity.YEAR)), []),
}


@pytest.fixture(scope="module")
def context(engine_warehouses: EngineWarehouses) -> Context:
    return make_context(engine_warehouses.duckdb)


def make_context(duckdb: Warehouse) -> Context:
    """What the analyses are given on every engine: DuckDB's as-of dates, names, a few seizures, a year."""
    s = duckdb.table("seizures")
    # a few seizures of each kind of chain: with a case, with breaks, without an arrest
    status = seizure_status(duckdb).to_pyarrow().to_pylist()
    picked = sorted({next(r["seizure_id"] for r in status if r["status"] == kind)
                     for kind in {r["status"] for r in status}})
    years = sorted({str(r["y"]) for r in s.select(y=s.seized_at.year()).distinct().to_pyarrow().to_pylist()})
    return {"as_of": stage_as_of(duckdb), "names": directory_names(duckdb), "seizures": picked,
            "period": years[-2]}


_results: dict[tuple[str, str], Any] = {}


def _result(name: str, engine: str, wh: Warehouse, context: Context) -> Any:
    if (name, engine) not in _results:
        _results[name, engine] = ANALYSES[name][0](wh, context)
    return _results[name, engine]


NOT_ON_SPARK = {"ksi_year", "growth"}  # see the module's docstring
CASES = [(engine, name) for engine in ("postgres", "pyspark") for name in ANALYSES
         if not (engine == "pyspark" and name in NOT_ON_SPARK)]


@pytest.mark.parametrize(("engine", "name"), CASES, ids=[f"{e}-{n}" for e, n in CASES])
def test_the_analysis_gives_duckdbs_results(engine: Engine, name: str, engine_warehouses: EngineWarehouses,
                                            context: Context) -> None:
    expected = _result(name, "duckdb", engine_warehouses.duckdb, context)
    got = _result(name, engine, engine_warehouses.get(engine), context)
    assert_same_frames(got, expected, sort_by=ANALYSES[name][1])
