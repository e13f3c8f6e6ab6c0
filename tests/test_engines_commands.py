"""The analysis commands give the DuckDB file's answers on PostgreSQL and Spark (the small demo country of
`tests/engines.py`): `efficiency`, `flags`, `trends`, `report country` and `target score` (the consignments
as declarations); people resolved across agencies (`people resolve` on each engine, then `people findings`,
`people show` and `export ftm`); `crypto-load` into an engine; and the commands that read the accounts
(`--user`) find them beside the loading file, as `baliza user` keeps them.

Spark answers each query in a second or more: it runs each command once, and not `report country` (minutes
there; the analyses behind it are compared on Spark in `test_engines_justice`, `test_engines_integrity` and
`test_engines_analyses`), nor `efficiency --by judge` (the same code path as by office)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from baliza.access import fieldcrypt
from baliza.crypto.tags import PACK_TABLE
from baliza.warehouse import open_warehouse
from baliza.warehouse.postgres import PostgresAddress, drop_schema
from engines import (
    EngineMissing,
    EngineWarehouses,
    assert_command_answers_as_on_the_file,
    assert_same_data,
    command_json,
    fresh_schema_url,
    postgres_url,
    run_command,
    unavailable,
)

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning",
                                        "ignore::RuntimeWarning")

COMMANDS = [["efficiency", "--json"], ["efficiency", "--by", "judge", "--all", "--json"],
            ["flags", "--all", "--json"], ["trends", "--json"]]
CASES = [("postgres", c) for c in COMMANDS] + [("pyspark", c) for c in COMMANDS if "--by" not in c]


@pytest.mark.parametrize(("engine", "command"), CASES, ids=[f"{e}-{'-'.join(c[:-1])}" for e, c in CASES])
def test_an_analysis_command_answers_on_the_engine_as_on_the_file(
    engine: str, command: list[str], engine_warehouses: EngineWarehouses
) -> None:
    assert_command_answers_as_on_the_file(engine_warehouses, engine, command)


@pytest.fixture(scope="module")
def risk_model(engine_warehouses: EngineWarehouses, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A targeting model trained on the DuckDB file's consignments."""
    model = tmp_path_factory.mktemp("targeting") / "model"
    run_command("target", "train", "--model", str(model), "--json", "--db", str(engine_warehouses.duckdb.path))
    return model


@pytest.mark.parametrize("engine", ["postgres", "pyspark"])
def test_targeting_scores_the_engines_consignments_as_the_files(
    engine: str, engine_warehouses: EngineWarehouses, risk_model: Path
) -> None:
    assert_command_answers_as_on_the_file(engine_warehouses, engine,
                                          ["target", "score", "--model", str(risk_model), "--json"])


NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def _report_text(path: Path) -> list[str]:
    """What a reader of the HTML report reads: its text, line by line, without the charts' drawing (their
    coordinates carry every float's last digits) and without the time it was made."""
    html = path.read_text(encoding="utf-8")
    html = re.sub(r"(?s)<(svg|script|style)\b.*?</\1>", " ", html)
    lines = (" ".join(line.split()) for line in re.sub(r"<[^>]+>", "\n", html).splitlines())
    return [line for line in lines if line and not line.startswith("Made by Baliza on")]


def _same_reading(a: str, b: str) -> bool:
    """Two lines read the same: the same words, and numbers equal to the last digit printed (a sum made in
    another order may round the other way there: 1,768.4 and 1,768.39)."""
    if NUMBER.sub("#", a) != NUMBER.sub("#", b):
        return False
    for x, y in zip(NUMBER.findall(a), NUMBER.findall(b), strict=True):
        places = max(len(n.split(".")[1]) if "." in n else 0 for n in (x, y))
        if abs(float(x.replace(",", "")) - float(y.replace(",", ""))) > 1.01 * 10 ** -places:
            return False
    return True


def test_the_country_report_reads_the_same_on_postgresql(engine_warehouses: EngineWarehouses, tmp_path: Path) -> None:
    engine_warehouses.get("postgres")
    on_file, on_engine = tmp_path / "file.html", tmp_path / "engine.html"
    run_command("report", "country", "--out", str(on_file), "--db", str(engine_warehouses.duckdb.path))
    run_command("report", "country", "--out", str(on_engine), "--db", engine_warehouses.urls["postgres"])
    expected, got = _report_text(on_file), _report_text(on_engine)
    assert len(expected) > 1000  # headline figures, units, peers, justice, entry points
    assert len(got) == len(expected)
    differing = [(x, y) for x, y in zip(expected, got, strict=True) if not _same_reading(x, y)]
    assert not differing, differing[:5]


# ---------------------------------------------------------------------------------------------------------
# people resolved across agencies, on each engine


def _loading_file(split_db: Path, folder: Path) -> Path:
    """A copy of the demo country's DuckDB file with its field key: the loading file of an engine."""
    folder.mkdir(parents=True)
    home = folder / "loading.duckdb"
    shutil.copyfile(split_db, home)
    shutil.copyfile(fieldcrypt.key_path(split_db), fieldcrypt.key_path(home))
    return home


