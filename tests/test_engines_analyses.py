"""Every analysis written in Ibis gives the same results on DuckDB, PostgreSQL and Spark (to float tolerance),
on the small demo country: the list of analyses to compare on every engine (`baliza.analyses.parity`, which
the engines benchmark runs too): the views, the seizure chain and its breaks, seizure counts, entry points,
the key success indicators and their horizons, peer groups and efficiency, oversight figures, the programmes'
outcomes and the growth report. The justice analyses, the red flags and the coverage in the list are compared
by tests of their own (`test_engines_justice.py`, `test_engines_integrity.py`), which also compare them on a
principal's scope.

Each result is computed once per engine (`_results`) and compared with DuckDB's; deadlines are judged
against the dates DuckDB computes (those dates are compared themselves in `as_of`).

Spark answers each query in a second or more whatever its size, so it runs each Ibis code path once: the
indicators by quarter (by year they differ only in the period label, which the quarter covers), and not
the growth report, which is Python over the indicators, peers and efficiency compared here (it runs on
PostgreSQL).
"""

from __future__ import annotations

from typing import Any

import pytest

from baliza.analyses.parity import ANALYSES, Context, make_context
from baliza.warehouse.protocol import Engine, Warehouse
from engines import EngineWarehouses, assert_same_frames

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning",
                                        "ignore::RuntimeWarning")


@pytest.fixture(scope="module")
def context(engine_warehouses: EngineWarehouses) -> Context:
    return make_context(engine_warehouses.duckdb)


_results: dict[tuple[str, str], Any] = {}


def _result(name: str, engine: str, wh: Warehouse, context: Context) -> Any:
    if (name, engine) not in _results:
        _results[name, engine] = ANALYSES[name].run(wh, context)
    return _results[name, engine]


COMPARED_ELSEWHERE = {"case_facts", "efficiency_office_quarter", "efficiency_judge_month",
                      "efficiency_prosecutor_year", "red_flags", "coverage"}  # see the module's docstring
NOT_ON_SPARK = {"ksi_year", "growth"}
CASES = [(engine, name) for engine in ("postgres", "pyspark") for name in ANALYSES
         if name not in COMPARED_ELSEWHERE and not (engine == "pyspark" and name in NOT_ON_SPARK)]


@pytest.mark.parametrize(("engine", "name"), CASES, ids=[f"{e}-{n}" for e, n in CASES])
def test_the_analysis_gives_duckdbs_results(engine: Engine, name: str, engine_warehouses: EngineWarehouses,
                                            context: Context) -> None:
    expected = _result(name, "duckdb", engine_warehouses.duckdb, context)
    got = _result(name, engine, engine_warehouses.get(engine), context)
    assert_same_frames(got, expected, sort_by=ANALYSES[name].key)
