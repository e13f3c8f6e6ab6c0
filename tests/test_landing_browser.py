"""Each demo role signs in (real Chromium) and its landing page answers its first question; the key figures
are checked against the warehouse with plain SQL. With BALIZA_SCREENSHOTS=<folder>, each landing page is
saved there at 1440x900 (how docs/screenshots/ was made).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from baliza.access.demo_accounts import create_demo_accounts
from baliza.access.state import open_state, users
from baliza.demo.country import generate_country
from baliza.load import load_datasets
from baliza.warehouse.store import open_warehouse
from baliza.web.app import create_app
from browser_support import chromium_browser, needs_chromium, served

pytest.importorskip("playwright.sync_api")
pytestmark = needs_chromium
PASSWORD = "a long demo password"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("landing")
    country, db = tmp / "country", tmp / "demo.duckdb"
    generate_country(country, seed=7, scale="small", truth_path=tmp / "truth.json", by_agency=True)
    state_url = f"sqlite:///{tmp / 'state.sqlite'}"
    state = open_state(state_url)
    with open_warehouse(db) as wh:
        load_datasets(wh, sorted(p for p in country.iterdir() if (p / "manifest.yaml").exists()))
        accounts = {a.role.value: a for a in create_demo_accounts(wh, state)}
    with state.engine.begin() as conn:
        conn.execute(users.update().values(password_hash=PasswordHasher().hash(PASSWORD)))
    state.close()
    return db, state_url, accounts


@pytest.fixture(scope="module")
def pages(demo):
    db, state_url, _ = demo
    with served(create_app(db, state_url=state_url)) as url, chromium_browser() as browser:
        yield url, browser


def sql(db: Path, query: str, *params):
    with open_warehouse(db, read_only=True) as wh:
        return wh.duckdb.execute(query, list(params)).fetchall()


def landing(pages, username: str, role: str, locale: str | None = None):
    url, browser = pages
    page = browser.new_context(viewport={"width": 1440, "height": 900},
                               **({"locale": locale} if locale else {})).new_page()
    page.set_default_timeout(180_000)  # a landing page computes its analyses on first use: slow on a busy machine
    page.goto(f"{url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if page.url.rstrip("/") != url:
        page.goto(url)
    folder = os.environ.get("BALIZA_SCREENSHOTS")
    if folder and locale is None:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"landing-{role.replace('_', '-')}.png"))
    return page


def figure(page, name: str) -> int:
    text = page.locator(f"[data-figure={name}] .key-value, [data-indicator={name}] .key-value").first.inner_text()
    return int(re.sub(r"[^\d]", "", text))


def test_unit_officer_sees_its_largest_unit_against_peers(demo, pages) -> None:
    db, _, accounts = demo
    officer = accounts["unit_officer"]
    year = sql(db, "select max(year(inspected_at)) from inspections")[0][0]
    (_unit, name, count), = sql(db, "select s.unit_id, u.name, count(*) n from seizures s join units u using (unit_id) "
                                   "where u.agency_id = ? and year(s.seized_at) = ? group by all "
                                   "order by n desc, u.name limit 1", officer.agency_id, year)
    page = landing(pages, officer.username, "unit_officer")
    assert page.locator("h1").inner_text() == name  # the task force with most seizures, not the first by code
    assert figure(page, "seizures") == count
    assert page.locator("select[name=unit] option:checked").inner_text() == name
    assert page.locator("#unit-lines tbody tr").count() >= 10  # every indicator, against peers


def test_inspector_sees_the_findings_waiting_and_the_offices(demo, pages) -> None:
    db, _, accounts = demo
    inspector = accounts["prosecution_inspector"]
    page = landing(pages, inspector.username, "prosecution_inspector")
    offices = sql(db, "select count(*) from units where agency_id = ? and kind = 'prosecution_office'",
                  inspector.agency_id)[0][0]
    assert figure(page, "offices") == offices
    waiting = figure(page, "waiting")
    assert waiting > 0
    page.click("text=Open the queue")
    assert f"{waiting} of" in page.locator("p.toolbar").inner_text().replace(",", "")


def test_programme_officer_sees_its_programme_outcomes(demo, pages) -> None:
    db, _, accounts = demo
    officer = accounts["programme_officer"]
    (enrolled, placed), = sql(db, "select count(*), count(*) filter (where status in ('placed', 'completed')) "
                                  "from farmer_enrolments where _agency_id = ?", officer.agency_id)
    page = landing(pages, officer.username, "programme_officer")
    assert figure(page, "enrolled") == enrolled and figure(page, "placed") == placed
    assert page.locator("#growth-units tbody tr").count() >= 5  # the growth report's largest units
    page.click("a.button:has-text('Reports')")
    assert page.locator("a[href='/reports/growth.html']").count() == 1


def test_oversight_sees_published_aggregates_with_small_cells_suppressed(demo, pages) -> None:
    db, _, accounts = demo
    year = sql(db, "select max(year(seized_at)) from seizures")[0][0]
    counts = dict(sql(db, "select unit_id, count(*) from seizures where year(seized_at) = ? group by 1", year))
    page = landing(pages, accounts["oversight"].username, "oversight")
    large = max(counts, key=lambda u: counts[u])
    row = page.locator(f"#oversight-units tr[data-unit='{large}'] td").nth(1).inner_text()
    assert int(row.replace(",", "")) == counts[large]  # a unit with many seizures is shown, never "< 5"
    small = next(u for u, n in counts.items() if 0 < n < 5)
    assert page.locator(f"#oversight-units tr[data-unit='{small}'] td").nth(1).inner_text() == "suppressed"


def test_administrator_sees_accounts_loads_and_the_audit_log(demo, pages) -> None:
    _, state_url, accounts = demo
    admin = accounts["admin"]
    state = open_state(state_url)
    with state.engine.connect() as conn:
        agency_accounts = conn.execute(sa.select(sa.func.count()).select_from(users)
                                       .where(users.c.agency_id == admin.agency_id)).scalar_one()
    state.close()
    page = landing(pages, admin.username, "admin")
    assert figure(page, "users") == agency_accounts
    assert figure(page, "loads") >= 1
    page.click("[data-figure=audit]")
    assert f"users/{admin.username}" in page.locator("#admin-audit").inner_text()  # its own sign-in


def test_the_demo_quarantine_shows_root_causes_with_their_knock_on_rows(demo, pages) -> None:
    page = landing(pages, demo[2]["unit_officer"].username, "unit_officer")
    page.goto(page.url.rstrip("/") + "/quarantine")
    assert figure(page, "causes") == 3 and figure(page, "knock-on") == 4  # as `demo/flaws.py` plants them
    assert "U-JAITF-LMI" in page.locator("#quarantine-causes").inner_text()


# every key figure but the audit log's count, which each sign-in of this test adds to
FIGURES = ("[data-figure]:not([data-figure=audit]) .key-value, [data-indicator] .key-value, "
           "#oversight-units td.num")


@pytest.mark.parametrize("role", ["unit_officer", "prosecution_inspector", "programme_officer", "oversight", "admin"])
def test_each_role_reads_the_same_key_figures_in_spanish_and_portuguese(demo, pages, role: str) -> None:
    """The browser's language picks Spanish (es-PE) or Portuguese (pt-BR): the page says so, its navigation
    is translated, and the key figures are the English page's, written as the reader writes numbers."""
    _, _, accounts = demo
    username = accounts[role].username

    def digits(page) -> list[str]:
        return [re.sub(r"[^\d]", "", t) for t in page.locator(FIGURES).all_inner_texts()]

    english = landing(pages, username, role)
    expected = digits(english)
    assert expected, role
    for locale, code, sign_out in (("es-PE", "es", "Cerrar sesión"), ("pt-BR", "pt", "Sair")):
        page = landing(pages, username, role, locale)
        assert page.locator("html").get_attribute("lang") == code
        assert sign_out in page.locator("header").inner_text() and "Sign out" not in page.content()
        assert digits(page) == expected, (role, code)
