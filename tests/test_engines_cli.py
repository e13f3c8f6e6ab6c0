"""`--db` names a PostgreSQL schema or a Spark folder: `baliza load` validates and quarantines as for a file
and publishes every table there at once (a failed publication changes nothing), and the reading commands
give the DuckDB file's answers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from baliza.cli.app import app
from baliza.warehouse import postgres, spark
from baliza.warehouse.engines import engine_of, loading_home
from baliza.warehouse.postgres import PostgresAddress, drop_schema
from engines import (
    EngineMissing,
    EngineWarehouses,
    assert_command_answers_as_on_the_file,
    command_json,
    fresh_schema_url,
    postgres_url,
    unavailable,
)
from load_fixtures import VALID, with_changes, write_dataset

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning")

runner = CliRunner()
PERSONS = "person_id,full_name,birth_date\nX1,Juan Perez,1980-01-01\nX2,Maria Lopez,\nX9,Secret Name,1999-99-99\n"
MORE = VALID["seizures"] + "S4,U1,2025-04-05T12:00:00Z,heroin,opiates,2,kg\n"


@pytest.fixture
def postgres_db(tmp_path: Path) -> Iterator[str]:
    try:
        url = fresh_schema_url(postgres_url())
    except EngineMissing as missing:
        unavailable(str(missing))
    yield f"{url}&home={tmp_path / 'loading.duckdb'}"
    drop_schema(PostgresAddress.parse(url))


@pytest.fixture
def spark_db(tmp_path: Path, spark: Any) -> str:
    return f"spark://{tmp_path / 'lake'}"


def _fail_publishing(monkeypatch: pytest.MonkeyPatch, engine: str) -> None:
    def broken(*args: object, **kwargs: object) -> dict[str, int]:
        raise OSError("the server went away half-way")

    if engine == "postgres":  # fails inside the transaction, after some tables were copied
        real = postgres.copy_tables

        def half(source: Any, cursor: Any, schema: str) -> dict[str, int]:
            real(source, cursor, schema)
            raise OSError("the server went away half-way")

        monkeypatch.setattr(postgres, "copy_tables", half)
    else:
        monkeypatch.setattr(spark, "write_parquet_tables", broken)


def _seizures_published(db: str) -> int:
    """Seizures the engine holds now (for Spark read from its current Parquet file: no Spark query needed)."""
    if engine_of(db) == "pyspark":
        folder = spark.current_tables(spark.spark_folder(db))
        assert folder is not None
        return int(pq.read_metadata(folder / "seizures.parquet").num_rows)
    return int(command_json("status", "--db", db, "--json")["tables"]["seizures"]["rows"])


@pytest.mark.parametrize("engine", ["postgres", "pyspark"])
def test_a_load_publishes_to_the_engine_with_its_quarantine_and_a_failed_one_changes_nothing(
    engine: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = request.getfixturevalue("postgres_db" if engine == "postgres" else "spark_db")
    assert engine_of(db) == engine
    first = write_dataset(tmp_path / "first", with_changes(persons=PERSONS))
    report = command_json("load", str(first), "--db", db, "--json", "--agency", "AG-1")
    assert report["tables"]["persons"]["quarantined"] == 1

    status = command_json("status", "--db", db, "--json")
    assert status["tables"]["seizures"] == {"rows": 3} and status["tables"]["persons"] == {"rows": 2}
    assert [(load["load_id"], load["status"], load["quarantined"]) for load in status["loads"]] == [(1, "committed", 1)]
    assert command_json("status", "--db", str(loading_home(db)), "--json") == status  # the loading file, the same
    listing = runner.invoke(app, ["quarantine", "--db", db, "--json"])
    rows = json.loads(listing.stdout)["rows"]
    assert [(r["table"], r["line"], r["column"]) for r in rows] == [("persons", 4, "birth_date")]
    assert "1999-99-99" not in listing.stdout and "Secret Name" not in listing.stdout

    second = write_dataset(tmp_path / "second", with_changes(seizures=MORE))
    loaded = command_json("load", str(second), "--db", db, "--json", "--agency", "AG-1")
    assert loaded["tables"]["seizures"]["inserted"] == 1
    assert _seizures_published(db) == 4

    _fail_publishing(monkeypatch, engine)
    third = write_dataset(tmp_path / "third", with_changes(seizures=MORE + "S5,U1,2025-05-05T12:00:00Z,heroin,"
                                                                          "opiates,1,kg\n"))
    failed = runner.invoke(app, ["load", str(third), "--db", db, "--json", "--agency", "AG-1"])
    assert failed.exit_code != 0 and "changed nothing" in failed.output
    assert _seizures_published(db) == 4
    on_file = command_json("status", "--db", str(loading_home(db)), "--json")
    assert on_file["tables"]["seizures"] == {"rows": 4} and len(on_file["loads"]) == 2


READING = [("postgres", ["ksi", "--json"]), ("postgres", ["entry-points", "--json"]),
           ("postgres", ["assets", "--json"]), ("postgres", ["chain", "SZ-0000002", "--json"]),
           ("pyspark", ["chain", "SZ-0000002", "--json"])]  # Spark: one (each query costs seconds there)


@pytest.mark.parametrize(("engine", "command"), READING, ids=[f"{e}-{c[0]}" for e, c in READING])
def test_reading_commands_answer_on_the_engine_as_on_the_file(
    engine: str, command: list[str], engine_warehouses: EngineWarehouses
) -> None:
    assert_command_answers_as_on_the_file(engine_warehouses, engine, command)


def test_an_address_names_its_engine_and_a_file_command_refuses_it() -> None:
    url = "postgresql://u:secret@db.example:5433/baliza?schema=peru"
    assert engine_of(url) == "postgres" and engine_of("spark:///data/lake") == "pyspark"
    assert engine_of("warehouse.duckdb") == "duckdb"
    assert loading_home("spark:///data/lake") == Path("/data/lake/baliza.duckdb")
    assert loading_home(url) == Path("baliza-peru.duckdb")
    result = runner.invoke(app, ["backup", "--db", url, "--out", "x.baliza"])
    assert result.exit_code != 0
    assert "secret" not in result.output  # the password never appears in a message
    with pytest.raises(ValueError, match="schema"):
        PostgresAddress.parse("postgresql://u@h/db?schema=Robert'); DROP TABLE x;--")
