"""Efficiency indicators on a hand-checkable office (2024 is a leap year)."""

from datetime import date
from pathlib import Path

import numpy as np
import pytest
from statsmodels.duration.survfunc import SurvfuncRight

from baliza.analyses.casefacts import data_end
from baliza.analyses.efficiency import Subject, efficiency
from baliza.analyses.periods import Granularity
from baliza.warehouse import Warehouse, open_warehouse
from justice_world import build_world


@pytest.fixture
def office(tmp_path: Path) -> Warehouse:
    wh = open_warehouse(tmp_path / "w.duckdb")
    sql = wh.duckdb.execute
    sql("insert into seizures (seizure_id, unit_id, seized_at, substance, substance_group, quantity, quantity_unit)"
        " values ('S1', 'U1', '2024-01-01', 'cocaine', 'cocaine_type', 2, 'kg')")
    sql("insert into cases (case_id, office_id, opened_at, origin, seizure_id, lead_prosecutor_id) values"
        " ('C1','O1','2024-01-10','seizure','S1','P1'), ('C2','O1','2024-02-15','arrest',null,'P1'),"
        " ('C3','O1','2024-03-31','arrest',null,'P1'), ('C4','O1','2024-04-02','arrest',null,'P1')")
    sql("insert into case_parties (case_id, person_id, role) values ('C1','X1','defendant'),"
        " ('C1','X2','defendant'), ('C2','X3','defendant'), ('C3','X4','defendant'), ('C4','X5','defendant'),"
        " ('C4','W1','witness')")
    sql("insert into dispositions (case_id, person_id, disposed_at, outcome, judge_id) values"
        " ('C1','X1','2024-02-01','dismissed','J1'), ('C1','X2','2024-02-29','convicted','J1'),"
        " ('C3','X4','2024-04-01','plea_convicted','J2'), ('C4','X5','2024-12-31','statute_barred','J2')")
    return wh


def _values(indicators, subject="O1", period="2024"):
    return {i.indicator: i for i in indicators if i.subject_id == subject and i.period == period}


def test_year_indicators_are_exact(office: Warehouse) -> None:
    year = _values(efficiency(office, Granularity.YEAR, Subject.OFFICE))
    assert (year["incoming"].value, year["resolved"].value, year["pending_end"].value) == (4, 3, 1)
    assert year["clearance_rate"].value == pytest.approx(0.75)
    # D = 365 in a leap year too
    assert year["disposition_time_days"].value == pytest.approx(365 / 3)
    assert (year["disposition_time_days"].numerator, year["disposition_time_days"].denominator) == (365, 3)
    assert year["case_turnover_ratio"].value == 3  # resolved / pending_end
    assert year["dismissal_rate"].value == pytest.approx(1 / 4)  # X1 of four dispositions
    assert year["conviction_rate"].value == pytest.approx(2 / 4)  # convicted and plea_convicted
    assert year["statute_barred_share"].value == pytest.approx(1 / 3)
    assert year["median_days_to_disposition"].value == 50  # 1, 50 (to 29 February), 273 days
    assert year["median_days_seizure_to_case"].value == 9
    assert year["pending_age_mean_days"].value == 320  # C2, open since 15 February of a leap year
    assert year["caseload_per_prosecutor"].value == 1


def test_quarter_and_month_use_cepej_day_counts(office: Warehouse) -> None:
    q1 = _values(efficiency(office, Granularity.QUARTER, Subject.OFFICE), period="2024-Q1")
    assert (q1["incoming"].value, q1["resolved"].value, q1["pending_end"].value) == (3, 1, 2)
    assert q1["disposition_time_days"].value == pytest.approx(91.25 * 2)
    months = efficiency(office, Granularity.MONTH, Subject.OFFICE)
    feb, march = _values(months, period="2024-02"), _values(months, period="2024-03")
    assert feb["disposition_time_days"].value == pytest.approx(365 / 12)
    assert (march["incoming"].value, march["resolved"].value, march["pending_end"].value) == (1, 0, 2)
    assert march["clearance_rate"].value == 0
    assert march["case_turnover_ratio"].value == 0


def test_zero_denominators_give_null_not_zero(office: Warehouse) -> None:
    march = _values(efficiency(office, Granularity.MONTH, Subject.OFFICE), period="2024-03")
    assert march["disposition_time_days"].value is None  # nothing resolved in March
    assert march["dismissal_rate"].value is None and march["dismissal_rate"].denominator == 0
    assert march["median_days_to_disposition"].value is None


def test_open_cases_are_censored_in_the_kaplan_meier_median(office: Warehouse) -> None:
    year = _values(efficiency(office, Granularity.YEAR, Subject.OFFICE))
    km = year["median_days_to_resolution_km"]
    # durations 1, 50, 273 ended and 320 censored: S = 3/4, 1/2 at day 50
    assert km.value == 50 and km.denominator == 4 and "1 still open" in km.note


def test_kaplan_meier_in_sql_matches_statsmodels(tmp_path: Path) -> None:
    wh = open_warehouse(tmp_path / "w.duckdb")
    build_world(wh, 4, corruption=False, n_seizures=600)
    indicators = efficiency(wh, Granularity.YEAR, Subject.OFFICE)
    km = _values(indicators, "O1", "2023")["median_days_to_resolution_km"]
    end = date.fromisoformat(data_end(wh))
    rows = wh.duckdb.execute(
        "select c.opened_at, max(d.disposed_at) from cases c left join dispositions d using (case_id)"
        " where office_id = 'O1' and year(opened_at) = 2023 group by c.case_id, c.opened_at"
    ).fetchall()
    ended = np.array([d is not None for _, d in rows])
    days = np.array([((d.date() if d else end) - o.date()).days for o, d in rows])
    curve = SurvfuncRight(days, ended.astype(int))  # statsmodels' Kaplan-Meier, not ours
    # the median: the first time the curve is at or below one half
    assert km.value == float(curve.surv_times[curve.surv_prob <= 0.5][0])
    assert km.denominator == len(rows) and f"{int((~ended).sum())} still open" in km.note


def test_by_prosecutor_and_judge(office: Warehouse) -> None:
    by_prosecutor = _values(efficiency(office, Granularity.YEAR, Subject.PROSECUTOR), subject="P1")
    assert by_prosecutor["incoming"].subject_table == "staff" and by_prosecutor["incoming"].value == 4
    assert "caseload_per_prosecutor" not in by_prosecutor
    by_judge = _values(efficiency(office, Granularity.YEAR, Subject.JUDGE), subject="J2")
    assert by_judge["resolved"].value == 2 and by_judge["conviction_rate"].value == pytest.approx(0.5)
