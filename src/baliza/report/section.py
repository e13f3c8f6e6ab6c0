"""A report is a list of sections; each capability contributes its own."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """One part of the HTML/PDF report: a title and a fragment of trusted HTML (escaped by its author)."""

    title: str
    html: str
    anchor: str = ""
