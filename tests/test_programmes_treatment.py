"""Treatment outcomes and the provider comparison: length of stay censored, shares of discharged episodes,
providers judged against their case mix, funnel limits, findings; and the comparison evaluated on simulated
providers with KNOWN effects (benchmarks/programmes_providers.py, its own simulator) for recall and false
flags."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest

from baliza.analyses.programmes import CompareSettings, compare_providers, provider_findings, treatment_report
from baliza.i18n import language

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from programmes_providers import evaluate, simulate

START = date(2024, 1, 1)
SCHEMA = {"episode_id": "string", "provider_id": "string", "admitted_at": "date", "discharged_at": "date",
          "setting": "string", "primary_substance_group": "string", "referral": "string",
          "discharge_reason": "string", "physical_score_admission": "float64", "physical_score_discharge": "float64",
          "mental_score_admission": "float64", "mental_score_discharge": "float64", "abstinent_at_discharge": "boolean"}


def _episodes(frame: pd.DataFrame) -> ibis.Table:
    frame = frame.copy()
    for column in ("admitted_at", "discharged_at"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    for column in SCHEMA:
        if column not in frame:
            frame[column] = None
    return ibis.memtable(frame[list(SCHEMA)], schema=SCHEMA)


def _episode(i: int, admitted: int, discharged: int | None, reason: str | None, **values: object) -> dict[str, object]:
    return {"episode_id": f"TE-{i}", "provider_id": "U-TX-1", "admitted_at": START + timedelta(days=admitted),
            "discharged_at": None if discharged is None else START + timedelta(days=discharged),
            "setting": "outpatient", "primary_substance_group": "cocaine_type", "referral": "self",
            "discharge_reason": reason, **values}


def test_length_of_stay_censors_open_episodes_and_completion_counts_discharged_only() -> None:
    rows = [_episode(1, 0, 30, "completed", abstinent_at_discharge=True),
            _episode(2, 0, 60, "left", abstinent_at_discharge=False),
            _episode(3, 0, None, None),  # still in treatment at the data end (day 90): censored
            _episode(4, 0, 90, "completed", abstinent_at_discharge=None)]
    report = treatment_report(_episodes(pd.DataFrame(rows)), as_of=START + timedelta(days=90))
    stay = report.length_of_stay
    assert stay.times == (30.0, 60.0, 90.0)
    # at 90 the completed episode is an event and the open one censored: events before censorings at a tie
    assert stay.surviving == pytest.approx((0.75, 0.5, 0.25))
    assert (stay.events, stay.censored) == (3, 1)
    assert (report.completion.events, report.completion.people) == (2, 3)
    assert (report.abstinence.events, report.abstinence.people) == (1, 2)  # unknown abstinence left out


def test_score_changes_are_paired_admission_to_discharge() -> None:
    rows = [_episode(i, 0, 40, "completed", physical_score_admission=50.0 + i, physical_score_discharge=58.0 + i,
                     mental_score_admission=40.0, mental_score_discharge=40.0 + 2 * i) for i in range(5)]
    rows.append(_episode(9, 0, None, None, physical_score_admission=10.0))  # no discharge score: left out
    report = treatment_report(_episodes(pd.DataFrame(rows)), as_of=START + timedelta(days=90))
    assert report.physical.people == 5 and report.physical.mean_change == pytest.approx(8.0)
    assert report.mental.mean_change == pytest.approx(4.0)  # 0, 2, 4, 6, 8


@pytest.fixture(scope="module")
def world():
    return simulate(seed=11, providers=30)


@pytest.fixture(scope="module")
def comparison(world):
    return compare_providers(_episodes(world.episodes), CompareSettings(min_people=25))


def test_a_provider_with_hard_cases_and_no_effect_of_its_own_is_not_flagged(world, comparison) -> None:
    episodes = world.episodes
    completed = episodes.assign(done=episodes["discharge_reason"] == "completed").groupby("provider_id")["done"]
    crude = completed.mean()
    volume = completed.size()
    ordinary = [p for p, sign in world.completion_truth.items() if sign == 0 and volume[p] >= 100]
    hardest = max(ordinary, key=lambda p: world.hardness[p])
    overall = comparison.measures["completion"].overall
    assert crude[hardest] < overall - 0.1  # crude completion far below the others...
    unit = next(u for u in comparison.measures["completion"].units if u.unit_id == hardest)
    assert unit.outside is None  # ...and yet its case mix explains it
    assert abs(unit.ratio - 1) < abs(crude[hardest] / overall - 1) / 2


def test_funnel_limits_narrow_with_volume_and_99_8_is_wider_than_95(comparison) -> None:
    for measure in comparison.measures.values():
        funnel = measure.funnel
        assert funnel is not None and len(funnel.volume) > 10
        width95 = np.subtract(funnel.high95, funnel.low95)
        width998 = np.subtract(funnel.high998, funnel.low998)
        assert np.all(width998 > width95)
        assert width95[-1] < width95[0]
        assert np.all(np.diff(funnel.volume) > 0)


def test_small_providers_are_shown_shrunk_but_never_tested(comparison) -> None:
    units = comparison.measures["completion"].units
    small = [u for u in units if u.n < 25]
    assert small, "the simulator makes providers with fewer than 25 episodes"
    assert all(u.q is None and u.outside is None for u in small)
    tested = [u for u in units if u.q is not None]
    assert all(u.n >= 25 for u in tested)
    assert all(abs(u.shrunk - 1) <= abs(u.ratio - 1) + 1e-9 for u in units if u.ratio is not None)


def test_findings_carry_their_evidence_and_name_no_episode(world, comparison) -> None:
    names = {p: f"Centre {p[1:]}" for p in world.completion_truth}
    with language("es"):
        findings = provider_findings(comparison, names)
    assert findings, "the planted providers give findings"
    flagged = {(u.unit_id, u.measure) for u in comparison.outside}
    assert {(f.subject.id, f.details["measure"]) for f in findings} == flagged
    for f in findings:
        assert f.subject.table == "units" and f.q_value is not None and f.q_value <= 0.05
        assert {"observed", "expected", "people", "low", "high", "q"} <= set(f.details)
        assert all(e.table == "units" for e in f.evidence)
        assert names[f.subject.id] in f.summary and f.summary.endswith(".")
        assert "TE-" not in f.summary and "-0" not in repr(f.evidence)


def test_an_unknown_measure_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"unknown treatment measure.*'retention'"):
        compare_providers(_episodes(pd.DataFrame([_episode(1, 0, 5, "completed")])), measures=("retention",))


def test_provider_comparison_recovers_known_effects_with_few_false_flags() -> None:
    """Simulated providers with planted effects (half better, half worse) on completion and on mental-score
    change, hard and easy case mixes, ordinary between-provider variation: over three worlds the comparison
    finds most planted providers in the right direction and flags few of the others."""
    totals = evaluate(range(3), providers=30)
    for measure, total in totals.items():
        assert total["planted"] >= 15, measure
        assert total["recall"] >= 0.5, (measure, total)
        assert total["false_flag_rate"] <= 0.05, (measure, total)


def test_each_provider_has_its_own_length_of_stay_curve() -> None:
    rows = [_episode(1, 0, 10, "completed"), _episode(2, 0, None, None),
            {**_episode(3, 0, 40, "left"), "provider_id": "U-TX-2"}]
    report = treatment_report(_episodes(pd.DataFrame(rows)), as_of=START + timedelta(days=30))
    stays = {p.group_id: p.curves["length_of_stay"] for p in report.providers}
    assert stays["U-TX-1"].times == (10.0,) and stays["U-TX-1"].censored == 1  # the open one, at day 30
    assert stays["U-TX-2"].times == (40.0,) and stays["U-TX-2"].surviving == (0.0,)
