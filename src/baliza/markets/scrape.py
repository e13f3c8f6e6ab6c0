"""Scraped listings in a scraper's own format, read through a column mapping into `online_listings`.

A scraper writes CSV or JSON (a list of objects, or JSON lines) with its own column names; a mapping file
(YAML) names, for each contract column, the scraper's column, or a fixed value for the whole file:

    platform: {value: "Nexo Market"}
    platform_kind: {value: darknet_market}
    listing_id: item_id
    observed_at: scraped_at
    vendor_handle: seller
    title: name
    price: price_str
    currency: {value: USD}

Every required contract column must be mapped; a mapped column missing from the file is an error naming it.
The result is written as `online_listings.csv` in the interchange format and loaded with `baliza load`,
like any other dataset (validation, quarantine and ownership included).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from baliza.markets.listings import LISTING_COLUMNS

REQUIRED = ("listing_id", "platform", "platform_kind", "observed_at", "vendor_handle", "title")


class MappingError(ValueError):
    """The mapping or the scrape does not fit: the message names what is wrong."""


def read_mapping(path: Path) -> dict[str, Any]:
    mapping = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(mapping, dict):
        raise MappingError(f"{path}: expected a mapping of contract column to scraper column")
    unknown = sorted(set(mapping) - set(LISTING_COLUMNS))
    if unknown:
        raise MappingError(f"{path}: {', '.join(unknown)} is not a column of online_listings")
    missing = [c for c in REQUIRED if c not in mapping]
    if missing:
        raise MappingError(f"{path}: required column(s) not mapped: {', '.join(missing)}")
    return mapping


def read_scrape(path: Path) -> pd.DataFrame:
    """The scraper's rows, every value as text."""
    if path.suffix.lower() == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    text = path.read_text(encoding="utf-8").strip()
    if path.suffix.lower() in (".jsonl", ".ndjson") or (text and text[0] != "["):
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    else:
        rows = json.loads(text)
    if not isinstance(rows, list):
        raise MappingError(f"{path}: expected a JSON list of listings or JSON lines")
    return pd.DataFrame(rows).astype("string")


def map_scrape(scrape: pd.DataFrame, mapping: dict[str, Any], source: str = "scrape") -> pd.DataFrame:
    """The scrape as `online_listings` columns, in the contract's order."""
    out = pd.DataFrame(index=scrape.index)
    for column in LISTING_COLUMNS:
        rule = mapping.get(column)
        if rule is None:
            out[column] = None
        elif isinstance(rule, dict) and "value" in rule:
            out[column] = rule["value"]
        elif isinstance(rule, str):
            if rule not in scrape.columns:
                raise MappingError(f"{source}: column {rule!r} (mapped to {column}) is not in the file; it has "
                                   f"{', '.join(map(str, scrape.columns))}")
            out[column] = scrape[rule]
        else:
            raise MappingError(f"mapping of {column}: expected a column name or {{value: ...}}")
    return out


def import_scrape(scrape_path: Path, mapping_path: Path, out_dir: Path) -> Path:
    """Write the scrape as `out_dir/online_listings.csv`; returns its path."""
    frame = map_scrape(read_scrape(scrape_path), read_mapping(mapping_path), str(scrape_path))
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "online_listings.csv"
    frame.to_csv(target, index=False)
    return target
