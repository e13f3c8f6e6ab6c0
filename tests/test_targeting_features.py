"""Targeting features: only what was known before the declaration's day, norms per HS code, rules as data."""

from __future__ import annotations

import pandas as pd
import pytest

from baliza.targeting.declarations import canonical
from baliza.targeting.features import SMOOTHING
from baliza.targeting.matrix import compute_features, training_features
from baliza.targeting.rules import load_profile

PROFILE = load_profile()


def _declarations(rows: list[dict]) -> pd.DataFrame:
    return canonical(pd.DataFrame(rows))


def _day(n: int) -> str:
    return (pd.Timestamp("2024-01-01") + pd.Timedelta(days=n)).date().isoformat()


def _row(i: int, day: str, outcome: float | None = 0.0, **fields: object) -> dict:
    return {"id": f"D{i}", "declared_at": day, "office": "O1", "consignee": "ACME", "shipper": f"S{i}",
            "hs_code": "090111", "origin_country": "CO", "mass_kg": 1000.0, "value": 3000.0, "outcome": outcome,
            **fields}


def test_a_party_history_counts_only_earlier_days() -> None:
    frame = _declarations([_row(1, "2024-01-01", 1.0), _row(2, "2024-01-02", 0.0), _row(3, "2024-01-02", 1.0),
                           _row(4, "2024-01-05", 0.0)])
    base = 0.25
    f = training_features(frame, PROFILE, base).set_index("id")
    assert f.loc["D1", "consignee_seen"] == 0  # new on its first day
    assert f.loc["D2", "consignee_seen"] == 1 and f.loc["D3", "consignee_seen"] == 1  # not each other (same day)
    assert f.loc["D4", "consignee_seen"] == 3
    assert f.loc["D2", "consignee_hit_rate"] == pytest.approx((1 + SMOOTHING * base) / (1 + SMOOTHING))
    assert f.loc["D4", "consignee_hit_rate"] == pytest.approx((2 + SMOOTHING * base) / (3 + SMOOTHING))
    assert f.loc["D4", "consignee_days_known"] == 4
    assert f.loc["D1", "rule_new_consignee"] == 1.0 and f.loc["D4", "rule_new_consignee"] == 0.0


def test_a_later_outcome_never_changes_an_earlier_declaration() -> None:
    rows = [_row(i, f"2024-01-{1 + i:02d}", float(i % 2)) for i in range(8)]
    before = training_features(_declarations(rows), PROFILE, 0.3)
    rows[7]["outcome"], rows[6]["outcome"] = 1.0 - rows[7]["outcome"], 1.0 - rows[6]["outcome"]
    after = training_features(_declarations(rows), PROFILE, 0.3)
    pd.testing.assert_frame_equal(before.iloc[:7].drop(columns="outcome"), after.iloc[:7].drop(columns="outcome"))
    assert before.loc[7, "consignee_hit_rate"] != after.loc[7, "consignee_hit_rate"]  # day 7 sees day 6's outcome


def test_the_outcome_of_a_scored_declaration_is_never_used() -> None:
    history = _declarations([_row(i, f"2024-01-{1 + i:02d}", 1.0) for i in range(5)])
    today = [_row(10, "2024-02-01"), _row(11, "2024-02-02", consignee="ACME")]
    found = compute_features(_declarations([{**r, "outcome": 1.0} for r in today]), history, PROFILE, 0.2)
    nothing = compute_features(_declarations([{**r, "outcome": 0.0} for r in today]), history, PROFILE, 0.2)
    pd.testing.assert_frame_equal(found.drop(columns="outcome"), nothing.drop(columns="outcome"))
    assert list(found["id"]) == ["D10", "D11"]
    assert found.loc[1, "consignee_seen"] == 6  # the history and the first scored declaration
    assert found.loc[1, "consignee_inspected"] == 5  # ... but only the history's outcomes


