"""The Asset recovery page and `GET /api/assets`: who may read them, what each cut holds, and that the page
shows what the API answers.

Planted on the web world: five customs assets on its case C9 (one convicted defendant), at known stages and
dates, and two prosecution assets on case C1 that customs may not see (one with a tell-tale id and value).
"""

from __future__ import annotations

import pytest

from baliza.access.roles import Role
from baliza.analyses.model import Finding, Reference
from baliza.i18n.formatting import count, money
from baliza.web import sources
from web_world import build_web_world, client_for, user_name, web_app, without_csrf

SECRET = "MX-SECRET-77"
FINDINGS = [
    Finding("asset_released_after_conviction", Reference("cases", "C9"), 1.0, "customs' case", (), "test"),
    Finding("asset_released_after_conviction", Reference("cases", "C1"), 1.0, "prosecution's case", (), "test"),
]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build_web_world(
        tmp_path_factory.mktemp("assets"),
        "insert into dispositions (case_id, person_id, disposed_at, outcome, _agency_id, _load_id) values"
        " ('C9','X1','2025-02-01','convicted','AG-CUS',1)",
        "insert into assets (asset_id, kind, estimated_value_usd, case_id, owner_person_id, jurisdiction,"
        " identified_at, frozen_at, confiscated_at, recovered_at, returned_at, released_at, _agency_id, _load_id)"
        " values"
        " ('KA1','cash',5000,'C9','X1','PER','2025-01-05','2025-01-10','2025-03-01','2025-04-01',null,null,"
        "'AG-CUS',1),"
        " ('KA2','vehicle',30000,'C9','X1','COL','2025-01-06','2025-01-12','2025-02-20','2025-03-15',null,null,"
        "'AG-CUS',1),"
        " ('KA3','real_estate',100000,'C9','X1','PER','2025-01-07','2025-01-15',null,null,null,'2025-02-10',"
        "'AG-CUS',1),"
        " ('KA4','bank_account',7000,'C9','X1','PER','2025-01-08','2025-01-20',null,null,null,null,'AG-CUS',1),"
        " ('KA5','crypto',2000,'C9','X1','COL','2025-01-09',null,null,null,null,null,'AG-CUS',1),"
        f" ('{SECRET}','jewellery',999000,'C1','X1','PER','2025-01-05','2025-01-06',null,null,null,null,"
        "'AG-PRO',5)")


@pytest.fixture(scope="module")
def app(world):
    yield from web_app(world)


@pytest.fixture(autouse=True)
def planted(monkeypatch):
    monkeypatch.setattr(sources, "red_flags", lambda wh, results: FINDINGS)


@pytest.mark.parametrize("role", list(Role))
def test_the_page_and_the_api_are_for_fiu_prosecution_and_oversight_only(app, role: Role) -> None:
    client = client_for(app, "AG-CUS", role)
    allowed = role in (Role.ANALYST, Role.PROSECUTION_INSPECTOR, Role.OVERSIGHT)
    page = client.get("/assets")
    assert page.status_code == (200 if allowed else 403)
    assert client.get("/api/assets").status_code == (200 if allowed else 403)
    assert ('href="/assets"' in page.text) == allowed  # in the navigation only for them (the 403 page has it too)


def test_another_agencys_assets_are_named_by_holder_never_shown(app) -> None:
    client = client_for(app, "AG-CUS", Role.ANALYST)
    answer = client.get("/api/assets").json()
    html = without_csrf(client.get("/assets").text)
    assert answer["assets"] == 5 and answer["value_usd"] == 144000
    assert answer["held_elsewhere"] == [{"agency_id": "AG-PRO", "assets": 2, "agency_name": "Prosecution"}]
    assert "2 assets held by Prosecution" in html
    for shown in (html, str(answer)):
        assert SECRET not in shown and "999" not in shown and "M1" not in shown
        assert "/chain/case/C1" not in shown and "'C1'" not in shown
    assert '<a href="/chain/case/C9">C9</a>' in html


