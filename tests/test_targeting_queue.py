"""The queue (exploration, reasons), the ranking metrics, the mapping reader and the model on planted signals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import mannwhitneyu

from baliza.targeting.declarations import canonical, load_mapping, read_declarations
from baliza.targeting.inputs import entered_outcomes, record_outcome, with_entered_outcomes
from baliza.targeting.metrics import auc, ranking_metrics
from baliza.targeting.model import load, save, train
from baliza.targeting.queue import build_queue, choose


def test_choose_fills_the_capacity_with_the_best_and_explores_elsewhere() -> None:
    scores = np.linspace(0, 1, 100)
    chosen, exploring = choose(scores, 10, explore=0.3, strategy="random", seed=4)
    assert len(chosen) == 10 and len(set(chosen)) == 10 and exploring.sum() == 3
    assert set(chosen[~exploring]) == set(range(93, 100))  # the seven highest scores
    assert all(c < 93 for c in chosen[exploring])
    other_seed, _ = choose(scores, 10, explore=0.3, strategy="random", seed=5)
    assert set(other_seed[7:]) != set(chosen[7:])


def test_uncertainty_explores_where_the_model_knows_least() -> None:
    scores = np.array([0.9, 0.95, 0.1, 0.52, 0.47, 0.02, 0.3])
    chosen, exploring = choose(scores, 3, explore=0.67, strategy="uncertainty")
    assert chosen[0] == 1 and set(chosen[exploring]) == {3, 4}


@pytest.mark.parametrize(("capacity", "explore", "strategy"), [(-1, 0.1, "random"), (3, 1.5, "random"),
                                                                (3, 0.1, "greedy")])
def test_choose_refuses_bad_settings(capacity: int, explore: float, strategy: str) -> None:
    with pytest.raises(ValueError):
        choose(np.ones(5), capacity, explore, strategy)


def test_ranking_metrics_on_a_worked_example() -> None:
    outcome = np.array([1, 0, 1, 0, 0, 0, 0, 0, 0, 1] * 10, dtype=float)
    score = np.arange(100, 0, -1, dtype=float)  # rows in their order, first the highest
    value = np.where(outcome == 1, np.arange(100), 0.0)
    m = ranking_metrics(outcome, score, value)
    assert m["precision@1%"] == 1.0 and m["precision@2%"] == 0.5 and m["precision@5%"] == pytest.approx(2 / 5)
    assert m["recall@10%"] == pytest.approx(3 / 30)
    assert m["value@2%"] == 0.0  # the first find is worth 0
    reference = mannwhitneyu(score[outcome == 1], score[outcome == 0]).statistic / (30 * 70)
    assert auc(outcome, score) == pytest.approx(reference)
    assert auc(np.zeros(4), np.arange(4)) is None


def test_a_mapping_reads_an_export_and_names_what_is_missing(tmp_path) -> None:
    mapping = load_mapping("kcs")  # the loading mapping (src/baliza/mappings/kcs.yaml) and its targeting section
    columns = ["Declaration ID", "Date", "Office ID", "Process Type", "Import Type", "Import Use", "Payment Type",
               "Mode of Transport", "Declarant ID", "Importer ID", "Seller ID", "Courier ID", "HS6 Code",
               "Country of Departure", "Country of Origin", "Tax Rate", "Tax Type", "Country of Origin Indicator",
               "Net Mass", "Item Price", "Fraud"]
    row = {c: "1" for c in columns} | {"Date": "2024-03-01", "Declaration ID": "A1", "Net Mass": "10",
                                        "Item Price": "55.5", "HS6 Code": "090111"}
    no_outcome = {k: v for k, v in row.items() if k != "Fraud"}
    pd.DataFrame([no_outcome]).to_csv(tmp_path / "new.csv", index=False)
    frame = read_declarations(tmp_path / "new.csv", mapping)
    assert frame.loc[0, "id"] == "A1" and frame.loc[0, "value"] == 55.5 and pd.isna(frame.loc[0, "outcome"])
    assert frame.loc[0, "hs_code"] == "090111" and frame.loc[0, "declared_at"] == pd.Timestamp("2024-03-01")
    assert frame.loc[0, "x_tax_rate"] == 1.0
    pd.DataFrame([{k: v for k, v in no_outcome.items() if k != "HS6 Code"}]).to_csv(tmp_path / "bad.csv",
                                                                                   index=False)
    with pytest.raises(ValueError, match="HS6 Code"):
        read_declarations(tmp_path / "bad.csv", mapping)
    with pytest.raises(ValueError, match="kcs"):
        load_mapping("no-such-mapping")


def planted(n: int, seed: int, start: str = "2024-01-01") -> pd.DataFrame:
    """Declarations where finds come with cash payment and with a few consignees' habits."""
    rng = np.random.default_rng(seed)
    consignee = rng.integers(0, 300, n)
    cash = rng.random(n) < 0.15
    risk = 0.02 + 0.4 * cash + 0.3 * (consignee < 15)
    return canonical(pd.DataFrame({
        "id": [f"{seed}-{i}" for i in range(n)],
        "declared_at": pd.Timestamp(start) + pd.to_timedelta(np.sort(rng.integers(0, 300 * 86400, n)), unit="s"),
        "office": rng.choice(["O1", "O2"], n), "consignee": [f"C{c}" for c in consignee],
        "shipper": [f"S{s}" for s in rng.integers(0, 500, n)], "hs_code": rng.choice(["090111", "080300"], n),
        "origin_country": rng.choice(["CO", "BR", "DE"], n), "mass_kg": rng.lognormal(6, 1, n),
        "value": rng.lognormal(9, 1, n), "payment": np.where(cash, "cash", "bank"),
        "outcome": (rng.random(n) < risk).astype(float),
    })).assign(cash=cash.astype(float))


