"""`--help` speaks the chosen language (issue 11): `--lang`, else $BALIZA_LANG, else the locale. The texts are
the catalogue's (extracted from the command tree), and English stays the source."""

from __future__ import annotations

from typer.testing import CliRunner

from baliza.cli.app import app
from baliza.cli.help import help_texts
from baliza.i18n.extract import template

runner = CliRunner()


def test_a_command_help_in_spanish_with_lang() -> None:
    result = runner.invoke(app, ["--lang", "es", "ksi", "--help"], env={"BALIZA_LANG": "", "LC_ALL": "", "LANG": ""})
    assert result.exit_code == 0, result.output
    assert "Indicadores clave de éxito por unidad" in result.output
    assert "Solo esta unidad (su id o su nombre)." in result.output
    assert "Muestra este mensaje y termina." in result.output
    assert "Key success indicators" not in result.output and "Only this unit" not in result.output


def test_the_command_list_in_portuguese_from_the_environment() -> None:
    result = runner.invoke(app, ["--help"], env={"BALIZA_LANG": "pt", "LC_ALL": "", "LANG": ""})
    assert result.exit_code == 0, result.output
    assert "Acompanhe cada apreensão" in result.output
    assert "Mostra a versão do Baliza" in result.output  # a command's one-line help in the list
    assert "Print the version" not in result.output


def test_english_stays_the_source_and_the_objects_are_not_left_translated() -> None:
    runner.invoke(app, ["--lang", "es", "ksi", "--help"])
    result = runner.invoke(app, ["ksi", "--help"], env={"BALIZA_LANG": "", "LC_ALL": "C", "LANG": ""})
    assert "Key success indicators per unit" in result.output and "Only this unit" in result.output


def test_every_help_text_is_a_catalogue_msgid() -> None:
    known = {m.id for m in template() if isinstance(m.id, str)}
    texts = help_texts()
    assert len(texts) > 100 and not [t for t in texts if t not in known]
