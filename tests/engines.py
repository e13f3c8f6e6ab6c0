"""The small demo country on each engine, for parity tests: one analysis, three engines, the same results.

The protocol analyses are typed with is `baliza.warehouse.protocol.Warehouse` (structural: `table(name)`
returning an Ibis table, `engine` ("duckdb" | "postgres" | "pyspark"), `con` (the Ibis backend) and
`scope` (None, or the access `Scope` of a principal's view)). Type an analysis's warehouse parameter with
it, never with the DuckDB class (`baliza.warehouse.store.DuckDBWarehouse`, still importable as
`store.Warehouse`), and reach no `.duckdb` connection from an analysis.

Session fixtures (registered in `conftest.py`; each engine is built once per test session, when a test
first asks for it, from the `split` fixture's demo country):

- `engine_warehouses`: an `EngineWarehouses`; `engine_warehouses.get("postgres")` is the country on that
  engine (skips when the engine is not available here, fails under `CI=true`);
- `warehouse_on`: parametrised over the three engines (test ids `[duckdb]`, `[postgres]`, `[pyspark]`): the
  country on that engine;
- `spark`: the test session's one Spark session (starting one costs 10 to 60 seconds: share it).

A parity test:

    def test_seizure_counts_on_every_engine(warehouse_on, engine_warehouses):
        expected = seizure_counts(engine_warehouses.get("duckdb")).to_pandas()
        got = seizure_counts(warehouse_on).to_pandas()
        assert_same_frames(got, expected, sort_by=["unit_id", "month"])

PostgreSQL: `BALIZA_TEST_POSTGRES_URL` (set by `.ci/run`; start the server with `bash .ci/postgres.sh` as
root), else the address `.ci/postgres.sh` creates; the country is copied into a fresh schema, dropped at
the end. Spark: pyspark (in the test extras) and a Java runtime; the country is written as Parquet tables
in a temporary folder, read through the same `SparkWarehouse` as `--db spark:///folder`.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from baliza.warehouse.parity import RTOL, frame_differences, normal, same_data
from baliza.warehouse.postgres import PostgresAddress, PostgresWarehouse, drop_schema, publish_postgres
from baliza.warehouse.protocol import ENGINES, Engine, Warehouse
from baliza.warehouse.spark import SparkWarehouse, publish_spark, spark_session
from baliza.warehouse.store import DuckDBWarehouse

POSTGRES_VARIABLE = "BALIZA_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql://baliza:baliza@127.0.0.1:5432/baliza_test"  # what .ci/postgres.sh makes


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def unavailable(reason: str) -> None:
    """Skip a test whose engine is missing here; in CI the engine must be there, so fail instead."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: every engine must run)")
    pytest.skip(reason)


class EngineWarehouses:
    """The same country on each engine, built on first use and kept for the session."""

    def __init__(self, duckdb_path: Path, folder: Path, spark: Callable[[], Any]) -> None:
        self._duckdb_path, self._folder, self._spark = duckdb_path, folder, spark
        self._built: dict[str, Warehouse] = {}
        self.urls: dict[str, str] = {}  # each engine's `--db` address, once built
        self._missing: dict[str, str] = {}
        self._cleanups: list[Callable[[], None]] = []

    def get(self, engine: Engine) -> Warehouse:
        if engine in self._missing:
            unavailable(self._missing[engine])
        if engine not in self._built:
            try:
                self._built[engine] = getattr(self, f"_build_{engine}")()
            except EngineMissing as missing:
                self._missing[engine] = str(missing)
                unavailable(str(missing))
        return self._built[engine]

    @property
    def duckdb(self) -> DuckDBWarehouse:
        found = self.get("duckdb")
        assert isinstance(found, DuckDBWarehouse)
        return found

    def _build_duckdb(self) -> Warehouse:
        copy = self._folder / "country.duckdb"  # a copy: other tests may open the original for writing
        shutil.copyfile(self._duckdb_path, copy)
        wal = self._duckdb_path.with_name(self._duckdb_path.name + ".wal")
        if wal.exists():
            shutil.copyfile(wal, copy.with_name(copy.name + ".wal"))
        found = DuckDBWarehouse(copy, read_only=True)
        self._cleanups.append(found.close)
        return found

    def _build_postgres(self) -> Warehouse:
        url = fresh_schema_url(postgres_url())
        address = PostgresAddress.parse(url)
        publish_postgres(self.duckdb.duckdb, address)
        self.urls["postgres"] = url
        self._cleanups.append(lambda: drop_schema(address))
        found = PostgresWarehouse(address)
        self._cleanups.append(found.close)
        return found

    def _build_pyspark(self) -> Warehouse:
        session = self._spark()
        folder = self._folder / "spark"
        publish_spark(self.duckdb.duckdb, folder)
        self.urls["pyspark"] = f"spark://{folder}"
        found = SparkWarehouse(folder, session)
        self._cleanups.append(found.close)
        return found

    def close(self) -> None:
        for cleanup in reversed(self._cleanups):
            with contextlib.suppress(Exception):
                cleanup()


class EngineMissing(Exception):
    """An engine this machine cannot run (no server, no Java, no pyspark)."""


