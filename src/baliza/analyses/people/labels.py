"""The words for what a link agreed on, marked for the catalogues (the surfaces translate them)."""

from __future__ import annotations

from baliza.i18n import N_

FIELDS = {"name": N_("name"), "birth": N_("date of birth"), "document": N_("document number"),
          "phone": N_("phone"), "nationality": N_("nationality")}
LEVELS = {"same": N_("the same"), "given_and_surname": N_("same given name and a surname"),
          "two_names": N_("two names in common"), "one_name": N_("one name in common"),
          "day_month_swapped": N_("day and month swapped"), "same_year": N_("same year"),
          "same_digits": N_("same digits"), "different": N_("different"), "missing": N_("missing")}


def agreement(levels: dict[str, str], agreed: list[str]) -> list[tuple[str, str]]:
    """(field, level) in English source words for the fields that agreed, to translate where shown."""
    return [(FIELDS[c], LEVELS.get(levels.get(c, ""), levels.get(c, ""))) for c in agreed]
