"""Online prices per gram by substance group and quarter, against UNODC's retail prices, and the quarters
where a substance's online price dropped sharply (a supply surge, or a new source).

The series is an Ibis expression over the priced listings (plausible prices only), so it runs wherever the
listings live. A drop is a quarter whose median price per gram is at most `DROP_RATIO` times the median of
the four quarters before, with at least `MIN_LISTINGS` plausible prices on each side, and a one-sided
Mann-Whitney test on the prices themselves; the p-values of every group and quarter tested go through
Benjamini-Hochberg together and a drop is reported when q < `FDR_LEVEL`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis
import numpy as np
import pandas as pd
from scipy.stats import mannwhitneyu
from statsmodels.stats.multitest import multipletests

from baliza.markets.unodc import reference

DROP_RATIO = 0.7
MIN_LISTINGS = 20
FDR_LEVEL = 0.05
BASELINE_QUARTERS = 4


def _plausible_prices(priced: pd.DataFrame) -> ibis.Table:
    frame = priced.loc[:, ["listing_id", "substance_group", "observed_at", "price_per_gram_usd", "price_status",
                           "platform"]]
    return ibis.memtable(frame.astype({"observed_at": "datetime64[us]"}))


def quarterly_prices_expression(listings: ibis.Table) -> ibis.Table:
    """Median, quartiles and count of plausible prices per gram by substance group and quarter."""
    kept = listings.filter(listings.price_status == "plausible", listings.price_per_gram_usd.notnull(),
                           listings.substance_group.notnull())
    kept = kept.mutate(year=kept.observed_at.year(), quarter=kept.observed_at.quarter())
    return kept.group_by(["substance_group", "year", "quarter"]).aggregate(
        listings=kept.count(), median_usd=kept.price_per_gram_usd.median(),
        q1_usd=kept.price_per_gram_usd.quantile(0.25), q3_usd=kept.price_per_gram_usd.quantile(0.75),
    ).order_by(["substance_group", "year", "quarter"])


def price_series(priced: pd.DataFrame, country: str | None) -> list[dict[str, Any]]:
    """Per substance group and quarter: the online median price per gram and UNODC's reference."""
    rows = quarterly_prices_expression(_plausible_prices(priced)).to_pandas()
    out = []
    for row in rows.itertuples():
        ref = reference(country, row.substance_group, int(row.year)) if country else None
        out.append({"substance_group": row.substance_group, "period": f"{row.year}-Q{row.quarter}",
                    "listings": int(row.listings), "median_usd": round(float(row.median_usd), 4),
                    "q1_usd": round(float(row.q1_usd), 4), "q3_usd": round(float(row.q3_usd), 4),
                    "unodc": ref.to_dict() if ref else None,
                    "ratio_to_unodc": round(float(row.median_usd) / ref.usd, 3) if ref else None})
    return out


@dataclass(frozen=True)
class PriceDrop:
    substance_group: str
    period: str
    median_usd: float
    baseline_median_usd: float
    listings: int
    baseline_listings: int
    p_value: float
    q_value: float
    listing_ids: tuple[str, ...]

    @property
    def ratio(self) -> float:
        return self.median_usd / self.baseline_median_usd


def price_drops(priced: pd.DataFrame) -> list[PriceDrop]:
    """Quarters whose online price per gram fell sharply against the four before (see the module)."""
    kept = priced[(priced.price_status == "plausible") & priced.price_per_gram_usd.notna()
                  & priced.substance_group.notna()]
    period = pd.PeriodIndex(pd.to_datetime(kept.observed_at), freq="Q")
    kept = kept.assign(period=period.astype(str), ordinal=period.asi8 if hasattr(period, "asi8") else
                       np.asarray([p.ordinal for p in period]))
    candidates = []
    for group, rows in kept.groupby("substance_group"):
        for ordinal in sorted(rows.ordinal.unique()):
            now = rows[rows.ordinal == ordinal]
            before = rows[(rows.ordinal < ordinal) & (rows.ordinal >= ordinal - BASELINE_QUARTERS)]
            if len(now) < MIN_LISTINGS or len(before) < MIN_LISTINGS:
                continue
            ratio = now.price_per_gram_usd.median() / before.price_per_gram_usd.median()
            p = float(mannwhitneyu(now.price_per_gram_usd, before.price_per_gram_usd, alternative="less").pvalue)
            candidates.append((str(group), now, before, ratio, p))
    if not candidates:
        return []
    q = multipletests([c[4] for c in candidates], method="fdr_bh")[1]
    return [PriceDrop(g, str(now.period.iloc[0]), float(now.price_per_gram_usd.median()),
                      float(before.price_per_gram_usd.median()), len(now), len(before), p, float(qv),
                      tuple(now.sort_values("price_per_gram_usd").listing_id.head(20)))
            for (g, now, before, ratio, p), qv in zip(candidates, q, strict=True)
            if ratio <= DROP_RATIO and qv < FDR_LEVEL]
