"""Names, not ids, wherever a finding is worded (issue 11): the findings queue, its CSV and Excel, the API and
the reports show the display names of units, offices, prosecutors and agencies; the id stays beside it (a
title, an extra column). A person is never named in a finding."""

from __future__ import annotations

import csv
import io

import pytest
from typer.testing import CliRunner

from baliza.access.redaction import Readable, redact_finding
from baliza.access.roles import Role
from baliza.analyses import integrity
from baliza.analyses.integrity.outcomes import SUMMARIES
from baliza.analyses.model import Finding, Message, Reference
from baliza.analyses.wording import named
from baliza.cli.app import app as cli
from baliza.i18n import N_, language
from baliza.i18n.findings import summary
from baliza.i18n.naming import display_name, naming
from baliza.report.justice import JusticeFigures, justice_section_of
from baliza.web import sources
from web_world import build_web_world, signed_in_client, web_app

PROSECUTOR = Finding(
    "outcome_outlier", Reference("staff", "ST-7"), 3.2, "", (Reference("cases", "C7"),), "funnel", q_value=0.004,
    messages=(Message(SUMMARIES["prosecutor"], {"unit": named("staff", "ST-7"), "observed": 9, "n": 12,
                                                "outcome": {"label": "dismissed", "vocabulary": None},
                                                "expected": {"decimal": 3.0, "decimals": 1},
                                                "ratio": {"decimal": 3.0, "decimals": 1}}),))
UNIT = Finding("seizure_not_converted", Reference("units", "Q1"), 2.0, "", (Reference("seizures", "S3"),), "test",
               q_value=0.01, messages=(Message(N_("Unit %(unit)s: %(observed)s of %(n)s seizures with an arrest had "
                                                  "no case within %(window)s days, where peers seizing the same "
                                                  "substances and quantities would leave about %(expected)s."),
                                               {"unit": named("units", "Q1"), "observed": 4, "n": 5, "window": 90,
                                                "expected": 1}),))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build_web_world(tmp_path_factory.mktemp("names"),
                           "insert into staff (staff_id, unit_id, role, display_name, _agency_id, _load_id) values "
                           "('ST-7', 'Q1', 'prosecutor', 'Fiscal Rosa Quispe', 'AG-POL', 7)")


@pytest.fixture(scope="module")
def app(world):
    yield from web_app(world)


@pytest.fixture(autouse=True)
def planted(monkeypatch):
    monkeypatch.setattr(sources, "red_flags", lambda wh, cache: [PROSECUTOR, UNIT])
    monkeypatch.setattr(integrity, "red_flags", lambda wh, settings=None, **_: [PROSECUTOR, UNIT])


@pytest.fixture()
def inspector(app):
    return signed_in_client(app, "AG-POL", Role.PROSECUTION_INSPECTOR)


def test_the_queue_words_findings_with_names_and_keeps_the_id_as_a_title(inspector) -> None:
    page = inspector.get("/findings").text
    assert "Prosecutor Fiscal Rosa Quispe: 9 of 12 resolved seizure cases were dismissed" in page
    assert "Unit Police unit: 4 of 5 seizures with an arrest" in page
    assert "Prosecutor ST-7" not in page and "Unit Q1:" not in page
    assert 'title="ST-7">Fiscal Rosa Quispe</span>' in page  # the subject by name, its id on hover


def test_the_queue_names_them_in_spanish_too(inspector) -> None:
    page = inspector.get("/findings?lang=es").text
    assert "Fiscal Rosa Quispe" in page and "Police unit" in page
    assert "ST-7:" not in page and "Q1:" not in page


def test_csv_shows_names_in_the_words_and_ids_in_their_own_columns(inspector) -> None:
    rows = list(csv.DictReader(io.StringIO(inspector.get("/findings.csv").content.decode("utf-8-sig"))))
    by_id = {r["subject_id"]: r for r in rows}
    assert by_id["ST-7"]["Subject"].endswith("Fiscal Rosa Quispe") and by_id["ST-7"]["subject_table"] == "staff"
    assert "Fiscal Rosa Quispe" in by_id["ST-7"]["Explanation"] and "ST-7" not in by_id["ST-7"]["Explanation"]
    assert by_id["Q1"]["Explanation"].startswith("Unit Police unit:")


def test_the_api_gives_people_names_and_keeps_the_ids_in_the_data(inspector) -> None:
    found = {f["subject"]["id"]: f for f in inspector.get("/api/findings").json()}
    assert found["ST-7"]["summary"].startswith("Prosecutor Fiscal Rosa Quispe:")
    assert found["ST-7"]["messages"][0]["values"]["unit"] == {"named": "ST-7", "table": "staff"}


def test_withheld_evidence_names_the_holding_agency() -> None:
    plain = redact_finding(UNIT, Readable(frozenset(), {("seizures", "S3"): "AG-CUS"}))
    with naming({"AG-CUS": "Customs"}):
        assert "held by Customs." in summary(plain), summary(plain)
    assert "AG-CUS" in summary(plain)  # without names: the id, never nothing


def test_a_person_is_never_named_in_a_finding() -> None:
    with pytest.raises(ValueError, match="persons"):
        named("persons", "P1")
    with naming({"P1": "Witness Protected"}):  # even a surface that holds the name does not show it
        assert display_name("persons", "P1") == "P1"
        worded = summary({"messages": [{"text": "Person %(who)s.", "values": {"who": {"named": "P1",
                                                                                         "table": "persons"}}}]})
    assert "Witness Protected" not in worded and "P1" in worded


def test_names_are_read_only_when_a_finding_names_someone() -> None:
    asked: list[int] = []

    def names() -> dict[str, str]:
        asked.append(1)
        return {"Q1": "Police unit"}

    with naming(names), language("pt"):
        assert display_name("units", "Q9") == "Q9" and display_name("units", "Q1") == "Police unit"
        display_name("units", "Q1")
    assert asked == [1]


@pytest.mark.parametrize(("lang", "words"), [("en", "Prosecutor Fiscal Rosa Quispe"), ("es", "Fiscal Rosa Quispe")])
def test_the_cli_flags_name_prosecutors_and_units(world, lang: str, words: str) -> None:
    result = CliRunner().invoke(cli, ["--lang", lang, "flags", "--db", str(world.db)], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())  # lines wrapped at 100 columns
    assert words in text and "Police unit" in text, text
    assert "Prosecutor ST-7" not in text and "Fiscal ST-7" not in text and "Unit Q1:" not in text


def test_the_report_flag_queue_names_the_subject_with_its_id(world) -> None:
    with naming({"ST-7": "Fiscal Rosa Quispe", "Q1": "Police unit"}):
        html = justice_section_of(JusticeFigures([PROSECUTOR, UNIT], {}, []), analytics=False).html
    assert "Fiscal Rosa Quispe (staff/ST-7)" in html and "Prosecutor Fiscal Rosa Quispe: 9 of 12" in html
    assert "Unit Police unit: 4 of 5" in html
