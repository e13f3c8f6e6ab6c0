"""Statistical disclosure control for aggregates: cells counting fewer than 5 people are suppressed, and
enough other cells with them that no suppressed value can be worked back by subtraction.

Hiding a small cell is not enough when the figures it adds up to are published beside it: a quarter hidden
in a table whose year is shown is the year minus the other quarters; a unit hidden in a table whose total
is shown is the total minus the other units. `protect` takes every cell published together (every table and
granularity a reader can ask for) with the relations that tie them (`Relation`: a total and its parts) and
returns the cells to hide: the small ones (primary suppression) and, for each, others in the same relations
(complementary suppression) until no hidden cell is determined by the shown ones. "Determined" is checked
exactly, on the linear system an attacker can write (total = sum of parts, over every relation at once),
and against the one bound a reader knows of every hidden cell (a hidden count is at least 1: zeros are shown).

`suppress_small_cells` (one table, no relation) and `protect_indicators` (unit or office figures over
years, quarters and months) are the two ways the surfaces call it: pages, API, reports and exports alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from threadpoolctl import threadpool_limits

MIN_CELL = 5
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Relation:
    """`total` = the sum of `parts`, in every published column: a reader can subtract along it."""

    total: Hashable
    parts: tuple[Hashable, ...]

    def cells(self) -> tuple[Hashable, ...]:
        return (self.total, *self.parts)


def primary(values: Mapping[Hashable, float | None], minimum: int = MIN_CELL) -> set[Hashable]:
    """Cells counting 1 to `minimum` - 1: they would single people out. A zero discloses nobody."""
    return {key for key, value in values.items() if value is not None and 0 < value < minimum}


def protect(values: Mapping[Hashable, float | None], relations: Sequence[Relation], *,
            minimum: int = MIN_CELL, hidden: Iterable[Hashable] = (), guarded: Iterable[Hashable] = ()
            ) -> set[Hashable]:
    """The cells to suppress among `values` (every cell published together, with its true count).

    `hidden` names totals a relation needs but that are never published (e.g. the seizures two tables
    both add up to): unknown to the reader, and not returned. `guarded` names never-published cells that
    count people all the same (those enrolled minus those placed and relapsed): a small one must not be
    worked out either, so complements are hidden around it. A cell missing from `values` but named in a
    relation is taken as a published zero. Complements are the smallest positive published cells of the
    relations around a cell still determined, so as little as possible is lost; the choice is deterministic.
    """
    for relation in relations:
        for key in relation.cells():
            if key not in values:
                raise ValueError(f"relation names cell {key!r}, which has no value")
    never_shown = set(hidden) | set(guarded)
    small = primary(values, minimum)
    sensitive = small & set(guarded)
    suppressed = (small - never_shown) | sensitive
    # the systems are small: one BLAS thread solves them at once, where several spin against each other
    # (a hundred times slower on a busy two-core server)
    with threadpool_limits(1, user_api="blas"):
        for component in _components(relations):
            cells = {key for relation in component for key in relation.cells()}
            suppressed |= _protect_component(values, component, suppressed & cells,
                                             (never_shown - sensitive) & cells)
    return suppressed - sensitive


def _components(relations: Sequence[Relation]) -> list[list[Relation]]:
    """The relations grouped by the cells they share: each group is protected on its own (small systems)."""
    parent: dict[Hashable, Hashable] = {}

    def root(key: Hashable) -> Hashable:
        parent.setdefault(key, key)
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for relation in relations:
        first = root(relation.total)
        for part in relation.parts:
            parent[root(part)] = first
    groups: dict[Hashable, list[Relation]] = defaultdict(list)
    for relation in relations:
        groups[root(relation.total)].append(relation)
    return list(groups.values())


def _protect_component(values: Mapping[Hashable, float | None], relations: list[Relation], suppressed: set[Hashable],
                       never_shown: set[Hashable]) -> set[Hashable]:
    by_cell: dict[Hashable, list[Relation]] = defaultdict(list)
    for relation in relations:
        for key in relation.cells():
            by_cell[key].append(relation)
    suppressed = set(suppressed)
    while True:
        exposed = _exposed(values, relations, suppressed, never_shown)
        if exposed is None:
            return suppressed
        complement = _complement(exposed, values, by_cell, suppressed | never_shown)
        if complement is None:
            raise ValueError(f"cell {exposed!r} cannot be protected: every cell related to it is already hidden")
        suppressed.add(complement)


def _exposed(values: Mapping[Hashable, float | None], relations: Sequence[Relation], suppressed: set[Hashable],
             never_shown: set[Hashable]) -> Hashable | None:
    """A suppressed cell the shown cells give away, or None."""
    unknown = suppressed | never_shown
    live = [r for r in relations if any(key in unknown for key in r.cells())]
    if not live or not suppressed:
        return None
    columns = sorted({key for r in live for key in r.cells() if key in unknown}, key=repr)
    index = {key: k for k, key in enumerate(columns)}
    matrix = np.zeros((len(live), len(columns)))
    for row, relation in enumerate(live):
        if relation.total in index:
            matrix[row, index[relation.total]] += 1.0
        for part in relation.parts:
            if part in index:
                matrix[row, index[part]] -= 1.0
    free = _null_space(matrix)
    determined = {key for key in columns if np.abs(free[index[key], :]).max(initial=0.0) < 1e-7}
    for key in sorted(suppressed & determined, key=repr):  # exactly determined: no freedom left
        return key
    for relation in live:  # determined by the floor: the hidden parts of a known total add up to their count
        if relation.total in unknown and relation.total not in determined:
            continue
        hidden_parts = [p for p in relation.parts if p in unknown and p not in determined]
        if len(hidden_parts) > 1 and all(p in suppressed for p in hidden_parts):
            remainder = sum(values[p] or 0 for p in hidden_parts)
            if remainder <= len(hidden_parts):
                return hidden_parts[0]
    return None


def _null_space(matrix: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the vectors `matrix` sends to zero, one per column."""
    if matrix.size == 0:
        return np.eye(matrix.shape[1])
    rows, columns = matrix.shape
    # only V is needed: U in full would be rows x rows (thousands of relations), for nothing
    _, singular, vt = np.linalg.svd(matrix, full_matrices=rows < columns)
    rank = int((singular > _TOLERANCE * max(matrix.shape) * max(singular.max(initial=0.0), 1.0)).sum())
    return vt[rank:].T


