"""The whole online-market picture of a warehouse, computed once: priced listings, vendor accounts and the
links between them, the price series against UNODC's, and the findings. What the CLI and the web present.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ibis
import pandas as pd
import pycountry

from baliza.analyses.model import Finding
from baliza.markets import findings
from baliza.markets.linking import VendorLink, link_vendors, vendor_clusters
from baliza.markets.listings import price_frame, read_listings
from baliza.markets.prices import price_series
from baliza.markets.vendors import vendor_accounts


@dataclass
class MarketPicture:
    country: str | None
    listings: pd.DataFrame
    accounts: pd.DataFrame
    links: list[VendorLink]
    series: list[dict[str, Any]]
    findings: list[Finding] = field(default_factory=list)


def warehouse_country(warehouse: Any) -> str | None:
    """The country the warehouse is about: the one most of its agencies are in, by its English name."""
    agencies = warehouse.table("agencies")
    counts = agencies.group_by("country").aggregate(n=agencies.count()).order_by(ibis.desc("n")).to_pandas()
    for code in counts.country.dropna():
        try:
            return str(pycountry.countries.lookup(str(code)).name)
        except LookupError:
            continue
    return None


def market_picture(warehouse: Any, country: str | None = None, *, link: bool = True) -> MarketPicture:
    """Everything the online-markets surfaces show, for `country` (default: the warehouse's)."""
    place = country or warehouse_country(warehouse)
    priced = price_frame(read_listings(warehouse))
    accounts = vendor_accounts(priced) if len(priced) else pd.DataFrame(columns=["vendor_id"])
    links = link_vendors(priced) if link and len(priced) else []
    found: list[Finding] = findings.new_substances(priced) + findings.price_drop_findings(priced)
    if place:
        found += findings.ships_to_country(priced, place)
    found += findings.identity_findings(findings.seized_wallet_links(warehouse, priced),
                                        findings.arrested_person_links(warehouse, priced))
    return MarketPicture(place, priced, accounts, links, price_series(priced, place), found)


def vendor_records(picture: MarketPicture) -> list[dict[str, Any]]:
    """One dict per vendor account: who, where, what, its vendor (cluster) and its links."""
    clusters = vendor_clusters(picture.links, picture.accounts.vendor_id.astype(str).tolist())
    linked: dict[str, list[dict[str, Any]]] = {}
    for k in picture.links:
        linked.setdefault(k.vendor_a, []).append({"vendor_id": k.vendor_b, "probability": round(k.probability, 4),
                                                  "evidence": list(k.evidence)})
        linked.setdefault(k.vendor_b, []).append({"vendor_id": k.vendor_a, "probability": round(k.probability, 4),
                                                  "evidence": list(k.evidence)})
    out = []
    for row in picture.accounts.itertuples():
        median = row.median_price_per_gram_usd
        out.append({
            "vendor_id": row.vendor_id, "platform": row.platform, "platform_kind": row.platform_kind,
            "handle": row.handle, "listings": int(row.listings), "first_seen": pd.Timestamp(row.first_seen).isoformat(),
            "last_seen": pd.Timestamp(row.last_seen).isoformat(), "substance_groups": list(row.substance_groups),
            "ships_from": row.ships_from, "ships_to": list(row.ships_to),
            "median_price_per_gram_usd": None if pd.isna(median) else round(float(median), 4),
            "vendor_cluster": clusters.get(row.vendor_id, row.vendor_id), "links": linked.get(row.vendor_id, []),
        })
    return out
