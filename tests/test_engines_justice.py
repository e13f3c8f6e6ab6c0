"""The justice analyses give the same answers on DuckDB, PostgreSQL and Spark, and on a principal's scope.

The small demo country (`tests/engines.py`) on each engine: the case facts row for row, every efficiency
indicator (one granularity per subject; Spark, slow to answer, the first two), the coverage and the as-of
dates. On the scoped warehouse, the analyses see only the rows in scope: the same
answers as on a warehouse that holds nothing else.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import ibis
import pytest

from baliza.access.principal import Principal
from baliza.access.roles import Role
from baliza.access.scope import Scope, ScopedWarehouse
from baliza.analyses.as_of import stage_as_of
from baliza.analyses.casefacts import case_facts, quantity_band
from baliza.analyses.coverage import data_coverage, visible_coverage
from baliza.analyses.efficiency import Subject, efficiency
from baliza.analyses.periods import Granularity
from baliza.contract import TABLES
from baliza.warehouse.protocol import Warehouse
from baliza.warehouse.store import DuckDBWarehouse
from engines import EngineWarehouses, assert_same_frames

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning")

RUNS = ((Granularity.QUARTER, Subject.OFFICE), (Granularity.MONTH, Subject.JUDGE),
        (Granularity.YEAR, Subject.PROSECUTOR))
SPARK_RUNS = RUNS[:2]  # Spark answers slowly: the office's spans, the judges and the period labels, once each
INDICATOR_KEY = ["subject_table", "subject_id", "indicator", "period"]
PROSECUTION = "AG-PER-PROSECUTION"  # holds the demo's cases and dispositions, not the seizures (customs')


def _indicators(warehouse: Any, granularity: Granularity, by: Subject, facts: Any = None) -> list[dict[str, Any]]:
    return [i.to_dict() for i in efficiency(warehouse, granularity, by, facts=facts)]


def _scoped(warehouse: Any, agency: str) -> ScopedWarehouse:
    """`agency`'s view of the warehouse, without grants: its own rows and the directory."""
    return ScopedWarehouse(warehouse, Scope(Principal("reader", agency, Role.ADMIN), {}, []))


@pytest.fixture(scope="module")
def on_duckdb(engine_warehouses: EngineWarehouses) -> dict[str, Any]:
    """The DuckDB answers every engine is compared with, computed once."""
    wh = engine_warehouses.duckdb
    return {"facts": case_facts(wh).to_pandas(), **{f"{g}/{by}": _indicators(wh, g, by) for g, by in RUNS}}


@pytest.fixture(scope="module")
def facts_on() -> Iterator[dict[str, Any]]:
    """Each engine's case facts, computed once and cached on that engine for the module's tests."""
    cached: dict[str, Any] = {}
    yield cached
    for table in cached.values():
        table.release()


def _facts(warehouse: Warehouse, cached: dict[str, Any]) -> Any:
    if warehouse.engine not in cached:
        cached[warehouse.engine] = case_facts(warehouse).cache()
    return cached[warehouse.engine]


def test_case_facts_on_every_engine(warehouse_on: Warehouse, on_duckdb: dict[str, Any],
                                    facts_on: dict[str, Any]) -> None:
    expected = on_duckdb["facts"]
    assert len(expected) > 1000 and expected.resolved.any() and (~expected.resolved).any()
    assert_same_frames(_facts(warehouse_on, facts_on).to_pandas(), expected, sort_by=["case_id"])


def test_efficiency_on_every_engine(warehouse_on: Warehouse, on_duckdb: dict[str, Any],
                                    facts_on: dict[str, Any]) -> None:
    for granularity, by in SPARK_RUNS if warehouse_on.engine == "pyspark" else RUNS:
        expected = on_duckdb[f"{granularity}/{by}"]
        assert len({i["subject_id"] for i in expected}) > 1
        assert any(i["indicator"] == "median_days_to_resolution_km" and i["value"] for i in expected)
        got = _indicators(warehouse_on, granularity, by, _facts(warehouse_on, facts_on))
        assert_same_frames(got, expected, sort_by=INDICATOR_KEY)