class Resolved:
    """The demo country with its people resolved by `baliza people resolve` on each engine's address."""

    def __init__(self, split_db: Path, folder: Path) -> None:
        self.split_db, self.folder = split_db, folder
        self.dbs: dict[str, str] = {}
        self.summaries: dict[str, Any] = {}
        self.cleanups: list[Any] = []

    def db(self, engine: str, request: pytest.FixtureRequest) -> str:
        if engine not in self.dbs:
            home = _loading_file(self.split_db, self.folder / engine)
            if engine == "duckdb":
                db = str(home)
            elif engine == "postgres":
                try:
                    url = fresh_schema_url(postgres_url())
                except EngineMissing as missing:
                    unavailable(str(missing))
                self.cleanups.append(lambda: drop_schema(PostgresAddress.parse(url)))
                db = f"{url}&home={home}"
            else:
                request.getfixturevalue("spark")  # the session's one Spark session, for the reading commands
                db = f"spark://{self.folder / 'lake'}?home={home}"
            self.summaries[engine] = command_json("people", "resolve", "--db", db, "--json")["summary"]
            self.dbs[engine] = db
        return self.dbs[engine]


@pytest.fixture(scope="module")
def resolved(split: tuple[Any, ...], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Resolved]:
    found = Resolved(Path(split[0]), tmp_path_factory.mktemp("people"))
    yield found
    for cleanup in found.cleanups:
        cleanup()


@pytest.mark.parametrize("engine", ["postgres", "pyspark"])
def test_people_resolved_on_the_engine_give_the_files_findings_person_pages_and_export(
    engine: str, resolved: Resolved, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    on_file, on_engine = resolved.db("duckdb", request), resolved.db(engine, request)
    assert resolved.summaries[engine] == resolved.summaries["duckdb"]  # the same links, kept on the engine
    findings = command_json("people", "findings", "--json", "--db", on_file)
    assert findings and all(f["rule"] == "person_across_agencies" for f in findings)
    assert_same_data(command_json("people", "findings", "--json", "--db", on_engine), findings)

    person = next(e["id"] for e in findings[0]["evidence"] if e["table"] == "persons")
    page = command_json("people", "show", person, "--json", "--db", on_file)
    assert len(page["records"]) >= 2 and page["links"]
    assert_same_data(command_json("people", "show", person, "--json", "--db", on_engine), page)

    exported = {}
    for name, db in (("file", on_file), ("engine", on_engine)):  # names opened with the loading file's key
        out = tmp_path / f"{name}.ftm.json"
        exported[name] = (command_json("export", "ftm", "--out", str(out), "--json", "--db", db)["entities"],
                          sorted(out.read_text(encoding="utf-8").splitlines()))
    assert exported["file"][0]["UnknownLink"] > 0  # the same-person links are exported
    assert exported["engine"] == exported["file"]


def test_a_users_commands_on_postgresql_read_the_accounts_beside_the_loading_file(
    resolved: Resolved, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    db = resolved.db("postgres", request)
    home = db.split("home=", 1)[1]
    run_command("user", "add", "analyst-pol", "--agency", "AG-PER-POLICE", "--role", "analyst", "--db", home,
            env={"BALIZA_PASSWORD": "a long passphrase for the test"})
    exported = {}
    for name, where in (("file", home), ("engine", db)):
        out = tmp_path / f"{name}.ftm.json"
        counts = command_json("export", "ftm", "--out", str(out), "--user", "analyst-pol", "--json", "--db", where)
        exported[name] = (counts["entities"], sorted(out.read_text(encoding="utf-8").splitlines()))
    assert exported["engine"] == exported["file"]
    everything = command_json("export", "ftm", "--out", str(tmp_path / "all.ftm.json"), "--json", "--db", db)
    assert sum(exported["file"][0].values()) < sum(everything["entities"].values())  # cut to scope
    assert not list(Path(".").glob("postgresql:*"))  # no state store named after the address


TAGS = """
chain: btc
source: exchange KYC answer
confidence: 1
tags:
  - {address: bc1qtestexchangedeposit000000000000000000, label: GlobalX deposit, category: exchange}
  - {address: bc1qtestmixer00000000000000000000000000000, label: Mixer, category: mixer, confidence: 0.6}
"""


def test_crypto_load_on_postgresql_loads_into_the_loading_file_and_publishes_it(
    split: tuple[Any, ...], tmp_path: Path
) -> None:
    try:
        url = fresh_schema_url(postgres_url())
    except EngineMissing as missing:
        unavailable(str(missing))
    home = _loading_file(Path(split[0]), tmp_path / "home")
    pack = tmp_path / "pack.yaml"
    pack.write_text(TAGS, encoding="utf-8")
    db = f"{url}&home={home}"
    try:
        assert command_json("crypto-load", str(pack), "--agency", "AG-PER-FIU", "--json", "--db", db)["tags"] == 2
        found = {}
        for name, where in (("file", str(home)), ("engine", db)):
            with open_warehouse(where, read_only=True) as wh:
                tags = wh.table(PACK_TABLE)
                found[name] = sorted(tags.select("address", "category", "_agency_id").to_pyarrow().to_pylist(),
                                     key=lambda row: row["address"])
        assert [row["category"] for row in found["engine"]] == ["exchange", "mixer"]
        assert found["engine"] == found["file"]
    finally:
        drop_schema(PostgresAddress.parse(url))
