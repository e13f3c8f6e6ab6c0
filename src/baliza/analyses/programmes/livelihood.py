"""What the alternative-livelihood programme achieves for growers who leave coca or poppy fields.

From `farmer_enrolments` (rows already cut to what the reader may see): who found alternative employment and
how long it took (Aalen-Johansen: people still enrolled are censored at the end of the data; leaving without
a job is a competing end, not a censoring, since the programme will not place them after), income before
and after among people with both (paired), relapse to cultivation, retention in the programme (drop-out or
relapse as the event, completing or relocating as competing ends), and the dependents under protection; per
programme office and per region, crude and then adjusted for case mix (crop, hectares, protection level,
year of enrolment) so that an office working with the hardest cases is not ranked last for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import ibis

from baliza.analyses.portable import as_int
from baliza.analyses.programmes.compare import DEFAULT, CompareSettings, compare_rates
from baliza.analyses.programmes.measures import (
    NOBODY,
    change_from,
    curve,
    curves_by,
    data_end,
    paired_change,
    paired_changes_by,
    rate,
)
from baliza.analyses.programmes.model import Curve, GroupOutcomes, MeasureComparison, PairedChange, Rate

PLACED = ("placed", "completed")  # enrolment statuses that mean the grower has a legal income
LEFT = ("dropped_out", "relapsed_to_cultivation")  # leaving the programme without an exit it intends
PROTECTED_LEVELS = ("confidential", "anonymous", "relocated")
CASE_MIX = ("crop", "hectares_band", "protection", "year")
DATES = ("enrolled_at", "employed_at", "exited_at")


@dataclass(frozen=True)
class LivelihoodReport:
    """Every livelihood figure for the enrolments given. `offices` and `regions` are crude outcomes;
    `adjusted` holds the case-mix comparisons (measures "placement" and "relapse", per office and region)."""

    as_of: date | None
    totals: dict[str, Any]
    by_status: list[dict[str, Any]]
    by_year: list[dict[str, Any]]
    placement: Rate
    relapse: Rate
    drop_out: Rate
    time_to_placement: Curve
    retention: Curve  # the event is leaving early (drop-out or relapse); the curve is the share staying
    income: PairedChange
    dependents: int
    dependents_protected: int
    offices: tuple[GroupOutcomes, ...]
    regions: tuple[GroupOutcomes, ...]
    adjusted: dict[str, MeasureComparison]  # "office:placement", "office:relapse", "region:placement", ...

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat() if self.as_of else None, "totals": self.totals,
            "by_status": self.by_status, "by_year": self.by_year,
            "income": {"people": self.income.people, "before": self.income.median_before,
                       "after": self.income.median_after},
            "placement": self.placement.to_dict(), "relapse": self.relapse.to_dict(),
            "drop_out": self.drop_out.to_dict(), "time_to_placement": self.time_to_placement.to_dict(),
            "retention": self.retention.to_dict(), "income_change": self.income.to_dict(),
            "dependents": self.dependents, "dependents_protected": self.dependents_protected,
            "offices": [g.to_dict() for g in self.offices], "regions": [g.to_dict() for g in self.regions],
            "adjusted": {k: v.to_dict() for k, v in self.adjusted.items()},
        }


def livelihood_report(enrolments: ibis.Table, *, as_of: date | None = None,
                      settings: CompareSettings = DEFAULT) -> LivelihoodReport:
    """Every livelihood figure. `as_of`: the date open enrolments are censored at (default: the last date
    in the rows)."""
    t = enrolments
    as_of = as_of or data_end(t, DATES) or date.today()
    total = t.aggregate(enrolled=t.count(), placed=t.status.isin(PLACED).sum(),
                        relapsed=(t.status == "relapsed_to_cultivation").sum(),
                        dropped_out=(t.status == "dropped_out").sum(), hectares=t.hectares.sum(),
                        dependents=t.dependents.sum(),
                        dependents_protected=t.protection_level.isin(PROTECTED_LEVELS).ifelse(t.dependents, 0).sum(),
                        threatened=(t.threats_reported.fill_null(0) > 0).sum())
    totals = {k: (0 if v is None else v) for k, v in total.to_pyarrow().to_pylist()[0].items()}
    by_status = t.group_by("status").aggregate(people=t.count()).order_by([ibis.desc("people"), "status"])
    by_year = t.group_by(year=t.enrolled_at.year()).aggregate(
        enrolled=t.count(), placed=t.status.isin(PLACED).sum(),
        relapsed=(t.status == "relapsed_to_cultivation").sum()).order_by("year")
    enrolled = int(totals["enrolled"])
    return LivelihoodReport(
        as_of, totals, by_status.to_pyarrow().to_pylist(), by_year.to_pyarrow().to_pylist(),
        rate(totals["placed"], enrolled), rate(totals["relapsed"], enrolled), rate(totals["dropped_out"], enrolled),
        placement_curve(t, as_of), retention_curve(t, as_of),
        paired_change(t, "monthly_income_usd", "monthly_income_before_usd", "monthly_income_after_usd"),
        int(totals["dependents"]), int(totals["dependents_protected"]),
        groups(t, "programme_office_id", "office", as_of), groups(t, "region", "region", as_of),
        {f"{label}:{measure}": adjusted(t, column, measure, settings)
         for label, column in (("office", "programme_office_id"), ("region", "region"))
         for measure in ("placement", "relapse")},
    )


def placement_curve(t: ibis.Table, as_of: date) -> Curve:
    """Time from enrolment to a job; leaving the programme without one is a competing end (such a grower
    will not be placed by it), people still enrolled are censored at the end of the data."""
    return curve(t, "placement", "enrolled_at", ibis.coalesce(t.employed_at, t.exited_at), t.employed_at.notnull(),
                 as_of, competing=t.employed_at.isnull())


def retention_curve(t: ibis.Table, as_of: date) -> Curve:
    """Time from enrolment to leaving early (drop-out or relapse); completing or relocating ends the stay
    another way (a competing end), people still enrolled are censored at the end of the data."""
    return curve(t, "drop_out", "enrolled_at", t.exited_at, t.status.isin(LEFT), as_of,
                 competing=~t.status.isin(LEFT))


def groups(t: ibis.Table, column: str, label: str, as_of: date) -> tuple[GroupOutcomes, ...]:
    """Crude outcomes per programme office or region (a handful of queries, whatever the number of groups)."""
    counts = t.group_by(key=t[column]).aggregate(
        people=t.count(), placed=t.status.isin(PLACED).sum(), relapsed=(t.status == "relapsed_to_cultivation").sum(),
        dropped_out=(t.status == "dropped_out").sum(), dependents=t.dependents.sum(),
        protected=t.protection_level.isin(PROTECTED_LEVELS).ifelse(t.dependents, 0).sum(),
    ).filter(ibis._.key.notnull()).order_by("key").to_pyarrow().to_pylist()
    placement = curves_by(t, column, "placement", "enrolled_at", ibis.coalesce(t.employed_at, t.exited_at),
                          t.employed_at.notnull(), as_of, competing=t.employed_at.isnull())
    leaving = curves_by(t, column, "drop_out", "enrolled_at", t.exited_at, t.status.isin(LEFT), as_of,
                        competing=~t.status.isin(LEFT))
    income = paired_changes_by(t, column, "monthly_income_usd", "monthly_income_before_usd",
                               "monthly_income_after_usd")
    out = []
    for c in counts:
        key, people = c["key"], int(c["people"])
        out.append(GroupOutcomes(
            label, str(key), people,
            {"placement": rate(c["placed"], people), "relapse": rate(c["relapsed"], people),
             "drop_out": rate(c["dropped_out"], people)},
            {"placement": placement[key].median_days if key in placement else None},
            {"monthly_income_usd": income.get(key, change_from("monthly_income_usd", NOBODY))},
            int(c["dependents"] or 0), int(c["protected"] or 0),
            {name: found[key] for name, found in (("placement", placement), ("drop_out", leaving)) if key in found}))
    return tuple(out)


def adjusted(t: ibis.Table, column: str, measure: str, settings: CompareSettings) -> MeasureComparison:
    """Placement or relapse per office (or region) against what its crops, hectares, protection levels and
    years of enrolment predict."""
    event = t.status.isin(PLACED) if measure == "placement" else t.status == "relapsed_to_cultivation"
    hectares = ibis.cases((t.hectares < 1, "under 1 ha"), (t.hectares < 3, "1-3 ha"), (t.hectares < 10, "3-10 ha"),
                          else_="10 ha or more")
    hectares = t.hectares.isnull().ifelse("unknown", hectares)
    cells = t.group_by(
        unit=t[column], crop=t.crop, hectares_band=hectares, protection=t.protection_level.fill_null("unknown"),
        year=t.enrolled_at.year().cast("string"),
    ).aggregate(events=as_int(event).sum(), trials=t.count()).to_pandas()
    return compare_rates(cells, "unit", CASE_MIX, measure, settings)
