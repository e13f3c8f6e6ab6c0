"""Reloads add nothing, changed rows keep their history, and a load is all or nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from baliza.load import loader
from baliza.warehouse import Warehouse, open_warehouse
from load_fixtures import VALID, count, load, with_changes, write_dataset


@pytest.fixture
def wh(tmp_path: Path):
    with open_warehouse(tmp_path / "w.duckdb") as warehouse:
        yield warehouse


def _counts(wh: Warehouse) -> dict[str, int]:
    return {**wh.row_counts(), "history": count(wh, "seizures__history"), "loads": count(wh, "loads")}


def test_loading_the_same_data_again_adds_nothing(wh: Warehouse, tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "d")
    load(wh, folder)
    before = wh.row_counts()
    report = load(wh, folder)
    assert wh.row_counts() == before
    assert report.tables["seizures"].unchanged == 3 and report.tables["seizures"].inserted == 0
    assert count(wh, "seizures__history") == 0


def test_a_stored_hash_from_another_version_does_not_make_unchanged_rows_replaced(
    wh: Warehouse, tmp_path: Path
) -> None:
    folder = write_dataset(tmp_path / "d")
    load(wh, folder)
    wh.duckdb.execute("UPDATE seizures SET _row_hash = 42")  # as if hashed by another DuckDB or Baliza
    changed = VALID["seizures"].replace("120.5,kg", "98,kg")
    report = load(wh, write_dataset(tmp_path / "v2", with_changes(seizures=changed)))
    assert report.tables["seizures"].unchanged == 2 and report.tables["seizures"].replaced == 1
    assert count(wh, "seizures__history") == 1


def test_a_changed_row_replaces_the_old_one_which_goes_to_history(wh: Warehouse, tmp_path: Path) -> None:
    load(wh, write_dataset(tmp_path / "v1"))
    changed = VALID["seizures"].replace("120.5,kg", "98,kg")
    report = load(wh, write_dataset(tmp_path / "v2", with_changes(seizures=changed)))
    assert report.tables["seizures"].replaced == 1 and report.tables["seizures"].unchanged == 2
    assert wh.duckdb.execute("SELECT quantity, _load_id FROM seizures WHERE seizure_id = 'S1'").fetchall() == [
        (98.0, 2)
    ]
    history = wh.duckdb.execute(
        "SELECT seizure_id, quantity, _load_id, _replaced_by_load, _replaced_at IS NOT NULL, _source_file "
        "FROM seizures__history"
    ).fetchall()
    assert history == [("S1", 120.5, 1, 2, True, str(tmp_path / "v1" / "seizures.csv"))]


def test_duplicate_key_across_loads_is_an_update_not_a_duplicate(wh: Warehouse, tmp_path: Path) -> None:
    load(wh, write_dataset(tmp_path / "v1"))
    load(wh, write_dataset(tmp_path / "v2", with_changes(seizures=VALID["seizures"].replace("heroin", "heroin no. 4"))))
    assert count(wh, "seizures") == 3


def test_an_error_mid_load_leaves_the_warehouse_as_it_was(
    wh: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load(wh, write_dataset(tmp_path / "v1"))
    before = _counts(wh)
    original = loader.upsert

    def crash_on_cases(con, load_id, table, checked, **options):  # type: ignore[no-untyped-def]
        if table.name == "cases":
            raise KeyboardInterrupt  # as if Ctrl-C were pressed half-way
        return original(con, load_id, table, checked, **options)

    monkeypatch.setattr(loader, "upsert", crash_on_cases)
    changed = with_changes(seizures=VALID["seizures"].replace("120.5", "1"),
                           agencies=VALID["agencies"] + "A3,Police,PER,police\n")
    with pytest.raises(KeyboardInterrupt):
        load(wh, write_dataset(tmp_path / "v2", changed))
    assert _counts(wh) == before
    assert wh.duckdb.execute("SELECT quantity FROM seizures WHERE seizure_id = 'S1'").fetchall() == [(120.5,)]
    assert count(wh, "quarantine") == 0


def test_killing_the_process_mid_load_leaves_the_previous_state(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with open_warehouse(db) as wh:
        load(wh, write_dataset(tmp_path / "v1"))
        before = _counts(wh)
    big = tmp_path / "big"
    rows = "".join(f"B{i},U1,2025-01-02T10:00:00Z,cocaine,cocaine_type,1,kg\n" for i in range(100_000))
    write_dataset(big, {"seizures": VALID["seizures"] + rows})
    script = (
        "import sys; from pathlib import Path; from baliza.warehouse import open_warehouse;"
        "from baliza.load import load_datasets;"
        "report = lambda step, done, total: print(step, flush=True);"
        f"wh = open_warehouse({str(db)!r}); load_datasets(wh, [Path({str(big)!r})], progress=report)"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    process = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("seizures:"):  # inside the load's transaction
            break
    process.kill()
    process.wait()
    with open_warehouse(db) as wh:
        after = _counts(wh)
    assert after == before
