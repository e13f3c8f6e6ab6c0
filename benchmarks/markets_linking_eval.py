"""Vendor linking measured on generated countries: precision and recall of the links found.

    python benchmarks/markets_linking_eval.py [--seeds 5] [--renamed 10]

Each seed generates a small synthetic country (its generator plants one vendor trading under two darknet
handles with one PGP key and wallet) and loads it. Then, to exercise the handle and style comparisons,
`--renamed` other vendors each open a second account on another platform under a respelt handle
("PericoKings_862" -> "perico.kings862"), re-posting their own listings there, with no identifier in common.
The truth is both sets of pairs; a link found is right when it joins two accounts of one vendor.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from baliza.demo import generate_country
from baliza.markets.linking import link_vendors
from baliza.markets.listings import price_frame, read_listings
from baliza.warehouse import open_warehouse

RESPELLINGS = (lambda h: h.lower().replace("_", "."), lambda h: h.replace("_", ""),
               lambda h: re.sub(r"([a-z])([A-Z])", r"\1_\2", h), lambda h: h.upper())


def renamed_accounts(listings: pd.DataFrame, n: int, rng: np.random.Generator) -> tuple[pd.DataFrame, set]:
    """`n` vendors' listings re-posted under a respelt handle on Telegram, identifiers stripped."""
    handles = sorted(set(listings.vendor_handle))
    chosen = rng.choice(handles, size=min(n, len(handles)), replace=False)
    copies, pairs = [], set()
    for i, handle in enumerate(chosen):
        rows = listings[listings.vendor_handle == handle].copy()
        alias = RESPELLINGS[i % len(RESPELLINGS)](str(handle))
        platform = "Telegram" if rows.platform.iloc[0] != "Telegram" else "Foro Andino"
        rows = rows.assign(vendor_handle=alias, platform=platform, platform_kind="messaging",
                           listing_id=rows.listing_id + "-R", vendor_pgp_fingerprint=None, crypto_address=None,
                           vendor_contact=None)
        copies.append(rows)
        pairs.add(frozenset((str(handle), alias)))
    return pd.concat(copies), pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--renamed", type=int, default=10)
    args = parser.parse_args()
    totals = {"planted": [0, 0, 0], "with renamed": [0, 0, 0]}  # true positives, false positives, missed
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(args.seeds):
            folder = Path(tmp) / f"s{seed}"
            generate_country(folder / "country", seed=seed, scale="small", truth_path=folder / "truth.json")
            subprocess.run([sys.executable, "-m", "baliza", "load", str(folder / "country"), "--db",
                            str(folder / "c.duckdb"), "--json"], check=True, stdout=subprocess.DEVNULL)
            truth = {frozenset(p) for p in json.loads((folder / "truth.json").read_text())["vendor_aliases"]}
            with open_warehouse(folder / "c.duckdb", read_only=True) as warehouse:
                listings = read_listings(warehouse)
            extra, renamed = renamed_accounts(listings, args.renamed, np.random.default_rng(seed))
            for name, frame, expected in (("planted", listings, truth),
                                          ("with renamed", pd.concat([listings, extra]), truth | renamed)):
                found = {frozenset(v.split(":", 1)[1] for v in (k.vendor_a, k.vendor_b))
                         for k in link_vendors(price_frame(frame))}
                counts = totals[name]
                counts[0] += len(found & expected)
                counts[1] += len(found - expected)
                counts[2] += len(expected - found)
            print(f"seed {seed}: {len(listings)} listings, {listings.vendor_handle.nunique()} vendors", flush=True)
    for name, (tp, fp, fn) in totals.items():
        precision = tp / (tp + fp) if tp + fp else float("nan")
        recall = tp / (tp + fn) if tp + fn else float("nan")
        print(f"{name}: precision {precision:.2f}, recall {recall:.2f} ({tp} right, {fp} wrong, {fn} missed)")


if __name__ == "__main__":
    main()
