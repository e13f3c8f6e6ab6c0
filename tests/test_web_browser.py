"""The dashboard in a real browser (Debian's Chromium through Playwright): sign in, explore a chain,
triage a finding, share a seizure with another agency, see it there, revoke it.

Skips when Playwright or /usr/bin/chromium is missing (CI installs both).
"""

from __future__ import annotations

import pytest

from baliza.access.roles import Role
from baliza.analyses.model import Finding, Reference
from baliza.web import sources
from baliza.web.app import create_app
from browser_support import needs_chromium, served, signed_in_page
from web_world import build_web_world, user_name

pytest.importorskip("playwright.sync_api")
pytestmark = needs_chromium
FINDING = Finding("quantity_shrinkage", Reference("seizures", "S2"), 0.8, "Charged far less than seized.",
                  (Reference("seizures", "S2"),), "charged / seized < 0.8")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    world = build_web_world(tmp_path_factory.mktemp("browser"))
    with served(create_app(world.db, state_url=world.state_url)) as url:
        yield url


@pytest.fixture(autouse=True)
def planted_finding(monkeypatch):
    monkeypatch.setattr(sources, "red_flags", lambda wh, cache: [FINDING])


def test_sign_in_and_explore_a_chain(browser, base_url) -> None:
    page = signed_in_page(browser, base_url, user_name("AG-CUS", Role.ANALYST))
    assert page.url.endswith("/chain")
    page.fill("input[name=q]", "S1")
    page.click("form.search button")
    page.click("a[href='/chain/seizure/S1']")
    assert page.locator("h1").inner_text() == "Seizure S1"
    stages = {s.lower() for s in page.locator("ol.timeline .stage").all_inner_texts()}
    assert {"inspection", "seizure", "arrest", "case"} <= stages
    page.click("a[href='/chain/case/C9']")
    assert "Case C9" in page.locator("h1").inner_text()
    page.click("a[href='/chain/person/P1']")
    assert "[protected]" in page.content() and "Witness Protected" not in page.content()  # masked identity


def test_triage_a_finding(browser, base_url) -> None:
    page = signed_in_page(browser, base_url, user_name("AG-CUS", Role.PROSECUTION_INSPECTOR))
    page.goto(f"{base_url}/findings")
    article = page.locator("article.finding").first
    assert "Charged far less than seized." in article.inner_text()
    article.locator("input[name=note]").fill("lab report checked")
    article.locator("button[value=confirmed]").click()  # decided in place: no reload, a confirmation
    page.locator("#decision-status").wait_for(state="visible")
    assert "Marked confirmed" in page.locator("#decision-status").inner_text()
    assert "Marked Confirmed" in article.locator(".decision").inner_text()
    assert "lab report checked" in page.content()


def test_share_a_seizure_see_it_elsewhere_then_revoke(browser, base_url) -> None:
    customs = signed_in_page(browser, base_url, user_name("AG-CUS", Role.ANALYST))
    police = signed_in_page(browser, base_url, user_name("AG-POL", Role.ANALYST))
    assert police.goto(f"{base_url}/chain/seizure/S2").status == 404

    customs.goto(f"{base_url}/chain/seizure/S2")
    customs.click("text=Share this seizure with another agency")
    customs.select_option("select[name=grantee_agency_id]", "AG-POL")  # a picker of the known agencies
    customs.fill("input[name=purpose]", "joint investigation")
    customs.click("form.share button")
    customs.wait_for_load_state()
    assert "joint investigation" in customs.content()

    police.goto(f"{base_url}/sharing")
    police.click("a[href='/chain/seizure/S2']")
    assert police.locator("h1").inner_text() == "Seizure S2"

    row = customs.locator("tr.live", has_text="seizure S2")
    row.locator("button", has_text="Revoke").click()
    customs.wait_for_load_state()
    assert customs.locator("tr.live", has_text="seizure S2").count() == 0
    assert police.goto(f"{base_url}/chain/seizure/S2").status == 404
