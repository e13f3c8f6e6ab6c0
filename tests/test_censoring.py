"""Censoring: outcomes that take time are compared like with like (issue 10, item 1).

A generated country where every unit converts seizures into cases and convictions at the same rate every
year, and where only the recent cases are still open at the data's end. Counting every seizure, the last
year looks far worse (its verdicts have not come yet); the growth report must see no change.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from baliza.analyses.definitions import CASE_WINDOW_DAYS
from baliza.analyses.growth import GrowthReport, growth_report
from baliza.analyses.ksi import get_spec, horizons
from baliza.analyses.ksi.catalogue import _spec
from baliza.analyses.ksi.horizons import Ripeness
from baliza.analyses.ksi.seizures import PROSECUTION_WINDOW_SECONDS
from baliza.report.growth import growth_sections
from baliza.warehouse import Warehouse, open_warehouse

DATA_END = pd.Timestamp("2025-12-31 23:00")
UNITS = ("U1", "U2", "U3")
PER_YEAR = 160  # seizures per unit and year, all with an arrest
CASE_WITHIN_90 = 0.8  # share of arrest seizures that become a case within 90 days, every year
CONVICTED = 0.65  # share of cases that end in a conviction, every year
VERDICT_DAYS = (60, 720)  # a verdict comes uniformly 60 to 720 days after the case opens


def build_constant_country(folder: Path, seed: int = 3) -> Warehouse:
    """Constant conversion over 2021-2025; cases and verdicts after the data's end are not in the data."""
    rng = np.random.default_rng(seed)
    wh = open_warehouse(folder / "constant.duckdb")
    sql = wh.duckdb.execute
    sql("insert into agencies values ('AG','Police','XCC','police',null,null,null,null,null)")
    sql("insert into entry_points (entry_point_id, name, kind, country, annual_traffic) values"
        " ('EP1','Airport','airport','XCC',1000000), ('EP2','Port','seaport','XCC',1000000),"
        " ('EP3','Border','land_border','XCC',1000000)")
    for k, unit in enumerate(UNITS, start=1):
        sql(f"insert into units (unit_id, agency_id, name, kind, entry_point_id, staff_count) values"
            f" ('{unit}','AG','Unit {k}','airport_task_force','EP{k}',10)")
    seizures, arrests, cases, dispositions = [], [], [], []
    for unit in UNITS:
        for year in range(2021, 2026):
            start = pd.Timestamp(f"{year}-01-01")
            for _ in range(PER_YEAR):
                n = len(seizures)
                seized = start + pd.Timedelta(seconds=int(rng.integers(0, 364 * 86400)))
                seizures.append((f"S{n}", unit, seized, "EP1", "cocaine", "cocaine_type", 1.0, "kg"))
                arrests.append((f"A{n}", f"P{n}", unit, seized + pd.Timedelta(hours=1), f"S{n}"))
                delay = rng.integers(1, 90) if rng.random() < CASE_WITHIN_90 else rng.integers(91, 400)
                opened = seized + pd.Timedelta(days=int(delay))
                if opened > DATA_END:  # not opened yet when the data ends
                    continue
                cases.append((f"K{n}", "PO1", opened, "seizure", f"S{n}"))
                decided = opened + pd.Timedelta(days=int(rng.integers(*VERDICT_DAYS)))
                if decided <= DATA_END:  # still open otherwise: the censoring this test is about
                    outcome = "convicted" if rng.random() < CONVICTED else "acquitted"
                    dispositions.append((f"K{n}", f"P{n}", decided, outcome))
    frames = {
        "seizures": pd.DataFrame(seizures, columns=["seizure_id", "unit_id", "seized_at", "entry_point_id",
                                                    "substance", "substance_group", "quantity", "quantity_unit"]),
        "arrests": pd.DataFrame(arrests, columns=["arrest_id", "person_id", "unit_id", "arrested_at", "seizure_id"]),
        "cases": pd.DataFrame(cases, columns=["case_id", "office_id", "opened_at", "origin", "seizure_id"]),
        "dispositions": pd.DataFrame(dispositions, columns=["case_id", "person_id", "disposed_at", "outcome"]),
    }
    for name, frame in frames.items():
        wh.duckdb.register(f"{name}_df", frame)
        sql(f"insert into {name} by name select * from {name}_df")
    sql(f"insert into case_events (event_id, case_id, \"at\", kind) values ('E0','K0','{DATA_END}','hearing')")
    return wh


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    wh = build_constant_country(tmp_path_factory.mktemp("censoring"))
    yield wh
    wh.close()


@pytest.fixture(scope="module")
def report(country: Warehouse) -> GrowthReport:
    return growth_report(country)


