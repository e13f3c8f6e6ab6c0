"""KSI values on a hand-built warehouse, checked against an independent pandas computation and by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from baliza.analyses.ksi import compute_indicators, load_catalogue
from baliza.analyses.periods import Granularity, period_label
from ksi_fixture import build_warehouse

TARGETED = {"risk_profile", "intelligence", "partner_alert"}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory):
    wh = build_warehouse(tmp_path_factory.mktemp("ksi"))
    # court data to 2026-02-01: seizures before 2025-02-02 had 365 days to reach a verdict
    wh.duckdb.execute(
        "insert into case_events (event_id, case_id, \"at\", kind) values ('E1','K3','2026-02-01','hearing')"
    )
    yield wh
    wh.close()


def _frame(wh, table: str) -> pd.DataFrame:
    return wh.duckdb.execute(f"select * from {table}").df()


def _ratio(num: float, den: float) -> float | None:
    return None if den == 0 else num / den


def _by_key(indicators) -> dict[tuple[str, str, str], object]:
    return {(i.subject_id, i.indicator, i.period): i for i in indicators}


def _cutoff(wh, columns: dict[str, str], days: int) -> pd.Timestamp:
    """Midnight after the latest event of `columns` (table -> dated column), less `days`: older seizures count."""
    latest = max(pd.Timestamp(v) for table, column in columns.items()
                 if (v := wh.duckdb.execute(f"select max({column}) from {table}").fetchall()[0][0]) is not None)
    return latest.normalize() + pd.Timedelta(days=1) - pd.Timedelta(days=days)


COURT = {"cases": "opened_at", "case_events": "\"at\"", "dispositions": "disposed_at"}
CASE_STAGE = {**COURT, "charges": "filed_at"}
SEIZURE_DATA = {"seizures": "greatest(seized_at, coalesce(lab_confirmed_at, seized_at))"}


def _period_start(period: str) -> pd.Timestamp:
    if "-Q" in period:
        year, quarter = period.split("-Q")
        return pd.Timestamp(int(year), 3 * int(quarter) - 2, 1)
    return pd.Timestamp(period + ("-01" if "-" in period else "-01-01"))


def _independent(wh, granularity: Granularity) -> dict[tuple[str, str, str], tuple[float | None, float, float]]:
    """The same indicators computed row by row in pandas, without the package's queries.

    Outcomes that take time count only for seizures old enough: 2 days for sharing (seizure data), 90 days for
    a case (case data), 365 days for a conviction (court data), each before the midnight after the latest event.
    """
    out: dict[tuple[str, str, str], tuple[float | None, float, float]] = {}
    sharing_cut = _cutoff(wh, SEIZURE_DATA, 2)
    case_cut = _cutoff(wh, CASE_STAGE, 90)
    court_cut = _cutoff(wh, COURT, 365)
    ins = _frame(wh, "inspections")
    ins["period"] = [period_label(t.date(), granularity) for t in ins["inspected_at"]]
    for (unit, period), g in ins.groupby(["unit_id", "period"]):
        hit = g["outcome"] == "seizure"
        targeted, rand = g["selection"].isin(TARGETED), g["selection"] == "random"
        rates = {}
        for name, mask in (("hit_rate", slice(None)), ("hit_rate_targeted", targeted), ("hit_rate_random", rand)):
            num, den = float(hit[mask].sum()), float(len(g[mask]))
            rates[name] = _ratio(num, den)
            out[(unit, name, period)] = (rates[name], num, den)
        t, r = rates["hit_rate_targeted"], rates["hit_rate_random"]
        out[(unit, "targeting_lift", period)] = (t / r if t is not None and r else None, t, r)
    s = _frame(wh, "seizures")
    arrests, cases, disp = _frame(wh, "arrests"), _frame(wh, "cases"), _frame(wh, "dispositions")
    s["period"] = [period_label(t.date(), granularity) for t in s["seized_at"]]
    convicted_cases = set(disp.loc[disp["outcome"].isin(["convicted", "plea_convicted"]), "case_id"])
    for (unit, period), g in s.groupby(["unit_id", "period"]):
        known = g["intelligence_led"].notna()
        out[(unit, "intelligence_led_share", period)] = (
            _ratio(float(g.loc[known, "intelligence_led"].astype(bool).sum()), float(known.sum())),
            float(g.loc[known, "intelligence_led"].astype(bool).sum()), float(known.sum()))
        old = g[g["seized_at"] < sharing_cut]
        delay = (old["shared_with_partners_at"] - old["seized_at"]).dt.total_seconds()
        shared = float((delay <= 48 * 3600).sum())
        out[(unit, "partner_sharing_48h", period)] = (_ratio(shared, len(old)), shared, float(len(old)))
        if _period_start(period) >= sharing_cut:
            out[(unit, "partner_sharing_48h", period)] = (None, None, None)
        arrested = g[g["seizure_id"].isin(arrests["seizure_id"].dropna()) & (g["seized_at"] < case_cut)]
        converted = 0
        for row in arrested.itertuples():
            opened = cases.loc[cases["seizure_id"] == row.seizure_id, "opened_at"]
            converted += bool(((opened - row.seized_at).dt.total_seconds() <= 90 * 86400).any())
        out[(unit, "prosecution_conversion", period)] = (
            _ratio(converted, len(arrested)), float(converted), float(len(arrested)))
        if _period_start(period) >= case_cut:
            out[(unit, "prosecution_conversion", period)] = (None, None, None)
        with_case, won = 0, 0
        for row in g[g["seized_at"] < court_cut].itertuples():
            year = pd.Timedelta(days=365)
            opened = cases[(cases["seizure_id"] == row.seizure_id) & (cases["opened_at"] <= row.seized_at + year)]
            verdicts = disp[disp["case_id"].isin(opened["case_id"]) & disp["case_id"].isin(convicted_cases)
                            & disp["outcome"].isin(["convicted", "plea_convicted"])
                            & (disp["disposed_at"] <= row.seized_at + year)]
            with_case += len(opened) > 0
            won += len(verdicts) > 0
        out[(unit, "conviction_conversion", period)] = (_ratio(won, with_case), float(won), float(with_case))
        if _period_start(period) >= court_cut:
            out[(unit, "conviction_conversion", period)] = (None, None, None)
        days = ((g["lab_confirmed_at"] - g["seized_at"]).dt.total_seconds() / 86400).dropna()
        out[(unit, "lab_confirmation_days", period)] = (_ratio(days.sum(), len(days)), float(days.sum()), len(days))
        joint = float(g["operation_id"].notna().sum())
        out[(unit, "joint_operation_share", period)] = (_ratio(joint, len(g)), joint, float(len(g)))
        out[(unit, "seizures", period)] = (float(len(g)), float(len(g)), 1.0)
        factor = g["quantity_unit"].map({"kg": 1.0, "g": 1e-3, "mg": 1e-6})
        kg = float((g["quantity"] * factor).sum())
        out[(unit, "quantity_seized_kg", period)] = (kg, kg, 1.0)
    return out


@pytest.mark.parametrize("granularity", list(Granularity))
def test_indicators_equal_an_independent_computation(warehouse, granularity: Granularity) -> None:
    computed = _by_key(compute_indicators(warehouse, granularity))
    expected = _independent(warehouse, granularity)
    assert expected, "the fixture must produce figures"
    for key, (value, numerator, denominator) in expected.items():
        got = computed[key]
        _same(got.numerator, numerator, key)
        _same(got.denominator, denominator, key)
        _same(got.value, value, key)


def _same(got: float | None, expected: float | None, key: object) -> None:
    if expected is None:
        assert got is None, key
    else:
        assert got == pytest.approx(expected), key


def test_hand_checked_values(warehouse) -> None:
    q = _by_key(compute_indicators(warehouse, Granularity.QUARTER))
    assert q[("JA1", "hit_rate_targeted", "2024-Q2")].value == pytest.approx(0.4)
    assert q[("JA1", "targeting_lift", "2024-Q2")].value == pytest.approx(4.0)
    assert q[("JA1", "targeting_lift", "2025-Q1")].value is None  # random hit rate 0: no lift
    assert q[("JA1", "hit_rate", "2025-Q1")].denominator == 10  # 23:59 on 31 March stays in Q1
    # S3: its case came before 90 days but no arrest; S4: arrest, case after 90 days and 1 hour
    assert q[("JA1", "prosecution_conversion", "2025-Q1")].numerator == 0
    assert q[("JA1", "prosecution_conversion", "2025-Q1")].denominator == 1
    assert q[("JA1", "conviction_conversion", "2024-Q2")].value == 1.0  # K5 plea conviction counts for S1
    # court data to 2026-02-01: only seizures before 2025-02-02 had 365 days; S3 and S4 (10-11 Feb) had not,
    # so 2025-Q1 is partial and counts neither (S3's case would otherwise count as not convicted)
    partial = q[("JA1", "conviction_conversion", "2025-Q1")]
    assert (partial.value, partial.numerator, partial.denominator) == (None, 0, 0)
    assert "partial" in partial.note and "2025-02-02" in partial.note
    assert q[("JA1", "conviction_conversion", "2024-Q2")].note == ""
    assert q[("JA2", "conviction_conversion", "2025-Q1")].value is None  # no case: zero denominator
    assert q[("JA1", "quantity_seized_kg", "2024-Q2")].value == pytest.approx(2.5)
    # first cocaine (S1), first 4-MMC (S5 at JA2, before S3), first heroin (S4), first cannabis (S6)
    assert q[("JA1", "new_substance_detections", "2024-Q2")].value == 1
    assert q[("JA1", "new_substance_detections", "2025-Q1")].value == 1
    assert q[("JA2", "new_substance_detections", "2025-Q1")].value == 1
    assert q[("JA1", "lab_confirmation_days", "2025-Q1")].value == pytest.approx(1.5)


def test_training_and_mentoring(warehouse) -> None:
    y = _by_key(compute_indicators(warehouse, Granularity.YEAR))
    assert y[("JA1", "training_hours_per_staff", "2024")].value == pytest.approx(4.0)  # 40 h / 10 staff
    assert y[("JA2", "training_hours_per_staff", "2025")].value == pytest.approx(8.0)  # 16 h / 2 listed staff
    assert y[("JA1", "mentoring_after_operational", "2024")].value == 1  # T2 came before 2024-03-01
    assert y[("JA1", "mentoring_hours_after_operational", "2024")].value == 12
    assert y[("JA2", "mentoring_after_operational", "2025")].value == 0  # operational_since unknown


def test_one_unit_and_month_labels(warehouse) -> None:
    indicators = compute_indicators(warehouse, Granularity.MONTH, unit_id="JA2")
    assert {i.subject_id for i in indicators} == {"JA2"}
    assert {i.period for i in indicators if i.indicator == "hit_rate"} == {"2025-01", "2025-04"}


def test_catalogue_declares_every_computed_indicator(warehouse) -> None:
    names = {spec.name for spec in load_catalogue()}
    assert {i.indicator for i in compute_indicators(warehouse)} == names
    for spec in load_catalogue():
        assert spec.meaning and spec.numerator and spec.denominator and spec.unit_subject


def test_empty_warehouse_gives_no_indicators(tmp_path: Path) -> None:
    from baliza.warehouse import open_warehouse

    with open_warehouse(tmp_path / "empty.duckdb") as wh:
        assert compute_indicators(wh) == []


@pytest.mark.parametrize("seed", [7, 11])
def test_random_warehouse_equals_the_independent_computation(tmp_path: Path, seed: int) -> None:
    """Random rows with nulls, period edges and repeated cases: the package and pandas must agree everywhere."""
    import numpy as np

    from baliza.warehouse import open_warehouse

    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2024-01-01")

    def moments(n: int) -> pd.Series:
        return pd.Series(start + pd.to_timedelta(rng.integers(0, 730 * 86400, n), unit="s"))

    n = 600
    inspections = pd.DataFrame({
        "inspection_id": [f"I{k}" for k in range(n)], "consignment_id": [f"C{k}" for k in range(n)],
        "unit_id": rng.choice(["U1", "U2", "U3"], n), "inspected_at": moments(n),
        "selection": rng.choice(["risk_profile", "intelligence", "partner_alert", "random", "scanner"], n),
        "outcome": rng.choice(["seizure", "no_find", "other_offence"], n, p=[0.2, 0.7, 0.1]),
    })
    m = 200
    seized_at = moments(m)
    shared = seized_at + pd.to_timedelta(rng.integers(-3600, 4 * 86400, m), unit="s")
    lab = seized_at + pd.to_timedelta(rng.integers(0, 40 * 86400, m), unit="s")
    seizures = pd.DataFrame({
        "seizure_id": [f"S{k}" for k in range(m)], "unit_id": rng.choice(["U1", "U2", "U3"], m),
        "seized_at": seized_at, "substance": rng.choice(["cocaine", "heroin", "4-MMC"], m),
        "substance_group": "other", "quantity": rng.uniform(0.1, 50, m),
        "quantity_unit": rng.choice(["kg", "g", "l"], m), "lab_confirmed_at": lab.where(rng.random(m) < 0.6),
        "shared_with_partners_at": shared.where(rng.random(m) < 0.7),
        "intelligence_led": pd.array(rng.choice([True, False, None], m), dtype="boolean"),
        "operation_id": pd.Series(rng.choice(["OP1", None], m), dtype="object"),
    })
    arrested = seizures.sample(frac=0.5, random_state=seed)
    arrests = pd.DataFrame({
        "arrest_id": [f"A{k}" for k in range(len(arrested))], "person_id": "P", "unit_id": arrested["unit_id"].values,
        "arrested_at": arrested["seized_at"].values, "seizure_id": arrested["seizure_id"].values,
    })
    cased = seizures.sample(frac=0.6, random_state=seed + 1)
    cases = pd.DataFrame({
        "case_id": [f"K{k}" for k in range(len(cased))], "office_id": "PO", "origin": "seizure",
        "opened_at": (cased["seized_at"] + pd.to_timedelta(rng.integers(0, 120 * 86400, len(cased)), unit="s")).values,
        "seizure_id": cased["seizure_id"].values,
    })
    disposed = cases.sample(frac=0.5, random_state=seed)
    dispositions = pd.DataFrame({
        "case_id": disposed["case_id"].values, "person_id": "P",  # verdicts within and beyond 365 days; data end
        "disposed_at": (disposed["opened_at"]  # ~2026-10, so late 2025 seizures are too recent or partial
                        + pd.to_timedelta(rng.integers(0, 300 * 86400, len(disposed)), unit="s")).values,
        "outcome": rng.choice(["convicted", "plea_convicted", "acquitted", "dismissed"], len(disposed)),
    })
    with open_warehouse(tmp_path / "random.duckdb") as wh:
        for name, frame in (("inspections", inspections), ("seizures", seizures), ("arrests", arrests),
                            ("cases", cases), ("dispositions", dispositions)):
            wh.duckdb.register(f"{name}_df", frame)
            wh.duckdb.execute(f"insert into {name} by name select * from {name}_df")
        convicted = [i for i in compute_indicators(wh) if i.indicator == "conviction_conversion" and i.numerator]
        assert convicted, "some seizures must be convicted within the horizon"
        for granularity in Granularity:
            computed = _by_key(compute_indicators(wh, granularity))
            for key, (value, numerator, denominator) in _independent(wh, granularity).items():
                got = computed[key]
                _same(got.numerator, numerator, key)
                _same(got.denominator, denominator, key)
                _same(got.value, value, key)


def test_targeting_lift_says_when_a_part_is_missing(warehouse) -> None:
    """JA2 made no random inspection in 2025: its lift has a numerator (targeted rate) but no denominator."""
    figures = {(i.subject_id, i.indicator, i.period): i for i in compute_indicators(warehouse, Granularity.YEAR)}
    lift = figures[("JA2", "targeting_lift", "2025")]
    assert lift.value is None and lift.denominator is None
    assert lift.numerator == pytest.approx(2 / 5)
    ja1 = figures[("JA1", "targeting_lift", "2024")]
    assert (ja1.numerator, ja1.denominator) == (pytest.approx(0.4), pytest.approx(0.1))
    assert ja1.value == pytest.approx(4.0)
    counted = [i for i in figures.values() if i.indicator != "targeting_lift"]
    assert all(i.numerator is not None and i.denominator is not None for i in counted)
