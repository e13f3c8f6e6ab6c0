"""Every online listing read and priced: what `baliza listings`, the API and the markets page show.

The listings are read from the warehouse with an Ibis expression (so the read runs on any backend), then
labelled (`classifier`), measured (`quantities`) and priced (`currency`, `pricing`), column by column over
the whole set. A listing's vendor is its account: the platform and the handle (`vendor_id`,
"nexo-market:ElPatron_123"); the same person behind accounts on several platforms is `vendors`' business.
"""

from __future__ import annotations

import math
import re
from typing import Any

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa

from baliza.markets.classifier import SubstanceClassifier, trained_classifier
from baliza.markets.currency import to_usd
from baliza.markets.pricing import price_listings
from baliza.markets.quantities import extract_quantities

LISTING_COLUMNS: tuple[str, ...] = (
    "listing_id", "platform", "platform_kind", "observed_at", "vendor_handle", "title", "description", "price",
    "currency", "ships_from", "ships_to", "url", "vendor_pgp_fingerprint", "vendor_contact", "crypto_address")
REPORTED: tuple[str, ...] = (
    "listing_id", "substance_group", "quantity", "unit", "price_per_gram_usd", "vendor_id", "platform",
    "platform_kind", "observed_at", "vendor_handle", "title", "classification_confidence", "matched_terms",
    "top_features", "grams", "doses", "dose_mg", "price", "currency", "price_usd", "price_per_dose_usd",
    "price_status", "price_note", "ships_from", "ships_to")


def listings_expression(table: ibis.Table) -> ibis.Table:
    """The listings in the order they were observed, with the columns the analysis reads."""
    return table.select(*LISTING_COLUMNS).order_by([table.observed_at, table.listing_id])


def read_listings(warehouse: Any) -> pd.DataFrame:
    """The warehouse's online listings as a frame (Arrow-backed strings, timestamps in UTC)."""
    return listings_expression(warehouse.table("online_listings")).to_pandas()


def vendor_ids(platforms: pd.Series, handles: pd.Series) -> pd.Series:
    """A vendor account's id: the platform as a slug, a colon, the handle as written."""
    slugs = {p: re.sub(r"[^a-z0-9]+", "-", str(p).lower()).strip("-") for p in pd.unique(platforms)}
    return platforms.map(slugs).astype(str) + ":" + handles.astype(str)


def price_frame(listings: pd.DataFrame, classifier: SubstanceClassifier | None = None) -> pd.DataFrame:
    """`listings` (the columns of `LISTING_COLUMNS`) labelled, measured and priced, one row per listing."""
    model = classifier or trained_classifier()
    titles = pa.array(listings["title"].astype("string").to_numpy(na_value=None), pa.string())
    descriptions = pa.array(listings["description"].astype("string").to_numpy(na_value=None), pa.string())
    label = model.classify(titles, descriptions)
    amounts = extract_quantities(titles)
    price_usd, _ = to_usd(listings["price"], listings["currency"], listings["observed_at"])
    has_price = pd.to_numeric(listings["price"], errors="coerce").notna().to_numpy()
    group = label.substance_group.astype(object)
    group[pd.isna(listings["title"]).to_numpy()] = None  # no title, no label
    priced = price_listings(price_usd, amounts.grams, amounts.doses, group, has_price)
    frame = listings.reset_index(drop=True).assign(
        vendor_id=vendor_ids(listings["platform"], listings["vendor_handle"]).to_numpy(),
        substance_group=group, classification_confidence=np.round(label.confidence, 4),
        matched_terms=label.matched_terms, top_features=label.top_features,
        quantity=amounts.quantity, unit=amounts.unit, grams=amounts.grams, doses=amounts.doses,
        dose_mg=amounts.dose_mg, price_usd=price_usd)
    return pd.concat([frame, priced], axis=1)


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else round(float(value), 6)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def listing_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The priced listings as plain dicts (JSON-ready; null where unknown), in `REPORTED`'s order."""
    columns = [c for c in REPORTED if c in frame.columns]
    values = [frame[c].tolist() for c in columns]
    return [{c: _plain(v) for c, v in zip(columns, row, strict=True)} for row in zip(*values, strict=True)]
