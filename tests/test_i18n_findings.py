"""Findings are worded by the surfaces in the reader's language (issue 11): an analysis hands over messages
(msgid + values, stored with the finding), `baliza.i18n.findings` words them; a finding stored before messages
existed is still shown with its English text; a redacted finding keeps none of the values it withholds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baliza.access.redaction import Readable, redact_finding
from baliza.analyses.integrity import FlagSettings, red_flags
from baliza.analyses.model import Finding, Message, Reference
from baliza.i18n import N_, language
from baliza.i18n.findings import method, summary
from baliza.warehouse import open_warehouse
from small_country import build_small_country


@pytest.fixture(scope="module")
def flagged(tmp_path_factory: pytest.TempPathFactory) -> Finding:
    """A leaking seizing unit in a small country (seed 1 leaks; see test_small_country)."""
    with open_warehouse(tmp_path_factory.mktemp("words") / "w.duckdb") as wh:
        build_small_country(wh, 1)
        findings = red_flags(wh)
    found = [f for f in findings if f.rule == "seizure_not_converted"]
    assert found, [f.rule for f in findings]
    return found[0]


def test_a_finding_carries_messages_and_its_english_words(flagged: Finding) -> None:
    assert flagged.messages and flagged.method_messages
    assert flagged.summary.startswith(f"Unit {flagged.subject.id}: ")
    assert "q =" in flagged.summary and "seizures with an arrest had no case within 90 days" in flagged.summary
    with language("en"):
        assert summary(flagged) == flagged.summary and method(flagged) == flagged.method


def test_the_same_finding_reads_in_spanish_and_portuguese(flagged: Finding) -> None:
    with language("es"):
        es, es_method = summary(flagged), method(flagged)
    with language("pt"):
        pt = summary(flagged)
    assert "incautaciones con arresto" in es and "días" in es, es
    assert "apreensões" in pt, pt
    assert "seizures" not in es and "seizures" not in pt
    assert "Benjamini-Hochberg" in es_method and "probada solo con" in es_method.lower(), es_method
    assert "tested only" not in es_method and "flagged at" not in es_method


def test_the_stored_plain_form_is_worded_like_the_finding(flagged: Finding) -> None:
    stored = json.loads(json.dumps(flagged.to_dict()))
    with language("es"):
        assert summary(stored) == summary(flagged) and method(stored) == method(flagged)


def test_numbers_are_written_as_the_reader_writes_them() -> None:
    finding = Finding("r", Reference("units", "U1"), 1.0, "", (), "", messages=(
        Message(N_("Unit %(unit)s: %(observed)s of %(n)s seizures with an arrest had no case within %(window)s "
                   "days, where peers seizing the same substances and quantities would leave about %(expected)s."),
                {"unit": "U1", "observed": 1234, "n": 5000, "window": 90, "expected": {"decimal": 12.5,
                                                                                      "decimals": 1}}),))
    assert "1,234 of 5,000" in finding.summary and "about 12.5." in finding.summary
    with language("es"):
        assert "1234 de 5000" in summary(finding) or "1.234 de 5.000" in summary(finding), summary(finding)
        assert "12,5" in summary(finding)


def test_a_finding_stored_before_messages_is_shown_with_its_text() -> None:
    old = {"rule": "outcome_outlier", "subject": {"table": "staff", "id": "P1"}, "score": 2.0, "q_value": 0.01,
           "summary": "Prosecutor P1: 9 of 20 cases dismissed.", "method": "Old method.", "evidence": []}
    with language("es"):
        assert summary(old) == "Prosecutor P1: 9 of 20 cases dismissed." and method(old) == "Old method."
        assert summary(Finding.from_dict(old)) == "Prosecutor P1: 9 of 20 cases dismissed."


def test_a_stored_finding_reads_back_whole(flagged: Finding) -> None:
    assert Finding.from_dict(json.loads(json.dumps(flagged.to_dict()))) == flagged


def test_a_redacted_finding_keeps_none_of_the_values_it_withholds(flagged: Finding) -> None:
    held = {(e.table, e.id): "AG-PRO" for e in flagged.evidence}
    shown = redact_finding(flagged, Readable(frozenset(), held))
    stored = json.dumps(shown["messages"])
    assert str(flagged.details["observed"]) not in stored.replace("AG-PRO", "")
    assert flagged.subject.id not in stored and all(e.id not in stored for e in flagged.evidence)
    with language("es"):
        words = summary(shown)
    assert "AG-PRO" in words and "unidades incautadoras" not in words and "pruebas" in words, words


def test_every_message_of_the_red_flags_is_in_the_catalogues(flagged: Finding) -> None:
    from baliza.i18n.extract import template

    known = {m.id if isinstance(m.id, str) else m.id[0] for m in template() if m.id}
    texts = [m.text for m in flagged.messages + flagged.method_messages]
    assert texts and not [t for t in texts if t not in known]


def test_settings_phrases_become_msgids_with_the_value_formatted(tmp_path: Path) -> None:
    rule = FlagSettings.defaults().rule("quantity_shrinkage")
    (phrase,) = rule.criteria()
    assert "%(value)s" in phrase.text and "{" not in phrase.text
    with language("es"):
        assert "80 %" in summary({"messages": [phrase.to_dict()]}) or "80%" in summary(
            {"messages": [phrase.to_dict()]})


def test_indicator_definitions_are_printed_in_the_readers_language() -> None:
    from baliza.report.growth import catalogue_html

    with language("es"):
        spanish = catalogue_html()
    with language("pt"):
        portuguese = catalogue_html()
    assert "Proporción de inspecciones que encontraron drogas." in spanish
    assert "Proporção de inspeções que encontraram drogas." in portuguese
    assert "Share of inspections that found drugs" not in spanish + portuguese
    assert "Share of inspections that found drugs." in catalogue_html()  # English stays the source


def test_the_analysis_names_its_subject_for_the_surface_to_word(flagged: Finding) -> None:
    """The unit is a named value: worded with the surface's names it reads as the unit's name, never its id
    (the stored English summary, written without names, keeps the id)."""
    from baliza.i18n.naming import naming

    unit = flagged.subject.id
    with naming({unit: "Paita Port Control Unit"}):
        english = summary(flagged)
        with language("es"):
            spanish = summary(flagged)
    assert english.startswith("Unit Paita Port Control Unit: ") and unit not in english, english
    assert "Paita Port Control Unit" in spanish and unit not in spanish, spanish
    assert flagged.summary.startswith(f"Unit {unit}: ")


def test_how_the_model_and_tau2_were_fitted_are_messages_too(flagged: Finding) -> None:
    """The method text quotes the statistics' own words (the model, the tau² estimator) as messages worded
    with it, not as English fragments inside a translated sentence."""
    values = [v for m in flagged.method_messages for v in m.values.values()]
    said = [v["said"]["text"] for v in values if isinstance(v, dict) and "said" in v]
    assert any(s.startswith("logistic GLM") for s in said) and any(s.startswith("tau² by") for s in said), said
    assert not any(isinstance(v, str) and ("GLM" in v or "DerSimonian" in v) for v in values)
    assert "Logistic GLM (maximum likelihood) on" in flagged.method
    assert "DerSimonian-Laird over the other" in flagged.method


def test_tiny_q_values_read_as_powers_of_ten_in_the_readers_language() -> None:
    from baliza.i18n import language
    from baliza.i18n.findings import value

    assert value({"significant": 2.5e-11, "digits": 2}) == "2.5 × 10⁻¹¹"
    assert value({"significant": 0.000123, "digits": 2}) == "0.00012"  # above 0.0001: plain decimals
    with language("es"):
        assert value({"significant": 3.14e-9, "digits": 2}) == "3,1 × 10⁻⁹"
