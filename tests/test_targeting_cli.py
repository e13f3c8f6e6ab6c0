"""`baliza target`: the interface scripts use, on the warehouse of the generated country and on an export."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from baliza.cli.app import app
from baliza.demo import generate_country
from baliza.targeting.simulation import SimulationSettings, simulate_years


def run(*arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(arguments))
    return result.exit_code, result.stdout if result.exit_code == 0 else result.output


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("target")
    generate_country(folder / "country", seed=3, scale="small", truth_path=folder / "truth.json")
    db = folder / "w.duckdb"
    code, out = run("load", str(folder / "country"), "--db", str(db))
    assert code == 0, out
    return db


def test_train_score_and_queue_on_the_warehouse(warehouse: Path, tmp_path: Path) -> None:
    model = tmp_path / "model"
    code, out = run("target", "train", "--model", str(model), "--db", str(warehouse), "--json")
    assert code == 0, out
    card = json.loads(out)
    assert card["period"]["from"].startswith("2021") and card["found"] > 100
    assert card["profile"]["name"] == "default"
    code, out = run("target", "score", "--model", str(model), "--db", str(warehouse), "--json")
    assert code == 0, out
    scores = json.loads(out)
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        ids = {r[0] for r in con.execute("select consignment_id from consignments").fetchall()}
        busiest = con.execute("""select entry_point_id from consignments c where not exists (select 1 from
            inspections i where i.consignment_id = c.consignment_id) group by 1 order by count(*) desc
            limit 1""").fetchone()[0]
    assert {s["id"] for s in scores} == ids and all(0 <= s["score"] <= 1 for s in scores)
    code, out = run("target", "queue", "--model", str(model), "--db", str(warehouse), "--entry-point", busiest,
                    "--capacity", "2", "--explore", "0.5", "--seed", "1", "--json")
    assert code == 0, out
    queue = json.loads(out)
    assert queue["entry_point"] == busiest and 1 <= len(queue["queue"]) <= 2
    assert all(item["id"] in ids and item["office"] == busiest for item in queue["queue"])
    from baliza.access.audit import entries
    from baliza.access.state import open_state_beside

    state = open_state_beside(warehouse)
    try:
        logged = [(e.action, e.subject, e.actor) for e in entries(state, limit=20)]
    finally:
        state.close()
    assert any(a == "target_queue_opened" and s == f"entry_points/{busiest}" and who.startswith("cli:")
               for a, s, who in logged)  # who opened which queue
    assert any(a == "target_train" for a, _s, _w in logged)
    code, out = run("target", "queue", "--model", str(model), "--db", str(warehouse), "--entry-point", "EP-NOWHERE",
                    "--capacity", "2")
    assert code == 1 and "EP-NOWHERE" in out


def test_evaluate_sets_the_model_beside_the_baseline_and_random(warehouse: Path) -> None:
    code, out = run("target", "evaluate", "--db", str(warehouse), "--json")
    assert code == 0, out
    report = json.loads(out)
    assert set(report["rankings"]) == {"model", "baseline", "random"}
    assert report["train"]["to"] < report["holdout"]["from"]
    assert {"auc", "precision@1%", "recall@10%", "value@5%"} <= set(report["rankings"]["model"])


def test_a_file_without_outcomes_is_scored_row_by_row(tmp_path: Path) -> None:
    from test_targeting_queue import planted

    past, later = planted(3000, 5), planted(200, 6, start="2025-01-01")
    kcs = {"id": "Declaration ID", "declared_at": "Date", "office": "Office ID", "consignee": "Importer ID",
           "shipper": "Seller ID", "hs_code": "HS6 Code", "origin_country": "Country of Origin",
           "mass_kg": "Net Mass", "value": "Item Price", "payment": "Payment Type", "outcome": "Fraud"}
    extra = {"Process Type": "B", "Import Type": "11", "Import Use": "21", "Tax Type": "A",
             "Country of Origin Indicator": "G", "Tax Rate": "8.0", "Declarant ID": "D1", "Courier ID": "",
             "Mode of Transport": "10", "Country of Departure": "CO"}

    def export(frame: pd.DataFrame, path: Path, outcome: bool) -> None:
        out = frame[list(kcs)].rename(columns=kcs).assign(**extra)
        out = out if outcome else out.drop(columns=["Fraud"])
        out.to_csv(path, index=False)

    export(past, tmp_path / "train.csv", True)
    export(later, tmp_path / "new.csv", False)
    model = tmp_path / "model"
    code, out = run("target", "train", "--declarations", str(tmp_path / "train.csv"), "--mapping", "kcs",
                    "--model", str(model))
    assert code == 0, out
    code, out = run("target", "score", "--model", str(model), "--declarations", str(tmp_path / "new.csv"), "--json")
    assert code == 0, out
    scores = json.loads(out)
    assert [s["id"] for s in scores] == list(later["id"]) and set(scores[0]) == {"id", "score"}
    export(later.assign(id=[str(9_000_000 + i) for i in range(len(later))]), tmp_path / "numbered.csv", False)
    code, out = run("target", "score", "--model", str(model), "--declarations", str(tmp_path / "numbered.csv"),
                    "--json")
    assert code == 0, out
    assert [s["id"] for s in json.loads(out)][:2] == [9_000_000, 9_000_001]  # as the file writes them
    code, out = run("target", "score", "--model", str(tmp_path / "none"), "--declarations",
                    str(tmp_path / "new.csv"), "--json")
    assert code == 1 and "No targeting model" in out


def test_exploration_keeps_finding_traffickers_who_move() -> None:
    settings = SimulationSettings(seed=2, daily=300, capacity=10, drug_share=0.01, days=730)
    result = simulate_years(settings)
    quarters = result["quarters"]
    assert len(quarters) == 8 and quarters[0]["quarter"] == "2021 Q1"
    assert all(0 <= q["precision_exploit"] <= 1 and 0 <= q["precision_explore"] <= 1 for q in quarters)
    assert result["route_shifts_exploit"] >= 1  # the traffickers were caught and moved
    assert result["precision_explore"] > settings.drug_share * 3  # far better than opening at random
