"""Uploading a folder with bad rows in a real browser (Debian's Chromium through Playwright), watching the
load, reading its report and downloading the refused rows.

Skips when Playwright or /usr/bin/chromium is missing (CI installs both).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from baliza.access.roles import Role
from baliza.access.state import open_state_beside
from baliza.access.users import add_user
from baliza.cli.app import app as cli
from baliza.web.app import create_app
from browser_support import chromium_browser, needs_chromium, served
from load_fixtures import write_dataset
from test_service_upload import AGENCY, bad_export

pytest.importorskip("playwright.sync_api")
pytestmark = needs_chromium
PASSWORD = "a long password"


def test_an_analyst_uploads_a_folder_with_bad_rows_and_downloads_the_quarantine(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    assert runner_load(db, write_dataset(tmp_path / "first")) == 0
    state = open_state_beside(db)
    add_user(state, "ana", PASSWORD, AGENCY, Role.ANALYST)
    state.close()
    folder = bad_export(tmp_path / "export")
    with served(create_app(db)) as base_url, chromium_browser() as browser:
        page = browser.new_context(accept_downloads=True).new_page()
        page.goto(base_url + "/upload")
        page.fill("input[name=username]", "ana")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/upload")
        page.set_input_files("#files", sorted(str(p) for p in folder.iterdir()))
        page.click("#send")
        page.wait_for_selector("#result:not([hidden])", timeout=120_000)
        status = page.inner_text("#status")
        assert "2 rows accepted, 3 quarantined" in status, status
        report = page.inner_text("#tables")
        assert "seizures" in report and "persons" in report
        with page.expect_download() as downloading:
            page.click("#quarantine-link")
        download = downloading.value
        text = Path(download.path()).read_text(encoding="utf-8")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert sorted((r["table"], r["line"]) for r in rows) == [("persons", "2"), ("seizures", "3"),
                                                                 ("seizures", "4")]
        assert "Secret Name" not in text
        assert download.suggested_filename.startswith("quarantine-load-")
        # the new rows are on the dashboard at once, without a restart
        seizures = page.context.request.get(f"{base_url}/api/seizures").json()
        assert "S7" in {s["seizure_id"] for s in seizures}


def runner_load(db: Path, folder: Path) -> int:
    return CliRunner().invoke(cli, ["load", str(folder), "--db", str(db), "--agency", AGENCY]).exit_code
