"""The contract reads Spanish and Portuguese spellings of its vocabularies, and the load report says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from baliza.contract.normalise import DISPOSITION_OUTCOMES, vocabulary_spellings
from baliza.contract.tables import TABLES
from baliza.warehouse import Warehouse, open_warehouse
from load_fixtures import load, with_changes, write_dataset


@pytest.fixture
def wh(tmp_path: Path):
    with open_warehouse(tmp_path / "w.duckdb") as warehouse:
        yield warehouse


def test_every_spelling_names_a_code_of_its_vocabulary() -> None:
    columns = [c for t in TABLES for c in t.columns if c.values]
    outcomes = next(c for t in TABLES if t.name == "dispositions" for c in t.columns if c.name == "outcome")
    assert frozenset(outcomes.values) == DISPOSITION_OUTCOMES  # the spellings follow the contract
    for column in columns:
        assert set(vocabulary_spellings(column.values).values()) <= set(column.values), column.name


def test_spanish_and_portuguese_spellings_are_understood_and_reported(wh: Warehouse, tmp_path: Path) -> None:
    seizures = (
        "seizure_id,unit_id,seized_at,substance,substance_group,quantity,quantity_unit\n"
        "S1,U1,2025-01-02T10:00:00Z,cocaine,Cocaína,120.5,Kilos\n"
        "S2,U1,2025-02-03T08:30:00Z,cocaine,cocaina,3,quilos\n"
        "S3,U1,2025-03-04T12:00:00Z,cannabis,Maconha,8,gramos\n"
        "S4,U1,2025-03-05T12:00:00Z,cannabis,marihuana,2,kg\n"
        "S5,U1,2025-03-06T12:00:00Z,mdma,Éxtasis,40,pastillas\n"
        "S6,U1,2025-03-07T12:00:00Z,cocaine,pasta básica de cocaína,1,kg\n"
        "S7,U1,2025-03-08T12:00:00Z,cocaine,polvo mágico,1,kg\n"
    )
    report = load(wh, write_dataset(tmp_path / "d", with_changes(seizures=seizures)))
    rows = dict(wh.duckdb.execute(
        "SELECT seizure_id, substance_group || '/' || quantity_unit FROM seizures").fetchall())
    assert rows == {"S1": "cocaine_type/kg", "S2": "cocaine_type/kg", "S3": "cannabis_type/g",
                    "S4": "cannabis_type/kg", "S5": "ats/tablets", "S6": "cocaine_type/kg"}
    table = report.tables["seizures"]
    assert table.quarantined == 1  # an unknown name is still refused, not guessed
    assert table.spellings["substance_group: Cocaína → cocaine_type"] == 1
    assert table.spellings["quantity_unit: quilos → kg"] == 1
    assert table.spellings["substance_group: Maconha → cannabis_type"] == 1
    assert "spellings" in report.to_dict()["tables"]["seizures"]


def test_outcomes_in_spanish_are_read_as_the_contracts_codes() -> None:
    spellings = vocabulary_spellings(tuple(sorted(DISPOSITION_OUTCOMES)))
    assert spellings["sobreseído"] == spellings["sobreseido"] == "dismissed"
    assert spellings["prescrito"] == "statute_barred" and spellings["absolvido"] == "acquitted"
