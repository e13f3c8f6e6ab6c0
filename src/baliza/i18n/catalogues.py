"""Reading the checked-in gettext catalogues (`.po`), compiled in memory once per language."""

from __future__ import annotations

import gettext as _gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES: tuple[str, ...] = ("es", "pt", "en")
SOURCE_LANGUAGE = "en"
DOMAIN = "baliza"
LOCALES = Path(__file__).parent / "locales"


def catalogue_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """The translations of one language; the source language (or a missing catalogue) translates nothing."""
    path = catalogue_path(language)
    if language == SOURCE_LANGUAGE or not path.exists():
        return _gettext.NullTranslations()
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalogue, use_fuzzy=False)
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)
