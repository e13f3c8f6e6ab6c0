"""Tables that fit a 100-column terminal by design: light borders, number columns never narrower than the
longest word of their heading (headings wrap between words, never cut to "inco…"), long text folded, and
summaries that say how much more `--all` shows."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TypeVar

from rich import box
from rich.table import Table

from baliza.cli.numbers import count
from baliza.cli.output import console
from baliza.i18n import gettext as _

Row = TypeVar("Row")
NAME_WIDTH = 22  # a unit's or an office's name: two or three lines at most
HEADING_WIDTH = 10  # a figure's heading wraps to lines this long


def listing(title: str | None = None, *, tight: bool = False) -> Table:
    """An empty table with a heading rule and no side borders (two columns' worth of space saved);
    `tight`: one space between columns instead of two, for tables of many figures."""
    return Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, header_style="bold", title_style="bold",
                 show_edge=False, padding=(0, 0) if tight else (0, 1))


def _longest_word(text: str) -> int:
    return max((len(word) for word in text.split()), default=0)


def text_column(table: Table, heading: str, *, keep_whole: bool = False, min_width: int = 0,
                max_width: int | None = None) -> None:
    """A column of words, wrapped over lines when long (`keep_whole`: never wrapped, for ids and dates;
    `min_width`: names that should not be squeezed to a word a line)."""
    table.add_column(heading, no_wrap=keep_whole, overflow="fold", min_width=max(min_width, _longest_word(heading)),
                     max_width=max_width)


def number_column(table: Table, heading: str) -> None:
    """A right-aligned column of figures under a heading wrapped between words to a narrow column (never cut)."""
    lines = textwrap.wrap(heading, width=max(HEADING_WIDTH, _longest_word(heading)), break_long_words=False)
    table.add_column("\n".join(lines), justify="right", overflow="fold", min_width=_longest_word(heading))


def first(rows: Sequence[Row], limit: int, show_all: bool) -> Sequence[Row]:
    """The rows a summary shows: the first `limit` unless `--all`."""
    return rows if show_all or len(rows) <= limit else rows[:limit]


def say_more(shown: int, total: int, hint: str | None = None) -> None:
    """Under a summary: how many rows it left out and how to see them (`--all`, or `hint`)."""
    if shown < total:
        console.print(_("Showing %(shown)s of %(total)s. %(hint)s", shown=count(shown), total=count(total),
                        hint=hint or _("--all shows every one.")), highlight=False)
