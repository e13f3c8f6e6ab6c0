"""What Splink compares: keyed pseudonyms of each person record's normalised values, never the values.

Every normalised value (each name token, the date of birth and its day/month swap, the year, the document
number and its digits, the phone, the nationality) is replaced by a keyed digest (BLAKE2b with a key drawn
afresh for each run, 64 bits): equal values give equal digests within the run, so exact and array-overlap
comparisons work as on the values, and nothing in Splink's tables, its logs or the engine's temporary files
can be read back, or even matched against a list of names, once the run is over (the key is never
written anywhere). The records of protected people (protection programmes, protected witnesses) are
therefore compared like anyone else's, and their identities never leave this process in clear.

What the digests still show is how often a value recurs (a common surname's digest is frequent): the
frequencies are Splink's business (its u probabilities), and they name nobody.

Fuzzy comparisons of spelling (Jaro-Winkler on names) are given up for this: a misspelt surname counts
as a different token. The variations agencies make (accents, order of the surnames, a surname left out,
day and month swapped, separators in a number) are absorbed by the normalisation before hashing.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass

import pyarrow as pa

from baliza.analyses.people.normalise import (
    birth_parts,
    document_digits,
    document_number,
    name_parts,
    phone_number,
)

DIGEST_BYTES = 8


@dataclass(frozen=True)
class PersonRecord:
    """One agency's row about a person, with its identifying values opened (in this process only)."""

    person_id: str
    agency_id: str
    full_name: str | None
    birth_date: str | None
    nationality: str | None
    id_document: str | None
    phone: str | None
    protected: bool = False


FEATURE_SCHEMA = pa.schema([
    ("unique_id", pa.string()), ("agency_id", pa.string()),
    ("given", pa.string()), ("surnames", pa.list_(pa.string())), ("name_tokens", pa.list_(pa.string())),
    ("name_key", pa.string()), ("birth_day", pa.string()), ("birth_swapped", pa.string()),
    ("birth_year", pa.string()), ("document", pa.string()), ("document_digits", pa.string()),
    ("phone", pa.string()), ("nationality", pa.string()),
])
"""The columns of the frame Splink receives: ids and digests only."""


class Pseudonymiser:
    """Keyed digests of normalised values, under a key that lives as long as this object."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key if key is not None else os.urandom(32)
        self._memo: dict[str, str] = {}

    def digest(self, kind: str, value: str | None) -> str | None:
        """The digest of `value` as a value of `kind` (a name token and a document never collide)."""
        if value is None:
            return None
        text = f"{kind}:{value}"
        found = self._memo.get(text)
        if found is None:
            found = hashlib.blake2b(text.encode("utf-8"), key=self._key, digest_size=DIGEST_BYTES).hexdigest()
            if kind in ("n", "y", "c"):  # values that recur (names, years, countries): worth remembering
                self._memo[text] = found
        return found

    def features(self, records: Iterable[PersonRecord]) -> pa.Table:
        """The frame Splink compares (`FEATURE_SCHEMA`), one row per record."""
        columns: dict[str, list[object]] = {name: [] for name in FEATURE_SCHEMA.names}
        h = self.digest
        for r in records:
            name = name_parts(r.full_name)
            birth = birth_parts(r.birth_date)
            tokens = [h("n", t) for t in name.tokens]
            columns["unique_id"].append(r.person_id)
            columns["agency_id"].append(r.agency_id)
            columns["given"].append(h("n", name.given))
            columns["surnames"].append([h("n", t) for t in name.surnames] or None)
            columns["name_tokens"].append(tokens or None)
            columns["name_key"].append(h("k", " ".join(sorted(name.tokens))) if name.tokens else None)
            columns["birth_day"].append(h("d", birth.day))
            columns["birth_swapped"].append(h("d", birth.swapped))
            columns["birth_year"].append(h("y", birth.year))
            columns["document"].append(h("i", document_number(r.id_document)))
            columns["document_digits"].append(h("j", document_digits(r.id_document)))
            columns["phone"].append(h("p", phone_number(r.phone)))
            columns["nationality"].append(h("c", (r.nationality or "").upper() or None))
        return pa.table(columns, schema=FEATURE_SCHEMA)
