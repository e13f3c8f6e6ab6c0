"""The Early warning page and `GET /api/early-warning`: who may read them, what each cut holds, and that the
page shows what the API answers.

Planted on the web world: customs seized methamphetamine once a month from 2022 to 2025 and twelve times in
June 2025 (a surge), and a nitazene for the first time in May 2024 (a first detection); the police seized
fentanyl every month, which customs may not see (one seizure with a tell-tale id).
"""

from __future__ import annotations

from html import escape

import duckdb
import pytest

from baliza.access.roles import Role
from baliza.i18n.formatting import count, number
from baliza.report import early_warning as report_early_warning
from baliza.report.early_warning import q_text
from baliza.web.app import create_app
from web_world import build_web_world, client_for, user_name, without_csrf

SECRET = "FEN-SECRET-91"


def _rows() -> list[str]:
    rows = []
    for year in range(2022, 2026):
        for month in range(1, 13):
            rows.append(f"('M{year}{month:02}','U1','{year}-{month:02}-10','methamphetamine','ats','AG-CUS',1)")
            police = SECRET if (year, month) == (2024, 3) else f"F{year}{month:02}"
            rows.append(f"('{police}','Q1','{year}-{month:02}-12','fentanyl','synthetic_opioids','AG-POL',7)")
    rows += [f"('MS{k}','U1','2025-06-{k + 11}','methamphetamine','ats','AG-CUS',1)" for k in range(11)]
    rows += [f"('N{k}','U1','2024-0{5 + k}-03','nitazene','nps','AG-CUS',1)" for k in range(3)]
    return rows


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    built = build_web_world(tmp_path_factory.mktemp("early_warning"))
    with duckdb.connect(str(built.db)) as con:
        con.execute("insert into seizures (seizure_id, unit_id, seized_at, substance, substance_group, _agency_id,"
                    " _load_id) values " + ", ".join(_rows()))
    return built


@pytest.fixture(scope="module")
def app(world):
    application = create_app(world.db, state_url=world.state_url)
    yield application
    application.state.baliza.close()


@pytest.mark.parametrize("role", list(Role))
def test_the_page_and_the_api_are_for_analysts_drug_units_and_oversight_only(app, role: Role) -> None:
    client = client_for(app, "AG-CUS", role)
    allowed = role in (Role.ANALYST, Role.UNIT_OFFICER, Role.OVERSIGHT)
    page = client.get("/early-warning")
    assert page.status_code == (200 if allowed else 403)
    assert client.get("/api/early-warning").status_code == (200 if allowed else 403)
    assert ('href="/early-warning"' in page.text) == allowed


def test_the_planted_surge_and_first_detection_are_shown_as_the_api_answers(app) -> None:
    client = client_for(app, "AG-CUS", Role.ANALYST)
    answer = client.get("/api/early-warning").json()
    html = without_csrf(client.get("/early-warning").text)
    surge = next(s for s in answer["surges"] if s["substance"] == "methamphetamine")
    assert surge["first_month"] == surge["last_month"] == "2025-06" and surge["observed"] == 12
    assert surge["q_value"] < answer["fdr_level"]
    row = (f'<tr><td>methamphetamine</td><td>2025-06 to 2025-06</td><td class="num">{count(12)}</td>'
           f'<td class="num">{number(surge["expected"], 1)}</td><td class="num">{number(surge["ratio"], 1)}</td>'
           f'<td class="num">{escape(q_text(surge["q_value"]))}</td>')
    assert row in html
    assert '<a href="/chain/seizure/MS0">MS0</a>' in html
    first = next(f for f in answer["first_detections"] if f["substance"] == "nitazene")
    assert first["first_seized_at"] == "2024-05-03" and first["seizures"] == 3 and first["evidence"][0] == "N0"
    meth = next(s for s in answer["series"] if s["substance"] == "methamphetamine")
    june = next(p for p in meth["points"] if p["month"] == "2025-06")
    assert june["seizures"] == 12 and june["high"] < 12 <= june["seizures"]  # above its band
    assert "<svg" in html and "Seizures of methamphetamine per month against the expected band" in html


