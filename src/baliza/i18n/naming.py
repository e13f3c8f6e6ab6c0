"""Names, not ids, in the sentences people read: the display names a surface hands to the wording of findings.

An analysis computes a finding once, for every reader, and cannot know how a reader calls a unit: it writes
the id as a named value (`baliza.analyses.wording.named("units", "U-PCU-PAITA")`). The surface that words
the finding (a web request, a CLI command, a report) says where names come from for the time it words, with
`naming(names)`: a mapping of id to display name, or a function giving one (called the first time a name is
needed, so a page that words no finding reads no directory). Outside `naming`, or for an id the mapping does
not know, the id itself is shown: a sentence never loses its subject.

Only directory tables are named: units (and prosecution offices), entry points, agencies and staff (their
display names, open to every reader). Persons never are: a protected person's name must not appear in a
finding, so `named` refuses the persons table and `display_name` never looks one up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["NAMED_TABLES", "by_id", "display_name", "naming"]

NAMED_TABLES: tuple[str, ...] = ("units", "entry_points", "agencies", "staff")
"""The tables whose ids are shown by name (directory tables and staff display names); never persons."""

Names = Mapping[str, str] | Callable[[], Mapping[str, str]]


class _Source:
    """Names read once, when first needed."""

    def __init__(self, names: Names) -> None:
        self._names, self._read = names, None if callable(names) else names

    def get(self, key: str) -> str | None:
        if self._read is None:
            self._read = self._names() if callable(self._names) else self._names
        found = self._read.get(key)
        return str(found) if found else None


_source: ContextVar[_Source | None] = ContextVar("baliza_display_names", default=None)


@contextmanager
def naming(names: Names) -> Iterator[None]:
    """Within the block, named values are worded with `names` (id -> display name)."""
    token = _source.set(_Source(names))
    try:
        yield
    finally:
        _source.reset(token)


@contextmanager
def by_id() -> Iterator[None]:
    """Within the block, named values are shown by their ids (the English text stored with a finding)."""
    token = _source.set(None)
    try:
        yield
    finally:
        _source.reset(token)


def display_name(table: str, key: str) -> str:
    """How the reader calls the row `key` of `table`: its display name where one is given, else the id."""
    source = _source.get()
    if source is None or table not in NAMED_TABLES:
        return key
    return source.get(key) or key
