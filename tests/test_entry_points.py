"""One view of all entry points: presence, gaps, joint operations and separate trainings."""

from __future__ import annotations

from baliza.analyses.entry_points import entry_point_views
from ksi_fixture import build_warehouse


def test_entry_point_view(tmp_path) -> None:
    with build_warehouse(tmp_path) as wh:
        (country,) = entry_point_views(wh)
        assert entry_point_views(wh, "ZZZ") == []
    points = {ep.entry_point_id: ep for ep in country.entry_points}
    assert country.country == "XAA" and len(points) == 6
    assert points["EP1"].programmes == ("AIRCOP",)
    assert points["EP1"].units[0].inspections == 30 and points["EP1"].units[0].seizures == 4
    assert points["EP1"].units[0].hit_rate == 8 / 30
    assert points["EP1"].joint_operations == ("OP1",) and points["EP3"].joint_operations == ("OP1",)
    assert points["EP2"].joint_operations == ()
    # EP5 has consignments and no unit; EP6 has neither traffic nor unit
    assert country.uncovered == ("EP5",)
    (separate,) = country.separate_trainings
    assert separate.topic == "risk profiling" and separate.programmes == ("AIRCOP", "CCP")
    assert "T7" not in separate.training_ids  # a joint training is not a separate one
    assert separate.training_ids == ("T1", "T4", "T6")  # mentoring (T2, T3) is not counted as training
    assert country.to_dict()["entry_points"][4]["has_traffic"] is True
