"""Where every asset stands on the recovery pipeline, and how much reaches each stage, as Ibis expressions.

Stages, in order: identified → frozen → confiscated → recovered → returned (returned only applies to assets
recovered abroad and sent back). An asset "reached" a stage when its date is filled; an asset may skip a
recorded stage (confiscated without a recorded freeze), so counts are per stage reached, not a strict funnel.
`released` is the freeze lifted without confiscation: the asset left the pipeline.
Each asset is joined to its case: the prosecution office that runs it and the first conviction in it.
"""

from __future__ import annotations

import itertools
from typing import Protocol

import ibis
import ibis.expr.types as ir
import pandas as pd

from baliza.analyses.definitions import CONVICTIONS

STAGES: tuple[str, ...] = ("identified", "frozen", "confiscated", "recovered", "returned")
GROUPINGS: tuple[str, ...] = ("office_id", "jurisdiction", "kind", "case_id")


class Tables(Protocol):
    def table(self, name: str) -> ir.Table: ...


def first_conviction(dispositions: ir.Table) -> ir.Table:
    """One row per case with at least one conviction: the day of the first (`convicted_at`)."""
    convicted = dispositions.filter(dispositions.outcome.isin(CONVICTIONS))
    return convicted.group_by("case_id").aggregate(convicted_at=convicted.disposed_at.min().cast("date"))


def first_verdict(dispositions: ir.Table) -> ir.Table:
    """One row per case with a disposition: the day of the first (`verdict_at`) and whether any convicted."""
    return dispositions.group_by("case_id").aggregate(
        verdict_at=dispositions.disposed_at.min().cast("date"),
        any_conviction=dispositions.outcome.isin(CONVICTIONS).any(),
    )


def home_country(tables: Tables) -> str | None:
    """The country whose agencies report (the most common agency country): assets elsewhere are foreign."""
    agencies = tables.table("agencies")
    counts = agencies.group_by("country").aggregate(n=agencies.count()).order_by([ibis.desc("n"), "country"])
    rows = counts.limit(1).to_pyarrow().to_pylist()
    return rows[0]["country"] if rows else None


def asset_stages(tables: Tables) -> ir.Table:
    """One row per asset: its dates, its office, its case's first conviction and verdict, the furthest stage."""
    assets = tables.table("assets")
    cases = tables.table("cases").select("case_id", "office_id")
    convictions = first_conviction(tables.table("dispositions"))
    verdicts = first_verdict(tables.table("dispositions"))
    joined = (
        assets.left_join(cases, assets.case_id == cases.case_id).select(assets, cases.office_id)
    )
    joined = joined.left_join(convictions, joined.case_id == convictions.case_id).select(
        joined, convictions.convicted_at)
    joined = joined.left_join(verdicts, joined.case_id == verdicts.case_id).select(
        joined, verdicts.verdict_at, verdicts.any_conviction)
    furthest = ibis.cases(
        *[(joined[f"{stage}_at"].notnull(), stage) for stage in reversed(STAGES)], else_="recorded")
    home = home_country(tables) or ""
    foreign = joined.jurisdiction.notnull() & (joined.jurisdiction != home)
    return joined.mutate(stage=furthest, released=joined.released_at.notnull(), foreign=foreign)


def pipeline(tables: Tables, by: str | None = None) -> pd.DataFrame:
    """Count and value of assets reaching each stage (and released), per `by` (one of GROUPINGS) or overall.

    Columns: the group (when `by`), assets, value_usd, then `<stage>` and `<stage>_usd` for every stage, and
    released, released_usd."""
    if by is not None and by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}; use one of {', '.join(GROUPINGS)}")
    t = asset_stages(tables)
    value = t.estimated_value_usd.fill_null(0)
    metrics = {"assets": t.count(), "value_usd": value.sum()}
    for stage in STAGES:
        reached = t[f"{stage}_at"].notnull()
        metrics[stage] = reached.sum()
        metrics[f"{stage}_usd"] = ibis.ifelse(reached, value, 0).sum()
    metrics["released"] = t.released.sum()
    metrics["released_usd"] = ibis.ifelse(t.released, value, 0).sum()
    expr = t.group_by(by).aggregate(**metrics).order_by(ibis.desc("value_usd"), by) if by else t.aggregate(**metrics)
    frame = expr.to_pandas()
    for column in frame.columns:
        if column.endswith("_usd") or column == "value_usd":
            frame[column] = frame[column].fillna(0.0).astype(float)
        elif column not in GROUPINGS:
            frame[column] = frame[column].fillna(0).astype(int)
    return frame


def attrition(tables: Tables) -> pd.DataFrame:
    """What is lost between consecutive stages: of the assets that reached a stage, how many reached the
    next, were released, or are still waiting (neither)."""
    t = asset_stages(tables)
    rows = []
    for here, after in itertools.pairwise(STAGES):
        reached = t.filter(t[f"{here}_at"].notnull())
        if after == "returned":  # only assets recovered abroad are sent back
            reached = reached.filter(reached.foreign)
        counts = reached.aggregate(
            reached=reached.count(),
            went_on=reached[f"{after}_at"].notnull().sum(),
            released=(reached.released & reached[f"{after}_at"].isnull()).sum(),
            value_usd=reached.estimated_value_usd.fill_null(0).sum(),
        ).to_pyarrow().to_pylist()[0]
        n = int(counts["reached"] or 0)
        went_on, released = int(counts["went_on"] or 0), int(counts["released"] or 0)
        rows.append({"from_stage": here, "to_stage": after, "reached": n, "went_on": went_on,
                     "released": released, "waiting": n - went_on - released,
                     "went_on_share": went_on / n if n else None, "value_usd": float(counts["value_usd"] or 0)})
    return pd.DataFrame(rows)


def foreign_assets(tables: Tables, as_of: object) -> pd.DataFrame:
    """Assets held in another jurisdiction (mutual legal assistance): per jurisdiction, how many, their
    value, how many were recovered and returned, and the age in days of those not yet returned at `as_of`."""
    t = asset_stages(tables)
    foreign = t.filter(t.foreign)
    pending = foreign.returned_at.isnull() & ~foreign.released
    metrics = {
        "assets": foreign.count(),
        "value_usd": foreign.estimated_value_usd.fill_null(0).sum(),
        "recovered": foreign.recovered_at.notnull().sum(),
        "returned": foreign.returned_at.notnull().sum(),
        "pending": pending.sum(),
    }
    frame = foreign.group_by("jurisdiction").aggregate(**metrics).order_by(ibis.desc("value_usd")).to_pandas()
    if as_of is not None and not frame.empty:
        waiting = foreign.filter(pending & foreign.identified_at.notnull())
        days = waiting.mutate(age_days=ibis.literal(as_of).cast("date").delta(waiting.identified_at, unit="day"))
        per = days.group_by("jurisdiction").aggregate(
            median_age_days=days.age_days.median(), oldest_age_days=days.age_days.max()).to_pandas()
        frame = frame.merge(per, on="jurisdiction", how="left")
    return frame
