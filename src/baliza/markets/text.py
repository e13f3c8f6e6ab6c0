"""How listing text is normalised before it is matched or classified.

Lower case, accents stripped (vendors write "cocaina" as often as "cocaína"), every run of characters that is
not a letter or a digit turned into one space, so that "4-MMC", "4 MMC" and "4mmc " meet on word boundaries.
The classifier's key also turns every run of digits into one 0: quantities and prices say little about the substance,
and listings that differ only by them are then classified once.
"""

from __future__ import annotations

import unicodedata

import pyarrow as pa
import pyarrow.compute as pc


def fold(text: str) -> str:
    """One term or title, folded the way listings are: lower case, no accents, words separated by one space."""
    stripped = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in stripped).split())


def fold_column(texts: pa.Array) -> pa.Array:
    """`fold` over a whole column at once (pyarrow kernels; the common Latin accents are stripped)."""
    lowered = pc.utf8_lower(pc.fill_null(texts, ""))
    # translate the accented letters es and pt use; other scripts are kept as they are
    table = {a: b for a, b in zip("áàâãäåéèêëíìîïóòôõöúùûüçñµ", "aaaaaaeeeeiiiiooooouuuucnu", strict=True)}
    for accented, plain in table.items():
        lowered = pc.replace_substring(lowered, accented, plain)
    spaced = pc.replace_substring_regex(lowered, r"[^\p{L}\p{N}]+", " ")
    return pc.utf8_trim_whitespace(spaced)


def classifier_key(folded: pa.Array) -> pa.Array:
    """The folded text with every run of digits turned into one 0: what the classifier sees."""
    return pc.replace_substring_regex(folded, r"[0-9]+", "0")
