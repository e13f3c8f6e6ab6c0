"""Small things a user meets: a 404 keeps the navigation, the favicon, map points that open the chain
explorer for roles that read seizures (and only for them), the growth report for indicator readers."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from baliza.access.roles import Role
from baliza.web.app import create_app
from web_world import build_web_world, sign_in, user_name


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    world = build_web_world(tmp_path_factory.mktemp("small"))
    application = create_app(world.db, state_url=world.state_url)
    yield application
    application.state.baliza.close()


def _client(app, role: Role, agency: str = "AG-CUS") -> TestClient:
    client = TestClient(app)
    sign_in(client, user_name(agency, role))
    return client


def test_a_404_keeps_the_navigation_and_the_page_has_a_favicon(app) -> None:
    client = _client(app, Role.ANALYST)
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert 'href="/findings"' in missing.text and "Sign out" in missing.text
    assert 'rel="icon"' in missing.text and client.get("/static/favicon.svg").status_code == 200


def test_map_points_open_the_chain_explorer_only_for_roles_that_read_seizures(app) -> None:
    assert "/chain?entry_point=EP1" in _client(app, Role.ANALYST).get("/").text
    assert "/chain?entry_point=" not in _client(app, Role.OVERSIGHT).get("/").text


def test_the_growth_report_downloads_for_indicator_readers_and_is_audited(app) -> None:
    officer = _client(app, Role.UNIT_OFFICER, "AG-POL")
    response = officer.get("/reports/growth.html")
    assert response.status_code == 200 and "Growth report" in response.text
    assert officer.get("/reports/growth.docx").status_code == 404
    admin = _client(app, Role.ADMIN, "AG-POL")
    assert "reports/growth.html" in admin.get("/admin/audit?action=export").text
