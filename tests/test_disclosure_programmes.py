"""Tables published together (`disclose`): a livelihood programme's figures by office and year, region and
quarter, region and year with totals, and by year, attacked by `disclosure_attack` (linear programming over
the finest cells, written without the suppression code): no hidden figure is recovered.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from baliza.access.disclosure import MIN_CELL, Figure, PublishedTable, disclose
from disclosure_attack import Atom, Published, figures_of, recovered

OFFICES = {"O1": "North", "O2": "North", "O3": "South", "O4": "South"}
QUARTERS = [f"{y}-Q{q}" for y in (2024, 2025) for q in range(1, 5)]
STATUSES = ("placed", "relapsed", "other")
ATOMS: list[Atom] = [(o, q, s) for o in OFFICES for q in QUARTERS for s in STATUSES]


def world(seed: int) -> np.ndarray:
    """People enrolled per office, quarter and status: many small counts, some zeros."""
    rng = np.random.default_rng(seed)
    return rng.choice([0, 0, 0, 0, 0, 1, 1, 2, 3, 5], size=(len(OFFICES), len(QUARTERS), len(STATUSES)))


def count(people: np.ndarray, office: str | None = None, region: str | None = None, period: str | None = None,
          status: str | None = None) -> int:
    total = 0
    for (o, q, s) in ATOMS:
        if (office in (None, o) and region in (None, OFFICES[o]) and (period is None or q.startswith(period))
                and status in (None, s)):
            total += int(people[list(OFFICES).index(o), QUARTERS.index(q), STATUSES.index(s)])
    return total


def tables(people: np.ndarray) -> list[PublishedTable]:
    years = ("2024", "2025")
    regions = sorted(set(OFFICES.values()))

    def outcomes(**where: Any) -> dict[str, Any]:
        enrolled = count(people, **where)
        placed = count(people, status="placed", **where)
        return {"enrolled": enrolled, "placed": placed, "relapsed": count(people, status="relapsed", **where),
                "other": count(people, status="other", **where), "rate": placed / enrolled if enrolled else None}

    people_columns = {"enrolled": Figure("enrolled"), "placed": Figure("enrolled", (("status", "placed"),)),
                      "relapsed": Figure("enrolled", (("status", "relapsed"),)),
                      "other": Figure("enrolled", (("status", "other"),))}
    by_office = [{"office": o, "year": y, **outcomes(office=o, period=y)} for o in OFFICES for y in years]
    by_region_quarter = [{"region": r, "quarter": q, "enrolled": count(people, region=r, period=q)}
                         for r in regions for q in QUARTERS]
    by_region = [{"region": r, "year": y, **outcomes(region=r, period=y)} for r in [*regions, None] for y in years]
    by_year = [{"year": y, **outcomes(period=y)} for y in years]
    rate = {"rate": ("enrolled", "placed")}
    return [
        PublishedTable("offices", by_office, {"office": "place", "year": "period"}, people_columns, rate),
        PublishedTable("quarters", by_region_quarter, {"region": "place", "quarter": "period"},
                       {"enrolled": Figure("enrolled")}),
        PublishedTable("regions", by_region, {"region": "place", "year": "period"}, people_columns, rate),
        PublishedTable("years", by_year, {"year": "period"}, people_columns, rate),
    ]


def attack(shown: list[list[dict[str, Any]]]) -> dict[str, tuple[float, float]]:
    """Every published figure as the attacker reads it, then what it recovers."""
    offices, quarters, regions, years = shown

    def people(status: str | None) -> Any:
        return lambda row, atom: (status is None or atom[2] == status)

    def where(row: dict[str, Any], atom: Atom) -> bool:
        o, q, _ = atom
        return ((row.get("office") in (None, o)) and (row.get("region") in (None, OFFICES[o]))
                and q.startswith(row.get("quarter") or row.get("year") or ""))

    def column(status: str | None) -> Any:
        return lambda row, atom: where(row, atom) and people(status)(row, atom)

    columns = {c: column(s) for c, s in (("enrolled", None), ("placed", "placed"), ("relapsed", "relapsed"),
                                          ("other", "other"))}
    figures: list[Published] = []
    label = lambda row: repr(sorted((k, v) for k, v in row.items() if k in ("office", "region", "quarter", "year")))  # noqa: E731
    figures += figures_of(offices, columns, ATOMS, "offices", label)
    figures += figures_of(quarters, {"enrolled": columns["enrolled"]}, ATOMS, "quarters", label)
    figures += figures_of(regions, columns, ATOMS, "regions", label)
    figures += figures_of(years, columns, ATOMS, "years", label)
    return recovered(figures, ATOMS)


def only_small_hidden(table: PublishedTable) -> list[dict[str, Any]]:
    """What publishing without complements would show: each count under 5 hidden, nothing else."""
    return [{k: (None if k in table.counts and v is not None and 0 < v < MIN_CELL else v) for k, v in row.items()}
            for row in table.rows]


def test_the_attacker_breaks_primary_suppression_alone() -> None:
    """The attack is real: hiding only the small cells lets year minus quarters, region minus offices and
    totals minus cells give them back."""
    found = attack([only_small_hidden(t) for t in tables(world(3))])
    assert len(found) >= 5


@pytest.mark.parametrize("seed", range(3))
def test_no_hidden_figure_is_recovered_across_the_tables_published_together(seed: int) -> None:
    people = world(seed)
    published = tables(people)
    shown = disclose(published, {"place": OFFICES})
    hidden_small = [row for t in shown for row in t if row["suppressed"]]
    assert hidden_small, "the world has small cells: some must be hidden"
    assert attack(shown) == {}
    for table, rows in zip(published, shown, strict=True):
        for before, after in zip(table.rows, rows, strict=True):
            for column in table.counts:
                value = before[column]
                if value is not None and 0 < value < MIN_CELL:
                    assert after[column] is None, (table.name, before, column)  # every small count is hidden
                elif after[column] is not None:
                    assert after[column] == value  # a shown count is the true count
            if "rate" in before and ({"enrolled", "placed"} & set(after["suppressed"])):
                assert after["rate"] is None  # a rate goes with the counts it rests on


def test_the_same_cell_in_two_tables_is_hidden_in_both() -> None:
    shown = disclose(tables(world(1)), {"place": OFFICES})
    regions, years = shown[2], shown[3]
    totals = {r["year"]: r for r in regions if r["region"] is None}
    for row in years:
        for column in ("enrolled", "placed", "relapsed"):
            assert (row[column] is None) == (totals[row["year"]][column] is None)


def test_two_tables_disagreeing_on_a_cell_are_refused() -> None:
    a = PublishedTable("a", [{"year": "2024", "n": 7}], {"year": "period"}, {"n": Figure("enrolled")})
    b = PublishedTable("b", [{"year": "2024", "n": 8}], {"year": "period"}, {"n": Figure("enrolled")})
    with pytest.raises(ValueError, match="another published table says 7"):
        disclose([a, b])


def test_a_small_count_worked_out_by_subtraction_is_protected_too() -> None:
    """Those enrolled minus those placed and relapsed are 2 people: never shown as such, but the three
    shown counts would give them, so one of those is hidden with a complement."""
    rows = [{"year": "2024", "enrolled": 40, "placed": 30, "relapsed": 8, "other": 2},
            {"year": "2025", "enrolled": 50, "placed": 35, "relapsed": 9, "other": 6}]
    columns = {"enrolled": Figure("people"), "placed": Figure("people", (("status", "placed"),)),
               "relapsed": Figure("people", (("status", "relapsed"),)),
               "other": Figure("people", (("status", "other"),))}
    (shown,) = disclose([PublishedTable("years", rows, {"year": "period"}, columns, worked_out=("other",))])
    assert all("other" not in row for row in shown)
    first = shown[0]
    assert None in (first["enrolled"], first["placed"], first["relapsed"])  # 2 cannot be worked out
    assert all(row[c] is None or row[c] == before[c] for row, before in zip(shown, rows, strict=True)
               for c in ("enrolled", "placed", "relapsed"))
