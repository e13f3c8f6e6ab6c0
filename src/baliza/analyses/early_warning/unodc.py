"""The UNODC World Drug Report seizure table (data: UNODC) as a real dataset: trends and rises by region.

The table lists kilograms seized per country, drug and year, not unique per row (rows are summed). Its own
caveats apply to everything computed here: seizures reflect law-enforcement activity and reporting as much as
trafficking, the countries reporting change from year to year, and units other than kilograms are not in it.
So a rise is only called where the region's kilograms in a year exceed every earlier year by `min_rise` and the
number of reporting countries did not grow by more than a fifth (a rise made by new reporters is not a rise).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

CAVEATS = (
    "Seizures reflect enforcement and reporting as much as trafficking.",
    "The countries reporting differ between years; counts of reporting countries are shown beside the totals.",
    "Only quantities reported in kilograms are in the table.",
)


def read_seizures(path: Path) -> pd.DataFrame:
    """Region, subregion, country, ISO code, drug group, drug, year and kilograms, one row per record."""
    try:
        records = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: cannot read the UNODC seizure table ({error})") from error
    frame = pd.DataFrame(records)
    needed = {"Region", "Country/Territory", "Drug group", "Year", "Kilograms"}
    missing = needed - set(frame.columns)
    if missing:
        raise ValueError(f"{path}: not a UNODC seizure table (missing {', '.join(sorted(missing))})")
    frame = frame.rename(columns={"Region": "region", "SubRegion": "subregion", "Country/Territory": "country",
                                  "msCode": "iso3", "Drug group": "drug_group", "Drug": "drug", "Year": "year",
                                  "Kilograms": "kilograms"})
    frame["kilograms"] = pd.to_numeric(frame["kilograms"], errors="coerce").fillna(0.0)
    frame["year"] = pd.to_numeric(frame["year"], errors="coerce").astype("Int64")
    return frame


def regional_trends(frame: pd.DataFrame) -> pd.DataFrame:
    """Kilograms and reporting countries per region, drug group and year."""
    return (frame.groupby(["region", "drug_group", "year"], dropna=True)
            .agg(kilograms=("kilograms", "sum"), reporting_countries=("country", "nunique"))
            .reset_index().sort_values(["region", "drug_group", "year"]))


def rises(trends: pd.DataFrame, min_rise: float = 1.5, min_kilograms: float = 100.0) -> pd.DataFrame:
    """Region-drug-year cells that exceed every earlier year by `min_rise` times with stable reporting."""
    rows = []
    for (region, group), part in trends.groupby(["region", "drug_group"]):
        part = part.sort_values("year")
        for i in range(1, len(part)):
            now, before = part.iloc[i], part.iloc[:i]
            peak = float(before["kilograms"].max())
            reporters_before = float(before["reporting_countries"].median())
            if (now["kilograms"] >= min_kilograms and now["kilograms"] >= min_rise * max(peak, 1e-9)
                    and now["reporting_countries"] <= 1.2 * reporters_before):
                rows.append({"region": region, "drug_group": group, "year": int(now["year"]),
                             "kilograms": float(now["kilograms"]), "previous_peak_kilograms": peak,
                             "ratio": round(float(now["kilograms"]) / max(peak, 1e-9), 2),
                             "reporting_countries": int(now["reporting_countries"])})
    return pd.DataFrame(rows)
