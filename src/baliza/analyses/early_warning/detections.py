"""First detections: a substance seized for the first time in the country (or at an entry point).

Everything is "first" at the start of the data, so only first seizures after a burn-in count (by default the
first 12 months: what was seized then was already there). Each detection carries the seizures it rests on.
"""

from __future__ import annotations

from datetime import date

import ibis
import pandas as pd

from baliza.analyses.early_warning.series import Tables, seizure_months
from baliza.analyses.portable import most_frequent

BURN_IN_MONTHS = 12
EVIDENCE_SEIZURES = 5


def first_detections(tables: Tables, place: str = "country", burn_in_months: int = BURN_IN_MONTHS) -> pd.DataFrame:
    """Per substance (and entry point): the first seizure's day, the seizures since, the first few ids."""
    t = seizure_months(tables)
    keys = ["substance"] + (["entry_point_id"] if place == "entry_point" else [])
    if place == "entry_point":
        t = t.filter(t.entry_point_id.notnull())
    start = t.seized_at.min().to_pyarrow().as_py()
    if start is None:
        return pd.DataFrame(columns=[*keys, "first_seized_at", "seizures", "evidence"])
    counts = t.group_by(keys).aggregate(first_seized_at=t.seized_at.min(), seizures=t.count())
    group = most_frequent(t, keys, "substance_group")
    first = counts.left_join(group, keys).select(*(counts[k] for k in keys), counts.first_seized_at,
                                                 counts.seizures, group.substance_group)
    cutoff = pd.Timestamp(start).to_period("M").to_timestamp() + pd.DateOffset(months=burn_in_months)
    first = first.filter(first.first_seized_at >= ibis.literal(cutoff.to_pydatetime()))
    frame = first.order_by("first_seized_at").to_pandas()
    if frame.empty:
        frame["evidence"] = []
        return frame
    ranked = t.mutate(rank=ibis.row_number().over(group_by=[t[k] for k in keys], order_by=[t.seized_at, t.seizure_id]))
    early = ranked.filter(ranked["rank"] < EVIDENCE_SEIZURES).select(*keys, "seizure_id", "rank").to_pandas()
    early = early.sort_values([*keys, "rank"]).groupby(keys)["seizure_id"].apply(list).reset_index(name="evidence")
    frame = frame.merge(early, on=keys, how="left")
    frame["first_seized_at"] = pd.to_datetime(frame["first_seized_at"]).dt.date
    return frame


def burn_in_end(start: date, months: int = BURN_IN_MONTHS) -> date:
    end: date = (pd.Timestamp(start) + pd.DateOffset(months=months)).date()
    return end
