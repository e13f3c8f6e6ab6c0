"""Substance group of a listing from its title and description, with why and how sure.

Two layers. The lexicon (`lexicon`: the project's own es/pt/en street names and, when present, the DEA slang
list) says which groups' terms appear. A multinomial logistic regression on top reads those hits together
with character n-grams (2 to 4 characters within words, TF-IDF) of the folded text, so that it can weigh an
ambiguous slang word against its context, recognise a misspelling or a chemical name the lexicon lacks, and
tell a glass pipe from crystal meth. It is trained on the labelled listings shipped in
`data/labelled_listings.csv` (en, es, pt), never on the held-out quarter of them (`split`), which measures it.

Every label carries its confidence (the model's probability of the chosen group) and its reasons: the matched
terms with their source, and the n-grams that pushed most towards the chosen group. Listings whose key text
(folded, each number as 0) is the same are classified once, then spread back: markets repeat titles endlessly.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from baliza.markets.lexicon import DATA, SOURCES, SUBSTANCE_GROUPS, Lexicon, load_lexicon, match_terms
from baliza.markets.text import classifier_key, fold_column

LABELLED = DATA / "labelled_listings.csv"
HELD_OUT_SHARE = 4  # one labelled listing in four (by a hash of its text) is kept out of training
LEXICON_WEIGHT = 3.0  # scale of a lexicon hit against the n-grams' unit-length TF-IDF vector
TOP_FEATURES = 3


def labelled_listings() -> pd.DataFrame:
    """The labelled listings with their `split`: "train" or "held_out" (a fixed quarter). The shipped set, or
    an agency's own in the same format (text, substance_group, language) named by `$BALIZA_LABELLED_LISTINGS`."""
    source = Path(os.environ.get("BALIZA_LABELLED_LISTINGS") or LABELLED)
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    missing = {"text", "substance_group", "language"} - set(frame.columns)
    if missing:
        raise ValueError(f"{source}: missing columns {sorted(missing)}")
    unknown = set(frame.substance_group) - set(SUBSTANCE_GROUPS)
    if unknown:
        raise ValueError(f"{source}: unknown substance groups {sorted(unknown)}")
    held = [int(hashlib.sha256(t.encode()).hexdigest(), 16) % HELD_OUT_SHARE == 0 for t in frame.text]
    return frame.assign(split=np.where(held, "held_out", "train"))


@dataclass(frozen=True)
class Classification:
    """One label per input listing, as columns."""

    substance_group: np.ndarray
    confidence: np.ndarray
    matched_terms: list[list[str]]
    top_features: list[list[str]]


