"""Asset recovery (issue 17): stages, attrition and stage times equal an independent computation from the raw
files of a generated country; the planted releases are found by the red flags."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from baliza.analyses.assets import attrition, pipeline, stage_times
from baliza.analyses.integrity import red_flags
from baliza.demo import generate_country
from baliza.load import load_datasets
from baliza.stats.survival import kaplan_meier
from baliza.warehouse import open_warehouse

AS_OF = date(2025, 12, 31)


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    root = tmp_path_factory.mktemp("assets")
    summary = generate_country(root / "country", seed=11, scale="small")
    db = root / "w.duckdb"
    with open_warehouse(db) as wh:
        load_datasets(wh, [root / "country"])
    return root / "country", db, json.loads(summary.truth_path.read_text())


def _rows(folder: Path, table: str) -> list[dict[str, str]]:
    with (folder / f"{table}.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _day(text: str) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


def _incidence_by_hand(pairs: list[tuple[float, int]]) -> list[tuple[float, float]]:
    """Aalen-Johansen, one distinct end at a time, written as a plain loop: (duration, 1 event / 2 competing
    end / 0 censored) -> (event time, share not having had the event)."""
    still, reached, out = 1.0, 0.0, []
    for t in sorted({d for d, cause in pairs if cause}):
        at_risk = sum(1 for d, _ in pairs if d >= t)
        events = sum(1 for d, cause in pairs if cause == 1 and d == t)
        ends = sum(1 for d, cause in pairs if cause and d == t)
        reached += still * events / at_risk
        still *= 1 - ends / at_risk
        if events:
            out.append((t, 1 - reached))
    return out


def test_stage_counts_and_attrition_match_the_files(country: tuple[Path, Path, dict]) -> None:
    folder, db, _ = country
    assets = _rows(folder, "assets")
    with open_warehouse(db, read_only=True) as wh:
        overall = pipeline(wh).iloc[0]
        lost = attrition(wh).set_index("from_stage")
        by_kind = pipeline(wh, "kind").set_index("kind")
    assert overall["assets"] == len(assets)
    for stage in ("identified", "frozen", "confiscated", "recovered", "returned"):
        reached = [a for a in assets if a[f"{stage}_at"]]
        assert overall[stage] == len(reached)
        assert overall[f"{stage}_usd"] == pytest.approx(sum(float(a["estimated_value_usd"]) for a in reached))
    frozen = [a for a in assets if a["frozen_at"]]
    assert lost.loc["frozen", "reached"] == len(frozen)
    assert lost.loc["frozen", "went_on"] == sum(1 for a in frozen if a["confiscated_at"])
    assert lost.loc["frozen", "released"] == sum(1 for a in frozen if a["released_at"] and not a["confiscated_at"])
    cash = [a for a in assets if a["kind"] == "cash"]
    assert by_kind.loc["cash", "assets"] == len(cash)


def test_time_from_freeze_to_confiscation_matches_a_hand_computation(country: tuple[Path, Path, dict]) -> None:
    folder, db, _ = country
    pairs: list[tuple[float, int]] = []
    for a in _rows(folder, "assets"):
        frozen = _day(a["frozen_at"])
        if frozen is None:
            continue
        confiscated, released = _day(a["confiscated_at"]), _day(a["released_at"])
        end = confiscated or released or AS_OF
        pairs.append((max(0, (end - frozen).days), 1 if confiscated else 2 if released else 0))
    assert any(cause == 2 for _, cause in pairs), "the test country releases some frozen assets"
    expected = _incidence_by_hand(pairs)
    with open_warehouse(db, read_only=True) as wh:
        step = next(s for s in stage_times(wh, AS_OF) if (s.from_stage, s.to_stage) == ("frozen", "confiscated"))
    got = list(zip(step.survival.times, step.survival.surviving, strict=True))
    assert len(got) == len(expected)
    for (t1, s1), (t2, s2) in zip(got, expected, strict=True):
        assert t1 == t2
        assert s1 == pytest.approx(s2)
    assert step.survival.events == sum(1 for _, cause in pairs if cause == 1)
    assert step.survival.competing == sum(1 for _, cause in pairs if cause == 2)


def test_kaplan_meier_counts_waiting_items_as_waiting() -> None:
    # two done at day 10, one still waiting at day 5 (censored), one done at day 20
    curve = kaplan_meier(np.array([10, 10, 5, 20]), np.array([True, True, False, True]))
    assert curve.times == (10.0, 20.0)
    assert curve.surviving[0] == pytest.approx(1 - 2 / 3)
    assert curve.surviving[1] == pytest.approx(0.0)
    assert curve.median == 10.0


def test_planted_releases_are_found(country: tuple[Path, Path, dict]) -> None:
    _, db, truth = country
    with open_warehouse(db, read_only=True) as wh:
        findings = red_flags(wh)
    after = {a for f in findings if f.rule == "asset_released_after_conviction" for a in f.details["assets"]}
    before = {a for f in findings if f.rule == "freeze_lifted_before_verdict" for a in f.details["assets"]}
    planted_after = set(truth["released_after_conviction_assets"])
    planted_before = set(truth["freeze_lifted_before_verdict_assets"])
    assert planted_after and planted_before
    assert len(planted_after & after) >= 0.9 * len(planted_after)
    assert len(planted_before & before) >= 0.9 * len(planted_before)
    assert len(after - planted_after) <= max(2, len(planted_after) // 5)


def test_assets_command_prints_the_pipeline_and_refuses_unknown_groupings(country: tuple[Path, Path, dict]) -> None:
    from typer.testing import CliRunner

    from baliza.cli.app import app

    _, db, _ = country
    runner = CliRunner()
    result = runner.invoke(app, ["assets", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["pipeline"][0]["assets"] == sum(1 for _ in _rows(country[0], "assets"))
    assert {t["to_stage"] for t in payload["stage_times"]} >= {"frozen", "confiscated", "recovered"}
    refused = runner.invoke(app, ["assets", "--db", str(db), "--by", "colour"])
    assert refused.exit_code != 0
    assert "colour" in refused.output
