"""`baliza efficiency` and `baliza flags` with --json print exactly the documented shapes."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from baliza.cli.app import app
from baliza.warehouse import open_warehouse
from justice_world import build_world


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "w.duckdb"
    with open_warehouse(path) as wh:
        build_world(wh, 5, corruption=True, n_seizures=1500)
    return path


def test_efficiency_json_shape(db: Path) -> None:
    result = CliRunner().invoke(app, ["efficiency", "--db", str(db), "--period", "quarter", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert set(rows[0]) == {"office_id", "indicator", "period", "value", "numerator", "denominator"}
    assert {r["period"] for r in rows} >= {"2022-Q1", "2024-Q4"}
    by_prosecutor = json.loads(
        CliRunner().invoke(app, ["efficiency", "--db", str(db), "--by", "prosecutor", "--json"]).stdout
    )
    assert "staff_id" in by_prosecutor[0] and by_prosecutor[0]["period"] == "2022"


def test_flags_json_shape(db: Path) -> None:
    result = CliRunner().invoke(app, ["flags", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    findings = json.loads(result.stdout)
    assert findings and {"rule", "subject", "score", "q_value", "summary", "evidence", "method"} <= set(findings[0])
    assert set(findings[0]["subject"]) == {"table", "id"}
    assert any(f["q_value"] is None for f in findings)


def test_human_output_and_missing_warehouse(db: Path, tmp_path: Path) -> None:
    assert "red flags" in CliRunner().invoke(app, ["flags", "--db", str(db)]).output
    missing = CliRunner().invoke(app, ["efficiency", "--db", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 1 and "no warehouse" in missing.output
