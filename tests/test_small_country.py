"""Small countries (issue 10): a leaking seizing unit among three to five peers is found, ordinary ones are not,
and a unit that starts leaking is found against its own past. A few seeds of benchmarks/small_country_eval.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from baliza.analyses.integrity import red_flags
from baliza.warehouse import open_warehouse
from small_country import build_small_country

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from small_country_eval import evaluate


def test_leaks_are_found_and_ordinary_countries_stay_quiet() -> None:
    leaks, clean = evaluate(range(1, 4))  # 5, 6 and 4 units; all three leaks were missed before tau² was left out
    assert [o.found for o in leaks] == [True, True, True]
    assert all(not o.false_flags for o in leaks)
    assert all(not o.flagged for o in clean)


def test_a_unit_that_starts_leaking_is_found_against_its_own_past(tmp_path: Path) -> None:
    with open_warehouse(tmp_path / "w.duckdb") as wh:
        country = build_small_country(wh, 4, leak=False, seizures=(150, 160))
        unit = country.units[0]
        # from 2024 on, half of this unit's seizures with an arrest never become a case
        wh.duckdb.execute(
            """DELETE FROM cases WHERE seizure_id IN (
                   SELECT seizure_id FROM seizures WHERE unit_id = ? AND seized_at >= DATE '2024-01-01'
                   AND hash(seizure_id) % 2 = 0)""", [unit])
        findings = red_flags(wh)
    history = [f for f in findings if f.rule == "seizure_not_converted_against_history"]
    assert [f.subject.id for f in history] == [unit]
    recent, earlier = history[0].details["recent"], history[0].details["earlier"]
    assert recent[0] / recent[1] > 2 * earlier[0] / earlier[1]
    assert "own past" in history[0].method and "Fisher" in history[0].method


@pytest.mark.parametrize("units", [4, 5, 6])
def test_the_world_has_the_sizes_the_issue_names(tmp_path: Path, units: int) -> None:
    with open_warehouse(tmp_path / "w.duckdb") as wh:
        country = build_small_country(wh, units, leak=True)  # seeds 4, 5, 6 give 5, 6, 4 units
    assert len(country.units) == {4: 5, 5: 6, 6: 4}[units]
    assert country.conversion[country.leaking_unit] == 0.54
    assert all(0.88 <= r <= 0.94 for u, r in country.conversion.items() if u != country.leaking_unit)
