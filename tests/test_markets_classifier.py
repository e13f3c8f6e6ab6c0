"""The substance classifier: measured on the held-out labelled listings, explained, and working without the
DEA slang list."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import f1_score

from baliza.markets.classifier import SubstanceClassifier, labelled_listings, trained_classifier
from baliza.markets.lexicon import SUBSTANCE_GROUPS, load_lexicon
from baliza.markets.slang import parse_slang, slang_dir


def test_held_out_listings_are_never_trained_on_and_score_a_macro_f1_above_085() -> None:
    labelled = labelled_listings()
    held = labelled[labelled.split == "held_out"]
    assert len(labelled) >= 300 and 0.15 < len(held) / len(labelled) < 0.35
    assert set(held.language) == {"en", "es", "pt"}
    model = trained_classifier()
    trained_on = set(model.vectoriser.vocabulary_)  # type: ignore[union-attr]
    assert trained_on  # fitted
    predicted = model.classify(held.text.tolist()).substance_group
    assert f1_score(held.substance_group, predicted, average="macro") >= 0.85


def test_a_model_fitted_without_the_held_out_part_differs_from_one_fitted_with_it() -> None:
    labelled = labelled_listings()
    everything = SubstanceClassifier(load_lexicon()).fit(labelled.text.tolist(), labelled.substance_group.tolist())
    assert everything.vectoriser.vocabulary_ != trained_classifier().vectoriser.vocabulary_  # type: ignore


def test_every_label_says_how_sure_and_why() -> None:
    result = trained_classifier().classify(["Perico puro 90% 5g", "Maconha prensada 100g", "Fake passport EU",
                                            "mefedrona 4-mmc cristales 10g"])
    assert list(result.substance_group) == ["cocaine_type", "cannabis_type", "other", "nps"]
    assert all(0 < c <= 1 for c in result.confidence)
    assert any(t == "perico (own: cocaine_type)" for t in result.matched_terms[0])
    assert all(result.top_features[i] for i in range(4))


def test_listings_that_differ_only_by_quantity_get_the_same_label_and_an_unseen_spelling_is_still_read() -> None:
    result = trained_classifier().classify(["Cocaína peruana 1g", "Cocaína peruana 250g"])
    assert result.substance_group[0] == result.substance_group[1] == "cocaine_type"
    assert result.confidence[0] == result.confidence[1]
    misspelt = {"kokaina peruana 5g": "cocaine_type", "marihuanna 10g": "cannabis_type",
                "fentanylo 1g": "synthetic_opioids", "metanfetamin 5g": "ats", "ketamin 5g": "nps"}
    read = trained_classifier().classify(list(misspelt))
    assert not any(read.matched_terms)  # no lexicon term: the character n-grams carry them
    assert list(read.substance_group) == list(misspelt.values())


def test_it_works_without_the_dea_slang_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "no-slang"
    empty.mkdir()
    lexicon = load_lexicon(empty)
    assert lexicon.sources == ("own",)
    labelled = labelled_listings()
    train, held = labelled[labelled.split == "train"], labelled[labelled.split == "held_out"]
    model = SubstanceClassifier(lexicon).fit(train.text.tolist(), train.substance_group.tolist())
    predicted = model.classify(held.text.tolist()).substance_group
    assert f1_score(held.substance_group, predicted, average="macro") >= 0.8


def test_the_slang_list_drops_terms_it_gives_to_two_groups() -> None:
    text = "Cocaine~~Blow; Candy; Perico (mixed with x)\nMDMA~~Candy; Molly\nHeroin~~H; Smack\n"
    groups = parse_slang(text)
    assert "candy" not in {t for terms in groups.values() for t in terms}
    assert set(groups["cocaine_type"]) == {"blow", "perico"}
    assert "h" not in groups.get("opiates", ())  # too short to name anything


@pytest.mark.skipif(slang_dir() is None, reason="the DEA slang list (../shared/data/drug-slang) is not here")
def test_the_dea_list_is_read_where_it_lies_and_adds_terms_the_own_lexicon_lacks() -> None:
    lexicon = load_lexicon()
    assert "dea" in lexicon.sources
    result = trained_classifier().classify(["Yayo 2g"])
    assert any("(dea: cocaine_type)" in t for t in result.matched_terms[0])


def test_groups_are_the_contracts() -> None:
    assert set(labelled_listings().substance_group) <= set(SUBSTANCE_GROUPS)
    assert np.all(np.isin(trained_classifier().model.classes_, SUBSTANCE_GROUPS))  # type: ignore[union-attr]


def test_an_agencys_own_labelled_listings_are_read_and_a_wrong_file_is_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = tmp_path / "ours.csv"
    own.write_text("text,substance_group,language\nPerico 1g,cocaine_type,es\nTusi 2g,nps,es\n")
    monkeypatch.setenv("BALIZA_LABELLED_LISTINGS", str(own))
    assert labelled_listings().text.tolist() == ["Perico 1g", "Tusi 2g"]
    own.write_text("text,group\nPerico 1g,cocaine_type\n")
    with pytest.raises(ValueError, match="substance_group"):
        labelled_listings()