def _complement(exposed: Hashable, values: Mapping[Hashable, float | None], by_cell: Mapping[Hashable, list[Relation]],
                unknown: set[Hashable]) -> Hashable | None:
    """The cell to hide next: in the relations around `exposed` (widening through hidden cells if they are
    all hidden already), the smallest positive shown cell; a shown zero only if there is nothing else."""
    seen_cells: set[Hashable] = {exposed}
    frontier = [exposed]
    while frontier:
        candidates: set[Hashable] = set()
        reached: list[Hashable] = []
        for key in frontier:
            for relation in by_cell.get(key, ()):
                for other in relation.cells():
                    if other in unknown:
                        if other not in seen_cells:
                            seen_cells.add(other)
                            reached.append(other)
                    else:
                        candidates.add(other)
        positive = [c for c in candidates if (values.get(c) or 0) > 0]
        pool = positive or list(candidates)
        if pool:
            return min(pool, key=lambda c: (values.get(c) or 0, repr(c)))
        frontier = reached
    return None


def suppress_small_cells(rows: list[dict[str, Any]], count_column: str, *, minimum: int = MIN_CELL,
                         also: tuple[str, ...] = (), total_published: bool = False) -> list[dict[str, Any]]:
    """One table: replace counts below `minimum` (and the `also` columns derived from them) by None, flagged.

    With `total_published` (the page shows the sum of every row), a second cell is hidden beside a lone
    small one so the total minus the shown rows gives nothing away. A zero stays zero.
    """
    values: dict[Hashable, float | None] = {k: row.get(count_column) for k, row in enumerate(rows)}
    relations = [Relation("total", tuple(range(len(rows))))] if total_published and rows else []
    if relations:
        values["total"] = sum(v or 0 for v in values.values())
    hidden = protect(values, relations, minimum=minimum) - {"total"}
    return apply(rows, {k for k in hidden if isinstance(k, int)}, (count_column, *also))


