"""Conformance to the interchange format (version 0): every dataset that follows the contract loads, whatever the
spelling the contract allows, and the main analyses run on it.

The datasets come from `contract_world` (written from the contract's text, not from Baliza's generator): three
agencies, each with its own folder, whose rows point at one another's (a customs seizure, the police's arrest
on it, the prosecution's case on it). Each style spells the same world differently (CSV or Parquet, CRLF, BOM,
quoting, column order, optional columns absent, extra columns, offsets, the manifest's date format, decimal
mark and time zone); the warehouse must then hold exactly the world's values, and the analyses must give the
same answers as on the plain spelling.
"""

from __future__ import annotations

import csv
import json
import math
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from baliza.access.fieldcrypt import decrypt, is_encrypted, key_for
from baliza.cli.app import app
from baliza.contract import TABLES_BY_NAME, ColumnType
from baliza.load import LoadReport, load_datasets
from baliza.warehouse import open_warehouse
from contract_world import (
    CUSTOMS,
    OWNERS,
    POLICE,
    PROSECUTION,
    Style,
    World,
    add_other_tables,
    build_world,
    vary_enums,
    with_style,
    write_folder,
    write_world,
)

runner = CliRunner()
PLAIN = Style()
STYLES: dict[str, Style] = {
    "crlf_bom_quoted_reversed": Style(line_end="\r\n", bom=True, quote_all=True, column_order="reversed",
                                      final_newline=False),
    "shuffled_extra_columns": Style(column_order="shuffled", extra_columns=True),
    "offsets_and_fractions": Style(offset="-05:00", fraction=".", booleans=("TRUE", "FALSE")),
    "iso_basic_comma_fraction": Style(iso_basic=True, offset="-05:00", fraction=","),
    "day_first_with_offsets": Style(day_first=True, offset="+05:30", decimal_comma=True),
    "compact_offsets_space": Style(offset="+0530", space_separator=True, booleans=("yes", "no"),
                                   countries="alpha2", list_spacing=True),
    "hour_offsets_naive": Style(offset="+05", booleans=("1", "0"), countries="name"),
    "naive_is_utc_no_manifest": Style(offset="naive", manifest="none"),
    "minimal_manifest": Style(manifest="minimal", quote_all=True),
    "manifest_local_day_first_comma": Style(offset="local", timezone="America/Lima", day_first=True,
                                            decimal_comma=True, quote_all=True),
    "manifest_timezone_with_offsets": Style(offset="+01:00", timezone="Asia/Tokyo"),
    "parquet_native": Style(format="parquet", column_order="reversed"),
    "parquet_native_naive": Style(format="parquet", offset="naive", extra_columns=True),
    "parquet_zone_in_column": Style(format="parquet", timezone="America/Lima"),
    "parquet_text": Style(format="parquet", parquet_types="text", offset="-03:00"),
    "parquet_binary_strings": Style(format="parquet", parquet_types="binary"),
    "parquet_from_pandas": Style(format="pandas", column_order="shuffled"),
    "csv_from_pandas": Style(format="pandas_csv"),
    "parquet_under_a_comma_manifest": Style(format="parquet", decimal_comma=True, day_first=True,
                                            timezone="America/Lima"),
    "parquet_text_under_a_comma_manifest": Style(format="parquet", parquet_types="text", decimal_comma=True,
                                                 day_first=True, offset="local", timezone="America/Lima"),
}
# Columns the warehouse keeps sealed (personal data): compared once opened with the warehouse's key, as text.
PERSONAL = {c.name for c in TABLES_BY_NAME["persons"].columns if c.personal}


def _load(db: Path, folders: list[Path], agency: str | None = None) -> LoadReport:
    with open_warehouse(db) as warehouse:
        return load_datasets(warehouse, folders, agency=agency)


def _load_each(db: Path, folders: dict[str, Path], style: Style) -> None:
    """All three folders in one load (their rows point at one another's); the agency named by the manifest,
    else given as `baliza load --agency` would (a load of one folder at a time: see the tests below)."""
    if style.manifest == "full":
        report = _load(db, list(folders.values()))
        _assert_clean(report)
        return
    # Without a manifest naming the agency, each folder is loaded as its agency (`baliza load --agency`), one at a
    # time: the rows waiting for another agency's are quarantined in the first round, loaded in the second.
    for _ in range(2):
        reports = [_load(db, [folder], agency) for agency, folder in folders.items()]
    for report in reports:
        _assert_clean(report)


