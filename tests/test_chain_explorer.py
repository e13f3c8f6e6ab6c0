"""The chain explorer: every seizure's broken links at once (`analyses.chain_breaks`), what each viewer may
see of them, filters, totals, sorting and pages (`/chain`, `GET /api/chains`), numbers as people write
them, and in a real browser. Expected values are worked out by hand in `explorer_world`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from baliza.access.clock import now
from baliza.access.grants import add_grant
from baliza.access.roles import Role
from baliza.access.state import open_state
from baliza.analyses.as_of import stage_as_of
from baliza.analyses.chain_breaks import break_rows, chain_breaks, seizure_status
from baliza.warehouse import open_warehouse
from baliza.web import explorer
from baliza.web.app import create_app
from baliza.web.formatting import money, number, quantity_text
from browser_support import chromium_browser, needs_chromium, served
from explorer_world import EXPECTED_BREAKS, EXPECTED_STATUS, build_explorer_world
from web_world import PASSWORD, sign_in, user_name


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build_explorer_world(tmp_path_factory.mktemp("explorer"))


@pytest.fixture(scope="module")
def app(world):
    application = create_app(world.db, state_url=world.state_url)
    yield application
    application.state.baliza.close()


def client_for(app, agency: str, role: Role = Role.ANALYST) -> TestClient:
    client = TestClient(app)
    sign_in(client, user_name(agency, role))
    return client


# --- the analysis -----------------------------------------------------------------------------------------

def test_breaks_and_status_of_every_seizure_on_the_whole_warehouse(world) -> None:
    with open_warehouse(world.db, read_only=True) as wh:
        found: dict[str, set[str]] = defaultdict(set)
        for row in chain_breaks(wh).to_pyarrow().to_pylist():
            found[row["seizure_id"]].add(row["code"])
        status = {r["seizure_id"]: r["status"] for r in seizure_status(wh).to_pyarrow().to_pylist()}
        evidence = break_rows(wh).to_pyarrow().to_pylist()
    assert {s: found.get(s, set()) for s in EXPECTED_BREAKS} == EXPECTED_BREAKS
    assert status == EXPECTED_STATUS
    # each break names the rows it rests on and who holds them: S5's charge is the prosecution's
    charged = {(r["evidence_table"], r["evidence_id"], r["agency_id"]) for r in evidence
               if r["code"] == "charged_below_seized"}
    assert charged == {("seizures", "S5", "AG-CUS"), ("charges", "H5", "AG-PRO")}


def test_deadlines_are_judged_against_the_data_not_today(world) -> None:
    with open_warehouse(world.db, read_only=True) as wh:
        as_of = stage_as_of(wh)
        later = {stage: day + timedelta(days=120) for stage, day in as_of.items()}  # data to April 2026
        codes_then = {(r["seizure_id"], r["code"]) for r in chain_breaks(wh, later).to_pyarrow().to_pylist()}
    assert ("S4", "no_lab_confirmation") in codes_then and ("S4", "no_case") in codes_then


# --- what the explorer shows, per viewer ----------------------------------------------------------------

def test_customs_sees_its_seizures_with_only_the_breaks_it_may_read(app) -> None:
    body = client_for(app, "AG-CUS").get("/api/chains").json()
    rows = {r["seizure_id"]: r for r in body["rows"]}
    assert set(rows) == {"S1", "S2", "S4", "S5"}
    assert rows["S2"]["codes"] == ["no_case", "no_lab_confirmation"]
    # S5's breaks rest on the prosecution's charge and disposition: not shown, and not called complete
    assert rows["S5"]["codes"] == [] and rows["S5"]["status"] == "continues_elsewhere"
    assert rows["S4"]["status"] == "too_early"
    assert rows["S1"]["unit_name"] == "Callao PCU" and rows["S1"]["entry_point_name"] == "Callao"
    assert rows["S1"]["agency_name"] == "Customs"
    totals = body["totals"]
    assert totals["seizures"] == 4
    assert totals["by_status"] == {"broken": 2, "too_early": 1, "open": 0, "complete": 0,
                                   "continues_elsewhere": 1}
    assert {k: v for k, v in totals["by_break"].items() if v} == {"no_lab_confirmation": 2, "no_case": 1}
    quantities = {q["unit"]: (round(q["total"], 3), q["seizures"]) for q in totals["quantity"]}
    assert quantities == {"kg": (1064.978, 3), "tablets": (1149160, 1)}


def test_a_case_grant_discloses_the_breaks_resting_on_the_case(world, app) -> None:
    state = open_state(world.state_url)
    grant = add_grant(state, "AG-PRO", "AG-CUS", "case", "C5", "review", now() + timedelta(days=5), "test")
    state.close()
    try:
        rows = {r["seizure_id"]: r for r in client_for(app, "AG-CUS").get("/api/chains").json()["rows"]}
        assert rows["S5"]["codes"] == ["charged_below_seized", "dismissed"]
        assert rows["S5"]["status"] == "broken"
    finally:
        from baliza.access.grants import revoke_grant

        state = open_state(world.state_url)
        revoke_grant(state, grant.grant_id, "test", owner_agency_id="AG-PRO")
        state.close()


def test_a_withholding_declaration_leaves_no_case_undecided(world, app) -> None:
    from baliza.access.withholding import disclose, withhold

    state = open_state(world.state_url)
    withhold(state, "AG-PRO", "cases", "test")  # the prosecution does not disclose that its cases exist
    state.close()
    try:
        rows = {r["seizure_id"]: r for r in client_for(app, "AG-CUS").get("/api/chains").json()["rows"]}
        assert rows["S2"]["codes"] == ["no_lab_confirmation"]  # "no case" could be contradicted: not said
    finally:
        state = open_state(world.state_url)
        disclose(state, "AG-PRO", "cases", "test")
        state.close()
    rows = {r["seizure_id"]: r for r in client_for(app, "AG-CUS").get("/api/chains").json()["rows"]}
    assert rows["S2"]["codes"] == ["no_case", "no_lab_confirmation"]


def test_police_see_the_shared_seizure_and_their_own(app) -> None:
    rows = {r["seizure_id"]: r for r in client_for(app, "AG-POL").get("/api/chains").json()["rows"]}
    assert set(rows) == {"S1", "S3"}
    assert rows["S1"]["codes"] == ["no_lab_confirmation"]  # its subject, the seizure, is shared with them
    assert rows["S3"]["status"] == "complete"


def test_the_prosecution_sees_the_seizures_its_cases_were_opened_on_as_held_elsewhere(app) -> None:
    answer = client_for(app, "AG-PRO").get("/api/chains").json()
    rows = {r["seizure_id"]: r for r in answer["rows"]}
    assert set(rows) == {"S1", "S5"}  # its cases C1 and C5 were opened on customs' S1 and S5
    s5 = rows["S5"]
    assert s5["codes"] == ["dismissed"]  # its own disposition; "charged below seized" rests on customs' lab
    assert s5["seizure_shared"] is False and s5["agency_id"] != "AG-PRO"
    assert s5["substance"] is None and s5["quantity"] is None and s5["unit_id"] is None  # hit/no-hit only
    assert s5["seized_at"] is not None
    assert rows["S1"]["codes"] == [] and rows["S1"]["status"] == "continues_elsewhere"  # its break is customs'
    page = client_for(app, "AG-PRO").get("/chain").text
    assert "not shared with you" in page


@pytest.mark.parametrize(("query", "expected"), [
    ("unit=U1", {"S1", "S2", "S4", "S5"}),
    ("entry_point=EP1", {"S1", "S2", "S4"}),
    ("substance=COCAINE", {"S1", "S5"}),  # case-insensitive
    ("date_from=2025-03-01", {"S4", "S5"}),
    ("date_from=2025-02-10&date_to=2025-04-01", {"S2", "S5"}),  # both ends included
    ("country=COL", {"S5"}),
    ("broken=no_case", {"S2"}),
    ("status=too_early", {"S4"}),
    ("agency=AG-POL", set()),
    ("broken=no_lab_confirmation&entry_point=EP1&date_to=2025-01-31", {"S1"}),
])
def test_filters(app, query: str, expected: set[str]) -> None:
    body = client_for(app, "AG-CUS").get(f"/api/chains?{query}").json()
    assert {r["seizure_id"] for r in body["rows"]} == expected
    assert body["totals"]["seizures"] == len(expected)


def test_sorting_and_pages(app, monkeypatch) -> None:
    monkeypatch.setattr(explorer, "PAGE_SIZE", 3)
    client = client_for(app, "AG-CUS")
    first = client.get("/api/chains").json()
    assert [r["seizure_id"] for r in first["rows"]] == ["S4", "S5", "S2"]  # newest first
    assert (first["pages"], first["totals"]["seizures"]) == (2, 4)
    assert [r["seizure_id"] for r in client.get("/api/chains?page=2").json()["rows"]] == ["S1"]
    by_quantity = client.get("/api/chains?sort=quantity").json()["rows"]
    assert [r["seizure_id"] for r in by_quantity] == ["S2", "S1", "S5"]  # 3 kg, 120 kg, 941.978 kg, then tablets


@pytest.mark.parametrize("query", ["status=lost", "broken=late", "date_from=2025-13-01", "sort=password",
                                   "page=0", "page=two"])
def test_bad_filters_are_refused_with_a_reason(app, query: str) -> None:
    client = client_for(app, "AG-CUS")
    response = client.get(f"/api/chains?{query}")
    assert response.status_code == 422
    assert query.split("=")[0] in str(response.json()["detail"])
    assert client.get(f"/chain?{query}").status_code == 422


def test_the_page_shows_names_formatted_quantities_and_totals(app) -> None:
    page = client_for(app, "AG-CUS").get("/chain?sort=-quantity").text
    assert "1,149,160 tablets" in page and "941.98 kg" in page and "e+" not in page
    assert "Callao PCU" in page and "Customs" in page
    assert 'class="total-seizures">4<' in page
    assert "no case, no lab confirmation" in page  # S2's broken links, in words
    officer = client_for(app, "AG-CUS", Role.OVERSIGHT)
    assert officer.get("/chain").status_code == 403


# --- numbers as people write them -------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "unit", "text"), [
    (1149160, "tablets", "1,149,160 tablets"), (941.978, "kg", "941.98 kg"), (0.0042, "kg", "0.0042 kg"),
    (1e-7, "g", "0.0000001 g"), (12_500_000.5, "l", "12,500,000.5 l"), (3.0, "kg", "3 kg"), (None, "kg",
                                                                                              "unknown quantity"),
])
def test_quantities_as_people_write_them(value, unit, text) -> None:
    assert quantity_text(value, unit) == text
    assert "e-" not in quantity_text(value, unit) and "e+" not in quantity_text(value, unit)


def test_numbers_and_money() -> None:
    assert number(1234567) == "1,234,567" and number(2.5) == "2.5" and number(float("nan")) == "unknown"
    assert money(25000.4) == "USD 25,000" and money(None) == "USD unknown"


# --- the same verdicts as one seizure's chain, on the demo -------------------------------------------------

def test_every_demo_seizure_has_the_codes_of_its_own_chain(split, split_chains) -> None:
    """On the demo split by agency: every seizure's codes and status at once (Ibis) are those of its chain."""
    with open_warehouse(split[0], read_only=True) as wh:
        as_of = stage_as_of(wh)
        found: dict[str, set[str]] = defaultdict(set)
        for row in chain_breaks(wh, as_of).to_pyarrow().to_pylist():
            found[row["seizure_id"]].add(row["code"])
        status = {r["seizure_id"]: r["status"] for r in seizure_status(wh, as_of).to_pyarrow().to_pylist()}
    assert len(status) == len(split_chains) > 1000 and len(set(status.values())) == 4  # every status occurs
    differ = [c.seizure["seizure_id"] for c in split_chains
              if {b.code for b in c.breaks} != found.get(c.seizure["seizure_id"], set())
              or c.status != status[c.seizure["seizure_id"]]]
    assert differ == []


# --- in a real browser ------------------------------------------------------------------------------------

@needs_chromium
def test_filter_the_explorer_and_open_a_seizure(world, tmp_path) -> None:
    with served(create_app(world.db, state_url=world.state_url)) as base, chromium_browser() as browser:
        page = browser.new_page()
        page.goto(f"{base}/chain")
        page.fill("input[name=username]", user_name("AG-CUS", Role.ANALYST))
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        page.select_option("select[name=broken]", "no_case")
        page.click("form.filters button")
        page.wait_for_load_state()
        assert "broken=no_case" in page.url
        ids = page.locator("table.chains tbody td:first-child a").all_inner_texts()
        assert ids == ["S2"]
        assert page.locator(".total-seizures").inner_text() == "1"
        page.click("a[href='/chain/seizure/S2']")
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "Seizure S2"
