"""The growth report and its document: HTML with charts, PDF from the same HTML, and the CLI around them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from baliza.analyses.growth import growth_report
from baliza.cli.app import app
from baliza.report.document import render_document
from baliza.report.section import Section
from ksi_fixture import build_warehouse


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("growth")
    build_warehouse(folder).close()
    return folder / "ksi.duckdb"


def test_document_is_self_contained_and_escapes_titles() -> None:
    page = render_document("A <b> report", [Section("One & two", "<p>x</p>"), Section("Three", "<p>y</p>", "t")])
    assert page.startswith("<!DOCTYPE html>") and "A &lt;b&gt; report" in page and "One &amp; two" in page
    assert 'href="#t"' in page and "@page" in page
    assert "http://" not in page and "https://" not in page and "<script" not in page


def test_growth_figures_compare_with_the_last_period(db: Path) -> None:
    from baliza.warehouse import open_warehouse

    with open_warehouse(db, read_only=True) as wh:
        report = growth_report(wh, first="2024", last="2025")
    assert report.period == "2025" and report.previous_period == "2024"
    ja1 = next(u for u in report.units if u.unit_id == "JA1")
    line = ja1.line("hit_rate")
    assert line.current.value == pytest.approx(0.3) and line.previous.value == pytest.approx(0.25)
    assert line.interval[0] < 0.3 < line.interval[1]
    assert line.change.p_value is None  # 10 inspections: below the minimum sample, not tested
    assert ja1.line("seizures").change.p_value == pytest.approx(1.0)  # 2 against 2
    assert "dea_ccr" in ja1.efficiency


def test_report_growth_html_has_charts(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "g.html"
    result = CliRunner().invoke(app, ["report", "growth", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert page.count("<svg") >= 3  # overview charts and a chart per unit
    assert "JAITF North" in page and "Entry points: XAA" in page and "Programmes training separately" in page


def test_report_growth_pdf(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "g.pdf"
    result = CliRunner().invoke(
        app, ["report", "growth", "--db", str(db), "--unit", "JA1", "--format", "pdf", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:4] == b"%PDF"


def test_report_growth_rejects_mixed_periods(db: Path) -> None:
    result = CliRunner().invoke(app, ["report", "growth", "--db", str(db), "--from", "2024-Q1", "--to", "2025"])
    assert result.exit_code != 0


def test_ksi_json(db: Path) -> None:
    result = CliRunner().invoke(app, ["ksi", "--db", str(db), "--period", "quarter", "--unit", "JA1", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert set(rows[0]) == {"unit_id", "indicator", "period", "value", "numerator", "denominator"}
    hit = next(r for r in rows if r["indicator"] == "hit_rate" and r["period"] == "2024-Q2")
    assert (hit["value"], hit["numerator"], hit["denominator"]) == (0.25, 5.0, 20.0)


def test_ksi_rejects_an_unknown_period(db: Path) -> None:
    assert CliRunner().invoke(app, ["ksi", "--db", str(db), "--period", "week"]).exit_code != 0


def test_entry_points_json(db: Path) -> None:
    result = CliRunner().invoke(app, ["entry-points", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    (country,) = json.loads(result.stdout)
    assert country["uncovered"] == ["EP5"]


def test_report_growth_by_quarter(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "q.html"
    result = CliRunner().invoke(app, ["report", "growth", "--db", str(db), "--period", "quarter", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "period 2025-Q3" in result.output and "2025-Q3" in out.read_text()


def test_benchmark_json(db: Path) -> None:
    result = CliRunner().invoke(app, ["benchmark", "--db", str(db), "--period", "2025", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    names = {r["indicator"] for r in rows}
    assert {"dea_ccr", "dea_bcc", "hit_rate_peer_percentile"} <= names
    rank = next(r for r in rows if r["indicator"] == "hit_rate_peer_percentile" and r["unit_id"] == "JA2")
    assert rank["value"] == 100.0 and rank["low"] <= rank["value"] <= rank["high"]
    assert CliRunner().invoke(app, ["benchmark", "--db", str(db)]).exit_code == 0
