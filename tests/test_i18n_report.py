"""Reports in the reader's language: `lang`, headings, numbers and labels (the country report in Spanish)."""

from __future__ import annotations

from pathlib import Path

import pytest

from baliza.i18n import language
from baliza.report.country import country_document, country_figures, write_country_report
from baliza.warehouse import open_warehouse
from ksi_fixture import build_warehouse


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("country_es")
    build_warehouse(folder).close()
    with open_warehouse(folder / "ksi.duckdb", read_only=True) as wh:
        return country_figures(wh)


def test_the_country_report_in_spanish(figures, tmp_path: Path) -> None:
    page = country_document(figures, "es")
    assert page.startswith('<!DOCTYPE html><html lang="es">')
    assert "Cadena del control de drogas: informe nacional" in page
    assert "Cifras principales" in page and "Qué cubren los datos" in page and "Contenido" in page
    assert "Tasa de acierto" in page
    assert "Headline figures" not in page and "What the data covers" not in page
    assert '"Página " counter(page) " de " counter(pages)' in page  # PDF page numbers too
    rows = f"{figures.coverage.total_rows:,}".replace(",", ".")
    assert f"{rows} registros" in page  # Spanish thousands separator


def test_the_language_of_the_caller_is_kept_and_written_in_portuguese(figures, tmp_path: Path) -> None:
    with language("pt"):
        out = write_country_report(None, tmp_path / "pt.html", figures=figures)  # type: ignore[arg-type]
    page = out.read_text(encoding="utf-8")
    assert '<html lang="pt">' in page and "Números principais" in page
    english = country_document(figures)
    assert '<html lang="en">' in english and "Headline figures" in english
