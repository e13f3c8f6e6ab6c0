"""The analyses to compare on every engine: each run the same way on DuckDB, PostgreSQL and Spark, its result
held as rows, and the columns that identify a row (the rows are compared in any order by
`baliza.warehouse.parity.frame_differences`).

The views, the chain and its breaks, a few seizures' chains, seizure counts, entry points, the key success
indicators and their horizons, peer groups and DEA efficiency, the justice case facts and efficiency
indicators, the red flags (every rule and the one FDR), oversight figures, the programmes' outcomes and
providers, the growth report and the coverage. A result that is one object (a report) is one row whose cells
hold its nested parts.

The parity tests (`tests/test_engines_analyses.py`) and the engines benchmark (`benchmarks/engines_compare.py`)
both run this list.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from typing import Any

from baliza.analyses.as_of import stage_as_of
from baliza.analyses.benchmarks import peer_groups, unit_efficiency
from baliza.analyses.casefacts import case_facts
from baliza.analyses.chain_breaks import break_rows, seizure_status
from baliza.analyses.chain_links import directory_names, seizure_chain
from baliza.analyses.coverage import data_coverage
from baliza.analyses.efficiency import Subject, efficiency
from baliza.analyses.entry_points import entry_point_views
from baliza.analyses.growth import growth_report
from baliza.analyses.integrity import red_flags
from baliza.analyses.ksi import compute_indicators, horizons
from baliza.analyses.model import Finding
from baliza.analyses.oversight import (
    enforcement_by_place_and_year,
    livelihood_by_region_and_year,
    published_on,
    treatment_by_year,
)
from baliza.analyses.periods import Granularity
from baliza.analyses.programmes import compare_providers, livelihood_report, treatment_report
from baliza.analyses.seizure_counts import seizures_by_entry_point, seizures_by_month
from baliza.warehouse.protocol import Warehouse
from baliza.warehouse.views import case_status, chain


@dataclasses.dataclass(frozen=True)
class Context:
    """What the analyses are given on every engine, computed once on the reference engine: the as-of dates, the
    directory's names, a few seizures (one of each chain status) and a period (the year before the last)."""

    as_of: dict[str, date | None]
    names: dict[str, str]
    seizures: list[str]
    period: str


def make_context(reference: Warehouse) -> Context:
    """The context, from the country on the reference engine (Ibis, any engine; the parity tests and the
    benchmark use DuckDB): of each chain status, the seizure with the smallest id."""
    status = seizure_status(reference)
    picked = status.group_by("status").aggregate(seizure_id=status.seizure_id.min()).to_pyarrow()
    s = reference.table("seizures")
    years = sorted({str(r["y"]) for r in s.select(y=s.seized_at.year()).distinct().to_pyarrow().to_pylist()})
    return Context(as_of=stage_as_of(reference), names=directory_names(reference),
                   seizures=sorted(picked.column("seizure_id").to_pylist()), period=years[-2])


Analysis = Callable[[Warehouse, Context], Any]


@dataclasses.dataclass(frozen=True)
class Compared:
    """One analysis to compare: how to run it, and the columns that identify a row of its result."""

    run: Analysis
    key: tuple[str, ...] = ()


def _one(found: Any) -> list[dict[str, Any]]:
    """A result that is one object (a report, a dict): one row whose cells hold its nested parts."""
    if dataclasses.is_dataclass(found) and not isinstance(found, type):
        found = dataclasses.asdict(found)
    elif hasattr(found, "to_dict"):
        found = found.to_dict()
    return [found]


def _indicators(found: list[Any]) -> list[dict[str, Any]]:
    return [i.to_dict() for i in found]


