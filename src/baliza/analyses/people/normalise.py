"""How a person's identifying values are written the same way, whichever agency typed them.

Agencies write the same courier differently: "José Quispe Mamani" at customs, "QUISPE MAMANI, Jose" at the
police, "Jose Mamani" at the prosecution; a date of birth typed day-first in one office and month-first in
another (1985-07-03 and 1985-03-07); a document number as "12.345.678", "12 345 678" or "12345678".
Normalised, those agree:

- a name becomes its tokens: letters without accents, lower case, punctuation dropped, the particles of
  Spanish and Portuguese surnames ("de", "del", "la", "da", "dos", "y", ...) dropped. The first token is
  taken as the given name when the name is written "given surnames"; "SURNAMES, given" puts it last.
  The set of tokens does not care about the order of the surnames, and a missing surname still leaves
  the given name and the other surname in common;
- a date of birth gives the date, the same date with day and month swapped (when that is a date, and a
  different one), and the year;
- a document number keeps its letters and digits only, upper case; its digits alone are kept apart (a
  passport written with and without its letter prefix);
- a phone number keeps its last nine digits (country code and leading zeros vary).

These are plain functions on the clear values, run where the sealed cells are opened
(`baliza.analyses.people.records`), so that the clear values never enter a database engine (its temporary
files included): only their keyed pseudonyms do (`baliza.analyses.people.pseudonyms`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

PARTICLES = frozenset({"de", "del", "la", "las", "los", "el", "y", "e", "da", "das", "do", "dos", "di",
                       "van", "von", "der", "mc"})
_NOT_LETTER = re.compile(r"[^a-z]+")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")
_NOT_DIGIT = re.compile(r"\D+")
PHONE_DIGITS = 9


def _plain_letters(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@dataclass(frozen=True)
class NameParts:
    """A name's given name and surnames, normalised (tokens, no accents, no particles)."""

    given: str | None
    surnames: tuple[str, ...]

    @property
    def tokens(self) -> tuple[str, ...]:
        return ((self.given,) if self.given else ()) + self.surnames


def name_parts(full_name: str | None) -> NameParts:
    """The normalised given name and surnames of `full_name` ("given surnames" or "SURNAMES, given")."""
    if not full_name or not full_name.strip():
        return NameParts(None, ())
    surnames_first = "," in full_name
    if surnames_first:
        before, _, after = full_name.partition(",")
        full_name = f"{after} {before}"
    tokens = [t for t in _NOT_LETTER.split(_plain_letters(full_name)) if len(t) > 1 and t not in PARTICLES]
    if not tokens:
        return NameParts(None, ())
    return NameParts(tokens[0], tuple(tokens[1:]))


@dataclass(frozen=True)
class BirthParts:
    """A date of birth as written, the same with day and month swapped (None when that is no other date),
    and the year."""

    day: str | None
    swapped: str | None
    year: str | None


def birth_parts(birth_date: str | date | None) -> BirthParts:
    """The parts of a date of birth ("YYYY-MM-DD", or a date); nothing for a value that is not a date."""
    if birth_date is None or birth_date == "":
        return BirthParts(None, None, None)
    try:
        day = birth_date if isinstance(birth_date, date) else date.fromisoformat(str(birth_date)[:10])
    except ValueError:
        return BirthParts(None, None, None)
    swapped = None
    if day.day <= 12 and day.day != day.month:
        swapped = date(day.year, day.day, day.month).isoformat()
    return BirthParts(day.isoformat(), swapped, str(day.year))


def document_number(text: str | None) -> str | None:
    """A document number's letters and digits, upper case ("12.345.678" and "12 345 678" agree)."""
    if not text:
        return None
    kept = _NOT_ALNUM.sub("", _plain_letters(str(text)).upper())
    return kept or None


def document_digits(text: str | None) -> str | None:
    """A document number's digits only, leading zeros dropped (a passport with and without its letters)."""
    if not text:
        return None
    digits = _NOT_DIGIT.sub("", str(text)).lstrip("0")
    return digits if len(digits) >= 5 else None


def phone_number(text: str | None) -> str | None:
    """A phone number's last nine digits (the country code and the trunk prefix vary between agencies)."""
    if not text:
        return None
    digits = _NOT_DIGIT.sub("", str(text))
    return digits[-PHONE_DIGITS:] if len(digits) >= 6 else None
