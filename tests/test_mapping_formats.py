"""Mappings on the shapes exports come in: workbooks with title rows, decimal commas, day-first dates,
blank lines, assembled values; and the Korea customs declarations through the shipped `kcs` mapping."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter

from baliza.load import load_datasets
from baliza.load.mapping import MappingError, find_mapping, parse_mapping, read_through_mapping
from baliza.warehouse import open_warehouse
from police_export import write_police_export, write_reference

CUSTOMS = Path(__file__).resolve().parents[2] / "shared" / "data" / "customs-declarations"
BRAZIL = {
    "mapping": "pf-apreensoes",
    "source": {"header_row": 3, "sheet": "Apreensões", "fill_down": ["Unidade"], "timezone": "America/Sao_Paulo"},
    "not_data": [{"column": "Número", "matches": "^fonte", "reason": "a note on the source"}],
    "tables": {"seizures": {
        "seizure_id": {"template": "BR-{Número}"},
        "unit_id": {"from": "Unidade", "lookup": "unidades"},
        "seized_at": {"from": "Data", "date": "%d/%m/%Y"},
        "substance": {"split": {"from": "Droga", "separator": " - ", "part": 1}},
        "substance_group": {"split": {"from": "Droga", "separator": " - ", "part": 1}, "vocabulary": "drogas"},
        "concealment": {"concat": ["Ocultação", "Meio"], "separator": " / "},
        "quantity": {"from": "Quantidade", "decimal_mark": ","},
        "quantity_unit": {"constant": "kg"},
    }},
    "vocabularies": {"drogas": {"values": {"Cocaína": "cocaine_type", "Maconha": "cannabis_type"}}},
    "lookups": {"unidades": {"values": {"Leticia (PF)": "U-AMAZONAS", "Bogotá": "U-BOGOTA"}}},
}


def write_workbook(path: Path) -> None:
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Capa").write(0, 0, "Relatório")
    sheet = book.add_worksheet("Apreensões")
    sheet.merge_range(0, 0, 0, 6, "Apreensões de drogas — 2024")  # a title row, merged across the columns
    rows = [
        ["Número", "Data", "Unidade", "Droga", "Ocultação", "Meio", "Quantidade"],
        ["1", "31/01/2024", "LETICIA", "Cocaína - cloridrato", "fundo falso", "caminhão", "1.234,5"],
        ["2", "01/02/2024", None, "Maconha - prensada", "bagagem", None, "0,75"],  # unit merged down
        [],
        ["3", "13/02/2024", "bogota", "Cocaína", None, None, "12"],
        ["Fonte: Polícia Federal", None, None, None, None, None, None],
    ]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write_string(r, c, value)
    book.close()


def test_a_workbook_with_title_rows_blank_lines_and_decimal_commas(tmp_path: Path) -> None:
    (tmp_path / "export").mkdir()
    write_workbook(tmp_path / "export" / "apreensoes.xlsx")
    with open_warehouse(tmp_path / "w.duckdb") as warehouse:
        load_datasets(warehouse, [write_reference(tmp_path / "reference")])
        report = load_datasets(warehouse, [tmp_path / "export"], agency="AG-CO-POLICE", mapping=parse_mapping(BRAZIL))
        stored = warehouse.duckdb.execute(
            "SELECT seizure_id, unit_id, strftime(seized_at, '%Y-%m-%d %H:%M'), substance, substance_group, quantity, "
            "concealment, _source_line FROM seizures ORDER BY seizure_id").fetchall()
        set_aside = warehouse.duckdb.execute(
            "SELECT line, column_name, reason FROM quarantine ORDER BY line").fetchall()
    assert report.tables["seizures"].rows == 5 and report.tables["seizures"].accepted == 3
    assert stored == [
        ("BR-1", "U-AMAZONAS", "2024-01-31 03:00", "Cocaína", "cocaine_type", 1234.5, "fundo falso / caminhão", 4),
        ("BR-2", "U-AMAZONAS", "2024-02-01 03:00", "Maconha", "cannabis_type", 0.75, "bagagem", 5),
        ("BR-3", "U-BOGOTA", "2024-02-13 03:00", "Cocaína", "cocaine_type", 12.0, None, 7),
    ]
    assert set_aside == [(6, None, "a blank line (not data)"),
                         (8, "Número", "not data: a note on the source (column Número)")]


def test_what_a_mapping_converted_is_counted_and_listed_in_the_normalisations(tmp_path: Path) -> None:
    (tmp_path / "export").mkdir()
    write_workbook(tmp_path / "export" / "apreensoes.xlsx")
    with open_warehouse(tmp_path / "w.duckdb") as warehouse:
        load_datasets(warehouse, [write_reference(tmp_path / "reference")])
        report = load_datasets(warehouse, [tmp_path / "export"], agency="AG-CO-POLICE", mapping=parse_mapping(BRAZIL))
        listed = warehouse.duckdb.execute(
            "SELECT column_name, rule, line, original, normalised, source_file FROM normalisations "
            "WHERE load_id = ? AND rule LIKE 'mapping%' ORDER BY 1, 3", [report.load_id]).fetchall()
    assert report.tables["seizures"].conversions == {
        "seized_at: mapping_date_format": 3, "unit_id: mapping_lookup": 3,  # line 5's unit is filled down
        "substance_group: mapping_vocabulary": 3, "quantity: mapping_decimal_mark": 2}
    assert report.to_dict()["tables"]["seizures"]["conversions"]["quantity: mapping_decimal_mark"] == 2
    assert {row[5] for row in listed} == {str(tmp_path / "export" / "apreensoes.xlsx")}
    assert [row[:5] for row in listed] == [
        ("quantity", "mapping_decimal_mark", 4, "1.234,5", "1234.5"),
        ("quantity", "mapping_decimal_mark", 5, "0,75", "0.75"),  # "12" needed no conversion
        ("seized_at", "mapping_date_format", 4, "31/01/2024", "2024-01-31T00:00:00"),
        ("seized_at", "mapping_date_format", 5, "01/02/2024", "2024-02-01T00:00:00"),
        ("seized_at", "mapping_date_format", 7, "13/02/2024", "2024-02-13T00:00:00"),
        ("substance_group", "mapping_vocabulary", 4, "Cocaína", "cocaine_type"),  # the part the split made
        ("substance_group", "mapping_vocabulary", 5, "Maconha", "cannabis_type"),
        ("unit_id", "mapping_lookup", 4, "LETICIA", "U-AMAZONAS"),  # first of its two lines
        ("unit_id", "mapping_lookup", 7, "bogota", "U-BOGOTA"),
    ]


def test_read_through_mapping_types_the_contract_columns(tmp_path: Path) -> None:
    (tmp_path / "export").mkdir()
    write_workbook(tmp_path / "export" / "apreensoes.xlsx")
    rows = read_through_mapping([tmp_path / "export"], parse_mapping(BRAZIL), "seizures").to_pylist()
    assert [r["quantity"] for r in rows if r["_problem"] is None] == [1234.5, 0.75, 12.0]
    assert [r["_line"] for r in rows if r["_problem"]] == [6, 8]


def test_a_parquet_export_reads_as_its_csv_does(tmp_path: Path) -> None:
    import duckdb

    csv_file, parquet_file = tmp_path / "2018.csv", tmp_path / "2018.parquet"
    write_police_export(csv_file, 40, seed=8)
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{csv_file}', all_varchar=true)) TO '{parquet_file}' (FORMAT parquet)")
    from_csv = read_through_mapping([csv_file], "co-police", "seizures").to_pylist()
    from_parquet = read_through_mapping([parquet_file], "co-police", "seizures").to_pylist()
    assert len(from_parquet) == 41 and from_parquet[-1]["_problem"].startswith("not data: a total line")
    assert [{k: v for k, v in r.items() if k not in ("_file", "_line")} for r in from_parquet] == [
        {k: v for k, v in r.items() if k not in ("_file", "_line")} for r in from_csv]
    assert [r["_line"] for r in from_parquet] == [r["_line"] - 1 for r in from_csv]  # rows, the header not a line


@pytest.mark.parametrize(("change", "message"), [
    ({"tables": {"seizures": {"seizure_id": {"from": "a", "constant": "b"}}}}, "exactly one of"),
    ({"tables": {"seizures": {"weight": "PESO"}}}, "not a column of seizures"),
    ({"tables": {"arrest": {}}}, "not a table of the interchange format"),
    ({"tables": {"seizures": {"substance": {"from": "X", "vocabulary": "nope"}}}}, "no vocabulary or lookup named"),
    ({"not_data": [{"column": "X", "matches": "(", "reason": "r"}]}, "not a regular expression"),
])
def test_a_mapping_that_cannot_be_used_is_refused_naming_what_is_wrong(change: dict, message: str) -> None:
    with pytest.raises(MappingError, match=message):
        parse_mapping({**BRAZIL, **change})


def test_a_required_column_without_a_rule_is_named(tmp_path: Path) -> None:
    (tmp_path / "export").mkdir()
    write_workbook(tmp_path / "export" / "apreensoes.xlsx")
    rules = {k: v for k, v in BRAZIL["tables"]["seizures"].items() if k != "unit_id"}
    with open_warehouse(tmp_path / "w.duckdb") as warehouse, pytest.raises(MappingError, match=r"seizures\.unit_id"):
        load_datasets(warehouse, [tmp_path / "export"], agency="A", mapping=parse_mapping(
            {**BRAZIL, "tables": {"seizures": rules}}))


@pytest.mark.skipif(not CUSTOMS.is_dir(), reason="../shared/data/customs-declarations is not there")
def test_korea_customs_declarations_through_the_kcs_mapping(tmp_path: Path) -> None:
    # Data: Institute for Basic Science & Korea Customs Service, Customs-Declaration-Datasets (2022), MIT licence.
    import duckdb

    kcs = find_mapping("kcs")
    assert "Korea Customs Service" in kcs.attribution
    offices = [str(o) for (o,) in duckdb.sql(
        f"SELECT DISTINCT \"Office ID\" FROM read_csv('{CUSTOMS / 'valid.csv'}', all_varchar=true)").fetchall()]
    reference = tmp_path / "reference"
    reference.mkdir()
    (reference / "agencies.csv").write_text(
        "agency_id,name,country,kind\nAG-KR-KCS,Korea Customs Service,KOR,customs\n")
    (reference / "entry_points.csv").write_text("entry_point_id,name,kind,country\n" + "".join(
        f"KCS-OFFICE-{o},Customs office {o},seaport,KOR\n" for o in offices))
    (reference / "units.csv").write_text("unit_id,agency_id,name,kind\n" + "".join(
        f"KCS-UNIT-{o},AG-KR-KCS,Customs office {o},port_control_unit\n" for o in offices))
    with open_warehouse(tmp_path / "w.duckdb") as warehouse:
        load_datasets(warehouse, [reference])
        report = load_datasets(warehouse, [CUSTOMS / "valid.csv"], agency="AG-KR-KCS", mapping=kcs)
        con = warehouse.duckdb
        modes = dict(con.execute("SELECT mode, count(*) FROM consignments GROUP BY 1").fetchall())
        outcomes = dict(con.execute("SELECT outcome, count(*) FROM inspections GROUP BY 1").fetchall())
        source = dict(duckdb.sql(f"SELECT \"Fraud\", count(*) FROM read_csv('{CUSTOMS / 'valid.csv'}', "
                                 "all_varchar=true) GROUP BY 1").fetchall())
    assert report.tables["consignments"].accepted == report.tables["consignments"].rows == 8134
    assert report.tables["inspections"].accepted == 8134
    assert outcomes == {"no_find": source["0"], "other_offence": source["1"]}
    assert set(modes) <= {"sea_container", "air_cargo", "postal", "land_vehicle", "other"}
    assert modes["sea_container"] > 0 and modes["air_cargo"] > 0


def test_a_lookup_file_is_read_only_beside_the_mapping(tmp_path: Path) -> None:
    folder = tmp_path / "mappings"
    folder.mkdir()
    (folder / "units.csv").write_text("spelling,unit\nLeticia,U-AMAZONAS\n", encoding="utf-8")
    (tmp_path / "secret.csv").write_text("a,b\nkey,hunter2\n", encoding="utf-8")
    beside = {**BRAZIL, "lookups": {"unidades": {"file": "units.csv"}}}
    mapping = parse_mapping(beside, folder / "brazil.yaml")
    assert mapping.translations["unidades"].values == {"leticia": "U-AMAZONAS"}
    with pytest.raises(MappingError, match="outside the mapping's folder"):
        parse_mapping({**BRAZIL, "lookups": {"unidades": {"file": "../secret.csv"}}}, folder / "brazil.yaml")
    with pytest.raises(MappingError, match="outside the mapping's folder"):
        parse_mapping({**BRAZIL, "lookups": {"unidades": {"file": str(tmp_path / "secret.csv")}}},
                      folder / "brazil.yaml")
    with pytest.raises(MappingError, match="cannot read files"):
        parse_mapping(beside)  # received as text: no folder of its own


def test_a_name_from_a_form_finds_only_shipped_mappings(tmp_path: Path) -> None:
    own = tmp_path / "kcs.yaml"
    own.write_text("mapping: mine\ntables: {seizures: {substance: X}}\n", encoding="utf-8")
    assert find_mapping(own).name == "mine"
    with pytest.raises(MappingError, match="shipped"):
        find_mapping(own, shipped_only=True)
    assert find_mapping("kcs", shipped_only=True).name == "kcs"


def test_an_export_without_an_agency_is_refused(tmp_path: Path) -> None:
    (tmp_path / "export").mkdir()
    write_workbook(tmp_path / "export" / "apreensoes.xlsx")
    with open_warehouse(tmp_path / "w.duckdb") as warehouse, pytest.raises(MappingError, match="--agency"):
        load_datasets(warehouse, [tmp_path / "export"], mapping=parse_mapping(BRAZIL))


def test_a_table_may_come_from_its_own_sheet(tmp_path: Path) -> None:
    (tmp_path / "export").mkdir()
    write_workbook(tmp_path / "export" / "apreensoes.xlsx")
    source = {k: v for k, v in BRAZIL["source"].items() if k != "sheet"}
    rules = {"_sheet": "Apreensões", **BRAZIL["tables"]["seizures"]}
    mapping = parse_mapping({**BRAZIL, "source": source, "tables": {"seizures": rules}})
    rows = read_through_mapping([tmp_path / "export"], mapping, "seizures").to_pylist()
    assert [r["seizure_id"] for r in rows if r["_problem"] is None] == ["BR-1", "BR-2", "BR-3"]
    with pytest.raises(MappingError, match="no header on line 3"):  # the first sheet is a cover page
        read_through_mapping([tmp_path / "export"], parse_mapping({**BRAZIL, "source": source}), "seizures")