def _plain(value: Any) -> Any:
    """Typed message values (decimal, share...) as dicts and sequences as tuples, all the way down, so that
    their floats compare to a tolerance."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return tuple(_plain(v) for v in value)
    return value


def finding_row(f: Finding) -> dict[str, Any]:
    """A red flag as one row: its rule, subject, score and q-value, evidence, details and messages."""
    return {"rule": f.rule, "subject": f"{f.subject.table}:{f.subject.id}", "score": f.score, "q": f.q_value,
            "evidence": tuple(f"{e.table}:{e.id}" for e in f.evidence), "details": _plain(f.details),
            "messages": _plain(f.messages), "method": _plain(f.method_messages)}


def _flags(wh: Warehouse, context: Context) -> list[dict[str, Any]]:
    return [finding_row(f) for f in red_flags(wh)]


def _chains(wh: Warehouse, context: Context) -> list[dict[str, Any]]:
    rows = []
    for seizure in context.seizures:
        found = seizure_chain(wh, seizure, as_of=context.as_of, names=context.names).to_dict()
        rows.append({"seizure_id": seizure, "status": found["status"], "events": found["events"],
                     "breaks": found["breaks"], "pending": found["pending"]})
    return rows


def _enforcement(wh: Warehouse, context: Context) -> Any:
    return enforcement_by_place_and_year(wh.table("seizures"), wh.table("cases"), wh.table("dispositions"),
                                         wh.table("entry_points"))


INDICATOR = ("subject_id", "indicator", "period")
ANALYSES: dict[str, Compared] = {
    "as_of": Compared(lambda wh, c: [dict(stage_as_of(wh))], ("lab",)),
    "case_status": Compared(lambda wh, c: case_status(wh).to_pyarrow(), ("case_id",)),
    "chain_view": Compared(lambda wh, c: chain(wh).to_pyarrow(), ("seizure_id",)),
    "chain_breaks": Compared(lambda wh, c: break_rows(wh, c.as_of).to_pyarrow(), ("seizure_id", "code", "break_id")),
    "seizure_status": Compared(lambda wh, c: seizure_status(wh, c.as_of).to_pyarrow(), ("seizure_id",)),
    "seizure_chains": Compared(_chains, ("seizure_id",)),
    "seizures_by_month": Compared(lambda wh, c: seizures_by_month(wh.table("seizures")),
                                  ("month", "substance_group")),
    "seizures_by_entry_point": Compared(lambda wh, c: seizures_by_entry_point(wh, wh.table("seizures")),
                                        ("entry_point_id",)),
    "entry_point_views": Compared(lambda wh, c: [v.to_dict() for v in entry_point_views(wh)], ("country",)),
    "ksi_year": Compared(lambda wh, c: _indicators(compute_indicators(wh, Granularity.YEAR)), INDICATOR),
    "ksi_quarter": Compared(lambda wh, c: _indicators(compute_indicators(wh, Granularity.QUARTER)), INDICATOR),
    "horizons": Compared(lambda wh, c: [{"name": k, **dataclasses.asdict(v)} for k, v in horizons(wh).items()],
                         ("name",)),
    "peer_groups": Compared(lambda wh, c: peer_groups(wh), ("unit_id",)),
    "unit_efficiency": Compared(lambda wh, c: _indicators(unit_efficiency(wh, c.period)), ("subject_id", "indicator")),
    "case_facts": Compared(lambda wh, c: case_facts(wh).to_pyarrow(), ("case_id",)),
    "efficiency_office_quarter": Compared(
        lambda wh, c: _indicators(efficiency(wh, Granularity.QUARTER, Subject.OFFICE)), ("subject_table", *INDICATOR)),
    "efficiency_judge_month": Compared(
        lambda wh, c: _indicators(efficiency(wh, Granularity.MONTH, Subject.JUDGE)), ("subject_table", *INDICATOR)),
    "efficiency_prosecutor_year": Compared(
        lambda wh, c: _indicators(efficiency(wh, Granularity.YEAR, Subject.PROSECUTOR)), ("subject_table", *INDICATOR)),
    "red_flags": Compared(_flags, ("rule", "subject", "score")),
    "enforcement": Compared(_enforcement, ("place_id", "year")),
    "livelihood_by_region": Compared(lambda wh, c: livelihood_by_region_and_year(wh.table("farmer_enrolments")),
                                     ("region", "year")),
    "treatment_by_year": Compared(lambda wh, c: treatment_by_year(wh.table("treatment_episodes")), ("year",)),
    "published_on": Compared(lambda wh, c: [{"day": published_on(wh.table("loads"))}], ("day",)),
    "livelihood": Compared(lambda wh, c: _one(livelihood_report(wh.table("farmer_enrolments")))),
    "treatment": Compared(lambda wh, c: _one(treatment_report(wh.table("treatment_episodes")))),
    "providers": Compared(lambda wh, c: _one(compare_providers(wh.table("treatment_episodes")))),
    "growth": Compared(lambda wh, c: _one(growth_report(wh, granularity=Granularity.YEAR))),
    "coverage": Compared(lambda wh, c: _one(data_coverage(wh))),
}
