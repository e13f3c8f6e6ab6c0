"""UNODC retail drug prices (World Drug Report, data: UNODC), per gram or per dose, as the yardstick for the
prices vendors ask online.

The price table is read at run time from `$BALIZA_UNODC_PRICES` or `../shared/data/unodc-world-drug-report/
prices.json` beside the project, never copied; without it the comparison is simply absent. UNODC units are
turned into grams ("10 g", "kg", "pound", "Ounce") or doses ("tablet", "1000 tablet", "Blotting paper",
"Dose"); each drug is mapped to a contract substance group. A country's reference is its own latest retail
price at or before the year; where the country publishes none (Peru publishes wholesale only), the median of
its sub-region's retail prices that year, and the answer says which.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

ATTRIBUTION = "data: UNODC"
GROUP_OF_DRUG_GROUP: dict[str, str] = {
    "Cocaine and Derivatives": "cocaine_type", "Cannabis and Synthetic Cannabinoids": "cannabis_type",
    "Opioids and Opiates": "opiates", "Amphetamines and Stimulants": "ats", "MDMA and Ecstasy-like Drugs": "ats",
    "Classic Hallucinogens": "hallucinogens", "NPS": "nps", "Tranquillizers and Sedatives": "sedatives",
}
SYNTHETIC_OPIOIDS = ("Fentanyl", "Tramadol", "Methadone", "Buprenorphine")
GRAMS_PER_UNIT: dict[str, float] = {"g": 1, "kg": 1000, "5 g": 5, "10 g": 10, "100 g": 100, "250 g": 250,
                                    "350 g": 350, "700 g": 700, "pound": 453.59237, "Ounce": 28.349523125,
                                    "100 mg": 0.1, "250 mg": 0.25, "200 mg": 0.2}
DOSES_PER_UNIT: dict[str, float] = {"tablet": 1, "unit": 1, "1000 tablet": 1000, "1000 unit": 1000, "Dose": 1,
                                    "Pill": 1, "Trip": 1, "Blotting paper": 1, "Capsule": 1, "Stamp": 1,
                                    "100 unit": 100, "10000 tablet": 10000, "10 unit": 10, "10 tablet": 10,
                                    "200 tablet": 200, "2000 tablet": 2000}


_SUBREGIONS: dict[str, str] = {}  # every country UNODC lists (retail or not) and its sub-region


def prices_path(explicit: Path | None = None) -> Path | None:
    """Where UNODC's prices.json is, or None."""
    candidates = [explicit] if explicit is not None else [
        Path(p) for p in (os.environ.get("BALIZA_UNODC_PRICES"),) if p] + [
        Path.cwd().parent / "shared" / "data" / "unodc-world-drug-report" / "prices.json",
        Path(__file__).resolve().parents[4] / "shared" / "data" / "unodc-world-drug-report" / "prices.json"]
    return next((c for c in candidates if c.is_file()), None)


@cache
def retail_prices(path: Path | None = None) -> pd.DataFrame:
    """UNODC retail prices: country, subregion, substance_group, drug, year, measure ("gram" or "dose"),
    usd (typical price per gram or per dose). Empty when the file is not there."""
    found = prices_path(path)
    if found is None:
        return pd.DataFrame(columns=["country", "subregion", "substance_group", "drug", "year", "measure", "usd"])
    every = pd.DataFrame(json.loads(found.read_text(encoding="utf-8")))
    _SUBREGIONS.update(dict(zip(every["Country/Territory"], every.SubRegion, strict=True)))
    rows = every[every.LevelOfSale == "Retail"].copy()
    rows["usd"] = pd.to_numeric(rows.Typical_USD, errors="coerce")
    group = rows["Drug group"].map(GROUP_OF_DRUG_GROUP)
    group = group.where(~rows.Drug.isin(SYNTHETIC_OPIOIDS), "synthetic_opioids")
    grams = rows.Unit.map(GRAMS_PER_UNIT)
    doses = rows.Unit.map(DOSES_PER_UNIT)
    measure = np.full(len(rows), None, dtype=object)
    measure[doses.notna().to_numpy()] = "dose"
    measure[grams.notna().to_numpy()] = "gram"
    frame = pd.DataFrame({
        "country": rows["Country/Territory"], "subregion": rows.SubRegion, "substance_group": group,
        "drug": rows.Drug, "year": rows.Year.astype(int), "measure": measure,
        "usd": rows.usd / grams.fillna(doses)})
    return frame.dropna(subset=["substance_group", "measure", "usd"]).reset_index(drop=True)


@dataclass(frozen=True)
class Reference:
    """UNODC's price for a substance group in a country and year, and where it comes from."""

    substance_group: str
    measure: str
    usd: float
    basis: str  # "country" or "subregion"
    place: str
    year: int

    def to_dict(self) -> dict[str, object]:
        return {"substance_group": self.substance_group, "measure": self.measure, "usd": round(self.usd, 4),
                "basis": self.basis, "place": self.place, "year": self.year, "attribution": ATTRIBUTION}


def reference(country: str, group: str, year: int, measure: str = "gram") -> Reference | None:
    """The country's latest retail price at or before `year` (median over its drugs of the group), else the
    median of its sub-region's retail prices in the nearest year with any."""
    prices = retail_prices()
    if prices.empty:
        return None
    same = prices[(prices.substance_group == group) & (prices.measure == measure)]
    own = same[(same.country == country) & (same.year <= year)]
    if len(own):
        latest = int(own.year.max())
        return Reference(group, measure, float(own[own.year == latest].usd.median()), "country", country, latest)
    subregion = _SUBREGIONS.get(country)
    if subregion is None:
        return None
    region = same[same.subregion == subregion]
    if region.empty:
        return None
    nearest = int(region.year.iloc[(region.year - year).abs().argmin()])
    return Reference(group, measure, float(region[region.year == nearest].usd.median()), "subregion", subregion,
                     nearest)
