"""Red flags accuse nobody on a clean world, nor on a world where no prosecutor has enough cases to judge."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from baliza.analyses.integrity import red_flags
from baliza.demo import generate_country
from baliza.load import load_datasets
from baliza.warehouse import open_warehouse

CASES_PER_PROSECUTOR = 5  # below every minimum sample of the rules on prosecutors


def _flags(folder: Path, db: Path) -> list:
    with open_warehouse(db) as wh:
        report = load_datasets(wh, [folder])
        assert sum(t.quarantined for t in report.tables.values()) == 0
        return red_flags(wh)


@pytest.mark.parametrize("seed", [21, 22])
def test_a_clean_world_flags_no_person(tmp_path: Path, seed: int) -> None:
    generate_country(tmp_path / "country", seed=seed, scale="small", corruption=False)
    people = [f for f in _flags(tmp_path / "country", tmp_path / "w.duckdb") if f.subject.table == "staff"]
    assert not people, [(f.rule, f.subject.id, f.summary) for f in people]


def _split_prosecutors(folder: Path) -> set[str]:
    """Give every prosecutor's cases, five at a time, to new prosecutors of the same unit; returns their ids."""
    read = lambda name: pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)  # noqa: E731
    cases, staff, events = read("cases"), read("staff"), read("case_events")
    led = cases[cases.lead_prosecutor_id != ""].sort_values("opened_at")
    rank = led.groupby("lead_prosecutor_id").cumcount() // CASES_PER_PROSECUTOR
    cases.loc[led.index, "lead_prosecutor_id"] = led.lead_prosecutor_id + "~" + rank.astype(str)
    lead_of = dict(zip(cases.case_id, cases.lead_prosecutor_id, strict=True))
    prosecutors = set(staff.loc[staff.role == "prosecutor", "staff_id"])
    acted = events.staff_id.isin(prosecutors)
    events.loc[acted, "staff_id"] = [
        lead_of[c] if lead_of[c].rsplit("~", 1)[0] == s else f"{s}~{c}"
        for s, c in zip(events.staff_id[acted], events.case_id[acted], strict=True)
    ]
    unit_of = dict(zip(staff.staff_id, staff.unit_id, strict=True))
    new_ids = (set(cases.lead_prosecutor_id) | set(events.staff_id[acted])) - {""}
    new_staff = pd.DataFrame({"staff_id": sorted(new_ids)})
    new_staff["unit_id"] = [unit_of[s.rsplit("~", 1)[0]] for s in new_staff.staff_id]
    new_staff["role"] = "prosecutor"
    staff = pd.concat([staff[staff.role != "prosecutor"], new_staff], ignore_index=True).fillna("")
    for name, frame in (("cases", cases), ("staff", staff), ("case_events", events)):
        frame.to_csv(folder / f"{name}.csv", index=False)
    assert cases[cases.lead_prosecutor_id != ""].groupby("lead_prosecutor_id").size().max() <= CASES_PER_PROSECUTOR
    return new_ids


def test_no_prosecutor_flagged_below_the_minimum_sample(tmp_path: Path) -> None:
    folder = tmp_path / "country"
    generate_country(folder, seed=23, scale="small", corruption=True)
    prosecutors = _split_prosecutors(folder)
    flags = _flags(folder, tmp_path / "w.duckdb")
    on_prosecutors = [f for f in flags if f.subject.table == "staff" and f.subject.id in prosecutors]
    assert not on_prosecutors, [(f.rule, f.subject.id, f.summary) for f in on_prosecutors]
