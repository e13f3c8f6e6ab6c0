"""Issue 9, item 4: a finding computed on the whole warehouse shows a reader only what the reader may read.

The attack: a police analyst reads the flag on the police's own seizure S3, whose evidence also rests on the
prosecution's charge H1 (100 kg) and case C1. Before the fix the summary quoted the prosecution's quantity
and the evidence listed its ids; now the reader learns only that the prosecution (AG-PRO) holds charges
and cases behind the flag (hit/no-hit), and the summary names the rule and the holder.
"""

from __future__ import annotations

import re

import pytest

from baliza.access.redaction import Readable, redact_finding
from baliza.analyses.model import Finding, Reference
from baliza.web import sources
from baliza.web.app import create_app
from web_world import build_web_world, signed_in_client

SPANNING = Finding(
    "quantity_shrinkage", Reference("seizures", "S3"), 0.6,
    "seized 40 kg but charged 100 kg in H1 of case C1", (Reference("seizures", "S3"), Reference("charges", "H1"),
                                                          Reference("cases", "C1")),
    "charged quantity against seized quantity", details={"charged_kg": 100, "case_id": "C1"})
OWN = Finding("seizure_without_case", Reference("seizures", "S1"), 1.0, "S1 shared by customs: no case after 90 d",
              (Reference("seizures", "S1"),), "days since seizure")
CUSTOMS = Finding("seizure_without_case", Reference("seizures", "S2"), 1.0, "S2 of customs: 3 kg heroin",
                  (Reference("seizures", "S2"),), "days since seizure")


def test_redact_finding_keeps_readable_evidence_and_names_the_holder_of_the_rest() -> None:
    readable = Readable(frozenset({("seizures", "S3")}), {("charges", "H1"): "AG-PRO", ("cases", "C1"): "AG-PRO"})
    shown = redact_finding(SPANNING, readable)
    assert shown["evidence"] == [{"table": "seizures", "id": "S3"}, {"table": "charges", "held_by": "AG-PRO"},
                                 {"table": "cases", "held_by": "AG-PRO"}]
    assert shown["withheld"] == ["AG-PRO"]
    assert "100" not in str(shown) and "H1" not in str(shown) and "C1" not in str(shown)
    assert "AG-PRO" in shown["summary"] and "Quantity shrinking along the chain" in shown["summary"]  # rule in words
    assert shown["details"] == {}
    assert shown["subject"] == {"table": "seizures", "id": "S3"} and shown["rule"] == SPANNING.rule


def test_a_finding_wholly_readable_is_shown_in_full() -> None:
    everything = Readable(frozenset({("seizures", "S3"), ("charges", "H1"), ("cases", "C1")}))
    shown = redact_finding(SPANNING, everything)
    assert shown["summary"] == SPANNING.summary and shown["details"] == SPANNING.details
    assert shown["withheld"] == [] and [e["id"] for e in shown["evidence"]] == ["S3", "H1", "C1"]


def test_many_rows_held_elsewhere_show_as_one_hit() -> None:
    many = Finding("r", Reference("units", "U1"), 1.0, "x", tuple(Reference("cases", f"C{k}") for k in range(9)), "m")
    shown = redact_finding(many, Readable(frozenset(), {("cases", f"C{k}"): "AG-PRO" for k in range(9)}))
    assert shown["evidence"] == [{"table": "cases", "held_by": "AG-PRO"}]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    world = build_web_world(tmp_path_factory.mktemp("findings"))
    application = create_app(world.db, state_url=world.state_url)
    yield application
    application.state.baliza.close()


@pytest.fixture(autouse=True)
def planted(monkeypatch):
    monkeypatch.setattr(sources, "red_flags", lambda wh, results: [SPANNING, OWN, CUSTOMS])


def test_the_api_shows_the_police_only_what_it_may_read(app) -> None:
    found = {f["subject"]["id"]: f for f in signed_in_client(app, "AG-POL").get("/api/findings").json()}
    assert set(found) == {"S3", "S1"}  # S1 is granted by customs; S2 is not
    spanning = found["S3"]
    assert {"table": "charges", "held_by": "AG-PRO"} in spanning["evidence"]
    assert {"table": "seizures", "id": "S3"} in spanning["evidence"]
    text = str(spanning)
    assert "100" not in text and "H1" not in text and "C1" not in text
    assert found["S1"]["summary"] == OWN.summary  # granted evidence is readable in full


def test_the_findings_page_shows_the_holder_not_the_rows(app) -> None:
    html = signed_in_client(app, "AG-POL").get("/findings").text
    html = re.sub(r'name="csrf_token" value="[^"]*"', "", html)
    assert "held by Prosecution" in html  # the holding agency, by its name (AG-PRO)
    assert "100 kg" not in html and "H1" not in html and "C1" not in html
    assert "S2" not in html


def test_the_country_report_flag_queue_is_redacted(app, monkeypatch) -> None:
    from dataclasses import replace

    whole = sources.country_figures

    def planted_figures(wh, results):
        figures = whole(wh, results)
        return replace(figures, justice=replace(figures.justice, findings=[SPANNING, OWN, CUSTOMS]))

    monkeypatch.setattr(sources, "country_figures", planted_figures)
    report = signed_in_client(app, "AG-POL").get("/reports/country.html").text
    assert "held by Prosecution" in report  # the holding agency, by its name (AG-PRO)
    assert "100 kg" not in report and "H1" not in report and "S2" not in report
    assert "S3" in report
