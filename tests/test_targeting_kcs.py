"""The KCS declarations (Korea Customs Service, synthetic; MIT licence, (c) 2022 Institute for Basic Science &
Korea Customs Service, published with DATE, Kim et al., KDD 2020): trained on train.csv, evaluated on the
later valid.csv, beside the plain gradient-boosting baseline and random selection. Skipped without the data."""

from __future__ import annotations

from pathlib import Path

import pytest

from baliza.targeting.evaluation import evaluate
from baliza.targeting.inputs import from_file

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "customs-declarations"

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not (DATA / "train.csv").is_file() or not (DATA / "valid.csv").is_file(),
                                 reason=f"the KCS declarations are not at {DATA}")]


@pytest.fixture(scope="module")
def report() -> dict:
    train = from_file(DATA / "train.csv", "kcs")
    valid = from_file(DATA / "valid.csv", "kcs")
    return evaluate(train.declarations, valid.declarations, extra_numeric=train.extra_numeric,
                    extra_categorical=train.extra_categorical, mapping="kcs")


def test_the_model_beats_the_plain_baseline_on_the_later_period(report: dict) -> None:
    model, baseline, chance = (report["rankings"][n] for n in ("model", "baseline", "random"))
    assert report["train"]["to"] < report["holdout"]["from"]
    assert model["auc"] > baseline["auc"] > chance["auc"]
    for share in ("2%", "5%", "10%"):
        assert model[f"precision@{share}"] > baseline[f"precision@{share}"], share
    assert model["precision@1%"] >= baseline["precision@1%"]
    assert model["value@10%"] > baseline["value@10%"]
    assert model["precision@5%"] > 3 * report["found_rate"]
