"""Vendor accounts linked across platforms: shared identifiers (`vendors`) and, with Splink, handle
similarity and writing style.

Splink (DuckDB backend) scores every pair of accounts that share a handle prefix or ship from the same place
with the Fellegi-Sunter model: how often a comparison level is seen among true matches (m, set below from what
vendors do when they open a second shop: keep their handle, more or less, and paste their own texts) against
how often among random pairs (u). The u of the handle levels is set (a market's few hundred accounts are too
few to estimate how rarely two strangers pick the same handle); the u of writing style and of the place
shipped from is measured on the accounts themselves, from every pair (or a random sample of 200,000), since
how alike accounts look depends on the market (template titles, copied boilerplate). The
comparisons: the handle's letters (Jaro-Winkler), the handle's digits, the writing style (cosine of the
accounts' character n-gram profiles, reduced by SVD) and the place they ship from. The prior, one true
match per `PRIOR_ACCOUNTS` pairs, keeps a similar handle alone below the threshold: many vendors are
called "Nevado" something. Splink's match probability then joins the identifier evidence as independent
evidence: P = 1 - (1 - P_identifiers)(1 - P_splink).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from threadpoolctl import threadpool_limits

from baliza.markets.vendors import VendorLink, shared_identifier_links, vendor_accounts

LINK_THRESHOLD = 0.9
PRIOR_ACCOUNTS = 2000  # prior probability that two accounts are one vendor: 1 / PRIOR_ACCOUNTS
STYLE_DIMENSIONS = 24


def account_features(accounts: pd.DataFrame) -> pd.DataFrame:
    """What Splink compares: handle letters, handle digits, style vector, ships_from."""
    handle = accounts.handle.astype(str).str.lower()
    features = pd.DataFrame({
        "unique_id": accounts.vendor_id.astype(str),
        "handle_core": handle.str.replace(r"[^a-z]", "", regex=True).replace("", None),
        "handle_digits": handle.str.replace(r"\D", "", regex=True).replace("", None),
        "ships_from": accounts.ships_from.astype("string").str.lower().str.strip(),
    })
    features["handle_prefix"] = features.handle_core.str[:3]
    features["style"] = list(_style_vectors(accounts.texts.fillna("").tolist()))
    return features


def _style_vectors(texts: list[str]) -> np.ndarray:
    """Each account's writing as a unit vector: character 2-4-grams, TF-IDF, reduced by truncated SVD."""
    if len(texts) < 3:
        return np.ones((len(texts), 1))
    grams = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, max_features=50000,
                            dtype=np.float32).fit_transform(texts)
    k = max(1, min(STYLE_DIMENSIONS, grams.shape[1] - 1, len(texts) - 1))
    with threadpool_limits(1):  # small matrices: BLAS threads only fight each other
        reduced = TruncatedSVD(n_components=k, random_state=0).fit_transform(grams)
    norms = np.linalg.norm(reduced, axis=1, keepdims=True)
    return np.where(norms > 0, reduced / np.where(norms > 0, norms, 1), 0.0)


def _random_pair_shares(features: pd.DataFrame, max_pairs: int = 200_000) -> tuple[list[float], list[float]]:
    """u of the style levels (cosine >= 0.95, >= 0.8, less) and of ships_from (same, different), over
    random pairs of accounts."""
    n = len(features)
    rng = np.random.default_rng(0)
    if n * (n - 1) // 2 <= max_pairs:
        left, right = np.triu_indices(n, k=1)
    else:
        left, right = rng.integers(0, n, max_pairs), rng.integers(0, n, max_pairs)
        keep = left != right
        left, right = left[keep], right[keep]
    style = np.stack(features["style"].to_numpy())
    cosine = np.einsum("ij,ij->i", style[left], style[right])
    floor = 1e-3
    high = max(float(np.mean(cosine >= 0.95)), floor)
    mid = max(float(np.mean((cosine >= 0.8) & (cosine < 0.95))), floor)
    places = features["ships_from"].astype("string").to_numpy(na_value=None)
    both = np.array([places[a] is not None and places[b] is not None for a, b in zip(left, right, strict=True)])
    same = np.array([places[a] == places[b] for a, b in zip(left, right, strict=True)]) & both
    same_share = min(max(float(same.sum() / max(both.sum(), 1)), floor), 1 - floor)
    return [high, mid, max(1 - high - mid, floor)], [same_share, 1 - same_share]