def test_coverage_and_as_of_on_every_engine(warehouse_on: Warehouse,
                                            engine_warehouses: EngineWarehouses) -> None:
    wh = engine_warehouses.duckdb
    expected = data_coverage(wh)
    assert expected.loads > 1 and expected.total_rows > 10_000 and len(expected.agencies) > 1
    assert asdict(data_coverage(warehouse_on)) == asdict(expected)
    assert stage_as_of(warehouse_on) == stage_as_of(wh)
    seen = visible_coverage(_scoped(warehouse_on, PROSECUTION), warehouse_on, PROSECUTION)
    assert asdict(seen) == asdict(visible_coverage(_scoped(wh, PROSECUTION), wh, PROSECUTION))


@pytest.fixture(scope="module")
def prosecution_only(engine_warehouses: EngineWarehouses, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the DuckDB country that holds only the prosecution's rows (and the directory), cut by SQL
    here, not by the access scope."""
    source = Path(engine_warehouses.duckdb.path)
    copy = tmp_path_factory.mktemp("prosecution") / "only.duckdb"
    shutil.copyfile(source, copy)
    con = duckdb.connect(str(copy))
    for table in TABLES:
        if table.name not in ("agencies", "units", "entry_points"):
            con.execute(f'DELETE FROM "{table.name}" WHERE _agency_id IS DISTINCT FROM ?', [PROSECUTION])
    con.close()
    return copy


def test_justice_analyses_on_a_scope_see_only_its_rows(engine_warehouses: EngineWarehouses,
                                                       prosecution_only: Path) -> None:
    scoped = _scoped(engine_warehouses.duckdb, PROSECUTION)
    whole_facts = case_facts(engine_warehouses.duckdb).to_pandas()
    with DuckDBWarehouse(prosecution_only, read_only=True) as alone:
        facts = case_facts(scoped).to_pandas()
        # the seizures are customs' and the police's: out of this scope, so no case has a seizing unit
        assert facts.seizing_unit_id.isna().all() and whole_facts.seizing_unit_id.notna().any()
        assert_same_frames(facts, case_facts(alone).to_pandas(), sort_by=["case_id"])
        for granularity, by in RUNS[:2]:
            assert_same_frames(_indicators(scoped, granularity, by), _indicators(alone, granularity, by),
                               sort_by=INDICATOR_KEY)


def test_quantity_bands_are_the_same_power_of_ten_on_every_engine(warehouse_on: Warehouse) -> None:
    """A quantity's band is the power of ten of its leading digit on every engine, powers of ten included
    (a logarithm floored is not: Ibis's log10 on Spark, LOG(10, x), is 2.9999999999999996 for 1000, found on the
    large country)."""
    quantities = [q * f for q in (0.001, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0, 10000.0)
                  for f in (1.0, 1 - 1e-12, 1 + 1e-12, 4.5)] + [1e-5, 123456.0, 0.0, -2.0, None]
    t = ibis.memtable({"q": quantities, "unit": ["kg"] * len(quantities)}, schema={"q": "float64", "unit": "string"})
    found = warehouse_on.con.execute(t.select("q", band=quantity_band(t.q, t.unit))).to_dict("records")

    def expected(q: float | None) -> str:
        if q is None or q != q or q <= 0:
            return "unknown"
        return f"kg:{min(4, max(-3, Decimal(repr(q)).adjusted()))}"  # the exponent of the leading digit

    assert len(found) == len(quantities)
    assert {(r["q"], r["band"]) for r in found if r["q"] == r["q"]} == {(q, expected(q)) for q in quantities
                                                                        if q is not None}
    assert [r["band"] for r in found if r["q"] != r["q"] or r["q"] is None] == ["unknown"]
