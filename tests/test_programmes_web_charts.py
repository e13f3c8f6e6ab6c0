"""The treatment page's funnel plots: a provider far outside is named on the plot and links to its finding;
one whose figures are hidden (too few people) is not drawn; survival curves stop where the page says."""

from __future__ import annotations

from typing import Any

from baliza.web.programmes import treatment_charts
from baliza.web.programmes_data import _curve

FUNNEL = {"volume": [5.0, 20.0, 60.0], "low95": [0.3, 0.6, 0.8], "high95": [1.7, 1.4, 1.2],
          "low998": [0.1, 0.4, 0.7], "high998": [1.9, 1.6, 1.3], "target": 1.0}


def provider(unit: str, name: str, expected: float, ratio: float, outside: str | None) -> dict[str, Any]:
    compared = {"unit_id": unit, "n": 80, "expected": expected, "ratio": ratio, "q": 0.01 if outside else 0.5,
                "outside": outside, "shrunk": ratio, "low": ratio - 0.2, "high": ratio + 0.2}
    return {"provider": unit, "name": name, "compared_completion": compared, "curves": {}}


def test_a_provider_far_outside_links_to_its_finding_and_a_hidden_one_is_not_drawn() -> None:
    hidden = provider("U-3", "Small Clinic", 4.0, 1.0, None) | {"compared_completion": None}
    found = {"providers": [provider("U-1", "Lima Centre", 40.0, 1.0, None),
                           provider("U-2", "Coast Hospital", 50.0, 0.5, "below"), hidden],
             "findings": [{"subject": {"id": "U-2"}, "anchor": "finding-U-2-completion"}],
             "funnels": {"completion": {"kind": "ratio", "funnel": FUNNEL}}, "length_of_stay": None}
    svg = treatment_charts(found)["completion"]
    assert svg.count("<circle") == 2 and "Small Clinic" not in svg
    assert '<a href="#finding-U-2-completion">' in svg and "Coast Hospital</text>" in svg
    assert "Lima Centre</text>" not in svg  # inside the limits: named on hover only


def test_a_curve_is_cut_where_fewer_than_5_remain_at_risk() -> None:
    curve = {"event": "placement", "times": [10.0, 20.0, 30.0, 40.0], "surviving": [0.9, 0.8, 0.7, 0.6],
             "low": [0.8, 0.7, 0.6, 0.5], "high": [1.0, 0.9, 0.8, 0.7], "at_risk": [30, 12, 4, 2],
             "median_days": None}
    published = _curve(curve)
    assert published is not None and published["times"] == [10.0, 20.0] and "at_risk" not in published
    assert _curve({**curve, "at_risk": [4, 3, 2, 1]}) is None
