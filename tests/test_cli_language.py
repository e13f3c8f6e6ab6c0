"""How a command picks its language: `--lang`, else $LC_ALL, $LC_MESSAGES, $LANG (gettext's order)."""

from baliza.cli.lang import Language, chosen, from_environment


def test_the_environment_names_the_language_as_gettext_reads_it() -> None:
    assert from_environment({"LANG": "es_PE.UTF-8"}) == "es"
    assert from_environment({"LANG": "pt_BR"}) == "pt"
    assert from_environment({"LC_ALL": "pt_PT.UTF-8@euro", "LANG": "es_PE.UTF-8"}) == "pt"  # LC_ALL first
    assert from_environment({"LC_ALL": "", "LC_MESSAGES": "es", "LANG": "en_US"}) == "es"  # empty is unset
    assert from_environment({"LANG": "C.UTF-8"}) == "en"
    assert from_environment({"LANG": "fr_FR.UTF-8"}) == "en"  # a language Baliza does not speak
    assert from_environment({}) == "en"


def test_the_option_wins_over_the_environment() -> None:
    assert chosen(Language.PT, {"LANG": "es_PE.UTF-8"}) == "pt"
    assert chosen(None, {"LANG": "es_PE.UTF-8"}) == "es"
