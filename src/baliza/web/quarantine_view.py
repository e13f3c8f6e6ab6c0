"""The quarantine as a clerk fixes it: root causes first, the rows refused only because they point at a
refused row grouped under it, and the refused rows as a file to fix and load again.

A row is a knock-on when every reason it was refused for names another quarantined row ("unit_id 'U-9' is
not in units (the units row at units.csv line 4 was quarantined)"): fixing that row fixes it. Chains are
followed to the row that started them, so a seizure refused because its inspection was refused because its
unit was refused sits under the unit.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from baliza.i18n import gettext as _

KNOCK_ON = re.compile(r"\(the (?P<table>\w+) row at (?P<file>.+?) line (?P<line>\d+) was quarantined\)")


@dataclass
class RootCause:
    """One refused row whose reason is its own, and every row refused because of it."""

    row: dict[str, Any]
    knock_on: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> tuple[Any, ...]:
        return key_of(self.row)


def key_of(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["load_id"], _file_name(row["source_file"]), row["line"])


def _file_name(path: str) -> str:
    return re.split(r"[\\/]", str(path))[-1]


def _causes(row: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The rows this row's reasons blame, when every reason blames one; else [] (a root cause)."""
    reasons = [r for r in str(row["reason"]).split("; ") if r]
    blamed = [KNOCK_ON.search(r) for r in reasons]
    if not reasons or not all(blamed):
        return []
    return [(row["load_id"], _file_name(m["file"]), int(m["line"])) for m in blamed if m]


def group(rows: list[dict[str, Any]]) -> list[RootCause]:
    """Root causes (largest following first), each with its knock-on rows; a row whose blamed row is not in
    `rows` (an earlier load, or a cut list) stands as its own root."""
    by_key: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_key[key_of(row)].append(row)  # a row refused on several columns appears once per column

    def root_of(key: tuple[Any, ...], seen: frozenset[tuple[Any, ...]] = frozenset()) -> tuple[Any, ...]:
        blamed = [k for row in by_key[key] for k in _causes(row)]
        if not blamed or blamed[0] not in by_key or blamed[0] in seen:
            return key
        return root_of(blamed[0], seen | {key})

    roots: dict[tuple[Any, ...], RootCause] = {}
    for key, found in by_key.items():
        top = root_of(key)
        cause = roots.setdefault(top, RootCause(_merged(by_key[top])))
        if top != key:
            cause.knock_on.append(_merged(found))
    return sorted(roots.values(), key=lambda c: (-len(c.knock_on), c.key))


def _merged(found: list[dict[str, Any]]) -> dict[str, Any]:
    """One line of a file refused on several columns: its reasons together."""
    first = dict(found[0])
    if len(found) > 1:
        first["reason"] = "; ".join(dict.fromkeys(r["reason"] for r in found))
        first["column_name"] = ", ".join(dict.fromkeys(str(r["column_name"]) for r in found if r["column_name"]))
    return first


def refused_rows(rows: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """The refused rows as a table to fix and load again: the table and line they came from, the reason,
    then every cell as read (personal ones masked), one line per refused row."""
    causes = group(rows)
    ordered = [(c.row, "") for c in causes] + [(k, c.row["reason"]) for c in causes for k in c.knock_on]
    columns: dict[str, None] = {}
    for row, _blamed in ordered:
        columns.update(dict.fromkeys(row.get("raw") or {}))
    header = [_("table"), _("file"), _("line"), _("reason"), _("fix first"), *columns]
    body = [[row["table_name"], _file_name(row["source_file"]), row["line"], row["reason"],
             (_("the row at %(file)s line %(line)s", file=_file_name(causes_file(row)), line=causes_line(row))
              if blamed else ""),
             *[(row.get("raw") or {}).get(c) for c in columns]]
            for row, blamed in ordered]
    return header, body


def causes_file(row: dict[str, Any]) -> str:
    found = KNOCK_ON.search(str(row["reason"]))
    return found["file"] if found else ""


def causes_line(row: dict[str, Any]) -> str:
    found = KNOCK_ON.search(str(row["reason"]))
    return found["line"] if found else ""
