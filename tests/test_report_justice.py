"""The justice report section: funnel plots, the flag queue, the offices over time; text is escaped."""

from pathlib import Path

from baliza.report.justice import justice_section
from baliza.warehouse import open_warehouse
from justice_world import build_world


def test_section_has_funnels_flags_and_trend(tmp_path: Path) -> None:
    with open_warehouse(tmp_path / "w.duckdb") as wh:
        build_world(wh, 6, corruption=True, n_seizures=1500)
        wh.duckdb.execute(
            "insert into units (unit_id, agency_id, name, kind) values ('<script>', 'A1', 'x', 'other')"
        )
        wh.duckdb.execute(
            "insert into cases (case_id, office_id, opened_at, origin) values ('<b>x</b>', '<script>', "
            "'2023-01-01', 'arrest')"
        )
        section = justice_section(wh)
    assert section.html.count("<svg") == 2  # both funnels in one figure, and the trend
    assert "Dismissed per prosecutor" in section.html and "Acquitted per prosecutor" in section.html
    assert "unusual case outcomes" in section.html  # the rule in words (outcome_outlier)
    assert "P01" in section.html
    assert "<script>" not in section.html and "&lt;script&gt;" in section.html
