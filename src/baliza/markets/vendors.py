"""Vendor accounts and the identifiers they share across platforms.

A vendor account is a handle on a platform (`listings.vendor_ids`). Two accounts that show the same PGP
fingerprint, the same crypto address or the same contact (phone, messaging handle, e-mail) are very likely
one vendor: that is how investigators tie a darknet shop to a Telegram channel. An identifier shown by many
accounts says nothing (a market's escrow address, a shared reseller number): beyond `MAX_SHARING` accounts
it is not taken as evidence. The probabilistic part (handle similarity and writing style) is `linking`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

MAX_SHARING = 4  # an identifier shown by more accounts than this is a shared service, not a vendor
IDENTIFIER_WEIGHT: dict[str, float] = {  # probability that two accounts sharing it are one vendor
    "pgp_fingerprint": 0.995, "crypto_address": 0.97, "contact": 0.95}


@dataclass(frozen=True)
class VendorLink:
    """Two vendor accounts judged to be one vendor, with the evidence and the match probability."""

    vendor_a: str
    vendor_b: str
    probability: float
    evidence: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {"vendor_a": self.vendor_a, "vendor_b": self.vendor_b, "probability": round(self.probability, 4),
                "evidence": list(self.evidence)}


def normalise_pgp(values: pd.Series) -> pd.Series:
    """Fingerprints as 40 upper-case hex digits (spaces and "0x" removed); anything else is dropped."""
    cleaned = values.astype("string").str.replace(r"(?i)^0x|\s", "", regex=True).str.upper()
    return cleaned.where(cleaned.str.fullmatch(r"[0-9A-F]{16,40}").fillna(False))


def normalise_contact(values: pd.Series) -> pd.Series:
    """Phones as their last 9 digits (country codes and spacing vary); handles and e-mails lower case,
    without a leading @."""
    text = values.astype("string").str.strip().str.lower()
    digits = text.str.replace(r"\D", "", regex=True)
    phone = text.str.fullmatch(r"[+\d\s().-]{7,}").fillna(False)
    handle = text.str.lstrip("@")
    return digits.str[-9:].where(phone, handle).replace("", pd.NA)


def normalise_address(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    lower = text.str.lower()
    bech32 = lower.str.match(r"^(bc1|tb1|ltc1)").fillna(False)  # case-insensitive encodings
    return lower.where(bech32, text).replace("", pd.NA)


def identifiers(listings: pd.DataFrame) -> pd.DataFrame:
    """Every (vendor_id, kind, value) the listings show, normalised, once."""
    parts = [
        pd.DataFrame({"vendor_id": listings.vendor_id, "kind": "pgp_fingerprint",
                      "value": normalise_pgp(listings.vendor_pgp_fingerprint)}),
        pd.DataFrame({"vendor_id": listings.vendor_id, "kind": "crypto_address",
                      "value": normalise_address(listings.crypto_address)}),
        pd.DataFrame({"vendor_id": listings.vendor_id, "kind": "contact",
                      "value": normalise_contact(listings.vendor_contact)}),
    ]
    return pd.concat(parts).dropna(subset=["value"]).drop_duplicates().reset_index(drop=True)


def shared_identifier_links(listings: pd.DataFrame) -> list[VendorLink]:
    """Pairs of accounts sharing a PGP fingerprint, crypto address or contact, one link per pair."""
    ids = identifiers(listings)
    accounts = ids.groupby(["kind", "value"]).vendor_id.nunique()
    usable = accounts[(accounts >= 2) & (accounts <= MAX_SHARING)].reset_index()[["kind", "value"]]
    shared = ids.merge(usable, on=["kind", "value"])
    pairs = shared.merge(shared, on=["kind", "value"], suffixes=("_a", "_b"))
    pairs = pairs[pairs.vendor_id_a < pairs.vendor_id_b]
    links = []
    for (a, b), group in pairs.groupby(["vendor_id_a", "vendor_id_b"]):
        evidence = tuple({"kind": k, "value": _shown(k, v)} for k, v in zip(group.kind, group.value, strict=True))
        miss = float(np.prod([1 - IDENTIFIER_WEIGHT[k] for k in group.kind]))
        links.append(VendorLink(str(a), str(b), 1 - miss, evidence))
    return links


def _shown(kind: str, value: str) -> str:
    """An identifier as evidence: fingerprints and addresses in full (they are public), contacts partly."""
    if kind != "contact":
        return value
    return re.sub(r"(?<=.{3}).(?=.{2})", "•", value)


def vendor_accounts(priced: pd.DataFrame) -> pd.DataFrame:
    """One row per vendor account: platform, handle, listings, first and last seen, what it offers, where it
    ships, its median plausible price per gram, and its texts (for the writing style)."""
    frame = priced.assign(plausible_ppg=priced.price_per_gram_usd.where(priced.price_status == "plausible"),
                          text=priced.title.fillna("") + " " + priced.description.fillna(""))
    grouped = frame.groupby("vendor_id", sort=True)
    return pd.DataFrame({
        "platform": grouped.platform.first(), "platform_kind": grouped.platform_kind.first(),
        "handle": grouped.vendor_handle.first(), "listings": grouped.size(),
        "first_seen": grouped.observed_at.min(), "last_seen": grouped.observed_at.max(),
        "substance_groups": grouped.substance_group.agg(lambda s: sorted({g for g in s if g})),
        "ships_from": grouped.ships_from.agg(_mode), "ships_to": grouped.ships_to.agg(
            lambda s: sorted({str(v) for v in s.dropna()})),
        "median_price_per_gram_usd": grouped.plausible_ppg.median(),
        "texts": grouped.text.agg(lambda s: " \n".join(pd.unique(s))[:20000]),
    }).reset_index()


def _mode(values: pd.Series) -> str | None:
    counts = values.dropna().astype(str).value_counts()
    return str(counts.index[0]) if len(counts) else None
