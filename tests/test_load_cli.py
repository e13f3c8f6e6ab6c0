"""The commands: `baliza load`, `baliza status`, `baliza quarantine`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from baliza.cli.app import app
from load_fixtures import with_changes, write_dataset

runner = CliRunner()


def test_load_status_and_quarantine_as_json(tmp_path: Path) -> None:
    db = str(tmp_path / "w.duckdb")
    persons = "person_id,full_name,birth_date\nX1,Juan Perez,1980-01-01\nX2,Maria Lopez,\nX9,Secret Name,1999-99-99\n"
    folder = write_dataset(tmp_path / "d", with_changes(persons=persons))
    result = runner.invoke(app, ["load", str(folder), "--db", db, "--json", "--agency", "AG-1"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["tables"]["seizures"] == {
        "rows": 3, "accepted": 3, "quarantined": 0, "normalised": 0, "inserted": 3, "replaced": 0, "unchanged": 0
    }
    assert report["agency"] == "AG-1" and report["tables"]["persons"]["quarantined"] == 1

    status = json.loads(runner.invoke(app, ["status", "--db", db, "--json"]).stdout)
    assert status["tables"]["seizures"] == {"rows": 3}
    assert status["loads"][0]["load_id"] == 1 and status["loads"][0]["status"] == "committed"

    listing = runner.invoke(app, ["quarantine", "--db", db, "--table", "persons", "--json"])
    rows = json.loads(listing.stdout)["rows"]
    assert [(r["line"], r["column"]) for r in rows] == [(4, "birth_date")]
    assert "Secret Name" not in listing.stdout and "1999-99-99" not in listing.stdout
    people = runner.invoke(app, ["quarantine", "--db", db])
    assert people.exit_code == 0 and "birth_date" in people.stdout and "1999-99-99" not in people.stdout


def test_unreadable_file_fails_with_one_clear_message(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "d")
    (folder / "cases.csv").write_bytes("case_id,office_id\nC1,Oficina de Aduanas Ca\xf1ete\n".encode("latin-1"))
    result = runner.invoke(app, ["load", str(folder), "--db", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 1
    assert "cases.csv:line2isnotUTF-8" in "".join(result.output.split())  # Rich may wrap the line anywhere
    # a failed load changes nothing: not even an empty warehouse is left behind, nor a working copy
    assert not (tmp_path / "w.duckdb").exists()
    assert [p.name for p in tmp_path.iterdir() if "loading" in p.name] == []
