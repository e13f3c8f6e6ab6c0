"""What treatment achieves, in the measures of the US treatment episode data set (TEDS-D): completion,
length of stay, change in physical and mental health between admission and discharge, abstinence at
discharge.

From `treatment_episodes` (rows already cut to what the reader may see). Completion and abstinence are
shares of discharged episodes (an episode still open has no outcome yet); length of stay is a Kaplan-Meier
curve on which episodes still in treatment are censored at the end of the data; score changes are paired,
among episodes with both scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import ibis

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
from baliza.analyses.programmes.model import Curve, GroupOutcomes, PairedChange, Rate

DATES = ("admitted_at", "discharged_at")
SCORES = (("physical_score", "physical_score_admission", "physical_score_discharge"),
          ("mental_score", "mental_score_admission", "mental_score_discharge"))


@dataclass(frozen=True)
class TreatmentReport:
    """Every treatment figure for the episodes given; `providers` are crude outcomes per provider (the
    case-mix comparison is `baliza.analyses.programmes.providers.compare_providers`)."""

    as_of: date | None
    totals: dict[str, Any]
    by_year: list[dict[str, Any]]
    completion: Rate  # of discharged episodes
    abstinence: Rate  # of discharged episodes with abstinence recorded
    length_of_stay: Curve  # the event is discharge; episodes still open are censored
    physical: PairedChange
    mental: PairedChange
    providers: tuple[GroupOutcomes, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat() if self.as_of else None, "totals": self.totals,
            "by_year": self.by_year, "completion": self.completion.to_dict(),
            "abstinence": self.abstinence.to_dict(), "length_of_stay": self.length_of_stay.to_dict(),
            "physical_change": self.physical.to_dict(), "mental_change": self.mental.to_dict(),
            "providers": [p.to_dict() for p in self.providers],
        }


def treatment_report(episodes: ibis.Table, *, as_of: date | None = None) -> TreatmentReport:
    """Every treatment figure. `as_of`: the date open episodes are censored at (default: the last date in
    the rows)."""
    t = episodes
    as_of = as_of or data_end(t, DATES) or date.today()
    totals = _counts(t.aggregate(**_measures(t)).to_pyarrow().to_pylist()[0])
    by_year = t.group_by(year=t.admitted_at.year()).aggregate(
        admitted=t.count(), discharged=t.discharged_at.notnull().sum(),
        completed=(t.discharge_reason == "completed").sum(),
        abstinent=t.abstinent_at_discharge.fill_null(False).sum()).order_by("year")
    return TreatmentReport(
        as_of, {k: totals[k] for k in ("admitted", "discharged", "completed", "abstinent")},
        by_year.to_pyarrow().to_pylist(),
        rate(totals["completed"], totals["discharged"]), rate(totals["abstinent"], totals["abstinence_recorded"]),
        stay_curve(t, as_of), paired_change(t, *SCORES[0]), paired_change(t, *SCORES[1]), providers(t, as_of))


def stay_curve(t: ibis.Table, as_of: date) -> Curve:
    """Length of stay: days from admission to discharge, episodes still open censored at `as_of`."""
    return curve(t, "discharge", "admitted_at", t.discharged_at, t.discharged_at.notnull(), as_of)


def providers(t: ibis.Table, as_of: date) -> tuple[GroupOutcomes, ...]:
    """Crude outcomes per provider: completion, abstinence, median stay, score changes (one query each)."""
    rows = t.group_by("provider_id").aggregate(**_measures(t)).order_by("provider_id").to_pyarrow().to_pylist()
    stays = curves_by(t, "provider_id", "discharge", "admitted_at", t.discharged_at, t.discharged_at.notnull(), as_of)
    changes = {s[0]: paired_changes_by(t, "provider_id", *s) for s in SCORES}
    out = []
    for row in rows:
        c, key = _counts(row), row["provider_id"]
        out.append(GroupOutcomes(
            "provider", str(key), c["admitted"],
            {"completion": rate(c["completed"], c["discharged"]),
             "abstinence": rate(c["abstinent"], c["abstinence_recorded"])},
            {"length_of_stay": stays[key].median_days if key in stays else None},
            {name: found.get(key, change_from(name, NOBODY)) for name, found in changes.items()},
            curves={"length_of_stay": stays[key]} if key in stays else {}))
    return tuple(out)


def _measures(t: ibis.Table) -> dict[str, ibis.Value]:
    discharged = t.discharged_at.notnull()
    return {"admitted": t.count(), "discharged": discharged.sum(),
            "completed": (discharged & (t.discharge_reason == "completed")).sum(),
            "abstinent": (discharged & t.abstinent_at_discharge.fill_null(False)).sum(),
            "abstinence_recorded": (discharged & t.abstinent_at_discharge.notnull()).sum()}


def _counts(row: dict[str, Any]) -> dict[str, int]:
    return {k: int(v or 0) for k, v in row.items() if k != "provider_id"}
