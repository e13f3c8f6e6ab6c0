"""Keep the catalogues up to date: extract every marked string from the code and templates, and update
the Spanish and Portuguese `.po` files with it.

    python -m baliza.i18n.extract            # add new strings (empty) to every catalogue, drop unused ones
    python -m baliza.i18n.extract --check    # list what a catalogue misses; exit 1 if anything does

Marked strings: `_("...")`, `gettext("...")`, `ngettext("...", "...", n)`, `N_("...")` (a label kept
as data, e.g. a finding's `Message`) and `N_plural("...", "...")` (a counted message kept as data) in
Python under `src/baliza`; `{{ _("...") }}` and `ngettext` in the Jinja templates; the rules' meanings and
setting phrases in `analyses/integrity/rules.yaml`; the CLI's `--help` texts (docstrings and option help,
`baliza.cli.help.help_texts`); the indicators' definitions (`analyses/ksi/catalogue.yaml`). A new
string arrives with an empty translation: fill it in the `.po` file (any editor, or Poedit), keep the
`%(name)s` placeholders as they are, and run `--check` again. `tests/test_i18n_catalogues.py` fails while
a catalogue misses a string.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from baliza import __version__
from baliza.i18n.catalogues import DOMAIN, LANGUAGES, SOURCE_LANGUAGE, catalogue_path

PACKAGE = Path(__file__).resolve().parent.parent  # src/baliza
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "N_plural": (1, 2)}
METHODS = [
    ("**/templates/**.html", "jinja2.ext:babel_extract"),
    ("**.py", "baliza.i18n.extract:extract_python"),
    ("**/integrity/rules.yaml", "baliza.i18n.extract:extract_rules"),
]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}}
TRANSLATED = tuple(code for code in LANGUAGES if code != SOURCE_LANGUAGE)


def extract_python(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
                   ) -> Iterator[tuple[int, str, str | tuple[str, ...], list[str]]]:
    """Marked strings of a Python file, read from its syntax tree: unlike Babel's tokenizer, this also sees
    `_("...")` inside an f-string's `{...}` (Python 3.11 keeps an f-string as one token)."""
    tree = ast.parse(fileobj.read())
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in KEYWORDS):
            continue
        wanted = 2 if node.func.id in ("ngettext", "N_plural") else 1
        texts = [a.value for a in node.args[:wanted] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if len(texts) == wanted:
            yield node.lineno, node.func.id, texts[0] if wanted == 1 else tuple(texts), []


def extract_rules(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
                  ) -> Iterator[tuple[int, str, str, list[str]]]:
    """The red-flag rules' words for people (`analyses/integrity/rules.yaml`): each rule's meaning and each
    setting's phrase, as `baliza.analyses.integrity.rules` turns them into msgids."""
    import yaml

    from baliza.analyses.integrity.rules import meaning_msgid, says_msgid

    data = yaml.safe_load(fileobj.read()) or {}
    for entry in data.get("rules", []):
        yield 0, "_", meaning_msgid(entry["meaning"]), [f"rule {entry['name']}: what it looks for"]
        for name, spec in (entry.get("settings") or {}).items():
            yield 0, "_", says_msgid(spec["says"]), [f"rule {entry['name']}, setting {name}: %(value)s is its value"]


def indicator_texts() -> list[str]:
    """Each indicator's meaning, numerator and denominator as the catalogue loads them (windows filled in):
    the definitions reports print, in the reader's language."""
    from baliza.analyses.ksi import load_catalogue

    return list(dict.fromkeys(t for spec in load_catalogue() for t in (spec.meaning, spec.numerator,
                                                                         spec.denominator) if t))


def template(root: Path = PACKAGE) -> Catalog:
    """Every marked string of the package, with where it is used."""
    catalogue = Catalog(project="Baliza", version=__version__, domain=DOMAIN, charset="utf-8",
                        creation_date=datetime(2026, 1, 1, tzinfo=UTC), fuzzy=False)
    for filename, line, message, comments, context in extract_from_dir(
            root, METHODS, OPTIONS, keywords=KEYWORDS, strip_comment_tags=True):
        if message and (message[0] if isinstance(message, tuple) else message):
            catalogue.add(message, None, [(f"baliza/{filename}", line)], auto_comments=comments, context=context)
    if root == PACKAGE:
        from baliza.cli.help import help_texts  # docstrings and option help, as Typer hands them to --help

        for text in help_texts():
            catalogue.add(text, None, [("baliza/cli (--help)", 0)], auto_comments=["a command's --help text"])
        for text in indicator_texts():
            catalogue.add(text, None, [("baliza/analyses/ksi/catalogue.yaml", 0)],
                          auto_comments=["an indicator's definition (meaning, numerator or denominator)"])
    return catalogue


def read(language: str) -> Catalog:
    path = catalogue_path(language)
    if not path.exists():
        return Catalog(locale=language, domain=DOMAIN, project="Baliza", fuzzy=False)
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def missing(language: str, wanted: Catalog | None = None) -> list[str]:
    """Strings used in the code or templates that the catalogue of `language` does not translate."""
    wanted = wanted if wanted is not None else template()
    have = read(language)
    gaps = []
    for message in wanted:
        if not message.id:
            continue
        found = have.get(message.id, message.context)
        strings = found.string if found is not None else None
        texts = list(strings) if isinstance(strings, tuple | list) else [strings]
        if found is None or found.fuzzy or not all(texts):
            gaps.append(message.id[0] if isinstance(message.id, tuple) else message.id)
    return gaps


def update(languages: Iterable[str] = TRANSLATED) -> dict[str, int]:
    """Bring each catalogue in line with the code: new strings added empty, unused ones dropped.
    Returns how many strings each catalogue still misses."""
    wanted = template()
    for code in languages:
        catalogue = read(code)
        catalogue.update(wanted, no_fuzzy_matching=True, update_header_comment=False)
        catalogue.obsolete.clear()
        path = catalogue_path(code)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalogue, width=110, sort_output=False, include_previous=False)
    return {code: len(missing(code, wanted)) for code in languages}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m baliza.i18n.extract", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only list missing translations; exit 1 if any")
    args = parser.parse_args(argv)
    if args.check:
        wanted = template()
        failed = False
        for code in TRANSLATED:
            gaps = missing(code, wanted)
            failed = failed or bool(gaps)
            print(f"{code}: {len(gaps)} of {len(wanted)} strings missing")
            for gap in gaps:
                print(f"  {gap}")
        return 1 if failed else 0
    for code, gaps in update().items():
        print(f"{catalogue_path(code)}: {gaps} strings to translate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
