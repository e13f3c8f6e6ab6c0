"""The growth report and its document: HTML with charts, PDF from the same HTML, and the CLI around them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree

import altair as alt
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from baliza.analyses.growth import GrowthLine, GrowthReport, UnitGrowth, correct_for_multiplicity, growth_report
from baliza.analyses.ksi import get_spec
from baliza.analyses.model import Indicator
from baliza.analyses.periods import Granularity
from baliza.cli.app import app
from baliza.report.charts import to_svg
from baliza.report.document import render_document
from baliza.report.growth import growth_sections
from baliza.report.growth_charts import capacity_heatmap, capacity_spec, hit_rate_spec, standing_spec
from baliza.report.section import Section
from baliza.stats.change import Change, format_p
from baliza.warehouse import open_warehouse
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


# --- multiplicity, p-values, charts (issue 10, item 2) -------------------------------------------------------

def _unit(p_values: list[float]) -> UnitGrowth:
    """A unit whose lines carry exactly these change p-values (hit rate 30% against 20%), no trend."""
    spec = get_spec("hit_rate")
    lines = tuple(
        GrowthLine(spec, Indicator("units", "U", "hit_rate", "2025", 0.3, 30, 100),
                   Indicator("units", "U", "hit_rate", "2024", 0.2, 20, 100), None,
                   Change(0.3, 0.2, p, "given"), None, None, ())
        for p in p_values
    )
    return UnitGrowth("U", "Unit", "airport_task_force", "", "g", lines)


def test_benjamini_hochberg_by_hand() -> None:
    """p = 0.01, 0.04, 0.03, 0.5 (m = 4): q_(i) = min over k >= i of p_(k) m / k = 0.04, 0.0533, 0.0533, 0.5."""
    (unit,), family = correct_for_multiplicity([_unit([0.01, 0.04, 0.03, 0.5])])
    assert [line.change_q for line in unit.lines] == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.5])
    assert (family.changes, family.trends, family.size) == (4, 0, 4)
    assert [line.change_direction() for line in unit.lines] == ["up", "no change", "no change", "no change"]


def test_p_of_0042_among_150_tests_is_not_a_change() -> None:
    rng = np.random.default_rng(1)
    p_values = [0.042, 1e-6, *rng.uniform(0.1, 1.0, 148)]
    (unit,), family = correct_for_multiplicity([_unit(p_values)])
    assert family.size == 150
    borderline, strong = unit.lines[0], unit.lines[1]
    assert borderline.change.is_change() and borderline.change_direction() == "no change"
    ranked = np.sort(p_values)  # q of the i-th smallest: min over k >= i of p_(k) m / k, at most 1
    by_hand = min(1.0, min(ranked[k - 1] * 150 / k for k in range(2, 151)))
    assert borderline.change_q == pytest.approx(by_hand) and borderline.change_q > 0.5
    assert strong.change_direction() == "up" and strong.change_q == pytest.approx(1e-6 * 150)
    report = GrowthReport(Granularity.YEAR, "2025", "2024", ("2024", "2025"), (unit,), family)
    assert [m.line for m in report.movements()] == [strong] and report.uncorrected() == 2


@pytest.mark.parametrize(("value", "text"), [
    (0.0, "p < 0.001"), (0.0004, "p < 0.001"), (0.001, "p = 0.001"), (0.042, "p = 0.042"), (0.0999, "p = 0.100"),
    (0.5, "p = 0.50"), (1.0, "p = 1.00"),
])
def test_p_values_are_never_printed_as_zero(value: float, text: str) -> None:
    assert format_p(value) == text


def test_report_states_the_family_and_prints_no_zero_p(db: Path) -> None:
    with open_warehouse(db, read_only=True) as wh:
        report = growth_report(wh)
    page = "".join(section.html for section in growth_sections(report))
    assert "What changed, and how sure we are" in page.split("<table")[0]  # the summary comes first
    assert f"This report runs <b>{report.family.size} tests</b>" in page and "Benjamini-Hochberg" in page
    assert not re.search(r"[pq] ?= ?0\.0+\b(?!\d)", page) and "p=0.000" not in page
    tested = [line for unit in report.units for line in unit.lines if line.change.p_value is not None]
    assert tested and all(line.change_q is not None and line.change_q >= line.change.p_value for line in tested)


def _views(spec: dict) -> list[dict]:
    """Every view of a Vega-Lite spec (layers, concatenations, facets), the spec itself first."""
    found = [spec]
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for child in spec.get(key, []):
            found += _views(child)
    if "spec" in spec:
        found += _views(spec["spec"])
    return found


def overflowing(svg: str, em: float = 0.56, bold_em: float = 0.6) -> list[str]:
    """Texts of an SVG that a browser font up to `em` (bold: `bold_em`) wide per character would cut at an edge.

    The renderer sizes the SVG with its own font; a browser's sans-serif is wider, so a title that ends at the
    edge is cut ("Hours per sta"). Texts shortened with an ellipsis count too.
    """
    root = ElementTree.fromstring(svg)
    width, cut = float(root.get("width", "0")), []

    def walk(node: ElementTree.Element, x: float) -> None:
        transform = node.get("transform", "")
        moved = re.match(r"translate\(([-\d.e]+)[, ]", transform)
        dx = float(moved.group(1)) if moved else 0.0
        if node.tag.endswith("text"):
            text = "".join(node.itertext())
            if "rotate" in transform or not text:
                return
            size = float(node.get("font-size", "10px").removesuffix("px"))
            length = len(text) * size * (bold_em if node.get("font-weight") == "bold" else em)
            start = x + dx - {"middle": length / 2, "end": length}.get(node.get("text-anchor", "start"), 0.0)
            if start + length > width + 1 or start < -1 or text.endswith("…"):
                cut.append(text)
            return
        for child in node:
            walk(child, x + dx)

    walk(root, 0.0)
    return cut


def test_overflow_check_catches_a_title_at_the_edge() -> None:
    chart = alt.Chart(pd.DataFrame({"x": [0, 1], "v": [0.0, 30.0]})).mark_rect().encode(
        x="x:O", color=alt.Color("v:Q", title="Hours per staff"))
    assert "Hours per staff" in overflowing(to_svg(chart))  # the legend on the right, as the old heat map


def test_growth_charts_have_titles_legends_and_uncut_text(db: Path) -> None:
    with open_warehouse(db, read_only=True) as wh:
        report = growth_report(wh)
    charts = {"standing": standing_spec(report), "panels": hit_rate_spec(report), "heatmap": capacity_spec(report)}
    for name, chart in charts.items():
        assert chart is not None, name
        spec = chart.to_dict(validate=False)
        views = _views(spec)
        assert any(view.get("title") for view in views), f"{name}: no title"
        colours = [view["encoding"]["color"] for view in views
                   if "field" in view.get("encoding", {}).get("color", {})]
        assert colours, f"{name}: nothing is coloured by a field, so there is nothing to explain in a legend"
        for colour in colours:
            legend = colour.get("legend", {})
            assert legend is not None and legend.get("orient") == "bottom", f"{name}: legend {legend}"
            assert legend.get("titleLimit", 0) >= 1000 or legend.get("title", "") is None, name
        assert overflowing(to_svg(chart)) == [], name
    heat = charts["heatmap"].to_dict(validate=False)
    assert heat["layer"][0]["encoding"]["color"]["legend"]["title"] == "Training hours per staff member"
    assert heat["layer"][0]["encoding"]["color"]["type"] == "quantitative"  # a continuous scale: a colour bar


def test_two_heat_maps_in_one_page_do_not_share_a_gradient(db: Path) -> None:
    with open_warehouse(db, read_only=True) as wh:
        report = growth_report(wh)
    first, second = capacity_heatmap(report), capacity_heatmap(report)
    ids = re.findall(r'id="([^"]*gradient[^"]*)"', first + second)
    assert len(ids) == 2 and len(set(ids)) == 2
    assert all(f"url(#{i})" in (first + second) for i in ids)
