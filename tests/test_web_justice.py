"""The Justice page and the Reports page: what each role sees of the prosecution analytics, and the
country report as an audited export.

The justice figures are planted (offices P9 of the prosecution service and Q1 of the police, one prosecutor
in each), so the test checks the cut each principal gets, not the analyses.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from baliza.access.audit import entries, verify
from baliza.access.roles import Role
from baliza.access.state import open_state
from baliza.analyses.model import Finding, Indicator, Reference
from baliza.report.justice import JusticeFigures
from baliza.web import sources
from web_world import JUSTICE_STAFF, build_web_world, sign_in, user_name, web_app

FINDINGS = [
    Finding("quantity_shrinkage", Reference("seizures", "S3"), 0.9, "police's own", (), "test"),
    Finding("quantity_shrinkage", Reference("seizures", "S2"), 0.7, "customs only", (), "test"),
]
TREND = [
    Indicator("units", "P9", "clearance_rate", "2025-Q1", 0.5, 10.0, 20.0),
    Indicator("units", "P9", "conviction_rate", "2025-Q1", 0.25, 5.0, 20.0),
    Indicator("units", "Q1", "clearance_rate", "2025-Q1", 0.75, 3.0, 4.0),  # a small cell
]
FUNNEL = pd.DataFrame({"unit": ["ST-PRO", "ST-POL"], "cases": [30, 12], "expected": [6.0, 3.0],
                       "ratio": [2.5, 1.0], "low95": [0.2, 0.1], "high95": [1.9, 2.3], "low998": [0.0, 0.0],
                       "high998": [2.6, 3.1]})


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build_web_world(tmp_path_factory.mktemp("justice"), JUSTICE_STAFF)


@pytest.fixture(scope="module")
def app(world):
    yield from web_app(world)


@pytest.fixture(autouse=True)
def planted(monkeypatch):
    figures = JusticeFigures(FINDINGS, {"dismissed": FUNNEL}, TREND)
    monkeypatch.setattr(sources, "justice_figures", lambda wh, results, granularity="quarter": figures)
    monkeypatch.setattr(sources, "red_flags", lambda wh, results: FINDINGS)


def page(app, role: Role, path: str = "/justice") -> str:
    client = TestClient(app)
    sign_in(client, user_name("AG-POL", role))
    answer = client.get(path)
    assert answer.status_code == 200, answer.text
    # The CSRF token is random text: an office id such as "P9" can occur in it by chance.
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value=""', answer.text)


def test_inspector_sees_the_offices_of_its_agency_and_a_link_to_its_flags(app) -> None:
    html = page(app, Role.PROSECUTION_INSPECTOR)
    assert "Q1" in html and "P9" not in html  # the police runs Q1; the prosecution's office is not in scope
    assert '<a href="/findings">1 red flag for review</a>' in html  # S3 is the police's, S2 is not
    assert "<svg" in html and "Justice</a>" in html


def test_oversight_sees_every_office_as_aggregates_without_names(app) -> None:
    html = page(app, Role.OVERSIGHT)
    assert "P9" in html and "Q1" in html
    assert ">suppressed<" in html  # Q1's clearance rests on 4 cases: suppressed
    assert "0.75" not in html
    assert "/findings" not in html and "ST-PRO" not in html and "ST-POL" not in html


def test_admin_gets_its_agency_cut_but_no_flag_queue(app) -> None:
    html = page(app, Role.ADMIN)
    assert "Q1" in html and "P9" not in html
    assert 'href="/findings"' not in html


def test_an_agency_without_offices_is_told_so(app) -> None:
    client = TestClient(app)
    sign_in(client, user_name("AG-CUS", Role.PROSECUTION_INSPECTOR))
    html = re.sub(r'name="csrf_token" value="[^"]*"', "", client.get("/justice").text)
    assert "runs no prosecution office" in html and "P9" not in html and "Q1" not in html


def test_justice_view_keeps_only_the_prosecutors_of_offices_in_scope(app) -> None:
    from baliza.access.principal import Principal
    from baliza.web import justice

    ctx = app.state.baliza
    police = Principal("p", "AG-POL", Role.PROSECUTION_INSPECTOR)
    view = justice.justice_view(ctx, police, "quarter")
    assert view["offices"] == ["Q1"] and not view["country_wide"]
    assert justice.justice_view(ctx, police, "quarter") == view  # the same cut is rendered once
    assert justice.justice_view(ctx, Principal("o", "AG-POL", Role.OVERSIGHT), "quarter")["offices"] == ["P9", "Q1"]


def test_reports_page_and_the_country_report_export_is_audited(world, app) -> None:
    client = TestClient(app)
    sign_in(client, user_name("AG-POL", Role.ANALYST))
    assert "/reports/country.pdf" in client.get("/reports").text
    report = client.get("/reports/country.html")
    assert report.status_code == 200
    assert report.headers["content-disposition"] == 'attachment; filename="country-report.html"'
    assert "<html" in report.text and "Juan Courier" not in report.text
    assert client.get("/reports/country.txt").status_code == 404
    state = open_state(world.state_url)
    mine = [(e.action, e.subject) for e in entries(state) if e.actor == user_name("AG-POL", Role.ANALYST)]
    assert mine[-1] == ("export", "reports/country.html")
    assert verify(state) == []
    state.close()


def test_the_country_report_comes_as_pdf(app) -> None:
    client = TestClient(app)
    sign_in(client, user_name("AG-POL", Role.ANALYST))
    pdf = client.get("/reports/country.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"


def test_the_country_report_holds_only_the_flags_the_principal_may_read(app, monkeypatch) -> None:
    from dataclasses import replace

    whole = sources.country_figures
    planted = JusticeFigures(FINDINGS, {"dismissed": FUNNEL}, TREND)
    monkeypatch.setattr(sources, "country_figures", lambda wh, results: replace(whole(wh, results), justice=planted))
    client = TestClient(app)
    sign_in(client, user_name("AG-POL", Role.ANALYST))
    report = client.get("/reports/country.html").text
    assert "police&#x27;s own" in report or "police's own" in report
    assert "customs only" not in report