@dataclass
class SubstanceClassifier:
    """The lexicon and the trained model; `classify` labels texts, `fit` trains on labelled ones."""

    lexicon: Lexicon
    vectoriser: TfidfVectorizer | None = None
    model: LogisticRegression | None = None

    def _lexicon_features(self, folded: pa.Array) -> tuple[sparse.csr_matrix, dict[tuple[str, str], pa.Array]]:
        found = match_terms(self.lexicon, folded)
        columns = [(s, g) for s in SOURCES for g in SUBSTANCE_GROUPS]
        dense = np.zeros((len(folded), len(columns)), dtype=np.float64)
        for j, key in enumerate(columns):
            if key in found:
                dense[:, j] = pc.is_valid(found[key]).to_numpy(zero_copy_only=False) * LEXICON_WEIGHT
        return sparse.csr_matrix(dense), found

    def _features(self, folded: pa.Array, *, fit: bool = False) -> tuple[sparse.csr_matrix, dict]:
        keys = classifier_key(folded).to_pylist()
        if fit:
            self.vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), min_df=1, sublinear_tf=True,
                                              dtype=np.float32)
            grams = self.vectoriser.fit_transform(keys)
        else:
            assert self.vectoriser is not None
            grams = self.vectoriser.transform(keys)
        hits, found = self._lexicon_features(folded)
        return sparse.hstack([grams, hits], format="csr"), found

    def fit(self, texts: list[str], groups: list[str]) -> SubstanceClassifier:
        """Train on `texts` twice over: once with their lexicon hits, once without, so that the n-grams learn
        to name a group on their own (a misspelling, a term no lexicon has) instead of leaning on the hits."""
        features, _ = self._features(fold_column(pa.array(texts, pa.string())), fit=True)
        n_lexicon = len(SOURCES) * len(SUBSTANCE_GROUPS)
        without = features.tolil(copy=True)
        without[:, features.shape[1] - n_lexicon:] = 0
        self.model = LogisticRegression(C=20.0, max_iter=3000, class_weight="balanced")
        with threadpool_limits(1):  # a small problem: BLAS threads only fight each other (25 times slower)
            self.model.fit(sparse.vstack([features, without.tocsr()]), [*groups, *groups])
        return self

    def feature_names(self) -> np.ndarray:
        assert self.vectoriser is not None
        lexicon = [f"lexicon:{s}:{g}" for s in SOURCES for g in SUBSTANCE_GROUPS]
        return np.concatenate([self.vectoriser.get_feature_names_out(), np.array(lexicon, dtype=object)])

    def classify(self, titles: pa.Array | list[str | None],
                 descriptions: pa.Array | list[str | None] | None = None) -> Classification:
        """Label each listing from its title and (when given) description."""
        text = pa.array(titles, pa.string()) if not isinstance(titles, pa.Array) else titles.cast(pa.string())
        if descriptions is not None:
            desc = descriptions if isinstance(descriptions, pa.Array) else pa.array(descriptions, pa.string())
            text = pc.binary_join_element_wise(pc.fill_null(text, ""), pc.fill_null(desc.cast(pa.string()), ""), " ")
        encoded = pc.dictionary_encode(text).combine_chunks() if isinstance(text, pa.ChunkedArray) else \
            pc.dictionary_encode(text)
        folded = fold_column(encoded.dictionary)
        keyed = pc.dictionary_encode(classifier_key(folded))
        unique = self._classify_unique(keyed.dictionary, folded, keyed.indices.to_numpy(zero_copy_only=False))
        rows = encoded.indices.to_numpy(zero_copy_only=False)
        rows = np.where(pc.is_valid(encoded.indices).to_numpy(zero_copy_only=False), rows, 0) if len(
            encoded.dictionary) else np.zeros(len(encoded), dtype=np.int64)
        group, confidence, terms, features = unique
        return Classification(group[rows], confidence[rows], [terms[i] for i in rows], [features[i] for i in rows])

    def _classify_unique(self, keys: pa.Array, folded: pa.Array, key_of_text: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray, list[list[str]], list[list[str]]]:
        assert self.model is not None and self.vectoriser is not None
        if len(folded) == 0:
            empty = np.array([], dtype=object)
            return empty, np.array([], dtype=np.float64), [], []
        # one representative folded text per key (the first), so matched terms are real words
        first = np.full(len(keys), -1)
        first[key_of_text[::-1]] = np.arange(len(key_of_text))[::-1]
        representative = folded.take(pa.array(first))
        features, found = self._features(representative)
        probabilities = self.model.predict_proba(features)
        best = probabilities.argmax(axis=1)
        group = self.model.classes_[best].astype(object)
        confidence = probabilities[np.arange(len(best)), best]
        terms = _matched(found, len(best))
        top = _top_features(features, self.model.coef_, best, self.feature_names())
        return group[key_of_text], confidence[key_of_text], [terms[k] for k in key_of_text], [
            top[k] for k in key_of_text]


def _matched(found: dict[tuple[str, str], pa.Array], n: int) -> list[list[str]]:
    """Per text, "term (source → group)" for every group whose terms it contains."""
    out: list[list[str]] = [[] for _ in range(n)]
    for (source, group), terms in found.items():
        values = terms.to_pylist()
        for i in np.flatnonzero(pc.is_valid(terms).to_numpy(zero_copy_only=False)):
            out[i].append(f"{values[i]} ({source}: {group})")
    return out


def _top_features(features: sparse.csr_matrix, coef: np.ndarray, best: np.ndarray,
                  names: np.ndarray) -> list[list[str]]:
    """Per row, the features that added most to the chosen group's score (value × weight), vectorised."""
    coo = features.tocoo()
    contribution = coo.data * coef[best[coo.row], coo.col]
    keep = contribution > 0
    row, col, contribution = coo.row[keep], coo.col[keep], contribution[keep]
    order = np.lexsort((-contribution, row))
    row, col = row[order], col[order]
    starts = np.searchsorted(row, np.arange(features.shape[0]))
    rank = np.arange(len(row)) - starts[row]
    chosen = rank < TOP_FEATURES
    out: list[list[str]] = [[] for _ in range(features.shape[0])]
    for r, c in zip(row[chosen].tolist(), col[chosen].tolist(), strict=True):
        out[r].append(str(names[c]) if str(names[c]).startswith("lexicon:") else f"\"{names[c]}\"")
    return out


@cache
def _trained(slang: Path | None) -> SubstanceClassifier:
    labelled = labelled_listings()
    train = labelled[labelled.split == "train"]
    return SubstanceClassifier(load_lexicon(slang)).fit(train.text.tolist(), train.substance_group.tolist())


def trained_classifier(slang: Path | None = None) -> SubstanceClassifier:
    """The classifier trained on the shipped labelled listings (once per process and slang folder)."""
    from baliza.markets.slang import slang_dir

    return _trained(slang_dir(slang))
