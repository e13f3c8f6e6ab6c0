"""Livelihood outcomes: censoring in the survival curves, paired income change, dependents under protection,
and offices compared fairly (case mix, shrinkage). Small frames built here; each figure checked against an
independent computation or a number worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta

import ibis
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.special import expit

from baliza.analyses.programmes import CompareSettings, livelihood_outcomes, livelihood_report

AS_OF = date(2025, 12, 31)
START = date(2024, 1, 1)


def _row(i: int, **values: object) -> dict[str, object]:
    base = {"enrolment_id": f"FE-{i:05d}", "programme_office_id": "U-A", "region": "North", "crop": "coca",
            "hectares": 2.0, "enrolled_at": START, "dependents": 2, "protection_level": "none",
            "threats_reported": 0, "employment_sector": None, "employed_at": None,
            "monthly_income_before_usd": None, "monthly_income_after_usd": None, "exited_at": None,
            "status": "enrolled"}
    return {**base, **values}


def _table(rows: list[dict[str, object]]) -> ibis.Table:
    frame = pd.DataFrame(rows)
    for column in ("enrolled_at", "employed_at", "exited_at"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return ibis.memtable(frame, schema={
        "enrolment_id": "string", "programme_office_id": "string", "region": "string", "crop": "string",
        "hectares": "float64", "enrolled_at": "date", "dependents": "int64", "protection_level": "string",
        "threats_reported": "int64", "employment_sector": "string", "employed_at": "date",
        "monthly_income_before_usd": "float64", "monthly_income_after_usd": "float64", "exited_at": "date",
        "status": "string"})


def day(n: int) -> date:
    return START + timedelta(days=n)


def test_time_to_placement_censors_people_still_enrolled_and_counts_leaving_unplaced_as_competing() -> None:
    rows = [
        _row(1, employed_at=day(10), status="placed"),
        _row(2, employed_at=day(20), status="placed"),
        _row(3, exited_at=day(15), status="dropped_out"),  # left unplaced at 15: will not be placed
        _row(4),  # still enrolled: censored at the data end
    ]
    report = livelihood_report(_table(rows), as_of=AS_OF)
    placed = report.time_to_placement
    # by hand (Aalen-Johansen): at 10, 4 at risk, 1 placed: F = 1/4; at 15 one leaves: 3/4 * 2/3 = 1/2 still
    # waiting; at 20, 2 at risk, 1 placed: F = 1/4 + 1/2 * 1/2 = 1/2
    assert placed.times == (10.0, 20.0)
    assert placed.surviving == pytest.approx((0.75, 0.5))
    assert placed.at_risk == (4, 2)
    assert (placed.events, placed.censored, placed.competing) == (2, 1, 1)
    assert placed.median_days == 20.0
    # censoring the grower who left (Kaplan-Meier) would claim 1 - 3/4 * 1/2 = 0.625 placed within a year
    assert placed.share_by(365) == pytest.approx(0.5)
    intervals = zip(placed.low, placed.surviving, placed.high, strict=True)
    assert all(0 <= low <= s <= high <= 1 for low, s, high in intervals)


def test_retention_counts_drop_out_and_relapse_as_leaving_and_completion_as_a_competing_end() -> None:
    rows = [_row(1, exited_at=day(100), status="dropped_out"),
            _row(2, exited_at=day(200), status="relapsed_to_cultivation"),
            _row(3, exited_at=day(150), status="completed", employed_at=day(50)),
            _row(4, exited_at=day(300), status="relocated")]
    curve = livelihood_report(_table(rows), as_of=AS_OF).retention
    assert curve.times == (100.0, 200.0)
    # at 100: F = 1/4; completion at 150 leaves 3/4 * 2/3 = 1/2 in; at 200: 2 at risk, F = 1/4 + 1/2 * 1/2
    assert curve.surviving == pytest.approx((0.75, 0.5))
    assert (curve.events, curve.censored, curve.competing) == (2, 0, 2)


def test_income_change_is_paired_among_people_with_both() -> None:
    rng = np.random.default_rng(3)
    before = rng.lognormal(5.2, 0.4, 60).round(2)
    after = (before * rng.lognormal(0.25, 0.3, 60)).round(2)
    rows = [_row(i, monthly_income_before_usd=b, monthly_income_after_usd=a, status="placed", employed_at=day(30))
            for i, (b, a) in enumerate(zip(before, after, strict=True))]
    rows += [_row(100 + i, monthly_income_before_usd=900.0) for i in range(15)]  # no after: left out
    change = livelihood_report(_table(rows), as_of=AS_OF).income
    reference = stats.ttest_rel(after, before).confidence_interval(0.95)
    assert change.people == 60
    assert change.mean_change == pytest.approx(float(np.mean(after - before)))
    assert (change.low, change.high) == pytest.approx((reference.low, reference.high))
    assert change.median_before == pytest.approx(float(np.median(before)))
    assert change.median_after == pytest.approx(float(np.median(after)))


def test_dependents_protected_are_those_of_enrolments_under_protection() -> None:
    rows = [_row(1, dependents=3, protection_level="confidential"), _row(2, dependents=4, protection_level="none"),
            _row(3, dependents=1, protection_level="relocated"), _row(4, dependents=None, protection_level="anonymous"),
            _row(5, dependents=2, protection_level=None)]
    report = livelihood_report(_table(rows), as_of=AS_OF)
    assert (report.dependents, report.dependents_protected) == (10, 4)


def _offices(seed: int, penalty: float = 0.0) -> list[dict[str, object]]:
    """Office HARD works mostly with poppy growers on large plots (lower placement, for reasons not its own);
    office EASY mostly with coca growers on small plots; office TINY is small. `penalty` lowers EASY's own
    placement (log-odds) beyond what its case mix gives."""
    rng = np.random.default_rng(seed)
    rows, i = [], 0
    for office, n, poppy_share in (("HARD", 400, 0.8), ("EASY", 400, 0.1), ("TINY", 12, 0.5)):
        for _ in range(n):
            poppy = rng.random() < poppy_share
            hectares = float(rng.uniform(5, 9) if poppy else rng.uniform(0.3, 2.5))
            logit = 0.6 - 1.8 * poppy - (penalty if office == "EASY" else 0.0)
            placed = rng.random() < expit(logit)
            rows.append(_row(i, programme_office_id=office, region=f"R-{office}",
                             crop="opium_poppy" if poppy else "coca",
                             hectares=hectares, enrolled_at=day(int(rng.integers(0, 200))),
                             status="placed" if placed else "enrolled", employed_at=day(300) if placed else None))
            i += 1
    return rows


def test_case_mix_adjustment_clears_an_office_that_works_with_harder_cases() -> None:
    report = livelihood_report(_table(_offices(5)), as_of=AS_OF, settings=CompareSettings(min_people=20))
    crude = {g.group_id: g.rates["placement"].value for g in report.offices}
    adjusted = {u.unit_id: u for u in report.adjusted["office:placement"].units}
    assert crude["EASY"] - crude["HARD"] > 0.25  # crude rates differ a lot...
    assert adjusted["HARD"].ratio == pytest.approx(1.0, abs=0.08)  # ...but no office differs from its case mix
    assert adjusted["EASY"].ratio == pytest.approx(1.0, abs=0.08)
    assert adjusted["HARD"].outside is None and adjusted["EASY"].outside is None
    assert adjusted["TINY"].q is None  # too few people to be tested


def test_an_office_that_places_fewer_than_its_case_mix_predicts_is_below() -> None:
    report = livelihood_report(_table(_offices(6, penalty=1.0)), as_of=AS_OF)
    adjusted = {u.unit_id: u for u in report.adjusted["office:placement"].units}
    assert adjusted["EASY"].ratio < 0.9
    assert adjusted["EASY"].outside == "below"
    assert adjusted["EASY"].adjusted_rate < report.adjusted["office:placement"].overall


def test_a_small_office_is_shrunk_towards_the_typical_office() -> None:
    rows = _offices(7, penalty=0.8)
    rows += [_row(5000 + i, programme_office_id="ODD", region="R-ODD", status="enrolled") for i in range(6)]
    units = {u.unit_id: u for u in livelihood_report(_table(rows), as_of=AS_OF).adjusted["office:placement"].units}
    odd = units["ODD"]
    assert odd.ratio == 0.0 and odd.q is None
    assert odd.shrunk is not None and odd.shrunk > 0.5  # six people placing no one say little
    assert abs(odd.shrunk - 1) < abs(odd.ratio - 1)


def test_outcomes_keep_the_earlier_keys_and_name_no_person() -> None:
    rows = _offices(8)
    found = livelihood_outcomes(_table(rows), as_of=AS_OF)
    assert found["totals"]["enrolled"] == len(rows)
    assert {"totals", "by_status", "by_year", "income", "offices", "regions", "adjusted"} <= set(found)
    assert sum(r["people"] for r in found["by_status"]) == len(rows)
    assert "FE-00001" not in repr(found)  # enrolment ids are for findings, never for outcome figures


def test_per_office_and_region_figures_match_the_rows() -> None:
    rows = _offices(9)
    for i, row in enumerate(rows):
        if row["status"] == "placed":
            row["monthly_income_before_usd"], row["monthly_income_after_usd"] = 100.0 + i % 7, 150.0 + i % 11
        row["dependents"] = i % 5
        row["protection_level"] = "anonymous" if i % 4 == 0 else "none"
    report = livelihood_report(_table(rows), as_of=AS_OF)
    frame = pd.DataFrame(rows)
    for group in report.offices:
        mine = frame[frame["programme_office_id"] == group.group_id]
        placed = mine[mine["status"] == "placed"]
        assert group.people == len(mine)
        assert group.rates["placement"].events == len(placed)
        assert group.dependents == mine["dependents"].sum()
        assert group.dependents_protected == mine.loc[mine["protection_level"] == "anonymous", "dependents"].sum()
        income = group.changes["monthly_income_usd"]
        assert income.people == len(placed)
        if len(placed):
            change = placed["monthly_income_after_usd"] - placed["monthly_income_before_usd"]
            assert income.mean_change == pytest.approx(change.mean())
    assert {g.group_id for g in report.regions} == {"R-HARD", "R-EASY", "R-TINY"}
