"""The indicators page (small multiples with intervals, a unit picker, a table paginated and said so) and
the dashboard's SVG charts (hover details, labels, Lima's entry points spread apart, words in legends)."""

from __future__ import annotations

import csv
import io
import math
import re

import pytest
from fastapi.testclient import TestClient
from starlette.datastructures import QueryParams

from baliza.access.roles import Role
from baliza.i18n.labels import label
from baliza.web import svg
from baliza.web.app import create_app
from baliza.web.indicator_view import PER_PAGE, IndicatorQuery, interval, view
from web_world import build_web_world, sign_in, user_name

LIMA = [  # four entry points within 0.12 degrees of each other, as in the demo
    {"entry_point_id": "EP-LIM", "name": "Jorge Chavez International Airport, Lima", "kind": "airport",
     "latitude": -12.0219, "longitude": -77.1143, "seizures": 356},
    {"entry_point_id": "EP-PECLL", "name": "Port of Callao", "kind": "seaport", "latitude": -12.0508,
     "longitude": -77.146, "seizures": 118},
    {"entry_point_id": "EP-POSTLIM", "name": "Lima international postal hub", "kind": "postal_hub",
     "latitude": -12.056, "longitude": -77.04, "seizures": 84},
    {"entry_point_id": "EP-DRYLIM", "name": "Callao extra-port container terminal", "kind": "dry_port",
     "latitude": -12.03, "longitude": -77.1, "seizures": None},
    {"entry_point_id": "EP-IQT", "name": "Iquitos Airport", "kind": "airport", "latitude": -3.78,
     "longitude": -73.3, "seizures": 10},
]


def _rows(n_units: int, periods: list[str]) -> list[dict]:
    return [{"subject_table": "units", "subject_id": f"U{u}", "indicator": "hit_rate", "period": p,
             "value": 0.1, "numerator": 10.0, "denominator": 100.0, "note": ""}
            for u in range(n_units) for p in periods]


def test_the_table_is_paginated_and_says_how_many_rows_there_are() -> None:
    rows = _rows(45, [str(y) for y in range(2015, 2025)])  # 450 rows
    query = IndicatorQuery.parse(QueryParams("unit=*&page=3"))
    shown = view(rows, query, {}, None)
    assert shown["table_total"] == 450 and shown["pages"] == -(-450 // PER_PAGE)
    assert len(shown["table"]) == 450 - 2 * PER_PAGE and shown["first"] == 2 * PER_PAGE + 1


def test_a_unit_gets_one_panel_per_chosen_indicator_with_its_interval() -> None:
    rows = _rows(3, ["2023", "2024", "2025"])
    shown = view(rows, IndicatorQuery.parse(QueryParams("unit=U1&indicator=hit_rate")), {"U1": "Port unit"}, None)
    assert [p["indicator"] for p in shown["panels"]] == ["hit_rate"]
    low, high = interval(rows[0])
    assert low < 0.1 < high
    assert "Port unit" in shown["panels"][0]["svg"] and "<path" in shown["panels"][0]["svg"]  # the band
    assert len(re.findall(r"<title>2025: 10 %", shown["panels"][0]["svg"])) == 1  # hover on each point


def test_map_points_carry_names_and_lima_is_spread_apart() -> None:
    drawn = svg.entry_point_map(LIMA, None)
    circles = re.findall(r'<circle cx="(-?[\d.]+)" cy="(-?[\d.]+)" r="([\d.]+)"[^>]*data-entry-point="([\w-]+)"', drawn)
    where = {ep: (float(x), float(y), float(r)) for x, y, r, ep in circles}
    lima = [where[p["entry_point_id"]] for p in LIMA[:4]]
    assert all(0 <= x <= 440 and 0 <= y <= 560 for x, y, _r in where.values())  # inside the drawing
    for a in range(4):
        for b in range(a + 1, 4):
            assert math.dist(lima[a][:2], lima[b][:2]) >= 0.9 * (lima[a][2] + lima[b][2])  # do not overlap
    assert "Jorge Chavez International Airport, Lima (airport): 356 seizures" in drawn
    assert "Callao extra-port container terminal (dry port): suppressed seizures" in drawn
    assert ">Jorge Chavez International Airport</text>" in drawn  # the busiest are labelled


def test_the_substance_legend_is_in_words_and_bars_have_hover_details() -> None:
    rows = [{"month": "2025-01-01", "substance_group": "cocaine_type", "seizures": 7},
            {"month": "2025-02-01", "substance_group": "synthetic_opioids", "seizures": 3}]
    drawn = svg.seizures_over_time(rows)
    cocaine, opioids = label("cocaine_type"), label("synthetic_opioids")  # words, never the codes
    assert f">{cocaine}</text>" in drawn and f">{opioids}</text>" in drawn
    assert "cocaine_type" not in drawn
    assert f"<title>2025-01, {cocaine}: 7 seizures</title>" in drawn


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    world = build_web_world(tmp_path_factory.mktemp("indicators"))
    app = create_app(world.db, state_url=world.state_url)
    signed = TestClient(app)
    sign_in(signed, user_name("AG-CUS", Role.ANALYST))
    yield signed
    app.state.baliza.close()


def test_the_page_its_bad_values_and_its_download(client) -> None:
    page = client.get("/indicators")
    assert page.status_code == 200 and 'name="unit"' in page.text
    assert client.get("/indicators?granularity=decade").status_code == 400
    shown = re.search(r"Rows 1–(\d+) of (\d+)", page.text)
    rows = list(csv.DictReader(io.StringIO(client.get("/indicators.csv").content.decode("utf-8-sig"))))
    if shown:
        assert len(rows) == int(shown.group(2).replace(",", ""))
    assert all(r["Unit"] for r in rows)


def test_funnel_points_name_their_prosecutor_and_outliers_are_labelled() -> None:
    import pandas as pd

    frame = pd.DataFrame([
        {"unit": "ST-1", "cases": 40, "expected": 6.0, "ratio": 1.1, "low95": 0.3, "high95": 1.9, "low998": 0.1,
         "high998": 2.5},
        {"unit": "ST-2", "cases": 50, "expected": 8.0, "ratio": 3.2, "low95": 0.4, "high95": 1.8, "low998": 0.2,
         "high998": 2.3},
    ])
    drawn = svg.funnel_plot({"dismissed": frame}, lambda who: f"{who}, Lima office")
    assert "<title>ST-1, Lima office: observed/expected 1.1 over 40 resolved cases</title>" in drawn
    assert ">ST-2</text>" in drawn and ">ST-1</text>" not in drawn  # only the point beyond the 99.8% limit
    nameless = svg.funnel_plot({"dismissed": frame.assign(unit="")}, str)
    assert "ST-" not in nameless  # aggregate readers: no names at all
