"""The translation layer's contract: fall back to English, fill placeholders, escape values in pages."""

from baliza.i18n import current, gettext, language, ngettext
from baliza.web.templates import templates


def test_unknown_language_falls_back_to_the_source() -> None:
    with language("xx") as chosen:
        assert chosen == "en"
        assert current() == "en"
        assert gettext("Seizures of %(unit)s", unit="Paita") == "Seizures of Paita"
    assert current() == "en"


def test_plural_fills_the_number() -> None:
    assert ngettext("%(num)s seizure", "%(num)s seizures", 3) == "3 seizures"
    assert ngettext("%(num)s seizure", "%(num)s seizures", 1) == "1 seizure"


def test_templates_escape_values_passed_to_translations() -> None:
    page = templates.env.from_string('{{ _("Unit %(name)s", name=name) }}').render(name="<script>")
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