@pytest.fixture(scope="module")
def planted_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("model")
    save(train(planted(6000, 1)), folder)
    return load(folder)


def test_the_model_learns_planted_signals_and_says_why(planted_model) -> None:
    later = planted(3000, 2, start="2025-01-01")
    scores = planted_model.score(later.drop(columns=["outcome"]))
    assert list(scores["id"]) == list(later["id"])
    assert auc(later["outcome"].to_numpy(), scores["score"].to_numpy()) > 0.75
    items = build_queue(planted_model, later.head(400), 20, explore=0.0)
    assert [i.score for i in items] == sorted((i.score for i in items), reverse=True)
    top = items[0]
    assert top.reasons and all(r.push > 0 for r in top.reasons)
    assert any(r.feature in {"cash", "rule_cash_payment", "consignee_hit_rate"} for r in top.reasons)
    assert sum("Paid in cash" in i.rules for i in items) >= 10  # cash is what makes most of them risky


def test_explored_items_are_labelled_and_taken_outside_the_top(planted_model) -> None:
    candidates = planted(500, 3, start="2025-02-01").drop(columns=["outcome"])
    items = build_queue(planted_model, candidates, 20, explore=0.25, seed=9)
    explored = [i for i in items if i.chosen_by == "exploration"]
    assert len(explored) == 5
    assert max(i.score for i in explored) <= min(i.score for i in items if i.chosen_by == "score")


def test_outcomes_entered_on_the_page_fill_the_unknown_ones(tmp_path) -> None:
    frame = canonical(pd.DataFrame({"id": ["A", "B", "C"], "declared_at": ["2024-01-01"] * 3,
                                    "outcome": [0.0, None, None]}))
    record_outcome(tmp_path, "A", 1, "officer1")
    record_outcome(tmp_path, "B", 0, "officer1")
    record_outcome(tmp_path, "B", 1, "officer2")  # corrected later: the latest counts
    assert entered_outcomes(tmp_path) == {"A": 1, "B": 1}
    filled = with_entered_outcomes(frame, tmp_path)
    assert filled["outcome"].tolist()[:2] == [0.0, 1.0] and pd.isna(filled["outcome"][2])  # the warehouse wins
    assert (tmp_path / "outcomes.jsonl").stat().st_mode & 0o077 == 0
    with pytest.raises(ValueError):
        record_outcome(tmp_path, "A", 2, "officer1")