def suppress_together(tables: Sequence[list[dict[str, Any]]], count_column: str, *, minimum: int = MIN_CELL
                      ) -> list[list[dict[str, Any]]]:
    """Tables published side by side (e.g. seizures by month and by entry point), each counting in
    `count_column`: small cells hidden, and complements wherever two tables add up to the same number (one
    table's sum minus the other's shown rows would give a lone hidden cell away)."""
    values: dict[Hashable, float | None] = {}
    relations = []
    sums: dict[float, str] = {}
    for t, rows in enumerate(tables):
        cells = tuple((t, k) for k in range(len(rows)))
        values |= {(t, k): row.get(count_column) for k, row in enumerate(rows)}
        whole = sum(row.get(count_column) or 0 for row in rows)
        total = sums.setdefault(whole, f"total:{whole}")  # equal sums: one total, both tables tied to it
        values[total] = whole
        relations.append(Relation(total, cells))
    hidden = protect(values, relations, minimum=minimum, hidden=set(sums.values()))
    return [apply(rows, {k for (u, k) in (h for h in hidden if isinstance(h, tuple)) if u == t}, (count_column,))
            for t, rows in enumerate(tables)]


def apply(rows: list[dict[str, Any]], hidden: set[int], columns: Sequence[str]) -> list[dict[str, Any]]:
    """Copies of `rows` with `columns` of the rows at the `hidden` positions set to None, and a `suppressed` flag."""
    out = []
    for k, row in enumerate(rows):
        row = dict(row)
        if k in hidden:
            for column in columns:
                row[column] = None
        row["suppressed"] = k in hidden
        out.append(row)
    return out


# --- unit and office figures over years, quarters and months ------------------------------------------------

def _parent(period: str) -> str | None:
    """The period a period adds up into: a month into its quarter, a quarter into its year."""
    if "-Q" in period:
        return period.split("-Q")[0]
    year, _, month = period.partition("-")
    if month.isdigit():
        return f"{year}-Q{(int(month) - 1) // 3 + 1}"
    return None


def period_relations(cells: Mapping[tuple[Any, ...], Mapping[str, float | None]],
                     columns: Sequence[str]) -> list[Relation]:
    """Year = its quarters, quarter = its months, for each subject (a key is (..., period)), wherever the
    published figures do add up in every column (a rate or an average that does not add up cannot be
    subtracted, so it ties nothing)."""
    children: dict[tuple[Any, ...], list[tuple[Any, ...]]] = defaultdict(list)
    for key in cells:
        parent = _parent(key[-1])
        if parent is not None and (*key[:-1], parent) in cells:
            children[(*key[:-1], parent)].append(key)
    relations = []
    for total, parts in sorted(children.items(), key=lambda item: repr(item[0])):
        if all(_adds_up(cells[total].get(c), [cells[p].get(c) for p in parts]) for c in columns):
            relations.append(Relation(total, tuple(sorted(parts))))
    return relations


def _adds_up(total: float | None, parts: list[float | None]) -> bool:
    if total is None or any(p is None for p in parts):
        return False
    return abs(total - sum(p for p in parts if p is not None)) < 1e-6


