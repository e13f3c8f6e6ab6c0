"""Tables that fit a 100-column terminal by design: light borders, number columns never narrower than the
longest word of their heading (headings wrap between words, never cut to "inco…"), long text folded, and
summaries that say how much more `--all` shows."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TypeVar

from rich import box
from rich.table import Table

from baliza.cli.output import console
from baliza.i18n import gettext as _
from baliza.i18n.formatting import count

Row = TypeVar("Row")
NAME_WIDTH = 22  # a unit's or an office's name: two or three lines at most
HEADING_WIDTH = 10  # a figure's heading wraps to lines this long


def listing(title: str | None = None, *, tight: bool = False) -> Table:
    """An empty table with a heading rule and no side borders (two columns' worth of space saved);
    `tight`: one space between columns instead of two, for tables of many figures."""
    return Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, header_style="bold", title_style="bold",
                 show_edge=False, padding=(0, 0) if tight else (0, 1, 0, 0))


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


def show(table: Table) -> None:
    """Print a table whole, never cropped at the right edge.

    Rich may make a table a column or two wider than the terminal when it honours the names' minimum width
    after squeezing the others; then the names give up those columns. A table still too wide prints whole
    (a bug to see, and a test to fail), not silently cut."""
    for _attempt in range(3):
        excess = _width(table) - console.width
        if excess <= 0:
            break
        names = [c for c in table.columns if not c.no_wrap and (c.min_width or 0) > _longest_word(str(c.header))]
        if not names:
            break
        for column in names:
            column.min_width = max(_longest_word(str(column.header)), (column.min_width or 0) - excess)
    console.print(table, crop=False)


def _width(table: Table) -> int:
    """The width Rich will give `table` on this console (its own sum of columns, before any cropping)."""
    room = console.options.update_width(console.width - table._extra_width)
    return sum(table._calculate_column_widths(console, room)) + table._extra_width
