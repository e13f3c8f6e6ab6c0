"""Numbers, quantities, percentages, dates and vocabulary values as a reader of each language writes them."""

from __future__ import annotations

from datetime import date

import pytest

from baliza.analyses.wording import quantity
from baliza.contract.tables import TABLES
from baliza.i18n import language
from baliza.i18n.formatting import count, day, money, number, percent
from baliza.i18n.labels import LABELS, label
from baliza.web.formatting import quantity_text


@pytest.mark.parametrize(("code", "expected"), [
    ("en", ("1,149,160", "941.98", "0.0042", "108.79", "26%", "2025-04-10", "USD 25,000")),
    ("es", ("1.149.160", "941,98", "0,0042", "108,79", "26%", "10/04/2025", "USD 25.000")),
    ("pt", ("1.149.160", "941,98", "0,0042", "108,79", "26%", "10/04/2025", "USD 25.000")),
])
def test_numbers_and_dates_follow_the_language(code: str, expected: tuple[str, ...]) -> None:
    with language(code):
        shown = (count(1_149_160.0), number(941.978), number(0.0042), number(108.79126157407408), percent(0.256),
                 day(date(2025, 4, 10)), money(25_000.4))
    assert shown == expected


def test_quantities_never_use_scientific_notation_and_name_their_unit() -> None:
    assert quantity(1.14916e6, "tablets") == "1,149,160 tablets"
    assert "e-" not in quantity(4.2e-7, "kg") and quantity(4.2e-7, "kg").startswith("0.00000042")
    with language("es"):
        assert quantity_text(1.14916e6, "tablets") == "1.149.160 comprimidos"
        assert quantity_text(1, "doses") == "1 dosis"
    with language("pt"):
        assert quantity(2.5, "kg") == "2,5 kg"
        assert number(float("nan")) == "desconhecido"


def test_every_vocabulary_value_has_a_label() -> None:
    values = {v for t in TABLES for c in t.columns for v in c.values}
    assert values - LABELS.keys() <= {"kg", "g", "mg", "l", "ml", "tablets", "doses", "plants", "units", "CCP",
                                      "AIRCOP", "SEACOP"}


def test_labels_are_words_in_the_language_never_codes() -> None:
    assert label("plea_convicted") == "convicted on a guilty plea"
    with language("es"):
        assert label("cocaine_type") == "drogas del tipo cocaína"
        assert label("statute_barred") == "prescrito"
        assert label("court", "case_events.requested_by") == "el tribunal"
    with language("pt"):
        assert label("prosecution_inspector") == "corregedor do Ministério Público"
    assert label("never_heard_of") == "never heard of"
    assert label(None) == ""