def protect_indicators(rows: Sequence[Mapping[str, Any]], *, minimum: int = MIN_CELL) -> set[tuple[str, ...]]:
    """Which indicator cells (subject_table, subject_id, indicator, period) to hide, across every granularity
    in `rows` at once (give it the years, quarters and months a reader can ask for): small denominators,
    and complements so that no year minus its shown quarters (or quarter minus its months) recovers them."""
    counted = _count_indicators()
    cells: dict[tuple[Any, ...], dict[str, float | None]] = {}
    for row in rows:
        key = (row["subject_table"], row["subject_id"], row["indicator"], row["period"])
        # a count (seizures made, denominator 1) is judged on the count itself, and its periods add up by it
        size = row.get("numerator") if row["indicator"] in counted else row.get("denominator")
        cells[key] = {"numerator": row.get("numerator"), "denominator": size}
    relations = period_relations(cells, ("numerator", "denominator"))
    counts: dict[Hashable, float | None] = {k: v["denominator"] for k, v in cells.items()}
    return {key for key in protect(counts, relations, minimum=minimum) if isinstance(key, tuple)}


def _count_indicators() -> frozenset[str]:
    """The unit indicators that are counts of events (`kind: count` in the KSI catalogue)."""
    from baliza.analyses.ksi.catalogue import Kind, load_catalogue

    return frozenset(spec.name for spec in load_catalogue() if spec.kind is Kind.COUNT)


INDICATOR_FIGURES = ("value", "numerator", "denominator", "low", "high")


def hide_indicators(rows: Sequence[Mapping[str, Any]], hidden: set[tuple[str, ...]],
                    columns: Sequence[str] = INDICATOR_FIGURES) -> list[dict[str, Any]]:
    """Copies of indicator rows with the `hidden` cells' figures set to None, each flagged `suppressed`."""
    out = []
    for row in rows:
        row = dict(row)
        secret = (row["subject_table"], row["subject_id"], row["indicator"], row["period"]) in hidden
        if secret:
            for column in columns:
                row[column] = None
        row["suppressed"] = secret
        out.append(row)
    return out


# --- tables published together: pages, API, reports and exports of the programmes and the public page ------

@dataclass(frozen=True)
class Figure:
    """What a published column counts: a `measure` (people enrolled, episodes, seizures...) restricted to
    `where` (e.g. status "placed"), besides the row's own dimensions. Two columns of any tables counting
    the same measure at the same coordinates are the same cell: hidden in both or in neither."""

    measure: str
    where: tuple[tuple[str, Hashable], ...] = ()


@dataclass(frozen=True)
class PublishedTable:
    """One table a reader gets. `dimensions`: column -> dimension (a None value is the dimension's total,
    e.g. a "total" row); `counts`: column -> the `Figure` it counts; `resting_on`: a column computed from
    counts (a rate, a median, an interval, an adjusted figure) -> the count columns it rests on, hidden
    with any of them. A count the reader can work out from the others (those enrolled minus those placed
    and those relapsed) should be given as a count column too, even if it is not displayed, so that a
    small one is protected."""

    name: str
    rows: Sequence[Mapping[str, Any]]
    dimensions: Mapping[str, str]
    counts: Mapping[str, Figure]
    resting_on: Mapping[str, tuple[str, ...]] = ()  # type: ignore[assignment]
    worked_out: tuple[str, ...] = ()  # count columns never shown, that a reader could work out


Cell = tuple[str, tuple[tuple[str, Hashable], ...]]  # (measure, sorted (dimension, value) pairs)
Parents = Mapping[str, Mapping[Hashable, Hashable]]


def disclose(tables: Sequence[PublishedTable], parents: Parents | None = None, *,
             minimum: int = MIN_CELL) -> list[list[dict[str, Any]]]:
    """Every table published together, with the counts under `minimum` and their complements hidden (None)
    and each row's hidden columns listed in `suppressed`; the one function pages, API, reports and exports
    call, so that they all show the same cells.

    `parents` says, per dimension, what a value adds up into (an office into its region); a period adds up
    into its quarter and year (`_parent`), and every value into the dimension's total. Each cell is tied to
    its parent along every dimension, whether the parent is published (a year beside its quarters, a region
    beside its offices, a total row) or not (then it is a total the reader does not see, but two tables
    adding up to it can still be subtracted one from the other)."""
    values = _published_cells(tables)
    shown = {_cell(t, row, c) for t in tables for row in t.rows for c in t.counts if c not in t.worked_out}
    guarded = set(values) - shown
    relations, implied = _roll_ups(values, parents or {})
    hidden = protect({**implied, **values}, relations, minimum=minimum, hidden=set(implied), guarded=guarded)
    return [_hide_cells(table, hidden) for table in tables]


