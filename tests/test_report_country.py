"""The whole-country report: front page with checkable headline figures, every section, HTML and PDF, the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from baliza.analyses.coverage import data_coverage
from baliza.analyses.growth import growth_report
from baliza.analyses.headlines import pooled_share, pooled_total
from baliza.analyses.model import Indicator
from baliza.cli.app import app
from baliza.report.country import write_country_report
from baliza.report.growth import growth_sections
from baliza.warehouse import open_warehouse
from ksi_fixture import build_warehouse


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("country")
    build_warehouse(folder).close()
    return folder / "ksi.duckdb"


@pytest.fixture(scope="module")
def page(db: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("out") / "country.html"
    with open_warehouse(db, read_only=True) as wh:
        written = write_country_report(wh, out)
    assert written == out
    return out.read_text(encoding="utf-8")


def test_country_report_is_self_contained(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org", "")
    assert "https://" not in page and "<link" not in page and "src=\"http" not in page


def test_country_report_has_every_section_in_its_contents(page: str) -> None:
    for anchor in ("growth", "benchmarks", "units", "justice", "assets", "early-warning", "entry-points-XAA",
                   "indicators"):
        assert f'href="#{anchor}"' in page and f'id="{anchor}"' in page
    assert "Headline figures" in page and "What the data covers" in page and "Contents" in page
    assert "Flag queue" in page and "Peer group" in page and "DEA CCR" in page
    assert 'id="unit-JA1"' in page and "Programmes training separately" in page
    assert page.count("<svg") >= 4  # unit standing, small multiples, training, justice funnels or trend


def test_headline_hit_rate_is_checkable_against_the_raw_rows(db: Path, page: str) -> None:
    with open_warehouse(db, read_only=True) as wh:
        hits, total = wh.duckdb.execute(
            "SELECT COUNT(*) FILTER (WHERE outcome = 'seizure'), COUNT(*) FROM inspections "
            "WHERE year(inspected_at) = 2025").fetchall()[0]
    assert (hits, total) == (8, 28)
    card = re.search(r"Hit rate.*?</div></div>", page, re.S)
    assert card is not None
    assert f"{100 * hits / total:.1f}%" in card.group() and f"{hits} " in card.group() and f"/ {total} " in card.group()


def test_front_page_states_what_the_data_covers(db: Path, page: str) -> None:
    with open_warehouse(db, read_only=True) as wh:
        coverage = data_coverage(wh)
        inspections = wh.duckdb.execute("SELECT COUNT(*) FROM inspections").fetchall()[0][0]
    assert coverage.rows["inspections"] == inspections == 48
    span = next(s for s in coverage.spans if s.table == "inspections")
    assert str(span.first) == "2024-05-10" and str(span.last) == "2025-07-01"
    assert f"{coverage.total_rows:,} rows" in page and "2024-05-10" in page


def test_country_report_pdf_through_the_cli(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "c.pdf"
    result = CliRunner().invoke(app, ["report", "country", "--db", str(db), "--format", "pdf", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:4] == b"%PDF"


def test_country_report_by_quarter_and_bad_period(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "q.html"
    result = CliRunner().invoke(app, ["report", "country", "--db", str(db), "--period", "quarter", "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert "2025-Q3" in page
    # the CLI shows each part as a step and writes every section the operator may read (the asset recovery
    # and early-warning sections were missing when the CLI assembled the figures itself)
    assert "Following seized assets" in result.stderr
    assert "the role does not read it" not in page
    assert CliRunner().invoke(app, ["report", "country", "--db", str(db), "--period", "week"]).exit_code != 0


def test_country_report_on_an_empty_warehouse(tmp_path: Path) -> None:
    with open_warehouse(tmp_path / "empty.duckdb") as wh:
        out = write_country_report(wh, tmp_path / "empty.html")
    page = out.read_text()
    assert "No inspections or seizures" in page and "Headline figures" in page
    with open_warehouse(tmp_path / "empty.duckdb") as wh, pytest.raises(ValueError):
        write_country_report(wh, tmp_path / "x.doc", fmt="doc")


def test_growth_charts_do_not_grow_with_the_number_of_units(db: Path) -> None:
    with open_warehouse(db, read_only=True) as wh:
        one = growth_report(wh, unit_id="JA1")
        every = growth_report(wh)
    assert len(every.units) > len(one.units)
    count = [sum(s.html.count("<svg") for s in growth_sections(r)) for r in (one, every)]
    assert count[0] == count[1] == 3  # standing and DEA, hit-rate small multiples, training heat map


def _share(unit: str, num: float, den: float, period: str = "2025") -> Indicator:
    return Indicator("units", unit, "hit_rate", period, num / den if den else None, num, den)


def test_pooled_share_adds_numerators_and_denominators() -> None:
    pooled = pooled_share([_share("A", 1, 10), _share("B", 9, 10), None, _share("C", 0, 0)])
    assert pooled is not None and (pooled.numerator, pooled.denominator) == (10.0, 20.0)
    assert pooled.value == pytest.approx(0.5) and pooled.subject_id == "all" and pooled.period == "2025"
    assert pooled_share([]) is None and pooled_share([_share("A", 0, 0)]).value is None
    with pytest.raises(ValueError):
        pooled_share([_share("A", 1, 2), _share("B", 1, 2, "2024")])


def test_pooled_total_sums_counts() -> None:
    counts = [Indicator("units", u, "seizures", "2025", n, n, 1.0) for u, n in (("A", 3.0), ("B", 4.0))]
    total = pooled_total(counts)
    assert total is not None and total.value == 7.0 and total.denominator == 1.0


def test_no_personal_data_in_the_report(tmp_path: Path) -> None:
    wh = build_warehouse(tmp_path)
    wh.duckdb.execute(
        "insert into persons (person_id, full_name, birth_date, id_document, phone, address, protected) values"
        " ('P1', 'Maria Secreta', '1990-01-02', 'DOC-998877', '+51 999 111 222', 'Calle Oculta 5', true),"
        " ('P2', 'Juan Reservado', '1985-03-04', 'DOC-112233', '+51 999 333 444', 'Jiron Privado 9', false)"
    )
    page = write_country_report(wh, tmp_path / "c.html").read_text()
    wh.close()
    for secret in ("Maria Secreta", "Juan Reservado", "1990-01-02", "DOC-998877", "+51 999", "Calle Oculta",
                   "Jiron Privado"):
        assert secret not in page
