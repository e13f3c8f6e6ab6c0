"""Complementary suppression: an attacker who subtracts shown cells from shown totals (year minus its shown
quarters, total minus its shown rows, across tables and granularities published together) recovers no
suppressed value.

The attacker here is written independently of `protect`: it repeats plain subtraction along every relation
until nothing new comes out, and uses the one bound every reader knows (a hidden count is at least 1).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baliza.access.disclosure import (
    MIN_CELL,
    Relation,
    hide_indicators,
    protect,
    protect_indicators,
    suppress_small_cells,
)


def recover(shown: Mapping[Hashable, float | None], relations: Sequence[Relation]) -> dict[Hashable, float]:
    """What an attacker works out: every hidden (None) cell that subtraction along the relations gives,
    repeated until nothing new comes out, plus cells forced by the floor of 1 on hidden counts."""
    known = {k: v for k, v in shown.items() if v is not None}
    recovered: dict[Hashable, float] = {}
    changed = True
    while changed:
        changed = False
        for relation in relations:
            missing = [k for k in relation.cells() if k not in known]
            if len(missing) == 1:
                (cell,) = missing
                if cell == relation.total:
                    value = sum(known[p] for p in relation.parts)
                else:
                    value = known[relation.total] - sum(known[p] for p in relation.parts if p != cell)
                known[cell] = recovered[cell] = value
                changed = True
            elif missing and relation.total in known and relation.total not in missing:
                rest = known[relation.total] - sum(known[p] for p in relation.parts if p in known)
                if rest == len(missing):  # every hidden count is at least 1: they are all 1
                    for cell in missing:
                        known[cell] = recovered[cell] = 1
                    changed = True
    return recovered


def published(values: Mapping[Hashable, int], hidden: set[Hashable], never: set[Hashable] = frozenset()
              ) -> dict[Hashable, int | None]:
    return {k: (None if k in hidden or k in never else v) for k, v in values.items()}


def year_of(months: Sequence[int], prefix: str = "") -> tuple[dict[str, int], list[Relation]]:
    """Twelve month counts, their quarters and their year, and the relations a reader can subtract along."""
    values = {f"{prefix}2025-{m + 1:02d}": n for m, n in enumerate(months)}
    relations = []
    for q in range(4):
        parts = tuple(f"{prefix}2025-{m + 1:02d}" for m in range(3 * q, 3 * q + 3))
        values[f"{prefix}2025-Q{q + 1}"] = sum(values[p] for p in parts)
        relations.append(Relation(f"{prefix}2025-Q{q + 1}", parts))
    quarters = tuple(f"{prefix}2025-Q{q + 1}" for q in range(4))
    values[f"{prefix}2025"] = sum(values[q] for q in quarters)
    relations.append(Relation(f"{prefix}2025", quarters))
    return values, relations


def test_the_attack_on_primary_suppression_alone_works() -> None:
    """The break: quarter Q3 (3 cases) hidden alone is the year minus the shown quarters."""
    values = {"2025": 40, "2025-Q1": 12, "2025-Q2": 15, "2025-Q3": 3, "2025-Q4": 10}
    relations = [Relation("2025", ("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"))]
    only_small = {k for k, v in values.items() if 0 < v < MIN_CELL}
    assert recover(published(values, only_small), relations) == {"2025-Q3": 3}


def test_a_hand_made_year_with_quarters_and_months() -> None:
    months = [6, 7, 8, 2, 9, 9, 0, 10, 11, 1, 1, 12]  # April (2) and October, November (1 each) are small
    values, relations = year_of(months)
    hidden = protect(values, relations)
    assert {"2025-04", "2025-10", "2025-11"} <= hidden
    assert len(hidden) > 3  # complements were needed
    assert recover(published(values, hidden), relations) == {}
    assert "2025" not in hidden  # the smallest complements are chosen, not the year


def test_total_minus_shown_rows_with_one_small_row() -> None:
    rows = [{"place": "A", "seizures": 40}, {"place": "B", "seizures": 2}, {"place": "C", "seizures": 9},
            {"place": "D", "seizures": 0}]
    shown = suppress_small_cells(rows, "seizures", total_published=True)
    hidden_rows = [r["place"] for r in shown if r["suppressed"]]
    assert hidden_rows == ["B", "C"]  # C is the smallest positive complement; the zero stays shown
    total = sum(r["seizures"] for r in rows)
    assert total - sum(r["seizures"] or 0 for r in shown) == 11  # the pair, not B alone
    plain = suppress_small_cells(rows, "seizures")
    assert [r["place"] for r in plain if r["suppressed"]] == ["B"]  # without a published total, B alone


def test_two_tables_adding_up_to_the_same_unpublished_total() -> None:
    """Seizures by month and by entry point add up to the same number, shown nowhere: a lone hidden entry
    point is the sum of the months minus the shown entry points."""
    values = {"m1": 10, "m2": 12, "e1": 20, "e2": 2, "N": 22}
    relations = [Relation("N", ("m1", "m2")), Relation("N", ("e1", "e2"))]
    hidden = protect(values, relations, hidden={"N"})
    assert hidden and "N" not in hidden
    assert {"e1", "e2"} <= hidden or {"m1", "m2"} & hidden  # more than the small cell
    assert set(recover(published(values, hidden, {"N"}), relations)) <= {"N"}  # the total is no one's count


def test_a_relation_naming_an_unknown_cell_is_refused() -> None:
    with pytest.raises(ValueError, match="'Q9'"):
        protect({"Y": 3}, [Relation("Y", ("Q9",))])


def test_indicators_over_three_granularities() -> None:
    """A unit's hit rate by year, quarter and month, as the indicators page and API publish them."""
    months = [8, 9, 10, 3, 8, 9, 7, 6, 9, 10, 11, 12]
    values, _ = year_of(months)
    rows = [{"subject_table": "units", "subject_id": "U1", "indicator": "hit_rate", "period": period,
             "value": 0.5, "numerator": n / 2, "denominator": n, "low": None, "high": None}
            for period, n in values.items()]
    hidden = protect_indicators(rows)
    shown = hide_indicators(rows, hidden)
    cells = {r["period"]: r["denominator"] for r in shown}
    assert cells["2025-04"] is None and sum(1 for r in shown if r["suppressed"]) >= 2
    _, relations = year_of(months)
    assert recover(cells, relations) == {}
    numerators = {r["period"]: r["numerator"] for r in shown}
    assert recover(numerators, relations) == {}


