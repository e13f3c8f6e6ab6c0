"""The aggregates civil oversight bodies read, per place and year: how many seizures were made, how many
became a prosecution case and how many reached a verdict; how many growers the alternative-livelihood
programme enrolled, placed in legal work and lost back to cultivation, per region; and treatment episodes
admitted, completed and ending abstinent, per year.

Counts only, never a person: the surfaces publish them through `access.disclosure.disclose`. The warehouse
records no region for a seizure, so enforcement is counted per entry point (the place where it was made).
Plain Ibis over the tables the caller passes, so the same expressions run on DuckDB, PostgreSQL or Spark.
"""

from __future__ import annotations

from typing import Any

import ibis

PLACED = ("placed", "completed")
VERDICTS = ("convicted", "plea_convicted", "acquitted")


def enforcement_by_place_and_year(seizures: ibis.Table, cases: ibis.Table, dispositions: ibis.Table,
                                  entry_points: ibis.Table) -> list[dict[str, Any]]:
    """Per entry point and year of seizure: seizures, those that became a case, those whose case reached a
    verdict (a conviction or an acquittal of anyone charged)."""
    with_case = cases.select(seizure_id=cases.seizure_id, case_id=cases.case_id).filter(
        cases.seizure_id.notnull())
    decided = dispositions.filter(dispositions.outcome.isin(VERDICTS)).select("case_id").distinct()
    linked = with_case.left_join(decided.mutate(verdict=ibis.literal(True)), "case_id")
    per_seizure = linked.group_by(linked.seizure_id).aggregate(
        to_verdict=linked.verdict.fill_null(False).any())
    s = seizures.left_join(per_seizure.mutate(to_case=ibis.literal(True)), "seizure_id")
    s = s.mutate(year=s.seized_at.year().cast("string"), to_case=s.to_case.fill_null(False),
                 to_verdict=s.to_verdict.fill_null(False))
    counted = s.group_by(["entry_point_id", "year"]).aggregate(
        seizures=s.count(), to_case=s.to_case.sum(), to_verdict=s.to_verdict.sum())
    named = counted.left_join(entry_points.select("entry_point_id", "name"), "entry_point_id")
    named = named.select(place_id=named.entry_point_id, place=named.name.fill_null(named.entry_point_id),
                         year=named.year, seizures=named.seizures, to_case=named.to_case,
                         to_verdict=named.to_verdict)
    return _rows(named.order_by(["place", "year"]))


def livelihood_by_region_and_year(enrolments: ibis.Table) -> list[dict[str, Any]]:
    """Per region and year of enrolment: growers enrolled, placed in legal work (or done), relapsed."""
    t = enrolments.mutate(year=enrolments.enrolled_at.year().cast("string"))
    counted = t.group_by(["region", "year"]).aggregate(
        enrolled=t.count(), placed=t.status.isin(PLACED).sum(),
        relapsed=(t.status == "relapsed_to_cultivation").sum())
    return _rows(counted.order_by(["region", "year"]))


def treatment_by_year(episodes: ibis.Table) -> list[dict[str, Any]]:
    """Per year of admission: episodes admitted, discharged, completed, abstinent at discharge."""
    t = episodes.mutate(year=episodes.admitted_at.year().cast("string"))
    counted = t.group_by("year").aggregate(
        admitted=t.count(), discharged=t.discharged_at.notnull().sum(),
        completed=(t.discharge_reason == "completed").sum(),
        abstinent=(t.discharged_at.notnull() & t.abstinent_at_discharge.fill_null(False)).sum())
    return _rows(counted.order_by("year"))


def _rows(expr: ibis.Table) -> list[dict[str, Any]]:
    return [{k: (int(v) if isinstance(v, bool | int) and not isinstance(v, str) else v) for k, v in row.items()}
            for row in expr.to_pyarrow().to_pylist()]


def published_on(loads: ibis.Table) -> str | None:
    """The day the figures were published: when the last load finished (or, where a load's end was not
    recorded, began), as an ISO date; None before any load."""
    done = loads.mutate(at=loads.finished_at.fill_null(loads.started_at))
    day = done.aggregate(last=done.at.max()).to_pyarrow().to_pylist()[0]["last"]
    return day.date().isoformat() if day is not None else None
