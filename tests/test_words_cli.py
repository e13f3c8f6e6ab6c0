"""Typer's and Click's own words go through the catalogues (issue 11): "Usage:" and the usage line's
placeholders ("[OPTIONS]"), the panels of a help page, and the error boxes ("No such option", "Missing
argument", "Invalid value for ...", "No such command") come out in the invocation's language, whether it is chosen with
`--lang` or `BALIZA_LANG`.

The es and pt translations of these words are filled in by translators; to see that every word is looked up
in the chosen language, the catalogues are replaced here by ones that mark what they translate: «...»."""

from __future__ import annotations

import gettext

import pytest
from typer.testing import CliRunner

import baliza.i18n
from baliza.cli.app import app
from baliza.cli.click_words import CORE, METAVARS, PANELS, USAGE
from baliza.i18n.extract import PACKAGE, extract_python


class Marked(gettext.NullTranslations):
    """Every message 'translated' as «message», so that a test sees which words went through the catalogue."""

    def gettext(self, message: str) -> str:
        return f"«{message}»"

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return f"«{singular if n == 1 else plural}»"


@pytest.fixture(autouse=True)
def marked(monkeypatch):
    real = baliza.i18n.translations
    monkeypatch.setattr(baliza.i18n, "translations", lambda code: Marked() if code in ("es", "pt") else real(code))


def run(args: list[str], lang: str, how: str) -> str:
    if how == "option":
        result = CliRunner().invoke(app, ["--lang", lang, *args], env={"COLUMNS": "200", "BALIZA_LANG": ""})
    else:
        result = CliRunner().invoke(app, args, env={"COLUMNS": "200", "BALIZA_LANG": lang})
    assert result.exit_code != 0 or "--help" in args, result.output
    return " ".join(result.output.split())


@pytest.mark.parametrize("lang", ["es", "pt"])
@pytest.mark.parametrize("how", ["option", "environment"])
def test_error_boxes_speak_the_invocations_language(lang: str, how: str) -> None:
    unknown = run(["ksi", "--nope"], lang, how)
    assert "«Usage: »baliza ksi" in unknown and "«Error»" in unknown, unknown
    assert "«No such option: --nope»" in unknown and "«Try [blue]" not in unknown
    assert "No such option: --nope" not in unknown.replace("«No such option: --nope»", "")
    missing = run(["chain"], lang, how)
    assert "«Missing argument 'seizure_id'.»" in missing, missing
    bad = run(["efficiency", "--period", "decade"], lang, how)
    assert "«Invalid value for '--period': «'decade' is not one of 'year', 'quarter', 'month'.»»" in bad, bad
    extra = run(["version", "a", "b"], lang, how)
    assert "«Got unexpected extra arguments (a b).»" in extra, extra


@pytest.mark.parametrize("lang", ["es", "pt"])
def test_an_unknown_command_is_refused_in_the_environments_language(lang: str) -> None:
    said = run(["nope"], lang, "environment")
    assert "«No such command 'nope'.»" in said and "«Error»" in said, said


@pytest.mark.parametrize("lang", ["es", "pt"])
def test_help_panels_and_usage_speak_the_invocations_language(lang: str) -> None:
    page = run(["ksi", "--help"], lang, "option")
    assert "«Usage: »baliza ksi «[OPTIONS]»" in page and "«Options»" in page and "«[default: {}]»" not in page, page
    assert "«[default: year]»" in page or "«[default: " in page
    top = run(["--help"], lang, "environment")
    assert "«Commands»" in top and "«Options»" in top, top
    assert "«[OPTIONS]» «COMMAND [ARGS]...»" in top and "[OPTIONS] COMMAND" not in top, top


def test_english_is_left_as_typer_writes_it() -> None:
    said = " ".join(CliRunner().invoke(app, ["--lang", "en", "ksi", "--nope"], env={"COLUMNS": "200"}).output.split())
    assert "Usage: baliza ksi" in said and "No such option: --nope" in said and "«" not in said


def test_the_words_are_in_the_catalogues_source() -> None:
    path = PACKAGE / "cli" / "click_words.py"
    with path.open("rb") as handle:
        marked = {text for _line, _kind, text, _c in extract_python(handle, None, None, None)}
    assert {USAGE, *PANELS.values(), *CORE.values(), *METAVARS.values()} <= marked
    assert {"No such option: %(option)s", "Missing argument %(name)s.", "Invalid value for %(name)s: %(reason)s",
            "No such command %(name)s."} <= marked
