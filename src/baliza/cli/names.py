"""Names, not codes: the warehouse's display names for the ids a command prints, and the ids a person types
checked against what the warehouse holds (an unknown id stops the command with the close matches, never
an empty table and exit code 0)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

from baliza.cli.output import fail
from baliza.i18n import gettext as _

MATCHES_SHOWN = 5


def directory(warehouse: Any) -> dict[str, str]:
    """Display names by id of agencies, entry points, units (and offices) and staff (where a name is given)."""
    from baliza.analyses.chain_links import directory_names

    names = directory_names(warehouse)
    staff = warehouse.table("staff").select("staff_id", "display_name").to_pyarrow().to_pylist()
    names.update({row["staff_id"]: row["display_name"] for row in staff if row["display_name"]})
    return names


def close_matches(value: str, known: Mapping[str, str]) -> list[str]:
    """Ids whose id or name is close to `value` (case does not matter), best first: the id written without its
    zeros ("SZ-87" for SZ-0000087), then those holding every word of `value` ("port paita"), then those
    spelled alike."""
    same_number = [key for key in known if _unpadded(key) == _unpadded(value)]  # SZ-87 is SZ-0000087
    texts = {key: f"{key} {known.get(key) or ''}".casefold() for key in known}
    words = value.casefold().split()
    every_word = [key for key, text in texts.items() if words and all(word in text for word in words)]
    lowered = {key.casefold(): key for key in known}
    lowered |= {str(name).casefold(): key for key, name in known.items() if name}
    alike = [lowered[text] for text in difflib.get_close_matches(value.casefold(), list(lowered), n=MATCHES_SHOWN,
                                                                 cutoff=0.6)]
    ordered: list[str] = []
    for key in [*same_number, *sorted(every_word, key=lambda k: len(texts[k])), *alike]:
        if key not in ordered:
            ordered.append(key)
    return ordered[:MATCHES_SHOWN]


def _unpadded(text: str) -> str:
    return re.sub(r"\b0+(?=\d)", "", text.casefold())


def resolve(value: str, known: Mapping[str, str], what: str, listing: str) -> str:
    """The id that `value` names: an id, or a name (any case) that only one of `known` has.

    `known` maps ids to names; `what` names them in the plural ("units"); `listing` is the command that
    lists them. Anything else stops the command with exit code 1 and the close matches."""
    if value in known:
        return value
    by_name = [key for key, name in known.items() if name and str(name).casefold() == value.casefold()]
    by_id = [key for key in known if key.casefold() == value.casefold()]
    if len(by_id) == 1:
        return by_id[0]
    if len(by_name) == 1:
        return by_name[0]
    matches = close_matches(value, known)
    if matches:
        shown = "; ".join(f"{key} ({known[key]})" if known.get(key) and known[key] != key else key
                          for key in matches)
        fail(_("%(value)s is not one of the %(what)s in the warehouse. Close matches: %(matches)s.",
               value=value, what=what, matches=shown))
    fail(_("%(value)s is not one of the %(what)s in the warehouse. %(listing)s lists them.",
           value=value, what=what, listing=listing))
    raise AssertionError("unreachable")  # fail() raises


def units_of(warehouse: Any) -> dict[str, str]:
    """Every unit's name by its id."""
    rows = warehouse.table("units").select("unit_id", "name").to_pyarrow().to_pylist()
    return {row["unit_id"]: row["name"] for row in rows}
