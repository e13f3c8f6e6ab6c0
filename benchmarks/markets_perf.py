"""Online markets: a million listings classified, measured and priced, and the figures the issue asks for.

    python benchmarks/markets_perf.py                  # 1,000,000 listings (target: under 60 s on 2 cores)
    python benchmarks/markets_perf.py --listings 100000

Listings are built from the shipped labelled titles (en, es, pt) with what vendors add: other quantities,
emoji, "stealth", a description, prices in USD, PEN, BRL, BTC and XMR over five years, a few corrupt prices.
Timed: `baliza.markets.listings.price_frame` (classification, quantity extraction, currency conversion,
price per gram and plausibility), after the classifier is trained (timed apart). Also printed: macro-F1 on
the held-out labelled listings, and the quantity accuracy on the hand-checked sample.
"""

from __future__ import annotations

import argparse
import os
import re
import time

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score

from baliza.markets.classifier import labelled_listings, trained_classifier
from baliza.markets.lexicon import DATA
from baliza.markets.listings import LISTING_COLUMNS, price_frame
from baliza.markets.quantities import extract_quantities

EXTRAS = ("", " 🔥", " stealth", " TOP", " envío gratis", " FE ok", " ✅", " 💎 premium", " escrow", " entrega já")
DESCRIPTIONS = (None, "Envio discreto, stealth garantizado.", "Escrow only. Reship policy in profile.",
                "Entrega em mãos ou correio.", "DM for bulk prices")
CURRENCIES = {"USD": 1.0, "PEN": 3.7, "BRL": 5.2, "BTC": 1 / 40_000, "XMR": 1 / 160}


def synthetic_listings(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    titles = labelled_listings().text.to_numpy()
    base = titles[rng.integers(0, len(titles), n)]
    amount = rng.choice(["1", "2", "3.5", "5", "7", "10", "14", "28", "50", "100"], n)
    varied = np.array([re.sub(r"\d+(?:[.,]\d+)?", a, t, count=1) for t, a in zip(base, amount, strict=True)],
                      dtype=object)
    titles = varied + np.array(EXTRAS, dtype=object)[rng.integers(0, len(EXTRAS), n)]
    currency = np.array(list(CURRENCIES), dtype=object)[rng.integers(0, len(CURRENCIES), n)]
    price = np.round(rng.lognormal(np.log(60), 0.8, n) * np.vectorize(CURRENCIES.get)(currency), 6)
    price[rng.random(n) < 0.01] *= 1000  # corrupt: the wrong currency, a lost decimal point
    frame = pd.DataFrame({
        "listing_id": [f"LS-{i:07d}" for i in range(n)],
        "platform": np.array(["Nexo Market", "Telegram", "Instagram", "Condor Bazaar"], dtype=object)[
            rng.integers(0, 4, n)],
        "platform_kind": "darknet_market",
        "observed_at": pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 5 * 365 * 24, n), unit="h"),
        "vendor_handle": np.char.add("vendor_", rng.integers(0, 20_000, n).astype(str)).astype(object),
        "title": titles, "description": np.array(DESCRIPTIONS, dtype=object)[rng.integers(0, len(DESCRIPTIONS), n)],
        "price": price, "currency": currency,
    })
    for column in LISTING_COLUMNS:
        if column not in frame:
            frame[column] = None
    return frame[list(LISTING_COLUMNS)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listings", type=int, default=1_000_000)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores")
    started = time.perf_counter()
    model = trained_classifier()
    print(f"classifier trained in {time.perf_counter() - started:.1f} s")
    labelled = labelled_listings()
    held = labelled[labelled.split == "held_out"]
    f1 = f1_score(held.substance_group, model.classify(held.text.tolist()).substance_group, average="macro")
    print(f"held-out macro-F1: {f1:.3f} on {len(held)} listings ({', '.join(sorted(set(held.language)))})")
    sample = pd.read_csv(DATA / "quantity_sample.csv")
    read = extract_quantities(sample.title.tolist())
    right = [(read.unit[i] == r.unit) and np.isclose(read.quantity[i], r.quantity, rtol=0.01)
             for i, r in sample.iterrows()]
    print(f"quantity and unit right on {sum(right)} of {len(sample)} hand-checked titles ({np.mean(right):.1%})")
    listings = synthetic_listings(args.listings)
    distinct = (listings.title + " " + listings.description.fillna("")).nunique()
    print(f"{len(listings):,} listings, {distinct:,} distinct texts (title and description)")
    started = time.perf_counter()
    priced = price_frame(listings, model)
    seconds = time.perf_counter() - started
    print(f"{len(priced):,} listings classified and priced in {seconds:.1f} s "
          f"({len(priced) / seconds:,.0f} a second; target 1,000,000 in under 60 s)")
    print(priced.price_status.value_counts().to_string())


if __name__ == "__main__":
    main()
