"""Statistical disclosure control for aggregates: cells counting fewer than 5 people are suppressed."""

from __future__ import annotations

from typing import Any

MIN_CELL = 5


def suppress_small_cells(rows: list[dict[str, Any]], count_column: str, *, minimum: int = MIN_CELL,
                         also: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Replace counts below `minimum` (and the `also` columns derived from them) by None, flagged.

    A zero stays zero: an empty cell discloses nobody.
    """
    out = []
    for row in rows:
        row = dict(row)
        count = row.get(count_column)
        small = count is not None and 0 < count < minimum
        if small:
            row[count_column] = None
            for column in also:
                row[column] = None
        row["suppressed"] = small
        out.append(row)
    return out