def _assert_clean(report: LoadReport) -> None:
    quarantined = {t: r.quarantined for t, r in report.tables.items() if r.quarantined}
    assert not quarantined, (quarantined, report.warnings)


def _canonical(kind: ColumnType, value: Any) -> Any:
    if value is None:
        return None
    if kind == ColumnType.DATETIME:
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if kind == ColumnType.DECIMAL:
        return round(float(value), 6)
    if kind == ColumnType.LIST:
        return tuple(value)
    if kind == ColumnType.DATE and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def expected_rows(world: World, table: str, required_only: bool = False) -> list[tuple]:
    spec = TABLES_BY_NAME[table]
    owner = {id(r): agency for agency, tables in world.folders.items() for r in tables.get(table, [])}
    rows = []
    for row in world.rows(table):
        cells = [owner[id(row)]]
        for c in spec.columns:
            value = row.get(c.name) if (c.required or not required_only) else None
            cells.append(_personal(value) if c.name in PERSONAL and table == "persons" else _canonical(c.type, value))
        rows.append(tuple(cells))
    return sorted(rows, key=repr)


def _personal(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def stored_rows(db: Path, table: str) -> list[tuple]:
    spec = TABLES_BY_NAME[table]
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = ", ".join(f'"{c.name}"' for c in spec.columns)
        found = con.execute(f'SELECT _agency_id, {names} FROM main."{table}"').fetchall()
    finally:
        con.close()
    rows = []
    key = key_for(db)
    for row in found:
        cells = [row[0]]
        for c, value in zip(spec.columns, row[1:], strict=True):
            if c.name in PERSONAL and table == "persons":
                assert value is None or is_encrypted(value), (c.name, "stored in clear")
                cells.append(None if value is None else decrypt(key, value))
            else:
                cells.append(_canonical(c.type, value))
        rows.append(tuple(cells))
    return sorted(rows, key=repr)


def _analyses(db: Path, seizures: list[str]) -> dict[str, Any]:
    """What the main analyses answer, as their commands print it in JSON."""
    answers: dict[str, Any] = {}
    commands = {
        "ksi": ["ksi", "--all", "--json", "--period", "quarter"],
        "efficiency": ["efficiency", "--all", "--json"],
        "flags": ["flags", "--all", "--json"],
        **{f"chain {s}": ["chain", s, "--json"] for s in seizures},
    }
    for name, command in commands.items():
        result = runner.invoke(app, [*command, "--db", str(db)])
        assert result.exit_code == 0, (name, result.output, result.exception)
        answers[name] = json.loads(result.stdout)
    return answers


def _report(db: Path, out: Path) -> str:
    result = runner.invoke(app, ["report", "country", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 0, (result.output, result.exception)
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def world() -> World:
    return build_world()


def _plain_answers(root: Path, world: World, style: Style) -> tuple[Path, dict[str, Any]]:
    folders = write_world(root / "data", world, style)
    db = root / "w.duckdb"
    _load_each(db, folders, style)
    return db, _analyses(db, _handed_off(world))


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory, world: World) -> tuple[Path, dict[str, Any]]:
    return _plain_answers(tmp_path_factory.mktemp("plain"), world, PLAIN)


@pytest.fixture(scope="module")
def plain_without_period(tmp_path_factory: pytest.TempPathFactory, world: World) -> tuple[Path, dict[str, Any]]:
    """The plain spelling under manifests that declare no period: the analyses' as-of dates are then the latest
    events (`baliza.analyses.as_of`), so answers are compared with these."""
    return _plain_answers(tmp_path_factory.mktemp("bare"), world, with_style(PLAIN, manifest="minimal"))


def _handed_off(world: World) -> list[str]:
    """Seizures whose chain crosses the three agencies (an arrest by the police, a case by the prosecution),
    and one of the police's own."""
    arrested = {a["seizure_id"] for a in world.rows("arrests")}
    charged = {c["seizure_id"] for c in world.rows("cases")}
    customs = [s["seizure_id"] for s in world.folders[CUSTOMS]["seizures"]]
    police = [s["seizure_id"] for s in world.folders[POLICE]["seizures"]]
    return [s for s in customs if s in arrested and s in charged][:3] + [p for p in police if p in charged][:1]


def test_the_plain_spelling_lands_as_the_world_holds_it(plain, world: World) -> None:
    db, answers = plain
    for table in TABLES_BY_NAME:
        if world.rows(table):
            assert stored_rows(db, table) == expected_rows(world, table), table
    # The analyses count what the world holds (every quantity of this world is in kg).
    counted: dict[str, float] = {}
    weighed: dict[str, float] = {}
    for row in answers["ksi"]:
        if row["indicator"] == "seizures":
            counted[row["unit_id"]] = counted.get(row["unit_id"], 0) + row["value"]
        if row["indicator"] == "quantity_seized_kg":
            weighed[row["unit_id"]] = weighed.get(row["unit_id"], 0) + row["value"]
    units = {s["unit_id"] for s in world.rows("seizures")}
    assert counted == {u: sum(1 for s in world.rows("seizures") if s["unit_id"] == u) for u in units}
    for unit in units:
        kg = sum(s["quantity"] for s in world.rows("seizures") if s["unit_id"] == unit)
        assert math.isclose(weighed[unit], kg, rel_tol=1e-6), unit
    incoming = sum(r["value"] for r in answers["efficiency"] if r["indicator"] == "incoming")
    assert incoming == len(world.rows("cases"))
    for name, answer in answers.items():
        if name.startswith("chain"):
            # the chain crosses the agencies: the customs seizure, the police's arrest, the prosecution's case
            seizure = name.split(" ", 1)[1]
            assert answer["seizure"]["seizure_id"] == seizure
            text = json.dumps(answer, ensure_ascii=False)
            arrests = [a["arrest_id"] for a in world.rows("arrests") if a["seizure_id"] == seizure]
            cases = [c["case_id"] for c in world.rows("cases") if c["seizure_id"] == seizure]
            assert arrests and cases and all(f'"{i}"' in text for i in arrests + cases), (seizure, text[:400])
            holders = {answer["holder"]} | {event["holder"] for event in answer["events"]}
            owner = next(a for a, t in world.folders.items() if any(s["seizure_id"] == seizure
                                                                      for s in t.get("seizures", [])))
            assert holders == {owner, POLICE, PROSECUTION}, holders


@pytest.mark.parametrize("name", list(STYLES))
def test_every_allowed_spelling_lands_the_same_world(
    tmp_path: Path, world: World, request: pytest.FixtureRequest, name: str
) -> None:
    style = STYLES[name]
    folders = write_world(tmp_path / "data", world, style)
    db = tmp_path / "w.duckdb"
    _load_each(db, folders, style)
    for table in TABLES_BY_NAME:
        if world.rows(table):
            assert stored_rows(db, table) == expected_rows(world, table), (name, table)
    reference = request.getfixturevalue("plain" if style.manifest == "full" else "plain_without_period")
    assert _analyses(db, _handed_off(world)) == reference[1]


def test_each_agency_in_its_own_spelling_in_one_load(tmp_path: Path, world: World, plain) -> None:
    """Customs hands day-first CSV with comma decimals in Lima time, the police Parquet, the prosecution CRLF
    with a BOM and offsets: one load of the three lands the same world."""
    styles = {CUSTOMS: STYLES["manifest_local_day_first_comma"], POLICE: STYLES["parquet_native"],
              PROSECUTION: STYLES["crlf_bom_quoted_reversed"]}
    folders = write_world(tmp_path / "data", world, styles)
    db = tmp_path / "w.duckdb"
    _assert_clean(_load(db, [folders[PROSECUTION], folders[CUSTOMS], folders[POLICE]]))
    for table in TABLES_BY_NAME:
        if world.rows(table):
            assert stored_rows(db, table) == expected_rows(world, table), table
    assert _analyses(db, _handed_off(world)) == plain[1]


def test_only_required_columns_and_the_analyses_still_run(tmp_path: Path, world: World) -> None:
    style = Style(required_only=True, column_order="shuffled", manifest="none")
    folders = write_world(tmp_path / "data", world, style)
    db = tmp_path / "w.duckdb"
    _load_each(db, folders, style)
    for table in TABLES_BY_NAME:
        if world.rows(table):
            assert stored_rows(db, table) == expected_rows(world, table, required_only=True), table
    answers = _analyses(db, [s["seizure_id"] for s in world.rows("seizures")][:2])
    assert answers["ksi"] and answers["efficiency"] is not None
    html = _report(db, tmp_path / "r.html")
    assert "Port Control Unit Callao" in html or "PCU/Callao" in html


def test_every_table_and_every_enum_value_loads_and_the_analyses_run(tmp_path: Path) -> None:
    """The world with every table of the contract, and every value of every enum used somewhere (units of
    tablets and plants, every disposition outcome and case event, every selection and outcome)."""
    world = vary_enums(add_other_tables(build_world(seed=11)))
    assert {t for t in TABLES_BY_NAME if not world.rows(t)} == set()
    for style in (PLAIN, Style(format="parquet")):
        folders = write_world(tmp_path / style.format, world, style)
        db = tmp_path / f"{style.format}.duckdb"
        _load_each(db, folders, style)
        for table in TABLES_BY_NAME:
            assert stored_rows(db, table) == expected_rows(world, table), table
        answers = _analyses(db, _handed_off(world))
        assert answers["ksi"] and answers["flags"] is not None
        html = _report(db, tmp_path / f"{style.format}.html")
        assert "Port Control Unit Callao" in html or "PCU/Callao" in html
        # persons' identifying cells appear in no answer and no report
        said = json.dumps(answers, ensure_ascii=False) + html
        for person in world.rows("persons"):
            for column in ("full_name", "id_document"):
                assert not person[column] or person[column] not in said, (person["person_id"], column)


def test_the_country_report_on_the_plain_world_names_its_units(plain, tmp_path: Path) -> None:
    html = _report(plain[0], tmp_path / "r.html")
    assert "Port Control Unit Callao" in html or "PCU/Callao" in html


def test_few_tables_and_header_only_files(tmp_path: Path, world: World) -> None:
    """A customs folder with only its seizures and what they need; every other table a header-only file (CSV with
    and without a final line break, Parquet with no rows)."""
    tables = {t: world.folders[CUSTOMS][t] for t in ("agencies", "entry_points", "units", "seizures")}
    seizures = [dict(s, inspection_id=None, operation_id=None) for s in tables["seizures"]]
    empty = tuple(t for t in TABLES_BY_NAME if t not in tables)
    folder = write_folder(tmp_path / "csv", CUSTOMS, {**tables, "seizures": seizures}, PLAIN, empty_tables=empty)
    (folder / "crypto_io.csv").write_text(",".join(c.name for c in TABLES_BY_NAME["crypto_io"].columns),
                                          encoding="utf-8")
    (folder / "operations.csv").write_bytes(b"\xef\xbb\xbf" + ",".join(
        f'"{c.name}"' for c in TABLES_BY_NAME["operations"].columns).encode() + b"\r\n")
    parquet = write_folder(tmp_path / "pq", CUSTOMS, {}, Style(format="parquet"), empty_tables=("arrests", "cases"))
    db = tmp_path / "w.duckdb"
    report = _load(db, [folder, parquet])
    _assert_clean(report)
    assert report.tables["seizures"].accepted == len(seizures)
    assert stored_rows(db, "seizures") == sorted(
        expected_rows(World({CUSTOMS: {"seizures": seizures}}), "seizures"), key=repr)
    answers = _analyses(db, [seizures[0]["seizure_id"]])
    assert answers["chain " + seizures[0]["seizure_id"]]["seizure"]["seizure_id"] == seizures[0]["seizure_id"]
    _report(db, tmp_path / "r.html")


def test_each_agency_loads_its_own_folder_in_any_order_and_reloads_change_nothing(
    tmp_path: Path, world: World, plain
) -> None:
    """The prosecution first (its cases point at seizures nobody loaded yet: quarantined, not lost), then the
    police, then customs; a second round resolves everything, and a third changes nothing."""
    folders = write_world(tmp_path / "data", world, PLAIN)
    db = tmp_path / "w.duckdb"
    first = _load(db, [folders[PROSECUTION]])
    assert first.tables["cases"].quarantined == len(world.rows("cases"))
    con = duckdb.connect(str(db), read_only=True)
    reasons = con.execute("SELECT source_file, line, column_name, reason FROM quarantine WHERE table_name = 'cases' "
                          "ORDER BY line LIMIT 1").fetchone()
    con.close()
    assert reasons[0].endswith("cases.csv") and reasons[1] == 2 and reasons[2] == "seizure_id"
    assert "not in seizures" in reasons[3]
    for agency in (POLICE, CUSTOMS, PROSECUTION, POLICE, CUSTOMS):
        _load(db, [folders[agency]])
    for table in TABLES_BY_NAME:
        if world.rows(table):
            assert stored_rows(db, table) == expected_rows(world, table), table
    again = [_load(db, [folders[a]]) for a in OWNERS]
    for report in again:
        _assert_clean(report)
        assert all(t.inserted == 0 and t.replaced == 0 for t in report.tables.values()), report.to_dict()
    assert _analyses(db, _handed_off(world)) == plain[1]


def test_the_same_world_in_another_spelling_changes_nothing(tmp_path: Path, world: World) -> None:
    """An agency that re-exports the same rows another way (Parquet instead of CSV, day-first dates in local
    time, comma decimals) adds nothing and replaces nothing."""
    db = tmp_path / "w.duckdb"
    _assert_clean(_load(db, list(write_world(tmp_path / "plain", world, PLAIN).values())))
    for name, style in STYLES.items():
        if style.manifest != "full":
            continue
        report = _load(db, list(write_world(tmp_path / name, world, style).values()))
        _assert_clean(report)
        changed = {t: (r.inserted, r.replaced) for t, r in report.tables.items() if r.inserted or r.replaced}
        assert not changed, (name, changed)


def test_a_newer_version_of_a_row_replaces_it_and_keeps_the_old_one(tmp_path: Path, world: World) -> None:
    folders = write_world(tmp_path / "data", world, PLAIN)
    db = tmp_path / "w.duckdb"
    _load(db, list(folders.values()))
    changed = [dict(s) for s in world.folders[CUSTOMS]["seizures"]]
    changed[0]["quantity"] = changed[0]["quantity"] + 1
    write_folder(folders[CUSTOMS], CUSTOMS, {"seizures": changed}, PLAIN)
    report = _load(db, [folders[CUSTOMS]])
    assert report.tables["seizures"].replaced == 1 and report.tables["seizures"].unchanged == len(changed) - 1
    con = duckdb.connect(str(db), read_only=True)
    history = con.execute("SELECT quantity FROM seizures__history WHERE seizure_id = ?",
                          [changed[0]["seizure_id"]]).fetchall()
    now = con.execute("SELECT quantity FROM seizures WHERE seizure_id = ?", [changed[0]["seizure_id"]]).fetchall()
    con.close()
    assert math.isclose(history[0][0], changed[0]["quantity"] - 1) and math.isclose(now[0][0], changed[0]["quantity"])


def test_every_agency_may_send_the_directory_in_the_same_load(tmp_path: Path, world: World) -> None:
    """Each folder carries the whole directory of agencies and the customs units (identical rows): loaded together
    as loaded one after the other, the copies are unchanged, not refused as duplicates; a different version
    is still refused, naming the first."""
    agencies, units = world.rows("agencies"), world.folders[CUSTOMS]["units"]
    folders = {}
    for i, agency in enumerate(OWNERS):
        tables = {**world.folders[agency], "agencies": [dict(a) for a in agencies]}
        if agency != CUSTOMS:
            tables["units"] = [dict(u) for u in units] + tables["units"]
        folders[agency] = write_folder(tmp_path / f"agency_{i}", agency, tables, PLAIN)
    together = _load(tmp_path / "together.duckdb", list(folders.values()))
    _assert_clean(together)
    one_by_one = tmp_path / "one_by_one.duckdb"
    for _ in range(2):
        reports = [_load(one_by_one, [folders[a]]) for a in OWNERS]
    copies = {"agencies": (len(OWNERS) - 1) * len(agencies), "units": (len(OWNERS) - 1) * len(units)}
    for table in ("agencies", "units"):
        assert together.tables[table].unchanged == copies[table]
        assert stored_rows(tmp_path / "together.duckdb", table) == stored_rows(one_by_one, table), table
    assert all(r.tables["agencies"].quarantined == 0 for r in reports)
    other = dict(agencies[0], name="Aduanas, otro nombre")
    write_folder(folders[POLICE], POLICE, {"agencies": [other, *agencies[1:]]}, PLAIN)
    again = _load(tmp_path / "again.duckdb", list(folders.values()))
    assert again.tables["agencies"].quarantined == 1 and again.tables["agencies"].unchanged == len(agencies) * 2 - 1


def test_a_planned_operation_and_training_may_start_after_the_load(tmp_path: Path) -> None:
    """The contract forbids no future date; a planned joint operation or training starts after the day it is
    reported. A seizure dated after the load is still refused (a typing slip, not a plan)."""
    ahead = date.today() + timedelta(days=60)
    later = ahead + timedelta(days=30)
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "agencies.csv").write_text("agency_id,name,country,kind\nA,a,PER,customs\n", encoding="utf-8")
    (folder / "units.csv").write_text("unit_id,agency_id,name,kind\nU,A,u,other\n", encoding="utf-8")
    (folder / "operations.csv").write_text(f"operation_id,name,starts_on,ends_on,unit_ids\nO,o,{ahead},{later},U\n",
                                           encoding="utf-8")
    (folder / "trainings.csv").write_text(f"training_id,unit_id,kind,topic,starts_on,ends_on\n"
                                          f"T,U,training,profiling,{ahead},{later}\n", encoding="utf-8")
    (folder / "seizures.csv").write_text(
        "seizure_id,unit_id,seized_at,substance,substance_group,quantity,quantity_unit\n"
        f"S,U,{later}T10:00:00Z,heroin,opiates,1,kg\n", encoding="utf-8")
    report = _load(tmp_path / "w.duckdb", [folder])
    assert report.tables["operations"].accepted == report.tables["trainings"].accepted == 1
    assert report.tables["seizures"].quarantined == 1


def test_a_whole_number_written_with_a_fraction_of_zeros_is_read_and_recorded(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "agencies.csv").write_text("agency_id,name,country,kind\nA,a,PER,customs\n", encoding="utf-8")
    (folder / "units.csv").write_text("unit_id,agency_id,name,kind,staff_count\nU1,A,u,other,14.0\n"
                                      "U2,A,u,other,7.00\nU3,A,u,other,7\nU4,A,u,other,7.5\n", encoding="utf-8")
    db = tmp_path / "w.duckdb"
    report = _load(db, [folder])
    assert report.tables["units"].quarantined == 1 and report.tables["units"].normalised == 2
    con = duckdb.connect(str(db), read_only=True)
    stored = dict(con.execute("SELECT unit_id, staff_count FROM units").fetchall())
    rules = con.execute("SELECT original, normalised, rule FROM normalisations ORDER BY 1").fetchall()
    con.close()
    assert stored == {"U1": 14, "U2": 7, "U3": 7}
    assert rules == [("14.0", "14", "whole_number"), ("7.00", "7", "whole_number")]


# --- data that breaks the contract -------------------------------------------------------------------------


def test_rows_that_break_the_contract_are_quarantined_by_file_line_and_column(tmp_path: Path, world: World) -> None:
    """Broken rows among good ones, in a CRLF file whose earlier cells hold line breaks: each is quarantined with
    its file, physical line and column; every other row loads."""
    seizures = [dict(s) for s in world.folders[CUSTOMS]["seizures"]]
    for seizure in seizures[::3]:
        seizure["concealment"] = "doble fondo,\r\nen el contenedor \"reefer\"\nsellado"
    bad = {
        2: ("quantity", "12 kilos"),
        4: ("seized_at", "yesterday"),
        5: ("substance_group", "coca leaves?"),
        7: ("unit_id", "NO-SUCH-UNIT"),
        8: ("seizure_id", seizures[0]["seizure_id"]),
        11: ("quantity_unit", ""),
    }
    consignments = [dict(c, traveller_id=None) for c in world.folders[CUSTOMS]["consignments"]]  # police's people
    folder = write_folder(tmp_path / "d", CUSTOMS,
                          {**world.folders[CUSTOMS], "seizures": seizures, "consignments": consignments},
                          Style(line_end="\r\n", quote_all=True))
    path = folder / "seizures.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        header, *records = list(csv.reader(handle))
    expected, line = set(), 2
    for index, record in enumerate(records):
        if index in bad:
            column, value = bad[index]
            record[header.index(column)] = value
            expected.add((line, column))
        line += 1 + sum(cell.count("\n") for cell in record)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n", quoting=csv.QUOTE_ALL).writerows([header, *records])
    db = tmp_path / "w.duckdb"
    report = _load(db, [folder])
    assert report.tables["seizures"].rows == len(seizures)
    assert report.tables["seizures"].quarantined == len(bad)
    assert report.tables["seizures"].accepted == len(seizures) - len(bad)
    con = duckdb.connect(str(db), read_only=True)
    found = con.execute("SELECT source_file, line, column_name, reason, raw FROM quarantine "
                        "WHERE table_name = 'seizures'").fetchall()
    con.close()
    assert {(line, column) for _, line, column, _, _ in found} == expected
    assert all(f.endswith("seizures.csv") and reason for f, _, _, reason, _ in found)
    # nothing is lost: the quarantined row keeps its cells
    kept = {json.loads(raw)["seizure_id"] for *_, raw in found}
    assert kept == {records[i][header.index("seizure_id")] for i in bad}


def test_a_required_column_missing_from_a_file_quarantines_its_rows_and_keeps_them(
    tmp_path: Path, world: World
) -> None:
    seizures = world.folders[CUSTOMS]["seizures"]
    consignments = [dict(c, traveller_id=None) for c in world.folders[CUSTOMS]["consignments"]]
    folder = write_folder(tmp_path / "d", CUSTOMS, {**world.folders[CUSTOMS], "consignments": consignments},
                          Style(format="parquet"))
    frame = pq.read_table(folder / "seizures.parquet")
    pq.write_table(frame.drop_columns(["quantity_unit"]), folder / "seizures.parquet")
    db = tmp_path / "w.duckdb"
    report = _load(db, [folder])
    assert report.tables["seizures"].rows == report.tables["seizures"].quarantined == len(seizures)
    assert report.tables["inspections"].quarantined == 0
    con = duckdb.connect(str(db), read_only=True)
    found = con.execute("SELECT line, column_name, reason, raw FROM quarantine WHERE table_name = 'seizures' "
                        "ORDER BY line").fetchall()
    con.close()
    assert [line for line, *_ in found] == list(range(1, len(seizures) + 1))  # Parquet: row numbers
    assert all(column == "quantity_unit" and "missing from the file" in reason for _, column, reason, _ in found)
    assert [json.loads(raw)["seizure_id"] for *_, raw in found] == [s["seizure_id"] for s in seizures]


@pytest.mark.parametrize("text", [
    'contract_version: "0"\n',
    "contract_version: 0\nperiod:\n  from: 2026-01-01\n  to: 2026-03-31\n",
    'contract_version: 0\nperiod: {from: "2026-01-01", to: "2026-03-31"}\n',
    'contract_version: 0\ndate_format: YYYY-MM-DD\ndecimal_mark: "."\ntimezone: UTC\n',
    "\ufeffcontract_version: 0\r\nreported_by: AG-1\r\ndataset: 2026\r\n",
    "contract_version: 0\ncontact: someone@example.org  # a key of the agency's own\n",
    "",
])
def test_manifests_with_any_of_the_optional_fields(tmp_path: Path, text: str) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "manifest.yaml").write_text(text, encoding="utf-8")
    (folder / "agencies.csv").write_text("agency_id,name,country,kind\nAG-1,a,PER,customs\n", encoding="utf-8")
    report = _load(tmp_path / "w.duckdb", [folder])
    assert report.tables["agencies"].accepted == 1


