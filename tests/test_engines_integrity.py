"""Every red-flag rule gives the same findings on DuckDB, PostgreSQL and Spark (the small demo country): each
rule's unit tests (subject, p-value, whether the effect is material) and its findings (subject, score, q,
evidence, details, messages), floats to 1e-9. And the rules run on a principal's scoped view, on the rows in
scope only. The engines and the Spark session are the session's (`tests/engines.py`); each engine runs the
rules once for the module."""

from __future__ import annotations

from collections.abc import Callable

import ibis
import pandas as pd
import pytest

from baliza.access.principal import Principal
from baliza.access.roles import Role
from baliza.access.scope import Scope, ScopedWarehouse
from baliza.analyses.casefacts import case_facts
from baliza.analyses.integrity import FlagSettings, findings_of, load_rules, red_flags, rule_results
from baliza.analyses.parity import finding_row
from baliza.warehouse.protocol import Engine, Warehouse
from engines import EngineWarehouses, assert_same_frames

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning")

RULES = [spec.name for spec in load_rules()]
Run = tuple[pd.DataFrame, pd.DataFrame]  # the unit tests, the findings


def _run(warehouse: Warehouse) -> Run:
    settings = FlagSettings.defaults()
    with case_facts(warehouse).cache() as facts:
        results = rule_results(warehouse, settings, facts)
        found = findings_of(results, settings)
    tests = pd.DataFrame([{"rule": t.rule, "subject": f"{t.subject.table}:{t.subject.id}", "p": t.p_value,
                           "material": bool(t.material)} for r in results for t in r.tests],
                         columns=["rule", "subject", "p", "material"])
    return tests, pd.DataFrame([finding_row(f) for f in found], columns=list(finding_row(found[0])))


@pytest.fixture(scope="module")
def runs(engine_warehouses: EngineWarehouses) -> Callable[[Engine], Run]:
    done: dict[str, Run] = {}

    def on(engine: Engine) -> Run:
        if engine not in done:
            done[engine] = _run(engine_warehouses.get(engine))
        return done[engine]

    return on


def test_the_demo_country_gives_the_rules_something_to_agree_on(runs: Callable[[Engine], Run]) -> None:
    tests, findings = runs("duckdb")
    assert tests["rule"].nunique() >= 8 and len(tests) >= 100
    flagged = findings[findings["q"].notna()]
    assert flagged["rule"].nunique() >= 3
    assert findings[findings["q"].isna()]["rule"].nunique() >= 5


@pytest.mark.parametrize("engine", ["postgres", "pyspark"])
@pytest.mark.parametrize("rule", RULES)
def test_each_rule_gives_the_same_findings_on_every_engine(runs: Callable[[Engine], Run], engine: Engine,
                                                           rule: str) -> None:
    expected_tests, expected_findings = runs("duckdb")
    tests, findings = runs(engine)
    assert_same_frames(tests[tests["rule"] == rule], expected_tests[expected_tests["rule"] == rule],
                       sort_by=["subject", "p"])
    assert_same_frames(findings[findings["rule"] == rule], expected_findings[expected_findings["rule"] == rule],
                       sort_by=["subject", "score"])


def test_the_rules_run_on_a_principals_scoped_view_on_its_rows_only(
    engine_warehouses: EngineWarehouses, runs: Callable[[Engine], Run]
) -> None:
    whole = engine_warehouses.duckdb
    cases = whole.table("cases")
    owner = cases.group_by("_agency_id").aggregate(n=cases.count()).order_by(ibis.desc("n")).to_pandas()
    agency = str(owner["_agency_id"].iloc[0])  # the prosecution service: it holds the cases
    scoped = ScopedWarehouse(whole, Scope(Principal("reader", agency, Role.ANALYST), {}, []))
    found = red_flags(scoped)
    seen = set(scoped.table("cases").case_id.to_pyarrow().to_pylist())
    named = {r.id for f in found for r in (f.subject, *f.evidence) if r.table == "cases"}
    assert found and named and named <= seen
    # the rules that need other agencies' rows (the seizures, the frozen assets, the programme's growers)
    # fire on the whole warehouse, and find nothing to judge in the prosecution's own rows
    others = {"quantity_shrinkage", "seizure_not_converted", "asset_released_after_conviction",
              "threat_reported"}
    _, whole_findings = runs("duckdb")
    assert others <= set(whole_findings["rule"])
    assert not others & {f.rule for f in found}