def test_the_page_shows_what_the_api_answers(app) -> None:
    client = client_for(app, "AG-CUS", Role.ANALYST)
    answer = client.get("/api/assets").json()
    html = without_csrf(client.get("/assets").text)
    for stage in answer["stages"]:
        row = (f'<tr><td>{stage["label"]}</td><td class="num">{count(stage["assets"])}</td>'
               f'<td class="num">{money(stage["value_usd"])}</td></tr>')
        assert row in html
    for step in answer["stage_times"]:
        assert f'<tr><td>{step["label"]}</td><td class="num">{count(step["followed"])}</td>' in html
    assert "Colombia" in html and answer["foreign"][0]["jurisdiction_name"] == "Colombia"
    assert "no table of MLA requests" in html
    assert '<a href="/findings?rule=asset_released_after_conviction">' in html
    assert [f["count"] for f in answer["flags"] if f["rule"] == "asset_released_after_conviction"] == [1]


def test_stage_times_count_assets_still_waiting_as_censored_and_released_ones_as_gone(app) -> None:
    """Freeze to confiscation, by hand: KA1 50 days, KA2 39 days (events); KA3 released at day 26 (it will
    never be confiscated: a competing end) and KA4 still frozen at the end of the data (censored).
    Aalen-Johansen: after 26, 3/4 still frozen; at 39, 1 of 3 confiscated: 3/4 * 1/3 = 1/4; at 50, 1 of 2:
    1/4 + 1/2 * 1/2 = 1/2 (censoring KA3 instead would claim 2/3 confiscated by day 50)."""
    answer = client_for(app, "AG-CUS", Role.ANALYST).get("/api/assets").json()
    step = next(t for t in answer["stage_times"] if (t["from_stage"], t["to_stage"]) == ("frozen", "confiscated"))
    assert (step["followed"], step["reached"], step["still_waiting_or_left"]) == (4, 2, 2)
    assert (step["still_waiting"], step["left"]) == (1, 1)
    assert step["median_days"] == 50
    assert step["curve"][:3] == [[0.0, 1.0], [39.0, 0.75], [50.0, 0.5]]
    lost = next(a for a in answer["attrition"] if a["from_stage"] == "frozen")
    assert (lost["reached"], lost["went_on"], lost["released"], lost["waiting"]) == (4, 2, 1, 1)


def test_oversight_sees_the_country_without_cases_and_small_cells_suppressed(app) -> None:
    client = client_for(app, "AG-POL", Role.OVERSIGHT)
    answer = client.get("/api/assets").json()
    html = without_csrf(client.get("/assets").text)
    assert answer["assets"] == 7 and answer["cases"] == [] and answer["flags"] is None
    offices = {o["office_id"]: o for o in answer["by_office"]}
    assert offices["P9"]["assets"] is None and offices["P9"]["suppressed"]  # 2 assets: a small cell
    assert offices["U1"]["assets"] is None  # its complement: the total is published beside it
    assert all(f["assets"] is None for f in answer["foreign"])  # Colombia holds 2
    assert "/chain/case/" not in html and SECRET not in html and ">suppressed<" in html


def test_the_country_report_section_holds_the_readers_assets_in_its_language(app) -> None:
    """The report's figures are cut as the page's are (`report.readership`); the section explains each number.
    (That the country report carries the section is checked in test_report_country, on its own report.)"""
    from baliza.access.principal import Principal
    from baliza.access.roles import Permission
    from baliza.access.scope import ScopedWarehouse
    from baliza.i18n import language
    from baliza.report.assets import asset_section
    from baliza.report.readership import _on_scope
    from baliza.web import names

    ctx = app.state.baliza
    customs = Principal(user_name("AG-CUS", Role.ANALYST), "AG-CUS", Role.ANALYST)
    with ctx.reading(customs) as (wh, scope):
        figures = _on_scope(ScopedWarehouse(wh, scope), customs, Permission.READ_ASSETS, "assets")
        unit = Principal("u", "AG-CUS", Role.UNIT_OFFICER)
        assert _on_scope(ScopedWarehouse(wh, scope), unit, Permission.READ_ASSETS, "assets") is None
    section = asset_section(figures, names.directory(ctx)).html
    assert "5 assets worth USD 144,000 in all" in section and "no table of MLA requests" in section
    assert "<svg" in section and "From freeze to confiscation" in section and "Colombia" in section
    assert SECRET not in section and "999,000" not in section
    with language("es"):
        spanish = asset_section(figures, names.directory(ctx)).html
    assert "USD 144.000" in spanish  # numbers in the reader's language
    assert "is not part of this reader" in asset_section(None).html
