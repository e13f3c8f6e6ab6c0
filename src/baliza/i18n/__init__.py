"""Translations: every string a person reads goes through `gettext` (`_`) here.

The language of the current request, report or command is held in a context variable, set with
`language("es")`. Catalogues are gettext `.po` files checked in under `i18n/locales/<lang>/LC_MESSAGES/`
(Spanish and Portuguese first, English is the source language). Code marks strings with
`from baliza.i18n import gettext as _`; templates with `{{ _("...") }}` (installed in the Jinja environment
by `install(env)`). A string without a translation falls back to its English source.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from baliza.i18n.catalogues import LANGUAGES, SOURCE_LANGUAGE, translations

__all__ = ["LANGUAGES", "N_", "SOURCE_LANGUAGE", "N_plural", "current", "gettext", "install", "language", "ngettext"]

LANGUAGE_NAMES: dict[str, str] = {"es": "Español", "pt": "Português", "en": "English"}
"""Each language in its own words, for the switch in the page header."""

_current: ContextVar[str] = ContextVar("baliza_language", default=SOURCE_LANGUAGE)


def current() -> str:
    """The language of what is being produced now ("es", "pt" or "en")."""
    return _current.get()


@contextmanager
def language(code: str) -> Iterator[str]:
    """Produce everything inside the block in language `code` (unknown codes fall back to the source)."""
    chosen = code if code in LANGUAGES else SOURCE_LANGUAGE
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


def gettext(message: str, **values: Any) -> str:
    """`message` in the current language; `%(name)s` placeholders filled from `values`."""
    text = translations(_current.get()).gettext(message)
    return text % values if values else text


def ngettext(singular: str, plural: str, n: int, **values: Any) -> str:
    """Singular or plural of a message in the current language; `%(num)s` is `n`."""
    text = translations(_current.get()).ngettext(singular, plural, n)
    return text % {"num": n, **values}


def N_(message: str) -> str:
    """Mark `message` for the catalogues without translating it now (labels defined as data, translated
    where they are shown with `gettext(label)`)."""
    return message


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular and plural pair for the catalogues (one plural entry) without translating it now: a
    counted `Message`'s words, chosen by `ngettext` where it is worded."""
    return singular, plural


def install(env: Any) -> None:
    """Give a Jinja environment `_`, `gettext` and `ngettext` (new-style: `_("Hi %(name)s", name=x)`),
    `current_language()` (for `<html lang>`), the language names and the `label` filter (vocabulary values
    as words in the current language). Numbers and dates: `web.formatting`'s filters."""
    from baliza.i18n import labels, web

    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(_raw_gettext, _raw_ngettext, newstyle=True)  # Jinja fills and escapes values
    env.globals["current_language"] = current
    env.globals["languages"] = LANGUAGE_NAMES
    env.filters["label"] = labels.label
    env.globals["field_label"] = labels.field_label
    env.filters["indicator_label"] = labels.indicator_label
    env.globals["plain_detail"] = web.plain_detail
    from baliza.i18n import findings

    env.globals["finding_summary"] = findings.summary  # a finding's why, worded from its messages
    env.globals["finding_method"] = findings.method


def _raw_gettext(message: str) -> str:
    return translations(_current.get()).gettext(message)


def _raw_ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)
