"""The offices' trend chart on the Justice page clicks through to the rows behind a point (issue 11): each
point links to the cases of that office opened in that period, listed as the reader may read them; readers
of aggregates get no links and no list."""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from baliza.access.roles import Role
from baliza.analyses.model import Indicator
from baliza.report.justice import JusticeFigures
from baliza.web import sources
from baliza.web.app import create_app
from web_world import build_web_world, sign_in, user_name

TREND = [
    Indicator("units", "Q1", "clearance_rate", "2025-Q1", 0.75, 3.0, 4.0),
    Indicator("units", "Q1", "clearance_rate", "2025-Q2", 0.5, 1.0, 2.0),
    Indicator("units", "P9", "clearance_rate", "2025-Q1", 0.5, 10.0, 20.0),
]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    world = build_web_world(tmp_path_factory.mktemp("trendlinks"))
    application = create_app(world.db, state_url=world.state_url)
    yield application
    application.state.baliza.close()


@pytest.fixture(autouse=True)
def planted(monkeypatch):
    figures = JusticeFigures([], {}, TREND)
    monkeypatch.setattr(sources, "justice_figures", lambda wh, results, granularity="quarter": figures)
    monkeypatch.setattr(sources, "red_flags", lambda wh, results: [])


def _client(app, role: Role) -> TestClient:
    client = TestClient(app)
    sign_in(client, user_name("AG-POL", role))
    return client


def _links(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'xlink:href="([^"]+)"', html)]


def test_each_point_of_an_offices_trend_opens_its_cases_of_the_period(app) -> None:
    inspector = _client(app, Role.PROSECUTION_INSPECTOR)
    links = _links(inspector.get("/justice?granularity=quarter").text)
    assert sorted(links) == ["/justice?granularity=quarter&office=Q1&period=2025-Q1#cases",
                             "/justice?granularity=quarter&office=Q1&period=2025-Q2#cases"]  # P9: not in scope
    listed = inspector.get(sorted(links)[0].split("#")[0]).text  # the link of 2025-Q1
    assert 'id="cases"' in listed and "1 case of Police unit opened in 2025-Q1" in listed
    assert '<a href="/chain/case/C7">C7</a>' in listed and '<a href="/chain/seizure/S3">S3</a>' in listed
    later = inspector.get("/justice?granularity=quarter&office=Q1&period=2025-Q2").text
    assert "0 cases of Police unit opened in 2025-Q2" in later and "/chain/case/C7" not in later


def test_the_list_shows_only_cases_the_reader_may_read(app) -> None:
    other = _client(app, Role.PROSECUTION_INSPECTOR).get("/justice?office=P9&period=2025-Q1").text
    assert "/chain/case/C1" not in other  # the prosecution service's case, not shared with the police


def test_aggregate_readers_get_no_links_and_no_list(app) -> None:
    oversight = _client(app, Role.OVERSIGHT)
    assert _links(oversight.get("/justice").text) == []
    listed = oversight.get("/justice?office=Q1&period=2025-Q1").text
    assert 'id="cases"' not in listed and "/chain/case/" not in listed
