"""The crypto page in a real browser: an analyst traces a seized wallet from the form, sees the paths drawn
(an SVG the product renders; no script, nothing fetched from elsewhere), and chooses another path to
highlight."""

from __future__ import annotations

import pytest

from baliza.access.roles import Role
from baliza.load import load_datasets
from baliza.warehouse import open_warehouse
from baliza.web.app import create_app
from browser_support import chromium_browser, needs_chromium, served
from crypto_world import build_utxo, write_csv
from web_world import PASSWORD, build_web_world, user_name

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cryptobrowser")
    world = build_web_world(tmp)
    utxo = build_utxo()
    write_csv(tmp / "crypto", "crypto_io", utxo.io)
    write_csv(tmp / "crypto", "crypto_tags", utxo.tags)
    with open_warehouse(world.db) as warehouse:
        load_datasets(warehouse, [tmp / "crypto"], agency="AG-POL")
    with served(create_app(world.db, state_url=world.state_url)) as url, chromium_browser() as browser:
        yield url, browser, utxo


def test_trace_from_the_form_and_highlight_another_path(site) -> None:
    url, browser, utxo = site
    page = browser.new_context().new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{url}/crypto")
    page.fill("input[name=username]", user_name("AG-POL", Role.ANALYST))
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.fill("input[name=from]", utxo.seeds[0])
    page.select_option("select[name=method]", "poison")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    graph = page.locator("div.graph svg")
    assert graph.count() == 1 and graph.bounding_box()["width"] > 300
    first = page.locator("details.path summary a").first.inner_text()
    highlighted_before = page.locator("line.highlighted").count()
    assert highlighted_before >= 1
    last = page.locator("details.path summary a").last
    target = last.inner_text()
    assert target != first
    last.click()
    page.wait_for_load_state()
    assert f"path_to={target}" in page.url
    assert page.locator("details.path[open] summary a").first.inner_text() == target
    assert page.locator("line.highlighted").count() >= 1
    assert page.locator("script").count() == 0 or all(
        not s.get_attribute("src") for s in page.locator("script").all())
    assert all(r.startswith(url) for r in requested)  # nothing fetched from anywhere else
