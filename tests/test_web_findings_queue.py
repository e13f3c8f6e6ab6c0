"""The findings queue: filters and facets over what the principal may read, decisions in place with a
confirmation, bad query values as a 400 page, CSV and Excel of exactly the filtered list."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from baliza.access.roles import Role
from baliza.analyses.model import Finding, Reference
from baliza.web import sources
from baliza.web.app import create_app
from web_world import build_web_world, signed_in_client

FINDINGS = [
    Finding("quantity_shrinkage", Reference("cases", "C7"), 0.9, "police case C7 charges less", (), "per case"),
    Finding("quantity_shrinkage", Reference("seizures", "S3"), 0.8, "police seizure S3", (), "per case"),
    Finding("quantity_shrinkage", Reference("seizures", "S1"), 0.7, "customs S1, shared", (), "per case"),
    Finding("quantity_shrinkage", Reference("seizures", "S2"), 0.6, "customs S2, not shared", (), "per case"),
    Finding("outcome_outlier", Reference("units", "Q1"), 3.2, "the police unit dismisses more", (), "funnel",
            q_value=0.004),
]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    world = build_web_world(tmp_path_factory.mktemp("queue"))
    application = create_app(world.db, state_url=world.state_url)
    yield application
    application.state.baliza.close()


@pytest.fixture(autouse=True)
def planted(monkeypatch):
    monkeypatch.setattr(sources, "red_flags", lambda wh, cache: FINDINGS)


@pytest.fixture()
def inspector(app):
    return signed_in_client(app, "AG-POL", Role.PROSECUTION_INSPECTOR)


def _rows(csv_bytes: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(csv_bytes.decode("utf-8-sig"))))


def test_filters_keep_only_what_they_name_and_facets_count_everything(inspector) -> None:
    page = inspector.get("/findings?rule=outcome_outlier").text
    assert "the police unit dismisses more" in page and "police case C7" not in page
    assert "1 of 4 findings match" in page  # S2 is customs' and not shared: never counted
    assert "Quantity shrinkage (3)" in page and "Outcome outlier (1)" in page
    by_q = inspector.get("/findings?q_max=0.01").text
    assert "the police unit dismisses more" in by_q and "police seizure S3" not in by_q


def test_a_case_finding_is_placed_at_its_office_by_name(inspector) -> None:
    page = inspector.get("/findings?office=Q1").text
    assert "police case C7 charges less" in page and "police seizure S3" not in page
    assert "Police unit" in page  # the office's name, not only its code


@pytest.mark.parametrize("query", ["page=abc", "page=0", "q_max=lots", "q_max=2", "status=maybe", "sort=random"])
def test_bad_query_values_get_a_400_page_naming_the_parameter(inspector, query: str) -> None:
    response = inspector.get(f"/findings?{query}")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert query.split("=")[0] in response.text and "Sign out" in response.text  # the layout, with navigation


def test_a_decision_in_place_answers_with_a_confirmation_and_the_queue_shows_it(inspector) -> None:
    page = inspector.get("/findings?rule=outcome_outlier").text
    finding_id = page.split('data-finding="')[1].split('"')[0]
    csrf = inspector.headers["X-Test-Csrf"]
    answer = inspector.post(f"/findings/{finding_id}/decision", data={"decision": "confirmed", "note": "seen",
                                                                      "csrf_token": csrf},
                            headers={"Accept": "application/json"})
    assert answer.status_code == 200 and answer.json()["decision"] == "confirmed" and answer.json()["message"]
    decided = inspector.get("/findings?status=confirmed").text
    assert "the police unit dismisses more" in decided and "police seizure S3" not in decided
    plain = inspector.post(f"/findings/{finding_id}/decision",
                           data={"decision": "dismissed", "csrf_token": csrf, "back": "?rule=outcome_outlier"},
                           follow_redirects=False)
    assert plain.status_code == 303
    assert plain.headers["location"].startswith("/findings?rule=outcome_outlier&decided=")


def test_csv_and_excel_hold_exactly_the_filtered_findings(inspector) -> None:
    rows = _rows(inspector.get("/findings.csv?rule=quantity_shrinkage").content)
    assert sorted(r["subject_id"] for r in rows) == ["C7", "S1", "S3"]
    assert {r["Red flag"] for r in rows} == {"Quantity shrinkage"}
    book = load_workbook(io.BytesIO(inspector.get("/findings.xlsx?rule=quantity_shrinkage").content))
    sheet = book.active
    values = list(sheet.values)
    assert values[0][0] == "Red flag" and len(values) == 1 + 3
    assert inspector.get("/findings.pdf").status_code == 404


def test_the_queue_and_its_exports_are_refused_to_roles_that_may_not_read_findings(app) -> None:
    client = signed_in_client(app, "AG-POL", Role.UNIT_OFFICER)
    assert client.get("/findings").status_code == 403
    assert client.get("/findings.csv").status_code == 403