def test_another_agencys_seizures_are_named_by_holder_never_shown(app) -> None:
    client = client_for(app, "AG-CUS", Role.ANALYST)
    answer = client.get("/api/early-warning").json()
    html = without_csrf(client.get("/early-warning").text)
    assert answer["held_elsewhere"] == [{"agency_id": "AG-POL", "seizures": 49, "agency_name": "Police"}]
    assert "49 seizures held by Police" in html
    for shown in (html, str(answer)):
        assert SECRET not in shown and "fentanyl" not in shown


def test_oversight_sees_the_country_without_seizure_ids_and_small_months_hidden(app) -> None:
    client = client_for(app, "AG-POL", Role.OVERSIGHT)
    answer = client.get("/api/early-warning").json()
    html = without_csrf(client.get("/early-warning").text)
    assert {"fentanyl", "methamphetamine"} <= {s["substance"] for s in answer["series"]}
    assert all("evidence" not in s for s in answer["surges"] + answer["first_detections"])
    fentanyl = next(s for s in answer["series"] if s["substance"] == "fentanyl")
    assert all(p["seizures"] is None and p["suppressed"] for p in fentanyl["points"])  # one a month: small
    assert all(p["expected"] is None for p in fentanyl["points"])  # its band would give the months away
    assert "/chain/seizure/" not in html and SECRET not in html and "fewer than 5 seizures (not shown)" in html


def test_unodc_rises_come_with_their_attribution(app) -> None:
    unodc = report_early_warning.unodc_figures()
    if not unodc["available"]:
        pytest.skip("the UNODC seizure table is not beside the project")
    client = client_for(app, "AG-CUS", Role.UNIT_OFFICER)
    answer = client.get("/api/early-warning").json()
    html = without_csrf(client.get("/early-warning").text)
    assert answer["unodc"]["rises"] == unodc["rises"] and unodc["rises"]
    assert "data: UNODC" in html and "Seizures reflect enforcement and reporting" in html
    first = unodc["rises"][0]
    assert f'<td>{first["region"]}</td><td>{first["drug_group"]}</td><td class="num">{first["year"]}</td>' in html


def test_the_country_report_section_holds_the_readers_surges_with_how_they_were_found(app) -> None:
    from baliza.access.principal import Principal
    from baliza.access.roles import Permission
    from baliza.access.scope import ScopedWarehouse
    from baliza.report.readership import _on_scope

    ctx = app.state.baliza
    customs = Principal(user_name("AG-CUS", Role.ANALYST), "AG-CUS", Role.ANALYST)
    with ctx.reading(customs) as (wh, scope):
        figures = _on_scope(ScopedWarehouse(wh, scope), customs, Permission.READ_EARLY_WARNING, "early_warning")
    surge = next(s for s in figures["surges"] if s["substance"] == "methamphetamine")
    unodc = {"available": True, "source": report_early_warning.UNODC_SOURCE, "first_year": 2018,
             "last_year": 2022, "rises": [{"region": "Asia", "drug_group": "NPS", "year": 2021,
                                           "kilograms": 1500.0, "previous_peak_kilograms": 700.0,
                                           "reporting_countries": 9}]}
    section = report_early_warning.early_warning_section(figures, unodc).html
    assert f"<td>methamphetamine</td><td>2025-06 to 2025-06</td><td class=num>{count(12)}</td>" in section
    assert escape(q_text(surge["q_value"])) in section and "Benjamini-Hochberg" in section
    assert "<td>nitazene</td>" in section and "<svg" in section
    assert "<td>Asia</td><td>NPS</td><td class=num>2021</td><td class=num>1,500</td>" in section
    assert "data: UNODC" in section and "fentanyl" not in section and SECRET not in section
