"""Access requests in a real browser (Debian's Chromium through Playwright): customs asks the prosecution for
its part of seizure S1's chain from the link the chain page offers, the prosecution approves, and customs'
chain then holds the prosecution's case; a refusal's reason reaches the requester; an administrator
withholds a table from the sharing page.

Skips when Playwright or /usr/bin/chromium is missing (CI installs both).
"""

from __future__ import annotations

import pytest

from baliza.access.roles import Role
from baliza.web.app import create_app
from browser_support import needs_chromium, served, signed_in_page
from request_world import LEAD_PROSECUTOR, build_request_world
from web_world import user_name

pytest.importorskip("playwright.sync_api")
pytestmark = needs_chromium



@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    world = build_request_world(tmp_path_factory.mktemp("requests-browser"))
    with served(create_app(world.db, state_url=world.state_url)) as url:
        yield url


def chain_text(page, base_url: str, seizure_id: str) -> str:
    """The JSON of `GET /api/seizures/{id}/chain` with the page's session."""
    answer = page.context.request.get(f"{base_url}/api/seizures/{seizure_id}/chain")
    assert answer.ok, answer.text()
    return answer.text()


def ask(page, purpose: str) -> None:
    page.fill("textarea[name=purpose]", purpose)
    page.click("form.access-request button[type=submit]")
    page.wait_for_load_state()


def test_request_from_a_hidden_link_approve_and_read_the_chain(browser, base_url) -> None:
    customs = signed_in_page(browser, base_url, user_name("AG-CUS", Role.ANALYST), "/chain/seizure/S1")
    before = chain_text(customs, base_url, "S1")
    assert "C1" not in before and LEAD_PROSECUTOR not in before

    customs.goto(f"{base_url}/requests/new?owner=AG-PRO&kind=seizure&subject=S1")
    assert "Ask AG-PRO for its part of the chain of seizure S1" in customs.locator("p.lead").inner_text()
    assert customs.input_value("input[name=owner_agency_id]") == "AG-PRO"
    ask(customs, "joint investigation of the Callao route")
    assert customs.url.endswith("/requests")
    row = customs.locator("table.outgoing tr", has_text="seizure S1")
    assert "pending" in row.inner_text() and "joint investigation of the Callao route" in row.inner_text()

    prosecution = signed_in_page(browser, base_url, user_name("AG-PRO", Role.ANALYST), "/requests")
    card = prosecution.locator("article.request", has_text="seizure S1")
    assert "AG-CUS" in card.inner_text() and "joint investigation of the Callao route" in card.inner_text()
    card.locator("form.approve input[name=days]").fill("30")
    card.locator("form.approve button").click()
    prosecution.wait_for_load_state()
    assert prosecution.locator("article.request", has_text="seizure S1").count() == 0

    customs.goto(f"{base_url}/requests")
    answer = customs.locator("table.outgoing tr", has_text="seizure S1").locator("td.answer").inner_text()
    assert answer.startswith("approved by " + user_name("AG-PRO", Role.ANALYST))
    after = chain_text(customs, base_url, "S1")
    assert "C1" in after and LEAD_PROSECUTOR in after
    customs.goto(f"{base_url}/chain/seizure/S1")
    assert LEAD_PROSECUTOR in customs.content()


def test_refusal_shows_its_reason_to_the_requester(browser, base_url) -> None:
    customs = signed_in_page(browser, base_url, user_name("AG-CUS", Role.ANALYST),
                             "/requests/new?owner=AG-PRO&kind=seizure&subject=S2")
    ask(customs, "was a case opened on the heroin seizure?")
    assert "pending" in customs.locator("table.outgoing tr", has_text="seizure S2").inner_text()

    prosecution = signed_in_page(browser, base_url, user_name("AG-PRO", Role.ADMIN), "/requests")
    card = prosecution.locator("article.request", has_text="seizure S2")
    card.locator("form.refuse input[name=reason]").fill("we hold nothing on this seizure")
    card.locator("form.refuse button").click()
    prosecution.wait_for_load_state()
    assert prosecution.locator("article.request", has_text="seizure S2").count() == 0

    customs.goto(f"{base_url}/requests")
    answer = customs.locator("table.outgoing tr", has_text="seizure S2").locator("td.answer").inner_text()
    assert "refused" in answer and "we hold nothing on this seizure" in answer


def test_a_request_the_rules_refuse_says_why_on_the_form(browser, base_url) -> None:
    customs = signed_in_page(browser, base_url, user_name("AG-CUS", Role.ANALYST),
                             "/requests/new?owner=AG-CUS&kind=seizure&subject=S1")
    ask(customs, "my own seizure")
    assert "already sees its own rows" in customs.locator("p.error").inner_text()


def test_an_administrator_withholds_a_table_on_the_sharing_page(browser, base_url) -> None:
    admin = signed_in_page(browser, base_url, user_name("AG-PRO", Role.ADMIN), "/sharing")
    admin.select_option("form.withholding select[name=table]", "case_parties")
    admin.click("form.withholding button[value=withhold]")
    admin.wait_for_load_state()
    assert admin.locator("strong.withheld").inner_text() == "case_parties"
    admin.select_option("form.withholding select[name=table]", "case_parties")
    admin.click("form.withholding button[value=disclose]")
    admin.wait_for_load_state()
    assert admin.locator("strong.withheld").count() == 0
