"""Reading files: encodings, ragged rows, empty files, big cells, Excel and Parquet."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from baliza.load import UnreadableFile
from baliza.warehouse import Warehouse, open_warehouse
from load_fixtures import VALID, assert_accounted, count, load, quarantine_reasons, write_dataset

BASE = {k: VALID[k] for k in ("agencies", "entry_points", "units")}


@pytest.fixture
def wh(tmp_path: Path):
    with open_warehouse(tmp_path / "w.duckdb") as warehouse:
        yield warehouse


def _seizures(folder: Path, content: bytes) -> Path:
    write_dataset(folder, BASE)
    (folder / "seizures.csv").write_bytes(content)
    return folder


def test_ragged_rows_are_quarantined_with_their_line(wh: Warehouse, tmp_path: Path) -> None:
    text = VALID["seizures"] + "S4,U1,2025-03-05T00:00:00Z,x,opiates\n\n"
    text += "S5,U1,2025-03-05T00:00:00Z,x,opiates,1,kg,extra\n"
    report = load(wh, _seizures(tmp_path / "d", text.encode()))
    assert_accounted(report)
    reasons = quarantine_reasons(wh, "seizures")
    assert [(line, reason) for line, _, reason in reasons] == [
        (5, "line 5 has 5 cells but the header has 7"),
        (7, "line 7 has 8 cells but the header has 7"),
    ]
    raw = wh.duckdb.execute("SELECT raw->>'quantity_unit' FROM quarantine WHERE line = 7").fetchone()[0]
    assert raw == "kg,extra"  # nothing is lost


def test_multiline_cells_keep_true_line_numbers(wh: Warehouse, tmp_path: Path) -> None:
    text = (
        "seizure_id,unit_id,seized_at,substance,substance_group,quantity,quantity_unit,concealment\n"
        'S1,U1,2025-01-02T10:00:00Z,cocaine,cocaine_type,1,kg,"in the\nfalse bottom\nof a box"\n'
        "S2,U1,2025-01-02T10:00:00Z,cocaine,cocaine_typo,1,kg,\n"
    )
    load(wh, _seizures(tmp_path / "d", text.encode()))
    assert quarantine_reasons(wh, "seizures")[0][0] == 5


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_blank_lines_and_trailing_blank_lines_keep_true_line_numbers(
    wh: Warehouse, tmp_path: Path, newline: str
) -> None:
    rows = VALID["seizures"].splitlines()
    text = newline.join([*rows[:2], "", *rows[2:], "S4,U1,2025-01-02T10:00:00Z,cocaine,cocaine_typo,1,kg", "", ""])
    report = load(wh, _seizures(tmp_path / "d", text.encode()))
    assert_accounted(report)
    assert report.tables["seizures"].accepted == 3
    assert [line for line, _, _ in quarantine_reasons(wh, "seizures")] == [6]


def test_a_file_ending_with_blank_lines_only_is_read_with_true_line_numbers(wh: Warehouse, tmp_path: Path) -> None:
    text = VALID["seizures"] + "S4,U1,2025-01-02T10:00:00Z,cocaine,cocaine_typo,1,kg\n\n\n"
    load(wh, _seizures(tmp_path / "d", text.encode()))
    assert [line for line, _, _ in quarantine_reasons(wh, "seizures")] == [5]


def test_latin1_file_fails_naming_file_and_line(wh: Warehouse, tmp_path: Path) -> None:
    text = VALID["seizures"] + "S4,U1,2025-03-05T00:00:00Z,marihuana prensada en cami\xf3n,cannabis_type,1,kg\n"
    folder = _seizures(tmp_path / "d", text.encode("latin-1"))
    with pytest.raises(UnreadableFile) as error:
        load(wh, folder)
    assert "seizures.csv" in str(error.value) and "line 5 is not UTF-8" in str(error.value)
    assert count(wh, "units") == 0 and count(wh, "loads") == 0  # nothing at all was loaded


def test_utf8_with_bom_is_fine(wh: Warehouse, tmp_path: Path) -> None:
    report = load(wh, _seizures(tmp_path / "d", b"\xef\xbb\xbf" + VALID["seizures"].encode()))
    assert report.tables["seizures"].accepted == 3


def test_empty_file_loads_nothing_with_a_warning(wh: Warehouse, tmp_path: Path) -> None:
    report = load(wh, _seizures(tmp_path / "d", b""))
    assert report.tables["seizures"].rows == 0
    assert any("empty file" in w for w in report.warnings)
    assert report.tables["units"].accepted == 2


def test_header_only_file_is_zero_rows(wh: Warehouse, tmp_path: Path) -> None:
    report = load(wh, _seizures(tmp_path / "d", VALID["seizures"].splitlines()[0].encode() + b"\n"))
    assert report.tables["seizures"].rows == 0 and not report.warnings


def test_binary_file_is_refused(wh: Warehouse, tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="not a CSV text file"):
        load(wh, _seizures(tmp_path / "d", b"PK\x03\x04\x00\x00binary"))


def test_one_megabyte_text_cells_are_accepted(wh: Warehouse, tmp_path: Path) -> None:
    big = "x" * 1_000_000
    text = (
        "seizure_id,unit_id,seized_at,substance,substance_group,quantity,quantity_unit,concealment\n"
        f"S1,U1,2025-01-02T10:00:00Z,cocaine,cocaine_type,1,kg,{big}\n"
    )
    report = load(wh, _seizures(tmp_path / "d", text.encode()))
    assert report.tables["seizures"].accepted == 1
    assert wh.duckdb.execute("SELECT length(concealment) FROM seizures").fetchone() == (1_000_000,)


def test_parquet_input(wh: Warehouse, tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "d", BASE)
    table = pa.table({
        "seizure_id": ["S1", "S2"],
        "unit_id": ["U1", "U1"],
        "seized_at": pa.array([1735812000000000, 1735812000000000], pa.timestamp("us", tz="UTC")),
        "substance": ["cocaine", "heroin"],
        "substance_group": ["cocaine_type", "heroine"],
        "quantity": [1.5, 2.0],
        "quantity_unit": ["kg", "g"],
    })
    pq.write_table(table, folder / "seizures.parquet")
    report = load(wh, folder)
    assert report.tables["seizures"].accepted == 1
    assert quarantine_reasons(wh, "seizures")[0][:2] == (2, "substance_group")
    assert wh.duckdb.execute("SELECT CAST(seized_at AS VARCHAR), quantity FROM seizures").fetchone() == (
        "2025-01-02 10:00:00", 1.5
    )


def test_truncated_parquet_is_refused(wh: Warehouse, tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "d", BASE)
    pq.write_table(pa.table({"seizure_id": ["S1"] * 100}), folder / "seizures.parquet")
    data = (folder / "seizures.parquet").read_bytes()
    (folder / "seizures.parquet").write_bytes(data[: len(data) // 2])
    with pytest.raises(UnreadableFile, match=r"seizures\.parquet: not a readable Parquet file"):
        load(wh, folder)
    assert count(wh, "agencies") == 0


def test_excel_input(wh: Warehouse, tmp_path: Path) -> None:
    import datetime as dt

    import xlsxwriter

    folder = write_dataset(tmp_path / "d", BASE)
    book = xlsxwriter.Workbook(str(folder / "seizures.xlsx"))
    sheet = book.add_worksheet("seizures")
    date_format = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.write_row(0, 0, ["seizure_id", "unit_id", "seized_at", "substance", "substance_group", "quantity",
                           "quantity_unit", "intelligence_led"])
    sheet.write_row(1, 0, ["S1", "U1"])
    sheet.write_datetime(1, 2, dt.datetime(2025, 1, 2, 10, 0), date_format)
    sheet.write_row(1, 3, ["cocaine", "cocaine_type", 12, "kg", True])
    sheet.write_row(2, 0, ["S2", "U1", "2025-01-03", "heroin", "opiates", -4, "kg", False])
    book.close()
    report = load(wh, folder)
    assert report.tables["seizures"].accepted == 1
    assert quarantine_reasons(wh, "seizures")[0][:2] == (3, "quantity")
    assert wh.duckdb.execute("SELECT CAST(seized_at AS VARCHAR), quantity, intelligence_led FROM seizures"
                             ).fetchone() == ("2025-01-02 10:00:00", 12.0, True)


def test_a_file_without_any_contract_column_is_refused(wh: Warehouse, tmp_path: Path) -> None:
    text = VALID["seizures"].replace(",", ";")  # semicolon-separated: one unknown column
    with pytest.raises(UnreadableFile, match="none of its columns"):
        load(wh, _seizures(tmp_path / "d", text.encode()))
    assert count(wh, "agencies") == 0


@pytest.mark.parametrize(
    "row",
    [
        'S9, U1,2025-01-02T10:00:00Z,heroin,opiates,3,kg\n',  # a space after the comma
        'S9,"U1 ",2025-01-02T10:00:00Z,heroin,opiates,3,kg\n',  # inside quotes
        ' S9,U1,2025-01-02T10:00:00Z,heroin,opiates,3,kg\n',  # at the start of a line
        'S9,U1,2025-01-02T10:00:00Z,heroin,opiates,3,kg ',  # at the very end of the file
        'S9,U1\t,2025-01-02T10:00:00Z,heroin,opiates,3,kg\n',  # a tab
        'S9,U1\u00a0,2025-01-02T10:00:00Z,heroin,opiates,3,kg\n',  # a no-break space
        'S9,U1,2025-01-02T10:00:00Z,heroin,opiates,3,kg \r\n',  # before a Windows line break
    ],
)
def test_whitespace_at_cell_edges_is_trimmed_and_recorded(wh: Warehouse, tmp_path: Path, row: str) -> None:
    report = load(wh, _seizures(tmp_path / "d", (VALID["seizures"] + row).encode()))
    assert_accounted(report)
    assert report.tables["seizures"].quarantined == 0
    assert report.tables["seizures"].normalised == 1
    stored = wh.duckdb.execute(
        "SELECT seizure_id, unit_id, quantity_unit FROM seizures WHERE seizure_id LIKE '%S9%'"
    ).fetchall()
    assert stored == [("S9", "U1", "kg")]
    rules = wh.duckdb.execute("SELECT rule FROM normalisations").fetchall()
    assert rules == [("whitespace",)]


def test_a_file_without_whitespace_at_cell_edges_records_no_normalisation(wh: Warehouse, tmp_path: Path) -> None:
    text = VALID["seizures"] + 'S9,U1,2025-01-02T10:00:00Z,"heroin, brown",opiates,3,kg\n'
    report = load(wh, _seizures(tmp_path / "d", text.encode()))
    assert report.tables["seizures"].normalised == 0
    assert count(wh, "seizures") == 4