def _cell(table: PublishedTable, row: Mapping[str, Any], column: str) -> Cell:
    figure = table.counts[column]
    where = {dimension: row.get(name) for name, dimension in table.dimensions.items()}
    for dimension, value in figure.where:
        if where.get(dimension) is not None:
            raise ValueError(f"table {table.name!r}: column {column!r} fixes {dimension!r}, also a row dimension")
        where[dimension] = value
    return figure.measure, tuple(sorted((d, v) for d, v in where.items() if v is not None))


def _published_cells(tables: Sequence[PublishedTable]) -> dict[Hashable, float | None]:
    values: dict[Hashable, float | None] = {}
    for table in tables:
        unknown = [c for c in (*table.dimensions, *table.counts) if table.rows and c not in table.rows[0]]
        if unknown:
            raise ValueError(f"table {table.name!r} has no column {unknown[0]!r}")
        for row in table.rows:
            for column in table.counts:
                key, value = _cell(table, row, column), row[column]
                if key in values and values[key] != value:
                    raise ValueError(f"table {table.name!r}: {column!r} at {key[1]} is {value}, but another "
                                     f"published table says {values[key]}")
                values[key] = value
    return values


def _parent_value(parents: Parents, dimension: str, value: Hashable) -> Hashable | None:
    if dimension in parents:
        return parents[dimension].get(value)
    return _parent(value) if dimension == "period" and isinstance(value, str) else None


def _roll_ups(values: Mapping[Hashable, float | None], parents: Parents
              ) -> tuple[list[Relation], dict[Hashable, float]]:
    """The relations (parent = its children, along each dimension) among the published cells and the
    totals above them, and the value of each total that is not published. Children that do not add up to
    their parent are not all published (those discharged are more than those who completed): no relation."""
    children: dict[tuple[Hashable, str], set[Hashable]] = defaultdict(set)
    pending: list[Cell] = [cast(Cell, key) for key in values]
    seen: set[Hashable] = set(values)
    while pending:
        key = pending.pop()
        measure, where = key
        for k, (dimension, value) in enumerate(where):
            up = _parent_value(parents, dimension, value)
            rest = where[:k] + where[k + 1:]
            parent: Cell = (measure, tuple(sorted((*rest, (dimension, up))))) if up is not None \
                else (measure, rest)
            children[(parent, dimension)].add(key)
            if parent not in seen:
                seen.add(parent)
                pending.append(parent)
    below: dict[Hashable, list[set[Hashable]]] = defaultdict(list)
    for (total, _dimension), parts in children.items():
        below[total].append(parts)
    implied: dict[Hashable, float] = {}

    def value_of(key: Hashable) -> float:
        if key in values:
            return values[key] or 0
        if key not in implied:
            implied[key] = max((sum(value_of(c) for c in parts) for parts in below[key]), default=0)
        return implied[key]

    for total in seen - set(values):
        value_of(total)
    relations = [Relation(total, tuple(sorted(parts, key=repr)))
                 for (total, _dimension), parts in sorted(children.items(), key=lambda item: repr(item[0]))
                 if _adds_up(value_of(total), [values[p] if p in values else value_of(p) for p in parts])]
    return relations, implied


def _hide_cells(table: PublishedTable, hidden: set[Hashable]) -> list[dict[str, Any]]:
    out = []
    for row in table.rows:
        secret = [c for c in table.counts if _cell(table, row, c) in hidden]
        secret += [c for c, basis in dict(table.resting_on or {}).items() if set(basis) & set(secret)]
        shown = {k: v for k, v in row.items() if k not in table.worked_out}
        for column in secret:
            if column not in table.worked_out:
                shown[column] = None
        shown["suppressed"] = tuple(c for c in secret if c not in table.worked_out)
        out.append(shown)
    return out