counts = st.integers(min_value=0, max_value=30) | st.integers(min_value=0, max_value=4)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(counts, min_size=12, max_size=12), min_size=1, max_size=4))
def test_no_suppressed_value_is_recovered_across_units_and_granularities(units: list[list[int]]) -> None:
    """Several units, each by month, quarter and year, and the country total of each period."""
    values: dict[str, int] = {}
    relations: list[Relation] = []
    for k, months in enumerate(units):
        unit_values, unit_relations = year_of(months, prefix=f"U{k}:")
        values |= unit_values
        relations += unit_relations
    for period in [f"2025-{m:02d}" for m in range(1, 13)] + [f"2025-Q{q}" for q in range(1, 5)] + ["2025"]:
        parts = tuple(f"U{k}:{period}" for k in range(len(units)))
        values[f"all:{period}"] = sum(values[p] for p in parts)
        relations.append(Relation(f"all:{period}", parts))
    hidden = protect(values, relations)
    assert {k for k, v in values.items() if 0 < v < MIN_CELL} <= hidden
    assert recover(published(values, hidden), relations) == {}


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(counts, min_size=2, max_size=5), min_size=2, max_size=5))
def test_no_suppressed_value_is_recovered_in_a_table_with_margins(table: list[list[int]]) -> None:
    """A two-way table (place by substance) with its row totals, column totals and grand total."""
    width = min(len(row) for row in table)
    table = [row[:width] for row in table]
    values: dict[tuple[str, str], int] = {}
    relations = []
    for i, row in enumerate(table):
        for j, n in enumerate(row):
            values[(f"r{i}", f"c{j}")] = n
        values[(f"r{i}", "all")] = sum(row)
        relations.append(Relation((f"r{i}", "all"), tuple((f"r{i}", f"c{j}") for j in range(width))))
    for j in range(width):
        values[("all", f"c{j}")] = sum(row[j] for row in table)
        relations.append(Relation(("all", f"c{j}"), tuple((f"r{i}", f"c{j}") for i in range(len(table)))))
    values[("all", "all")] = sum(map(sum, table))
    relations.append(Relation(("all", "all"), tuple((f"r{i}", "all") for i in range(len(table)))))
    relations.append(Relation(("all", "all"), tuple(("all", f"c{j}") for j in range(width))))
    hidden = protect(values, relations)
    assert recover(published(values, hidden), relations) == {}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from baliza.web.app import create_app
    from web_world import build_web_world

    world = build_web_world(tmp_path_factory.mktemp("disclosure"))
    application = create_app(world.db, state_url=world.state_url)
    yield application
    application.state.baliza.close()