def _naive_conviction_share(wh: Warehouse, year: int) -> float:
    """Convicted among seizures with a case, counting every seizure of the year: what censoring distorts."""
    share = wh.duckdb.execute(
        "select avg(convicted::int) from (select k.seizure_id, bool_or(d.outcome = 'convicted') is true convicted"
        " from cases k left join dispositions d using (case_id) join seizures s using (seizure_id)"
        f" where year(s.seized_at) = {year} group by k.seizure_id)"
    ).fetchall()[0][0]
    return float(share)


def test_the_world_is_censored(country: Warehouse) -> None:
    """Counted naively, 2025 converts far fewer cases than 2024: the artefact the report must not show."""
    assert _naive_conviction_share(country, 2025) < 0.5 * _naive_conviction_share(country, 2023)


def test_no_conversion_change_when_conversion_is_constant(report: GrowthReport) -> None:
    assert {u.unit_id for u in report.units} == set(UNITS) and report.period == "2025"
    for unit in report.units:
        for name in ("prosecution_conversion", "conviction_conversion"):
            line = unit.line(name)
            assert line is not None and line.change.p_value is not None, (unit.unit_id, name)
            assert line.change_direction() == "no change", (unit.unit_id, name, line.change, line.change_q)
            assert line.trend_direction() == "no trend", (unit.unit_id, name, line.trend, line.trend_q)
    movements = [m for m in report.movements() if m.line.spec.name.endswith("_conversion")]
    assert movements == []


def test_conviction_compares_the_last_two_years_old_enough(report: GrowthReport) -> None:
    """Verdicts are counted within 365 days: 2025's seizures have not had them, so 2024 is set against 2023."""
    line = report.units[0].line("conviction_conversion")
    assert (line.period, line.previous_period) == ("2024", "2023")
    assert line.history[-1] is not None and line.history[-1].value is None
    assert "too recent" in line.history[-1].note
    # by hand: 80% of cases open 1-89 days after the seizure (mean 45), so a verdict 60-720 days later lands
    # within 365 days with probability (365 - 45 - 60) / 660 = 0.394; of the other 20% (91-400 days) the 89% that
    # open within 365 days get one with probability 0.78 * 0.162. Weighted: (0.315 + 0.022) / 0.977 = 0.345.
    expected = CONVICTED * 0.345
    assert line.current.value == pytest.approx(expected, abs=0.07)
    prosecution = report.units[0].line("prosecution_conversion")
    assert (prosecution.period, prosecution.previous_period) == ("2025", "2024")
    assert "partial" in prosecution.current.note  # seizures before 3 October 2025 only
    assert prosecution.current.value == pytest.approx(CASE_WITHIN_90, abs=0.1)


def test_report_says_how_time_is_handled(report: GrowthReport) -> None:
    page = "".join(section.html for section in growth_sections(report))
    assert "Conviction conversion</b>: compares 2024 with 2023" in page
    assert "within 365 days of the seizure" in page and "2025-12-31" in page
    assert "Conviction conversion down" not in page and "conviction conversion down" not in page


def test_horizons_follow_the_data_end(country: Warehouse) -> None:
    rules = horizons(country)
    conviction = rules["conviction_conversion"]
    assert conviction.data_end == DATA_END.date() and conviction.days == 365
    assert conviction.ripeness("2024") is Ripeness.RIPE and conviction.ripeness("2025") is Ripeness.TOO_RECENT
    assert conviction.ripeness("2025-01") is Ripeness.TOO_RECENT
    prosecution = rules["prosecution_conversion"]  # seizures before 2026-01-01 less 90 days: 2025-10-03
    assert prosecution.cutoff == pd.Timestamp("2025-10-03").to_pydatetime()
    assert prosecution.ripeness("2025-Q3") is Ripeness.RIPE and prosecution.ripeness("2025-Q4") is Ripeness.PARTIAL
    assert prosecution.ripeness("2025-10") is Ripeness.PARTIAL
    assert prosecution.ripeness("2025-11") is Ripeness.TOO_RECENT


def test_the_case_window_is_one_definition() -> None:
    assert get_spec("prosecution_conversion").horizon_days == CASE_WINDOW_DAYS
    assert PROSECUTION_WINDOW_SECONDS == CASE_WINDOW_DAYS * 86400
    assert "within 90 days" in get_spec("prosecution_conversion").meaning


def test_catalogue_rejects_a_horizon_it_cannot_read() -> None:
    entry = {"name": "x", "family": "seizures", "meaning": "m", "numerator": "n", "denominator": "d",
             "kind": "proportion", "direction": "neutral", "minimum_sample": 0, "unit_subject": "u",
             "dated_by": "seizures.seized_at"}
    with pytest.raises(ValueError, match="NO_SUCH_WINDOW"):
        _spec({**entry, "horizon_days": "NO_SUCH_WINDOW", "outcome_stage": "case"})
    with pytest.raises(ValueError, match="outcome_stage 'court'"):
        _spec({**entry, "horizon_days": 30, "outcome_stage": "court"})
    with pytest.raises(ValueError, match="go together"):
        _spec({**entry, "horizon_days": 30})
