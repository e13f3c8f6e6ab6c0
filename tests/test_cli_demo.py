"""`baliza demo --no-serve`: a country reported by several agencies, loaded, with one account per role."""

from __future__ import annotations

import re
import time
from pathlib import Path

import duckdb
import pytest
import yaml
from typer.testing import CliRunner

from baliza.access.roles import Role
from baliza.access.state import open_state
from baliza.access.users import authenticate, get_user
from baliza.cli.app import app


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str, float]:
    tmp = tmp_path_factory.mktemp("demo")
    db, kept = tmp / "demo.duckdb", tmp / "country"
    started = time.perf_counter()
    result = CliRunner().invoke(app, ["demo", "--no-serve", "--db", str(db), "--keep", str(kept)],
                                env={"BALIZA_STATE_URL": "", "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return db, kept, result.output, time.perf_counter() - started


def test_demo_finishes_well_under_a_minute_without_serving(demo) -> None:
    assert demo[3] < 60


def test_each_agency_reports_its_own_rows_in_its_own_folder(demo) -> None:
    db, kept, _, _ = demo
    folders = [p for p in kept.iterdir() if (p / "manifest.yaml").exists()]
    assert len(folders) >= 5
    for folder in folders:
        assert yaml.safe_load((folder / "manifest.yaml").read_text())["reported_by"] == folder.name
    con = duckdb.connect(str(db), read_only=True)
    owners = lambda table: {r[0] for r in con.execute(f"select distinct _agency_id from {table}").fetchall()}  # noqa: E731
    seizure_owners, case_owners = owners("seizures"), owners("cases")
    assert len(seizure_owners) >= 2  # customs and police units report their own seizures
    assert not seizure_owners & case_owners  # cases are the prosecution's
    assert owners("case_parties") == case_owners == owners("charges")
    assert owners("assets").isdisjoint(case_owners | seizure_owners)  # the financial intelligence unit's
    assert owners("farmer_enrolments").isdisjoint(seizure_owners | case_owners)
    # references resolve across folders: only the bad rows the demo plants (demo/flaws.py) are quarantined
    planted = con.execute("select count(*) from quarantine where raw::varchar like '%-X%'").fetchone()[0]
    assert planted > 0 and con.execute("select count(*) from quarantine").fetchone()[0] == planted
    con.close()


def test_demo_prints_one_working_account_per_role(demo) -> None:
    db, _, output, _ = demo
    state = open_state(f"sqlite:///{db.with_name(db.stem + '.state.sqlite')}")
    try:
        agencies = set()
        for role in Role:
            user = get_user(state, f"demo_{role.value}")
            assert user is not None and user.role == role.value
            agencies.add(user.agency_id)
        assert len(agencies) >= 4  # the accounts belong to different agencies
        partner = re.search(r"^  demo_partner_analyst +(\S+)$", output, re.MULTILINE)  # one line: user, password
        assert partner, output
        assert authenticate(state, "demo_partner_analyst", partner.group(1)) is not None
    finally:
        state.close()
    followed = re.findall(r"Whole chain to follow: seizure (SZ-\d+)", output)
    assert len(followed) >= 2  # a whole chain for each seizing agency, from inspection to verdict and assets
    assert any(f"baliza chain {seizure_id}" in output for seizure_id in followed)


def test_demo_runs_the_analyses_and_writes_the_country_report(demo) -> None:
    db, _, output, _ = demo
    report = db.with_name("demo-report.html")
    html = report.read_text(encoding="utf-8")
    assert "<svg" in html and "red flag" in html.lower()
    assert re.search(r"\d+ red flags", output) and str(report.name) in output.replace("\n", "")