def kind(period: str) -> str:
    return "year" if len(period) == 4 else "quarter" if "-Q" in period else "month"


def test_oversight_cannot_recover_a_quarter_from_the_api_year_minus_quarters(app, monkeypatch) -> None:
    """The attack of the issue, through the API: ask the year, then the quarters, subtract."""
    from fastapi.testclient import TestClient

    from baliza.access.roles import Role
    from baliza.analyses.model import Indicator
    from baliza.web import sources
    from web_world import sign_in, user_name

    months = [9, 8, 7, 6, 9, 10, 2, 8, 9, 8, 9, 9]  # July: 2 inspections, the only small month
    values, relations = year_of(months)
    planted = {
        granularity: [Indicator("units", "U1", "hit_rate", period, 0.5, n / 2, n) for period, n in values.items()
                      if kind(period) == granularity]
        for granularity in ("year", "quarter", "month")
    }
    monkeypatch.setattr(sources, "unit_indicators", lambda wh, cache, granularity="year": planted[granularity])
    client = TestClient(app)
    sign_in(client, user_name("AG-POL", Role.OVERSIGHT))
    shown: dict[str, float | None] = {}
    for granularity in ("year", "quarter", "month"):
        for row in client.get(f"/api/indicators?granularity={granularity}").json():
            shown[row["period"]] = row["denominator"]
    assert shown["2025-07"] is None and shown["2025"] is not None
    assert recover(shown, relations) == {}


@settings(max_examples=100, deadline=None)
@given(st.lists(counts, min_size=1, max_size=8), st.integers(min_value=1, max_value=6))
def test_two_tables_of_the_same_seizures_give_nothing_away(by_month: list[int], places: int) -> None:
    """Seizures by month and the same seizures by entry point, published side by side (the overview)."""
    from baliza.access.disclosure import suppress_together

    total = sum(by_month)
    by_place = [total // places] * places
    by_place[0] += total - sum(by_place)
    months = [{"seizures": n} for n in by_month]
    points = [{"seizures": n} for n in by_place]
    shown_months, shown_points = suppress_together([months, points], "seizures")
    values = {("m", k): n for k, n in enumerate(by_month)} | {("p", k): n for k, n in enumerate(by_place)}
    values["N"] = total
    shown = {("m", k): r["seizures"] for k, r in enumerate(shown_months)} | {
        ("p", k): r["seizures"] for k, r in enumerate(shown_points)} | {"N": None}
    relations = [Relation("N", tuple(("m", k) for k in range(len(by_month)))),
                 Relation("N", tuple(("p", k) for k in range(places)))]
    small = {k for k, v in values.items() if k != "N" and 0 < v < MIN_CELL}
    assert all(shown[k] is None for k in small)
    assert set(recover(shown, relations)) <= {"N"}


def test_a_count_indicator_is_judged_on_its_count_not_on_its_denominator_of_one() -> None:
    """`seizures` (kind count, denominator 1): a unit with 17 seizures in the year is shown; the quarter with
    2 is hidden, and so is another quarter, so that the year minus the shown quarters does not give it."""
    months = [2, 2, 1, 1, 3, 1, 2, 0, 0, 1, 1, 3]
    values, relations = year_of(months)
    rows = [{"subject_table": "units", "subject_id": "U1", "indicator": "seizures", "period": period,
             "value": float(n), "numerator": float(n), "denominator": 1.0, "low": None, "high": None}
            for period, n in values.items()]
    shown = hide_indicators(rows, protect_indicators(rows))
    by_period = {r["period"]: r["value"] for r in shown}
    assert by_period["2025"] == 17
    assert by_period["2025-Q3"] is None and by_period["2025-03"] is None
    assert recover(by_period, relations) == {}
