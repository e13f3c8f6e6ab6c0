"""A police force's own seizure export, loaded through a mapping suggested by Baliza and edited by a person."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from baliza.cli.app import app
from baliza.load import load_datasets
from baliza.load.mapping import MappingError, parse_mapping
from baliza.load.mapping.suggest import suggest_mapping
from baliza.warehouse import open_warehouse
from police_export import PLACES, write_police_export, write_reference

ROWS = 4000


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    folder = tmp_path_factory.mktemp("police")
    expected = write_police_export(folder / "export" / "incautaciones_2018.csv", ROWS)
    return folder, expected


def edited(suggested: dict) -> dict:
    """What a person does with the suggestion: says which unit reports each department and which entry point
    each place holds (as the suggestion lists them), and nothing else."""
    mapping = yaml.safe_load(yaml.safe_dump(suggested))
    rules = mapping["tables"]["seizures"]
    rules["unit_id"] = {"from": "DEPARTAMENTO", "lookup": "commands"}
    mapping["lookups"]["commands"] = {"values": {d: unit for departments, _, _, unit, _ in PLACES for d in departments}}
    places = mapping["lookups"]["places"]["values"]
    for spelled in places:
        places[spelled] = next((ep for _, municipalities, _, _, ep in PLACES if spelled in municipalities), None)
    return mapping


def test_suggest_maps_date_place_substance_and_quantity_unaided(export: tuple[Path, list]) -> None:
    folder, _ = export
    suggestion = suggest_mapping([folder / "export" / "incautaciones_2018.csv"], "police")
    assert suggestion.table == "seizures"
    assert suggestion.matched["seized_at"] == "FECHA"
    assert suggestion.matched["entry_point_id"] == "MUNICIPIO"
    assert suggestion.matched["substance"] == "CLASE DE ESTUPEFACIENTE"
    assert suggestion.matched["quantity"] == "CANTIDAD"
    assert suggestion.matched["quantity_unit"] == "UNIDAD DE MEDIDA"
    rules = suggestion.mapping["tables"]["seizures"]
    assert rules["seized_at"]["date"] == "%m/%d/%Y %I:%M:%S %p"
    assert "hash" in rules["seizure_id"]  # the export has no ids
    substances = suggestion.mapping["vocabularies"]["substance_group"]["values"]
    assert substances == {"BASE DE COCA": "cocaine_type", "BASUCO": "cocaine_type", "COCAINA": "cocaine_type",
                          "MARIHUANA": "cannabis_type", "HEROINA": "opiates"}
    # One entry per place however it is spelled (accents, a (CT) suffix), each left for a person to decide.
    places = suggestion.mapping["lookups"]["places"]["values"]
    assert len(places) == sum(len({m.replace(" (CT)", "").upper().replace("Á", "A") for m in ms})
                              for _, ms, *_ in PLACES)
    assert set(places.values()) == {None}
    assert any("unit_id" in item for item in suggestion.undecided)
    assert suggestion.mapping["not_data"][0]["column"] == "FECHA"


def test_suggested_then_edited_mapping_loads_every_seizure(export: tuple[Path, list], tmp_path: Path) -> None:
    folder, expected = export
    suggestion = suggest_mapping([folder / "export" / "incautaciones_2018.csv"], "police")
    mapping = parse_mapping(edited(suggestion.mapping))
    with open_warehouse(tmp_path / "w.duckdb") as warehouse:
        load_datasets(warehouse, [write_reference(tmp_path / "reference")])
        report = load_datasets(warehouse, [folder / "export"], agency="AG-CO-POLICE", mapping=mapping)
        stored = warehouse.duckdb.execute(
            "SELECT _source_line, substance_group, quantity, quantity_unit, unit_id, entry_point_id, "
            "strftime(seized_at AT TIME ZONE 'UTC', '%Y-%m-%d'), _source_file FROM seizures ORDER BY _source_line"
        ).fetchall()
        quarantined = warehouse.duckdb.execute(
            "SELECT source_file, line, column_name, reason, raw FROM quarantine").fetchall()
        load_row = warehouse.duckdb.execute("SELECT dataset, status FROM loads WHERE load_id = ?",
                                            [report.load_id]).fetchall()
    assert report.tables["seizures"].rows == ROWS + 1
    assert report.tables["seizures"].accepted == ROWS
    assert [(s[0], s[1], s[2], s[3], s[4], s[5], s[6]) for s in stored] == [
        (e.line, e.substance_group, float(e.grams), "g", e.unit_id, e.entry_point_id, e.seized_on.isoformat())
        for e in expected
    ]
    assert {s[7] for s in stored} == {str(folder / "export" / "incautaciones_2018.csv")}
    [(file, line, column, reason, raw)] = quarantined
    assert (file, line, column) == (str(folder / "export" / "incautaciones_2018.csv"), ROWS + 2, "FECHA")
    assert "total" in reason.lower()
    assert yaml.safe_load(raw)["CANTIDAD"] == str(sum(e.grams for e in expected))
    assert load_row == [("police (mapping version 1)", "committed")]


def test_made_ids_are_stable_across_reloads_and_identical_lines_stay_distinct(tmp_path: Path) -> None:
    export = tmp_path / "export" / "2018.csv"
    expected = write_police_export(export, 300, seed=3)
    text = export.read_text(encoding="utf-8").splitlines()
    export.write_text("\n".join([*text[:-1], text[1], text[-1]]) + "\n", encoding="utf-8")  # one line twice
    mapping = parse_mapping(edited(suggest_mapping([export], "police").mapping))
    with open_warehouse(tmp_path / "w.duckdb") as warehouse:
        load_datasets(warehouse, [write_reference(tmp_path / "reference")])
        first = load_datasets(warehouse, [export.parent], agency="AG-CO-POLICE", mapping=mapping)
        ids = warehouse.duckdb.execute("SELECT _source_line, seizure_id FROM seizures ORDER BY 1").fetchall()
        again = load_datasets(warehouse, [export.parent], agency="AG-CO-POLICE", mapping=mapping)
        ids_again = warehouse.duckdb.execute("SELECT _source_line, seizure_id FROM seizures ORDER BY 1").fetchall()
    assert first.tables["seizures"].accepted == len(expected) + 1  # the repeated line is a second seizure
    assert len({i for _, i in ids}) == len(expected) + 1
    assert ids_again == ids
    assert again.tables["seizures"].unchanged == len(expected) + 1 and again.tables["seizures"].inserted == 0


def test_an_unknown_substance_is_quarantined_naming_it(tmp_path: Path) -> None:
    export = tmp_path / "export" / "2018.csv"
    write_police_export(export, 50, seed=5)
    lines = export.read_text(encoding="utf-8").splitlines()
    lines[10] = lines[10].replace(lines[10].split(",")[4], "POLVO BLANCO")
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    mapping = parse_mapping(edited(suggest_mapping([export], "police").mapping))
    with open_warehouse(tmp_path / "w.duckdb") as warehouse:
        load_datasets(warehouse, [write_reference(tmp_path / "reference")])
        load_datasets(warehouse, [export.parent], agency="AG-CO-POLICE", mapping=mapping)
        reasons = warehouse.duckdb.execute("SELECT line, column_name, reason FROM quarantine ORDER BY line").fetchall()
    assert reasons[0][:2] == (11, "substance_group")
    assert "POLVO BLANCO" in reasons[0][2]
    assert Counter(r[1] for r in reasons) == {"substance_group": 1, "FECHA": 1}


def test_a_mapping_reading_a_column_the_export_lacks_loads_nothing(tmp_path: Path) -> None:
    export = tmp_path / "export" / "2018.csv"
    write_police_export(export, 50, seed=6)
    broken = edited(suggest_mapping([export], "police").mapping)
    broken["tables"]["seizures"]["quantity"] = "PESO NETO"
    with open_warehouse(tmp_path / "w.duckdb") as warehouse:
        load_datasets(warehouse, [write_reference(tmp_path / "reference")])
        before = warehouse.row_counts()
        with pytest.raises(MappingError, match=r"has no column 'PESO NETO'.*CANTIDAD"):
            load_datasets(warehouse, [export.parent], agency="AG-CO-POLICE", mapping=parse_mapping(broken))
        assert warehouse.row_counts() == before
        assert warehouse.duckdb.execute("SELECT count(*) FROM loads").fetchall()[0][0] == 1


def test_cli_suggest_then_check_then_load(export: tuple[Path, list], tmp_path: Path) -> None:
    folder, expected = export
    runner = CliRunner()
    suggested = tmp_path / "police.yaml"
    result = runner.invoke(app, ["mapping", "suggest", str(folder / "export" / "incautaciones_2018.csv"),
                                 "--name", "police", "--out", str(suggested)])
    assert result.exit_code == 0, result.output
    assert "FECHA" in result.output and "unit_id" in result.output
    suggested.write_text(yaml.safe_dump(edited(yaml.safe_load(suggested.read_text(encoding="utf-8"))),
                                        allow_unicode=True), encoding="utf-8")
    db = tmp_path / "w.duckdb"
    assert runner.invoke(app, ["load", str(write_reference(tmp_path / "reference")), "--db", str(db)]).exit_code == 0
    checked = runner.invoke(app, ["mapping", "check", str(suggested), str(folder / "export"), "--db", str(db),
                                  "--agency", "AG-CO-POLICE", "--json"])
    assert checked.exit_code == 0, checked.output
    figures = yaml.safe_load(checked.output)
    assert figures["tables"]["seizures"]["accepted"] == len(expected)
    assert figures["reasons"][0]["column"] == "FECHA" and figures["reasons"][0]["first_line"] == len(expected) + 2
    with open_warehouse(db) as warehouse:
        assert warehouse.row_counts()["seizures"] == 0  # a check loads nothing
    loaded = runner.invoke(app, ["load", str(folder / "export"), "--mapping", str(suggested), "--db", str(db),
                                 "--agency", "AG-CO-POLICE", "--json"])
    assert loaded.exit_code == 0, loaded.output
    assert yaml.safe_load(loaded.output)["tables"]["seizures"]["accepted"] == len(expected)
