"""Every string a person reads has a Spanish and a Portuguese translation.

Fails when a catalogue misses a string used in the code or templates: run
`python -m baliza.i18n.extract` to add the new strings to the catalogues, translate them in
`src/baliza/i18n/locales/{es,pt}/LC_MESSAGES/baliza.po`, then `python -m baliza.i18n.extract --check`.
"""

from __future__ import annotations

import re

import pytest
from babel.messages.catalog import Catalog

from baliza.i18n.extract import TRANSLATED, missing, read, template

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdfr]")


@pytest.fixture(scope="module")
def wanted() -> Catalog:
    return template()


def test_extraction_finds_python_template_and_label_strings(wanted: Catalog) -> None:
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in wanted if m.id}
    assert "Wrong user name or password." in ids  # _() in Python
    assert "User name" in ids  # {{ _() }} in a template
    assert "cocaine-type drugs" in ids  # N_() label kept as data
    assert "Chain explorer" in ids  # navigation


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_string_is_missing_from_the_catalogue(language: str, wanted: Catalog) -> None:
    gaps = missing(language, wanted)
    assert not gaps, (f"{len(gaps)} strings have no {language} translation (run python -m baliza.i18n.extract "
                      f"and translate them): {gaps[:15]}")


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_their_placeholders(language: str) -> None:
    for message in read(language):
        if not message.id or not message.string:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        expected = set().union(*(PLACEHOLDER.findall(s) for s in sources))
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            found = set(PLACEHOLDER.findall(text))
            assert found <= expected and (found == expected or len(sources) > 1), (language, message.id, text)


def test_strings_inside_f_strings_are_extracted_too(wanted: Catalog) -> None:
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in wanted if m.id}
    assert "Headline figures" in ids  # f"<h2>{html.escape(_('Headline figures'))}</h2>" in report.country
    assert "%(rule)s: %(num)s fact in the records" in ids  # ngettext, singular as the id