def _settings(style_u: list[float], place_u: list[float]) -> Any:
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type="dedupe_only",
        probability_two_random_records_match=1 / PRIOR_ACCOUNTS,
        blocking_rules_to_generate_predictions=[block_on("handle_prefix"), block_on("ships_from")],
        comparisons=[
            cl.JaroWinklerAtThresholds("handle_core", [0.92, 0.8]).configure(
                m_probabilities=[0.55, 0.2, 0.15, 0.1], u_probabilities=[0.0005, 0.002, 0.02, 0.9775]),
            cl.ExactMatch("handle_digits").configure(m_probabilities=[0.7, 0.3], u_probabilities=[0.01, 0.99]),
            cl.CosineSimilarityAtThresholds("style", [0.95, 0.8]).configure(
                m_probabilities=[0.6, 0.3, 0.1], u_probabilities=style_u),
            cl.ExactMatch("ships_from").configure(m_probabilities=[0.8, 0.2], u_probabilities=place_u),
        ],
        retain_intermediate_calculation_columns=True,
    )


def splink_links(features: pd.DataFrame) -> pd.DataFrame:
    """Splink's scored pairs: unique_id_l, unique_id_r, match_probability and the comparison levels."""
    if len(features) < 2:
        return pd.DataFrame(columns=["unique_id_l", "unique_id_r", "match_probability"])
    import duckdb
    from splink import Linker
    from splink.internals.duckdb.database_api import DuckDBAPI

    logging.getLogger("splink").setLevel(logging.WARNING)
    con = duckdb.connect()
    try:
        api = DuckDBAPI(con)
        frame = features.assign(style=[list(map(float, v)) for v in features["style"]])
        width = len(frame["style"].iloc[0])
        con.register("_accounts", frame)
        con.execute(f"CREATE TABLE accounts AS SELECT * REPLACE (style::DOUBLE[{width}] AS style) FROM _accounts")
        linker = Linker(api.register("accounts"), _settings(*_random_pair_shares(features)),
                        log_level=logging.ERROR)
        scored = linker.inference.predict(threshold_match_probability=0.01).as_pandas_dataframe()
    finally:
        con.close()
    return scored


def link_vendors(priced: pd.DataFrame, threshold: float = LINK_THRESHOLD) -> list[VendorLink]:
    """Links between vendor accounts at or above `threshold`, each with its evidence and probability."""
    accounts = vendor_accounts(priced)
    by_pair: dict[tuple[str, str], VendorLink] = {(k.vendor_a, k.vendor_b): k for k in
                                                   shared_identifier_links(priced)}
    scored = splink_links(account_features(accounts))
    style = {r.unique_id: r for r in account_features(accounts).itertuples()} if len(scored) else {}
    for row in scored.itertuples():
        a, b = sorted((str(row.unique_id_l), str(row.unique_id_r)))
        p = float(row.match_probability)
        evidence = ({"kind": "splink", "match_probability": round(p, 4),
                     "handles": [style[a].handle_core, style[b].handle_core],
                     "handle_level": int(getattr(row, "gamma_handle_core", -1)),
                     "style_level": int(getattr(row, "gamma_style", -1))},)
        known = by_pair.get((a, b))
        if known is None:
            by_pair[(a, b)] = VendorLink(a, b, p, evidence)
        else:
            by_pair[(a, b)] = VendorLink(a, b, 1 - (1 - known.probability) * (1 - p), known.evidence + evidence)
    return sorted((k for k in by_pair.values() if k.probability >= threshold),
                  key=lambda k: (-k.probability, k.vendor_a, k.vendor_b))


def vendor_clusters(links: list[VendorLink], accounts: list[str]) -> dict[str, str]:
    """Each account's vendor: the smallest account id of its connected component of links."""
    parent = {a: a for a in accounts}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for link in links:
        ra, rb = root(link.vendor_a), root(link.vendor_b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {a: root(a) for a in parent}