def test_a_file_that_cannot_be_read_fails_by_name_and_loads_nothing(tmp_path: Path, world: World) -> None:
    folders = write_world(tmp_path / "data", world, PLAIN)
    db = tmp_path / "w.duckdb"
    _load(db, [folders[CUSTOMS]])
    before = stored_rows(db, "seizures")
    broken = folders[POLICE] / "arrests.csv"
    broken.write_bytes(broken.read_bytes().replace(b"AR 1,", "AR 1 \xe9,".encode("latin-1")))
    result = runner.invoke(app, ["load", str(folders[POLICE]), "--db", str(db)])
    assert result.exit_code != 0
    assert "arrests.csv" in "".join(result.output.split()) and "UTF-8" in result.output
    assert stored_rows(db, "seizures") == before
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM arrests").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM persons").fetchone()[0] == 0
    con.close()
    truncated = folders[CUSTOMS] / "units.parquet"
    write_folder(tmp_path / "pq", CUSTOMS, {"units": world.folders[CUSTOMS]["units"]}, Style(format="parquet"))
    truncated.write_bytes((tmp_path / "pq" / "units.parquet").read_bytes()[:-40])
    result = runner.invoke(app, ["load", str(folders[CUSTOMS]), "--db", str(db)])
    assert result.exit_code != 0 and "units.parquet" in "".join(result.output.split())
    assert stored_rows(db, "seizures") == before


