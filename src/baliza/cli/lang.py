"""The language a command speaks: `--lang es|pt|en`, else the environment ($BALIZA_LANG, then $LC_ALL,
$LC_MESSAGES, $LANG as gettext reads them), else English. `baliza --lang es ...` sets it for any command; the
report commands also
take `--lang` after their name (`baliza report country --lang es`)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated

import typer

from baliza.i18n import SOURCE_LANGUAGE, current, language


class Language(StrEnum):
    ES = "es"
    PT = "pt"
    EN = "en"


# gettext's order: the first of these that is set decides (LC_ALL overrides the others).
ENVIRONMENT = ("BALIZA_LANG", "LC_ALL", "LC_MESSAGES", "LANG")  # Baliza's own first

LangOption = Annotated[
    Language | None,
    typer.Option("--lang", help="Language of the output and of --help: es, pt or en (default: $BALIZA_LANG, $LC_ALL, "
                 "$LC_MESSAGES or $LANG, else English).", show_default=False, case_sensitive=False),
]


def from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The language the environment asks for: 'es_PE.UTF-8' is Spanish, 'pt_BR' Portuguese; 'C', 'POSIX' and
    languages Baliza does not speak are English."""
    environ = os.environ if environ is None else environ
    for name in ENVIRONMENT:
        value = environ.get(name, "")
        if value:
            code = value.split(".")[0].split("@")[0].split("_")[0].split("-")[0].lower()
            return code if code in {member.value for member in Language} else SOURCE_LANGUAGE
    return SOURCE_LANGUAGE


def chosen(option: Language | None, environ: Mapping[str, str] | None = None) -> str:
    """`--lang` when given, else the environment's language."""
    return option.value if option is not None else from_environment(environ)


@contextmanager
def speaking(option: Language | None) -> Iterator[str]:
    """Inside the block, the command speaks `--lang` if given, else the language already chosen."""
    with language(option.value if option is not None else current()) as code:
        yield code