def postgres_url() -> str:
    """The test server's address (`BALIZA_TEST_POSTGRES_URL`, else what `.ci/postgres.sh` makes), once it
    answers; `EngineMissing` when it does not."""
    url = os.environ.get(POSTGRES_VARIABLE) or DEFAULT_POSTGRES_URL
    base = PostgresAddress.parse(url)
    try:
        base.connect().disconnect()
    except Exception as error:
        raise EngineMissing(f"no PostgreSQL server at {base} ({type(error).__name__}); "
                            f"start one with `bash .ci/postgres.sh` as root") from error
    return url


def fresh_schema_url(url: str) -> str:
    """`url` with a schema of its own (`schema=` replaced): tests never share or leave tables."""
    base = url.split("?", 1)[0]
    return f"{base}?schema=engines_{os.getpid()}_{uuid.uuid4().hex[:8]}"


# A test country's queries are small: Spark's planning per query, not the data, is what costs. One shuffle
# partition, no adaptive re-planning and no code generation make each query seconds faster.
SMALL_DATA = {"spark.sql.shuffle.partitions": "1", "spark.sql.adaptive.enabled": "false",
              "spark.sql.codegen.wholeStage": "false", "spark.sql.codegen.factoryMode": "NO_CODEGEN"}


class SharedSpark:
    """One Spark session for the test session, started when first asked for."""

    def __init__(self) -> None:
        self.session: Any = None

    def __call__(self) -> Any:
        if self.session is None:
            if shutil.which("java") is None:
                raise EngineMissing("no Java runtime for Spark (Debian: default-jre-headless)")
            try:
                import pyspark  # noqa: F401
            except ImportError as error:
                raise EngineMissing("pyspark is not installed (pip install -e '.[test]')") from error
            self.session = spark_session()
            for key, value in SMALL_DATA.items():
                self.session.conf.set(key, value)
            self.session.sparkContext.setLogLevel("ERROR")
        return self.session

    def stop(self) -> None:
        if self.session is not None:
            self.session.stop()
            self.session = None


_shared_spark = SharedSpark()


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """The test session's Spark session (local mode), shared by every Spark test."""
    try:
        session = _shared_spark()
    except EngineMissing as missing:
        unavailable(str(missing))
    yield session
    _shared_spark.stop()


@pytest.fixture(scope="session")
def engine_warehouses(split: tuple[Any, ...], tmp_path_factory: pytest.TempPathFactory) -> Iterator[EngineWarehouses]:
    warehouses = EngineWarehouses(Path(split[0]), tmp_path_factory.mktemp("engines"), _shared_spark)
    yield warehouses
    warehouses.close()
    _shared_spark.stop()


@pytest.fixture(scope="session", params=ENGINES)
def warehouse_on(request: pytest.FixtureRequest, engine_warehouses: EngineWarehouses) -> Warehouse:
    """The small demo country on one engine (the test runs once per engine)."""
    return engine_warehouses.get(request.param)


# ---------------------------------------------------------------------------------------------------------
# the command line on an engine


def run_command(*args: str, env: dict[str, str] | None = None) -> str:
    """`baliza ARGS` in this process: its standard output (the test fails when the command does)."""
    from baliza.cli.app import app  # the whole command line: imported by the tests that run it only

    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def command_json(*args: str, env: dict[str, str] | None = None) -> Any:
    """What `baliza ARGS` (a command given `--json`) printed, read back."""
    return json.loads(run_command(*args, env=env))


def assert_command_answers_as_on_the_file(engine_warehouses: EngineWarehouses, engine: Engine,
                                          command: Sequence[str]) -> None:
    """`baliza COMMAND --db ADDRESS` gives on `engine` what it gives on the DuckDB file (floats to 1e-9: an
    engine sums in another order), and the file's answer is not empty."""
    engine_warehouses.get(engine)  # built (or skipped) first
    on_file = command_json(*command, "--db", str(engine_warehouses.duckdb.path))
    on_engine = command_json(*command, "--db", engine_warehouses.urls[engine])
    assert on_file  # something was computed
    assert_same_data(on_engine, on_file)


# ---------------------------------------------------------------------------------------------------------
# comparing results across engines (the rule: `baliza.warehouse.parity`, shared with the engines benchmark)


def assert_same_data(a: Any, b: Any, *, rtol: float = RTOL) -> None:
    """Two nested results (JSON-like: dicts, lists, numbers, text) are the same, floats to `rtol`."""
    assert same_data(a, b, rtol=rtol), f"results differ:\n{normal(a)!r:.2000}\n!=\n{normal(b)!r:.2000}"


def assert_same_frames(a: Any, b: Any, *, sort_by: Sequence[str], rtol: float = RTOL) -> None:
    """`a` and `b` hold the same rows, in any order: the same columns (in any order), and in each column the
    same values, floats to a relative tolerance `rtol`, NULL, NaN and NaT equal to each other, integers equal
    to the same floats, dates to midnight timestamps. Accepts pandas or Arrow tables, Ibis tables and lists
    of dicts. Rows are matched after sorting by `sort_by` (then by every other column)."""
    differences = frame_differences(a, b, sort_by=sort_by, rtol=rtol)
    assert not differences, "\n".join(differences)
