"""The analyst's day in Spanish and Portuguese in a real browser (issue 11): one role per language is enough to
prove that the language reaches every layer. The prosecution inspector's browser asks for Spanish
(`Accept-Language: es`); the unit officer picks Portuguese with the header's switch. Landing page, findings queue
(a finding worded from its messages) and a chart title come out in the chosen language, with none of a list of
English strings left, and the header names the agency instead of its code.
"""

from __future__ import annotations

import pytest

from baliza.access.roles import Role
from baliza.analyses.integrity.common import sure_words
from baliza.analyses.model import Finding, Message, Reference
from baliza.analyses.wording import amount, share
from baliza.i18n import N_
from baliza.web import sources
from baliza.web.app import create_app
from browser_support import needs_chromium, served, signed_in_page
from web_world import build_web_world, user_name

pytest.importorskip("playwright.sync_api")
pytestmark = needs_chromium

SHRUNK = Message(N_("Case %(case)s charges %(charged)s where seizure %(seizure)s held %(held)s (%(share)s)."),
                 {"case": "C7", "charged": amount(2.5, "kg"), "seizure": "S2", "held": amount(1200.0, "kg"),
                  "share": share(2.5 / 1200, 1)})
FINDING = Finding("quantity_shrinkage", Reference("seizures", "S2"), 0.99, "", (Reference("seizures", "S2"),), "",
                  messages=(SHRUNK, sure_words(None)))
# English a page in another language must not show (navigation, headings, the finding's own words)
ENGLISH = ("Sign out", "Findings", "Overview", "Waiting for your decision", "How this was computed",
           "This is a fact in the records", "where seizure", "Unit indicators", "Hit rate", "Seizures")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    world = build_web_world(tmp_path_factory.mktemp("words"))
    with served(create_app(world.db, state_url=world.state_url)) as url:
        yield url


@pytest.fixture(autouse=True)
def planted_finding(monkeypatch):
    monkeypatch.setattr(sources, "red_flags", lambda wh, cache: [FINDING])


def english_left(page) -> list[str]:
    text = page.locator("body").inner_text()
    return [s for s in ENGLISH if s in text]


def test_the_prosecution_inspector_works_in_spanish(browser, base_url) -> None:
    page = signed_in_page(browser, base_url, user_name("AG-CUS", Role.PROSECUTION_INSPECTOR), locale="es-PE")
    page.goto(base_url)
    assert page.locator("html").get_attribute("lang") == "es"
    assert "En espera de su decisión" in page.locator("main").inner_text()
    assert "Cerrar sesión" in page.locator("header").inner_text()
    agency = page.locator("header .agency")
    assert agency.get_attribute("title") == "AG-CUS" and agency.inner_text() != "AG-CUS"  # the name, not the code
    assert not english_left(page)

    page.goto(f"{base_url}/findings")
    finding = page.locator("main").inner_text()
    assert "La causa C7 imputa 2,5 kg cuando la incautación S2 tenía 1.200 kg (0,2%)" in finding, finding
    assert "Es un hecho en los registros" in finding and "Cómo se calculó" in finding
    assert page.locator("article.finding h2").first.inner_text().startswith("Merma de cantidad")  # not title-cased
    assert not english_left(page)

    page.goto(f"{base_url}/justice")
    assert "Señales de alerta" in page.locator("main h2").all_inner_texts()
    assert not english_left(page)


def test_the_unit_officer_switches_to_portuguese(browser, base_url) -> None:
    page = signed_in_page(browser, base_url, user_name("AG-POL", Role.UNIT_OFFICER))
    page.goto(base_url)
    assert page.locator("html").get_attribute("lang") == "en"
    page.click("nav.languages a[lang=pt]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "pt"
    assert "Sair" in page.locator("header").inner_text()
    assert not english_left(page)

    page.goto(f"{base_url}/indicators")  # remembered: no ?lang= in this address
    assert page.locator("html").get_attribute("lang") == "pt"
    titles = page.locator("figure[data-indicator] figcaption").all_inner_texts()
    assert titles and "Apreensões" in titles, titles
    assert not english_left(page)
