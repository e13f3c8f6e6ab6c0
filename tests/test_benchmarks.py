"""Benchmarks: DEA against the Pyfrontier package and a textbook case; peer groups; percentile intervals."""

from __future__ import annotations

import numpy as np
import pytest
from Pyfrontier.frontier_model import EnvelopDEA

from baliza.analyses.benchmarks import ReturnsToScale, dea_scores, peer_groups, peer_percentiles, unit_efficiency
from baliza.analyses.model import Indicator
from ksi_fixture import build_warehouse


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(("returns", "frontier"), [(ReturnsToScale.CONSTANT, "CRS"), (ReturnsToScale.VARIABLE, "VRS")])
def test_dea_agrees_with_pyfrontier(seed: int, returns: ReturnsToScale, frontier: str) -> None:
    rng = np.random.default_rng(seed)
    inputs = rng.uniform(1, 50, size=(15, 3))
    outputs = rng.uniform(1, 30, size=(15, 2))
    model = EnvelopDEA(frontier, "in")
    model.fit(inputs, outputs)
    reference = np.array([result.score for result in model.results])
    assert dea_scores(inputs, outputs, returns) == pytest.approx(reference, abs=1e-5)


def test_dea_single_input_single_output_is_productivity_over_the_best() -> None:
    # With one input and one output, CCR efficiency is (y/x) / max(y/x) (Cooper, Seiford & Tone, ch. 1).
    inputs = np.array([[2.0], [3.0], [3.0], [4.0], [5.0], [5.0], [6.0], [8.0]])
    outputs = np.array([[1.0], [3.0], [2.0], [3.0], [4.0], [2.0], [3.0], [5.0]])
    productivity = outputs[:, 0] / inputs[:, 0]
    assert dea_scores(inputs, outputs) == pytest.approx(productivity / productivity.max())
    bcc = dea_scores(inputs, outputs, ReturnsToScale.VARIABLE)
    assert np.all(bcc >= dea_scores(inputs, outputs) - 1e-9)  # BCC envelops tighter
    assert bcc[0] == pytest.approx(1.0)  # smallest input is on the VRS frontier


def test_unit_efficiency_on_the_warehouse(tmp_path) -> None:
    with build_warehouse(tmp_path) as wh:
        scores = {(i.subject_id, i.indicator): i.value for i in unit_efficiency(wh, "2025")}
    assert scores[("JA1", "dea_ccr")] == pytest.approx(1.0)
    assert scores[("PC2", "dea_ccr")] == 0.0  # no seizures at all
    assert 0 < scores[("PC1", "dea_ccr")] < 1
    assert all(0 <= v <= 1 + 1e-9 for v in scores.values())


def test_peer_groups_split_by_kind_and_traffic(tmp_path) -> None:
    with build_warehouse(tmp_path) as wh:
        groups = peer_groups(wh).set_index("unit_id")
    assert groups.loc["JA1", "peer_group"] == "airport_task_force/all"  # too few to split into bands
    assert groups.loc["PC1", "peer_group"] == "port_control_unit/all"


def test_percentile_interval_narrows_with_sample_size() -> None:
    import pandas as pd

    groups = pd.DataFrame({"unit_id": ["A", "B", "C", "D"], "peer_group": ["g"] * 4})

    def figures(scale: int) -> list[Indicator]:
        rates = {"A": 0.10, "B": 0.20, "C": 0.30, "D": 0.40}
        return [Indicator("units", u, "hit_rate", "2025", r, r * scale, scale) for u, r in rates.items()]

    small = {i.subject_id: i for i in peer_percentiles(figures(10), groups, "hit_rate", "2025")}
    large = {i.subject_id: i for i in peer_percentiles(figures(2000), groups, "hit_rate", "2025")}
    assert small["D"].value == 100.0 and small["A"].value == 0.0
    assert large["D"].low == pytest.approx(100.0)  # with 2,000 inspections each, D is surely the best
    assert small["D"].high - small["D"].low > large["D"].high - large["D"].low
    assert small["B"].value == pytest.approx(100 / 3)
