"""Small helpers to write the loader's generated SQL safely."""

from __future__ import annotations


def quote_name(name: str) -> str:
    """A SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def text_list(values: list[str] | tuple[str, ...]) -> str:
    """A SQL list literal of strings (typed, so an empty list is VARCHAR[])."""
    return "[" + ", ".join(literal(v) for v in values) + "]::VARCHAR[]"
