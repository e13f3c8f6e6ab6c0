"""Quarantine grouped by root cause with a file to fix, and the administrator's pages."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from baliza.access.roles import Role
from baliza.web.app import create_app
from baliza.web.quarantine_view import group, refused_rows
from web_world import build_web_world, sign_in, user_name


def _row(file: str, line: int, reason: str, table: str = "seizures") -> dict:
    return {"load_id": 1, "table_name": table, "source_file": f"/in/{file}", "line": line, "column_name": "x",
            "value": "v", "reason": reason, "raw": {"id": f"{file}:{line}"}}


def test_knock_on_rows_sit_under_the_row_that_started_their_chain() -> None:
    rows = [
        _row("units.csv", 4, "unit_id 'U9' is not in agencies", "units"),
        _row("seizures.csv", 7, "unit_id 'U9' is not in units (the units row at /in/units.csv line 4 was quarantined)"),
        _row("arrests.csv", 2, "seizure_id 'S7' is not in seizures (the seizures row at /in/seizures.csv line 7 "
             "was quarantined)", "arrests"),
        _row("seizures.csv", 9, "quantity '-1' is negative"),
    ]
    causes = group(rows)
    assert [(c.row["source_file"], c.row["line"], len(c.knock_on)) for c in causes] == [
        ("/in/units.csv", 4, 2), ("/in/seizures.csv", 9, 0)]
    header, body = refused_rows(rows)
    assert header[:5] == ["table", "file", "line", "reason", "fix first"] and "id" in header
    assert [r[2] for r in body] == [4, 9, 7, 2]  # causes first, then their knock-on rows
    assert body[3][4] == "the row at seizures.csv line 7"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    world = build_web_world(tmp_path_factory.mktemp("admin"))
    application = create_app(world.db, state_url=world.state_url)
    yield application
    application.state.baliza.close()


def _client(app, agency: str, role: Role) -> TestClient:
    client = TestClient(app)
    sign_in(client, user_name(agency, role))
    return client


def test_the_quarantine_page_and_download_hold_the_agencys_rows_only(app) -> None:
    customs = _client(app, "AG-CUS", Role.ANALYST)
    page = customs.get("/quarantine")
    assert page.status_code == 200 and "Root causes" in page.text
    rows = list(csv.DictReader(io.StringIO(customs.get("/quarantine.csv").content.decode("utf-8-sig"))))
    assert rows and all(r["reason"] for r in rows)
    police = _client(app, "AG-POL", Role.ANALYST)
    assert "Nothing in quarantine" in police.get("/quarantine").text


def test_admin_pages_list_the_agencys_accounts_and_refuse_other_roles(app) -> None:
    admin = _client(app, "AG-POL", Role.ADMIN)
    users = admin.get("/admin/users?role=analyst")
    assert users.status_code == 200 and "ag_pol_analyst" in users.text and "ag_cus_analyst" not in users.text
    assert "ag_pol_oversight" not in users.text  # filtered by role
    assert admin.get("/admin/audit").status_code == 200 and admin.get("/admin/tokens").status_code == 200
    assert admin.get("/admin/users.xlsx").status_code == 200
    analyst = _client(app, "AG-POL", Role.ANALYST)
    for path in ("/admin/users", "/admin/tokens", "/admin/audit", "/admin/loads"):
        assert analyst.get(path).status_code == 403, path