def test_value_and_weight_against_the_norm_for_the_hs_code() -> None:
    rows = [_row(i, f"2024-01-{1 + i:02d}", value=3000.0 * (1 + 0.05 * (i % 3))) for i in range(10)]
    rows.append(_row(20, "2024-02-01", value=300.0))  # a tenth of the usual value per kilogram
    rows.append(_row(21, "2024-02-01", value=3100.0))
    f = training_features(_declarations(rows), PROFILE, 0.1).set_index("id")
    assert f.loc["D20", "unit_value_z"] < -2 < f.loc["D21", "unit_value_z"]
    assert f.loc["D20", "rule_undervalued"] == 1.0 and f.loc["D21", "rule_undervalued"] == 0.0
    assert pd.isna(f.loc["D1", "unit_value_z"])  # too few declarations of the code before


def test_route_through_a_hub_and_an_unusual_origin_for_the_commodity() -> None:
    rows = [_row(i, _day(i), origin_country="BR") for i in range(60)]
    rows.append(_row(70, "2024-03-10", origin_country="EC", departure_country="PA"))
    rows.append(_row(71, "2024-03-10", origin_country="BR", departure_country="BR"))
    f = training_features(_declarations(rows), PROFILE, 0.1).set_index("id")
    assert f.loc["D70", "via_hub"] == 1.0 and f.loc["D70", "transit"] == 1.0
    assert f.loc["D71", "via_hub"] == 0.0 and f.loc["D71", "transit"] == 0.0
    assert f.loc["D70", "hs_origin_share"] == 0.0 and f.loc["D71", "hs_origin_share"] == 1.0
    assert f.loc["D70", "rule_unusual_route_for_commodity"] == 1.0


@pytest.mark.parametrize(("rules", "complaint"), [
    ("version: 1\nrules:\n  - id: x\n    when: {feature: no_such_feature, equals: 1}\n", "not a feature"),
    ("version: 1\nrules:\n  - id: x\n    when: {feature: cash, equals: 1, above: 0}\n", "one condition"),
    ("version: 0\nrules: []\n", "version"),
    ("version: 1\nrules:\n  - id: x\n    when: {feature: cash, above: many}\n", "not a number"),
    ("version: 2\nrules:\n  - {id: x, when: {feature: cash, equals: 1}}\n"
     "  - {id: x, when: {feature: cash, equals: 0}}\n", "twice"),
])
def test_a_bad_profile_is_refused_with_the_reason(tmp_path, rules: str, complaint: str) -> None:
    from baliza.targeting.features import numeric_features

    path = tmp_path / "profile.yaml"
    path.write_text(rules, encoding="utf-8")
    with pytest.raises(ValueError, match=complaint):
        load_profile(path, features=set(numeric_features()))


def test_the_profile_digest_follows_its_text(tmp_path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\nrules:\n  - {id: x, when: {feature: mass_z, outside: [-1, 1]}}\n", encoding="utf-8")
    first = load_profile(path)
    frame = pd.DataFrame({"mass_z": [-2.0, 0.0, 3.0, None]})
    assert first.matches(frame)["rule_x"].tolist() == [1.0, 0.0, 1.0, 0.0]
    path.write_text("version: 2\nrules:\n  - {id: x, when: {feature: mass_z, outside: [-1, 4]}}\n", encoding="utf-8")
    second = load_profile(path)
    assert second.version == 2 and second.digest != first.digest


def test_the_documentation_lists_the_shipped_rules() -> None:
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[1] / "docs" / "targeting.md").read_text(encoding="utf-8")
    assert PROFILE.markdown() in docs, "docs/targeting.md: paste load_profile().markdown() in place of the old table"
    assert f"`default` (version {PROFILE.version})" in docs


def test_the_warehouse_scores_with_its_own_earlier_outcomes_but_never_the_same_day() -> None:
    rows = _declarations([_row(i, _day(i // 2), float(i % 3 == 0)) for i in range(12)])
    as_recorded = compute_features(rows, None, PROFILE, 0.2, outcomes_known=True)
    pd.testing.assert_frame_equal(as_recorded, training_features(rows, PROFILE, 0.2))
    assert as_recorded.loc[11, "consignee_inspected"] == 10  # the five days before, not its own day
    hidden = compute_features(rows, None, PROFILE, 0.2)
    assert hidden["consignee_inspected"].fillna(0).eq(0).all()
