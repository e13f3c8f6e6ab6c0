"""What the mapping's faster paths must keep: the made ids as documented, each line's own values, duplicates
across exports, and the fast reader's judgement of whether a file's cells need trimming, wherever its scan
chunks happen to end."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from baliza.access.fieldcrypt import ids_key_for
from baliza.load import load_datasets, readers
from baliza.load.mapping import parse_mapping, read_through_mapping
from baliza.load.mapping import per_value as per_value_module
from baliza.load.mapping.cells import ExportColumns
from baliza.load.mapping.expressions import projection_sql
from baliza.load.mapping.per_value import PerValue, ValueRule
from baliza.load.mapping.stage import mapped_id_key
from baliza.warehouse import open_warehouse
from police_export import write_reference

SPACES = " \t\n\r\u00a0\ufeff"
AWKWARD = {
    "mapping": "awkward",
    "not_data": [{"column": "Fecha", "matches": "^total", "reason": "a total line"}],
    "tables": {"seizures": {
        "seizure_id": {"hash": ["Fecha", "Lugar", "Droga", "Gramos"], "prefix": "AW-"},
        "unit_id": {"constant": "U-AMAZONAS"},
        "seized_at": {"from": "Fecha", "date": "%d/%m/%Y"},
        "substance": "Droga",
        "substance_group": {"from": "Droga", "vocabulary": "drogas"},
        "quantity": "Gramos",
        "quantity_unit": {"constant": "g"},
    }},
    "vocabularies": {"drogas": {"values": {"Cocaína": "cocaine_type", "marihuana": "cannabis_type"}}},
}
# Accents, empty and blank cells, separators inside cells (commas, quotes, the unit separator the ids join
# fields with, a line break), whitespace around cells, and identical lines (numbered 1, 2, 3).
LINES = [
    ["Fecha", "Lugar", "Droga", "Gramos"],
    ["01/02/2024", "Bogotá D.C.", "Cocaína", "12"],
    ["01/02/2024", "", "Cocaína", "12"],
    ["01/02/2024", "   ", "Cocaína", "12"],
    ["01/02/2024", "San Andrés, Providencia", "marihuana", "7"],
    ["01/02/2024", 'El "Cerrito"', "marihuana", "7"],
    ["01/02/2024", "a\x1fb", "marihuana", "7"],
    ["01/02/2024", "a\x1f", "marihuana", "7"],
    ["01/02/2024", "Línea\nrota", "marihuana", "7"],
    ["  02/02/2024 ", "\u00a0Nariño\t", " Cocaína ", "1"],
    ["02/02/2024", "Nariño", "Cocaína", "1"],
    ["02/02/2024", "Nariño", "Cocaína", "1"],
    ["03/02/2024", "Ñ", "Cocaína", "3"],
    ["TOTAL", "", "", "59"],
]


def _csv(rows: list[list[str]]) -> str:
    def cell(value: str) -> str:
        return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n') else value
    return "".join(",".join(cell(v) for v in row) + "\n" for row in rows)


def expected_ids(key: str, prefix: str, rows: list[list[str]]) -> list[str]:
    """The made ids as documented, computed here in Python: the prefix and the first 20 hex characters of
    SHA-256(key, unit separator, the line's trimmed fields joined by unit separators (empty for a missing
    one), unit separator, its occurrence among identical lines)."""
    seen: dict[str, int] = {}
    ids = []
    for row in rows:
        fields = "\x1f".join(v.strip(SPACES) for v in row)
        seen[fields] = seen.get(fields, 0) + 1
        text = f"{key}\x1f{fields}\x1f{seen[fields]}"
        ids.append(prefix + hashlib.sha256(text.encode("utf-8")).hexdigest()[:20])
    return ids


@pytest.fixture(scope="module")
def awkward_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("awkward") / "export" / "awkward.csv"
    path.parent.mkdir()
    path.write_text(_csv(LINES), encoding="utf-8")
    return path


def test_made_ids_are_the_documented_keyed_hash_on_awkward_lines(awkward_export: Path) -> None:
    read = read_through_mapping([awkward_export], parse_mapping(AWKWARD), "seizures", id_key="a key").to_pylist()
    data = [row for row in read if row["_problem"] is None]
    assert [row["_line"] for row in data] == [2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14]  # a quoted line break
    assert [row["seizure_id"] for row in data] == expected_ids("a key", "AW-", LINES[1:-1])
    assert len({row["seizure_id"] for row in data}) == len(data)  # identical lines numbered apart


def test_a_load_keys_made_ids_with_the_warehouse_secret(awkward_export: Path, tmp_path: Path) -> None:
    mapping = parse_mapping(AWKWARD)
    with open_warehouse(tmp_path / "w.duckdb") as warehouse:
        load_datasets(warehouse, [write_reference(tmp_path / "reference")])
        report = load_datasets(warehouse, [awkward_export], agency="AG-CO-POLICE", mapping=mapping)
        stored = warehouse.duckdb.execute("SELECT seizure_id FROM seizures ORDER BY _source_line").fetchall()
        key = mapped_id_key(ids_key_for(warehouse.home), mapping)
    assert report.tables["seizures"].quarantined == 1  # the TOTAL line
    assert [s for (s,) in stored] == list(dict.fromkeys(expected_ids(key, "AW-", LINES[1:-1])))


@pytest.mark.parametrize(("text", "clean"), [
    ("a,b\n12:00 AM,x y\n" * 3, True),        # spaces inside cells only
    ("a,b\n12:00 AM ,x\n" * 3, False),        # a cell ending with a space
    ("a,b\n12:00 AM, x\n" * 3, False),        # a cell starting with one
    ("a,b\nx,y \n", False),                   # at the end of a line
    ("a,b\nx,y ", False),                     # at the end of the file
    (" a,b\nx,y\n", False),                   # at its start
    ("\ufeffa,b\nx,y\n", True),               # a byte order mark is not a space in a cell
])
def test_whether_cells_need_trimming_does_not_depend_on_where_scan_chunks_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, clean: bool
) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(text.encode("utf-8"))
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    for chunk in range(3, len(path.read_bytes()) + 2):  # every place a chunk can end (past a BOM)
        monkeypatch.setattr(readers, "_SCAN_CHUNK", chunk)
        assert readers._count_lines(path) == (lines, False, clean), chunk


JUDGED = {
    "mapping": "judged",
    "not_data": [{"column": "Fecha", "matches": "^total", "reason": "a total line"},
                 {"column": "Fecha", "matches": "^fuente", "reason": "a note"}],
    "tables": {"seizures": {
        "seizure_id": {"template": "J-{Número}"},
        "unit_id": {"constant": "U-AMAZONAS"},
        "seized_at": {"from": "Fecha", "date": "%Y-%m-%d"},
        "substance": "Droga",
        "substance_group": {"constant": "cocaine_type"},
        "quantity": "Gramos",
        "quantity_unit": {"constant": "g"},
    }},
}


def test_lines_that_are_not_data_are_told_apart_alike_per_combination_and_per_line(tmp_path: Path) -> None:
    path = tmp_path / "judged.csv"
    path.write_text(_csv([
        ["Número", "Fecha", "Droga", "Gramos"],
        ["1", "2024-02-01", "Cocaína", "12"],
        ["2", "TOTAL", "", "12"],
        ["3", "\u00a0Total general ", "", "12"],  # a no-break space before it, as a spreadsheet writes it
        ["4", "2024-02-01", "Cocaína"],  # ragged
        ["5", "Fuente: Policía", "", ""],
        ["6", "totales", "", ""],  # another total, spelled alike: the same combination as line 3's
        ["7", "2024-02-02", "total", "1"],  # the word in another column
    ]), encoding="utf-8")
    # Judged per combination of the cells the date rule groups, or (no rule groups Fecha) line by line.
    rules: dict = {**JUDGED["tables"]["seizures"], "seized_at": "Fecha"}  # type: ignore[dict-item]
    per_line = parse_mapping({**JUDGED, "tables": {"seizures": rules}})
    problems = []
    for mapping in (parse_mapping(JUDGED), per_line):
        rows = read_through_mapping([path], mapping, "seizures").to_pylist()
        problems.append({row["_line"]: row["_problem"] for row in rows})
    assert problems[0] == {
        2: None, 3: "not data: a total line (column Fecha)", 4: "not data: a total line (column Fecha)",
        5: "line 5 has 3 cells but the header has 4", 6: "not data: a note (column Fecha)",
        7: "not data: a total line (column Fecha)", 8: None}
    assert problems[1] == problems[0]
    judged = parse_mapping(JUDGED)
    plan = projection_sql(judged, judged.table_mapping("seizures"),
                          ExportColumns(("Número", "Fecha", "Droga", "Gramos"), "f", "the test"), "cells", "k")
    assert "regexp_matches" not in plan.sql and any("regexp_matches" in s for s in plan.prepare)


def test_lines_get_their_own_combinations_values_even_when_combinations_share_a_hash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE cells AS SELECT * FROM (VALUES ('a', 'x', 1), ('b', NULL, 2), (NULL, 'x', 3), "
                "('a', 'x', 4), ('b', 'y', 5)) t(c0, c1, _line)")
    con.execute("ALTER TABLE cells ADD COLUMN _problem VARCHAR")

    def joined() -> list[tuple]:
        per_value = PerValue("cells")
        value = per_value.add(ValueRule(
            "_bz_values_test", ("c0", "c1"),
            "SELECT c0 AS k0, c1 AS k1, coalesce(c0, '-') || coalesce(c1, '-') AS value, NULL AS original, _n, "
            "_first FROM (SELECT * FROM {groups} WHERE {grouping}) g"))
        prepare, join, _ = per_value.statements()
        for statement in prepare:
            con.execute(statement)
        return con.execute(f"SELECT _line, {value} FROM cells {join} ORDER BY _line").fetchall()

    expected = [(1, "ax"), (2, "b-"), (3, "-x"), (4, "ax"), (5, "by")]
    assert joined() == expected
    monkeypatch.setattr(per_value_module, "combination_hash", lambda cells: "42::UBIGINT")  # every one collides
    assert joined() == expected


def test_a_made_id_in_two_exports_of_one_load_is_still_searched_for_duplicates(tmp_path: Path) -> None:
    """Made ids differ on every line of one export (so its keys are not searched for repeats), not across two:
    the same id made in two exports for different seizures is a duplicate."""
    mapping = parse_mapping({**AWKWARD, "tables": {"seizures": {
        **AWKWARD["tables"]["seizures"], "seizure_id": {"hash": ["Fecha", "Droga", "Gramos"], "prefix": "AW-"},
        "concealment": "Oculto"}}})
    lines = [["Fecha", "Droga", "Gramos", "Oculto"], ["01/02/2024", "Cocaína", "12", "maleta"],
             ["02/02/2024", "marihuana", "7", "maleta"]]
    first, second = tmp_path / "a" / "2024.csv", tmp_path / "b" / "2024.csv"
    for path, hidden in ((first, "maleta"), (second, "doble fondo")):
        path.parent.mkdir()
        path.write_text(_csv([lines[0], *([*row[:3], hidden] for row in lines[1:])]), encoding="utf-8")
    with open_warehouse(tmp_path / "w.duckdb") as warehouse:
        load_datasets(warehouse, [write_reference(tmp_path / "reference")])
        report = load_datasets(warehouse, [first, second], agency="AG-CO-POLICE", mapping=mapping)
        reasons = [r for (r,) in warehouse.duckdb.execute("SELECT reason FROM quarantine").fetchall()]
    assert report.tables["seizures"].accepted == 2
    assert len(reasons) == 2 and all(r.startswith("duplicate seizure_id") for r in reasons), reasons
