"""Early warning (issue 17): planted surges and first detections are found with few false alarms; the UNODC
World Drug Report seizure table (data: UNODC) is read when present."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from baliza.analyses.early_warning import find_surges, first_detections, monthly_counts
from baliza.analyses.early_warning.surges import upper_tail
from baliza.analyses.early_warning.unodc import read_seizures, regional_trends, rises
from baliza.cli.app import app
from baliza.demo import generate_country
from baliza.load import load_datasets
from baliza.warehouse import open_warehouse

UNODC = Path(__file__).resolve().parents[2] / "shared" / "data" / "unodc-world-drug-report" / "seizures_2018_2022.json"


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("early")
    summary = generate_country(root / "country", seed=5, scale="small")
    db = root / "w.duckdb"
    with open_warehouse(db) as wh:
        load_datasets(wh, [root / "country"])
    return db, json.loads(summary.truth_path.read_text())


def test_months_without_seizures_count_as_zero(country: tuple[Path, dict]) -> None:
    db, _ = country
    with open_warehouse(db, read_only=True) as wh:
        counts = monthly_counts(wh)
        total = wh.duckdb.execute("SELECT COUNT(*) FROM seizures").fetchone()[0]
    assert counts["seizures"].sum() == total
    per_series = counts.groupby("substance")["month"].nunique()
    assert per_series.nunique() == 1  # every substance has every month, zeros included


def test_planted_surges_found_with_at_most_one_false_alarm_a_year(country: tuple[Path, dict]) -> None:
    db, truth = country
    with open_warehouse(db, read_only=True) as wh:
        surges = find_surges(wh)
        months = monthly_counts(wh)["month"]
    years = (months.max() - months.min()).n / 12

    def planted(s) -> bool:
        return any(s.substance == p["substance"] and p["start"][:7] <= s.last_month and s.first_month < p["end"][:7]
                   for p in truth["surges"])

    found = {p["substance"] for p in truth["surges"] for s in surges if planted(s) and s.substance == p["substance"]}
    assert found  # the small country is thin: each plant is found on most seeds, not all (recall in the note)
    false_alarms = [s for s in surges if not planted(s)]
    assert len(false_alarms) <= years


def test_planted_first_detections_found(country: tuple[Path, dict]) -> None:
    db, truth = country
    with open_warehouse(db, read_only=True) as wh:
        found = first_detections(wh)
    names = dict(zip(found["substance"], found["first_seized_at"], strict=True))
    for substance, since in truth["first_detections"].items():
        if since < "2022-01-01":  # inside the burn-in year: already present as far as the data can tell
            continue
        if substance.lower() in names:
            assert str(names[substance.lower()]) >= since
    seen = {s.lower() for s, since in truth["first_detections"].items() if since >= "2022-01-01"} & set(names)
    assert len(seen) >= 2


def test_negative_binomial_tail_is_wider_than_poisson() -> None:
    assert upper_tail(6, 1.0, 1.0) < upper_tail(6, 1.0, 3.0) < 1.0
    assert upper_tail(0, 1.0, 1.0) == pytest.approx(1.0)


def test_trends_command_lists_findings(country: tuple[Path, dict]) -> None:
    db, _ = country
    result = CliRunner().invoke(app, ["trends", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    rules = {f["rule"] for f in json.loads(result.stdout)}
    assert "seizure_surge" in rules
    for f in json.loads(result.stdout):
        assert f["evidence"] and all(e["table"] == "seizures" for e in f["evidence"])


@pytest.mark.skipif(not UNODC.exists(), reason="../shared/data (UNODC World Drug Report) not present")
def test_unodc_table_rises_account_for_reporting() -> None:
    frame = read_seizures(UNODC)
    trends = regional_trends(frame)
    assert trends["kilograms"].sum() == pytest.approx(frame["kilograms"].sum())
    found = rises(trends)
    assert not found.empty
    for row in found.itertuples():
        earlier = trends[(trends.region == row.region) & (trends.drug_group == row.drug_group)
                         & (trends.year < row.year)]
        assert row.kilograms >= 1.5 * earlier["kilograms"].max()


def test_unodc_reader_names_a_wrong_file(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text(json.dumps([{"a": 1}]))
    with pytest.raises(ValueError, match=r"x\.json"):
        read_seizures(bad)
    assert isinstance(pd.DataFrame(), pd.DataFrame)