def test_a_datetime_with_its_offset_is_the_same_instant_in_utc(tmp_path: Path) -> None:
    """The contract's datetimes: with an offset or Z; naive = UTC (or the manifest's time zone)."""
    instants = {
        "S-Z": "2025-03-01T14:30:00Z",
        "S-offset": "2025-03-01T09:30:00-05:00",
        "S-compact": "2025-03-01T20:00:00+0530",
        "S-hours": "2025-03-01T19:30:00+05",
        "S-fraction": "2025-03-01T14:30:00.000Z",
        "S-naive": "2025-03-01T14:30:00",
        "S-space": "2025-03-01 14:30:00",
        "S-minutes": "2025-03-01T14:30Z",
        "S-basic": "20250301T143000Z",
        "S-basic-offset": "20250301T093000-0500",
        "S-basic-minutes": "20250301T1430Z",
        "S-comma": "2025-03-01T14:30:00,000Z",
        "S-lower": "2025-03-01t14:30:00z",
    }
    stored = _stored_instants(tmp_path, instants)
    assert set(stored.values()) == {datetime(2025, 3, 1, 14, 30)}, stored
    assert len(stored) == len(instants)


def _stored_instants(tmp_path: Path, instants: dict[str, str], manifest: str | None = None) -> dict[str, datetime]:
    """Each seizure's `seized_at` as stored (UTC), loaded from `instants` (seizure id: datetime as written)."""
    folder = tmp_path / "d"
    folder.mkdir()
    if manifest is not None:
        (folder / "manifest.yaml").write_text(manifest)
    (folder / "units.csv").write_text("unit_id,agency_id,name,kind\nU,A,u,other\n", encoding="utf-8")
    (folder / "agencies.csv").write_text("agency_id,name,country,kind\nA,a,PER,customs\n", encoding="utf-8")
    (folder / "seizures.csv").write_text(
        "seizure_id,unit_id,seized_at,substance,substance_group,quantity,quantity_unit\n"
        + "".join(f'{k},U,"{v}",heroin,opiates,1,kg\n' for k, v in instants.items()), encoding="utf-8")
    db = tmp_path / "w.duckdb"
    _assert_clean(_load(db, [folder]))
    con = duckdb.connect(str(db), read_only=True)
    stored = dict(con.execute("SELECT seizure_id, seized_at FROM seizures").fetchall())
    con.close()
    return stored


def test_a_day_first_datetime_keeps_its_offset(tmp_path: Path) -> None:
    """`date_format: DD/MM/YYYY` changes how the date is written, not what an offset means."""
    instants = {"S-Z": "01/03/2025 14:30:00Z", "S-offset": "01/03/2025 09:30:00-05:00",
                "S-minutes": "1/3/2025 20:00+0530", "S-local": "01/03/2025 23:30"}
    stored = _stored_instants(tmp_path, instants,
                              manifest="contract_version: 0\ndate_format: DD/MM/YYYY\ntimezone: Asia/Tokyo\n")
    assert set(stored.values()) == {datetime(2025, 3, 1, 14, 30)} and len(stored) == len(instants), stored
