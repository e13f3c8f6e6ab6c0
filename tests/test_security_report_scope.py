"""Issue 9, item 3: the country report is computed on what its reader may read.

The attack: an analyst of an agency that holds nothing downloads the country report and reads every unit's
indicators and each prosecutor's dismissal ratios (in the charts' labels and tooltips too). The whole HTML,
SVG charts included, is searched for other agencies' unit names and ids and prosecutor ids.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from baliza.access.roles import Role
from baliza.access.state import open_state
from baliza.access.users import add_user
from baliza.analyses.model import Indicator
from baliza.report.justice import JusticeFigures
from baliza.web import sources
from web_world import JUSTICE_STAFF, PASSWORD, build_web_world, sign_in, user_name, web_app

TREND = [Indicator("units", "P9", "dismissal_rate", "2025", 0.5, 10.0, 20.0),
         Indicator("units", "Q1", "dismissal_rate", "2025", 0.25, 3.0, 12.0)]
FUNNEL = pd.DataFrame({"unit": ["ST-PRO", "ST-POL"], "cases": [30, 12], "expected": [6.0, 3.0],
                       "ratio": [2.5, 1.0], "low95": [0.2, 0.1], "high95": [1.9, 2.3], "low998": [0.0, 0.0],
                       "high998": [2.6, 3.1]})
OTHER_AGENCIES = ("Callao PCU", "Lima office", "Police unit", "VRAEM office", "ST-PRO", "ST-POL")
OTHER_IDS = ("U1", "P9", "Q1", "L1", "S1", "S2", "S3")


def leaks(document: str, names: tuple[str, ...] = OTHER_AGENCIES, ids: tuple[str, ...] = OTHER_IDS) -> list[str]:
    """Names and ids (as whole words) found anywhere in the document, SVG and chart specs included."""
    found = [n for n in names if n in document]
    return found + [i for i in ids if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", document)]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    built = build_web_world(tmp_path_factory.mktemp("report_scope"), JUSTICE_STAFF)
    state = open_state(built.state_url)
    add_user(state, "empty_analyst", PASSWORD, "AG-NONE", Role.ANALYST)
    state.close()
    return built


@pytest.fixture(scope="module")
def app(world):
    yield from web_app(world)


@pytest.fixture(autouse=True)
def planted(monkeypatch):
    """Prosecutors' funnel and offices' dismissal rates on top of the real unit figures of the world."""
    whole = sources.country_figures

    def figures(wh, results):
        found = whole(wh, results)
        return replace(found, justice=JusticeFigures(list(found.justice.findings), {"dismissed": FUNNEL}, TREND))

    monkeypatch.setattr(sources, "country_figures", figures)


def report_of(app, username: str) -> str:
    client = TestClient(app)
    sign_in(client, username)
    answer = client.get("/reports/country.html")
    assert answer.status_code == 200, answer.text
    return answer.text


def test_an_analyst_of_an_agency_with_no_rows_reads_nothing_of_the_others(app) -> None:
    document = report_of(app, "empty_analyst")
    assert leaks(document) == []
    assert "AG-NONE" in document and "<html" in document
    assert "Callao" in document  # the entry point itself is directory data, open to every reader
    assert "not part of this reader" in document  # analysts do not read prosecution analytics


def test_the_police_analyst_reads_its_own_unit_only(app) -> None:
    document = report_of(app, user_name("AG-POL", Role.ANALYST))
    assert "Police unit" in document  # the police runs Q1
    assert leaks(document, ("Callao PCU", "Lima office", "ST-PRO", "ST-POL"), ("U1", "P9")) == []
    assert "1 unit of other agencies" in document  # customs' unit at Callao, by number only


def test_the_operator_report_from_the_cli_is_the_whole_warehouse_and_says_so(world, tmp_path) -> None:
    from baliza.cli.app import app as cli

    whole = tmp_path / "whole.html"
    result = CliRunner().invoke(cli, ["report", "country", "--db", str(world.db), "--out", str(whole)])
    assert result.exit_code == 0, result.output
    assert "whole warehouse" in result.output
    document = whole.read_text()
    assert "operator" in document and "Callao PCU" in document and "Police unit" in document


def test_the_cli_with_a_user_applies_its_scope_and_refuses_roles_that_may_not_export(world, tmp_path,
                                                                                    monkeypatch) -> None:
    from baliza.cli.app import app as cli

    monkeypatch.setenv("BALIZA_STATE_URL", world.state_url)
    cut = tmp_path / "cut.html"
    runner = CliRunner()
    result = runner.invoke(cli, ["report", "country", "--db", str(world.db), "--out", str(cut), "--user",
                                 "empty_analyst"])
    assert result.exit_code == 0, result.output
    assert leaks(cut.read_text()) == []
    refused = runner.invoke(cli, ["report", "country", "--db", str(world.db), "--out", str(tmp_path / "x.html"),
                                  "--user", user_name("AG-POL", Role.OVERSIGHT)])
    assert refused.exit_code == 1 and "may not export" in refused.output
    unknown = runner.invoke(cli, ["report", "country", "--db", str(world.db), "--user", "nobody"])
    assert unknown.exit_code == 1 and "no active user 'nobody'" in unknown.output


def test_a_role_reading_prosecution_analytics_gets_only_its_offices_and_prosecutors(world, monkeypatch) -> None:
    """Should a role that reads prosecution analytics (READ_JUSTICE) ever export, it gets the cut of the
    Justice page: the offices its agency runs, their prosecutors, nothing of the others."""
    from baliza.access.principal import Principal
    from baliza.access.roles import PERMISSIONS, Permission
    from baliza.access.scope import scope_for
    from baliza.report.country import country_document, country_figures
    from baliza.report.readership import figures_for
    from baliza.warehouse import open_warehouse

    monkeypatch.setitem(PERMISSIONS, Role.PROSECUTION_INSPECTOR,
                        PERMISSIONS[Role.PROSECUTION_INSPECTOR] | {Permission.EXPORT})
    state = open_state(world.state_url)
    with open_warehouse(world.db, read_only=True) as wh:
        whole = country_figures(wh)
        whole = replace(whole, justice=JusticeFigures([], {"dismissed": FUNNEL}, TREND))
        police = Principal("inspector", "AG-POL", Role.PROSECUTION_INSPECTOR)
        cut = figures_for(wh, scope_for(wh, state, police), whole)
    state.close()
    assert [i.subject_id for i in cut.justice.trend] == ["Q1"]
    assert list(cut.justice.funnels["dismissed"]["unit"]) == ["ST-POL"]
    document = country_document(cut)
    assert "ST-POL" in document and leaks(document, ("Lima office", "ST-PRO"), ("P9",)) == []
