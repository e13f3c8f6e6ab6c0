"""Treatment providers compared with case-mix adjustment, drawn in funnel plots, and those far outside
turned into findings.

Four measures: completion and abstinence at discharge (shares of discharged episodes; O/E from a logistic
case-mix model) and the change in physical and mental scores (mean change against what the same case mix
gives). The case mix: primary substance, setting, referral source and the physical and mental scores at
admission (in bands of 20 points). See `baliza.analyses.programmes.compare` for the statistics (funnel with
over-dispersion, empirical-Bayes shrinkage, Benjamini-Hochberg across providers).

A finding names the provider and carries its evidence as numbers (observed, expected, people, interval, q);
it never lists episodes, which would point at people in treatment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import ibis
import pandas as pd

from baliza.analyses.model import Finding, Message, Reference
from baliza.analyses.portable import as_int
from baliza.analyses.programmes.compare import DEFAULT, CompareSettings, compare_changes, compare_rates
from baliza.analyses.programmes.model import MeasureComparison, UnitComparison
from baliza.analyses.wording import decimal
from baliza.i18n import N_

RULES = {"completion": "treatment_completion_outside", "abstinence": "treatment_abstinence_outside",
         "physical_change": "treatment_physical_change_outside", "mental_change": "treatment_mental_change_outside"}
"""One rule per measure, so that a provider outside on two measures has two findings with their own ids."""
BAND = 20  # points of a score band at admission
CASE_MIX = ("substance", "setting", "referral", "physical_band", "mental_band")
RATE_MEASURES = ("completion", "abstinence")
CHANGE_MEASURES = ("physical_change", "mental_change")
MEASURES = RATE_MEASURES + CHANGE_MEASURES


@dataclass(frozen=True)
class ProviderComparison:
    """Every provider on every measure, with funnel limits; `outside` lists (provider, measure) flagged."""

    measures: dict[str, MeasureComparison]
    settings: CompareSettings

    @property
    def outside(self) -> tuple[UnitComparison, ...]:
        return tuple(u for m in self.measures.values() for u in m.units if u.outside)

    def to_dict(self) -> dict[str, Any]:
        return {"measures": {k: v.to_dict() for k, v in self.measures.items()},
                "min_people": self.settings.min_people, "fdr_level": self.settings.fdr_level,
                "outside": [u.to_dict() for u in self.outside]}


def compare_providers(episodes: ibis.Table, settings: CompareSettings = DEFAULT,
                      measures: tuple[str, ...] = MEASURES) -> ProviderComparison:
    """Each provider against its own case mix on each measure (`measures`: a subset of `MEASURES`)."""
    unknown = sorted(set(measures) - set(MEASURES))
    if unknown:
        raise ValueError(f"unknown treatment measure(s) {unknown}; the measures are {list(MEASURES)}")
    t = episodes
    out: dict[str, MeasureComparison] = {}
    discharged = t.filter(t.discharged_at.notnull())
    for measure in measures:
        if measure == "completion":
            cells = _rate_cells(discharged, discharged.discharge_reason == "completed")
            out[measure] = compare_rates(cells, "unit", CASE_MIX, measure, settings)
        elif measure == "abstinence":
            known = discharged.filter(discharged.abstinent_at_discharge.notnull())
            cells = _rate_cells(known, known.abstinent_at_discharge)
            out[measure] = compare_rates(cells, "unit", CASE_MIX, measure, settings)
        else:
            score = measure.removesuffix("_change")
            before, after = t[f"{score}_score_admission"], t[f"{score}_score_discharge"]
            both = t.filter(before.notnull() & after.notnull())
            change = (both[f"{score}_score_discharge"] - both[f"{score}_score_admission"]).cast("float64")
            cells = both.group_by(**_groups(both)).aggregate(
                n=both.count(), total=change.sum(), squares=(change * change).sum()).to_pandas()
            out[measure] = compare_changes(cells, "unit", CASE_MIX, measure, settings)
    return ProviderComparison(out, settings)


def provider_findings(comparison: ProviderComparison, names: Mapping[str, str] | None = None) -> list[Finding]:
    """One finding per provider and measure outside the funnel (q <= FDR level, at least the minimum
    number of episodes), most certain first. `names`: provider names by id for the summaries."""
    names = names or {}
    found = []
    for measure in comparison.measures.values():
        for u in measure.units:
            if u.outside:
                found.append(_finding(u, measure, names.get(u.unit_id, u.unit_id)))
    return sorted(found, key=lambda f: (f.q_value if f.q_value is not None else 1.0, f.subject.id))


def _finding(u: UnitComparison, measure: MeasureComparison, name: str) -> Finding:
    evidence = {"measure": u.measure, "people": u.n, "observed": u.observed, "expected": u.expected,
                "ratio" if measure.kind == "ratio" else "difference": u.ratio, "low": u.low, "high": u.high,
                "shrunk": u.shrunk, "q": u.q, "direction": u.outside}
    return Finding(RULES[u.measure], Reference("units", u.unit_id), float(u.ratio or 0.0), "",
                   (Reference("units", u.unit_id),), measure.method, u.q, details=evidence,
                   messages=(_summary(u, name),),
                   method_messages=(measure.method_message,) if measure.method_message else ())


# why a provider was flagged, per measure and direction: complete sentences for the catalogues
_SUMMARIES = {
    ("completion", True): N_("%(name)s completed %(observed)s of %(n)s discharged episodes, where about "
                             "%(expected)s would be usual for the same case mix; this is far above the "
                             "other providers (q = %(q)s)."),
    ("completion", False): N_("%(name)s completed %(observed)s of %(n)s discharged episodes, where about "
                              "%(expected)s would be usual for the same case mix; this is far below the "
                              "other providers (q = %(q)s)."),
    ("abstinence", True): N_("%(name)s discharged %(observed)s of %(n)s people abstinent, where about "
                             "%(expected)s would be usual for the same case mix; this is far above the "
                             "other providers (q = %(q)s)."),
    ("abstinence", False): N_("%(name)s discharged %(observed)s of %(n)s people abstinent, where about "
                              "%(expected)s would be usual for the same case mix; this is far below the "
                              "other providers (q = %(q)s)."),
    ("physical_change", True): N_("Physical scores changed by %(observed)s points on average over %(n)s "
                                  "episodes at %(name)s, where %(expected)s would be usual for the same case "
                                  "mix; this is far above the other providers (q = %(q)s)."),
    ("physical_change", False): N_("Physical scores changed by %(observed)s points on average over %(n)s "
                                   "episodes at %(name)s, where %(expected)s would be usual for the same case "
                                   "mix; this is far below the other providers (q = %(q)s)."),
    ("mental_change", True): N_("Mental scores changed by %(observed)s points on average over %(n)s "
                                "episodes at %(name)s, where %(expected)s would be usual for the same case "
                                "mix; this is far above the other providers (q = %(q)s)."),
    ("mental_change", False): N_("Mental scores changed by %(observed)s points on average over %(n)s "
                                 "episodes at %(name)s, where %(expected)s would be usual for the same case "
                                 "mix; this is far below the other providers (q = %(q)s)."),
}


def _summary(u: UnitComparison, name: str) -> Message:
    """Why the provider was flagged, not yet worded (the surfaces word it in the reader's language)."""
    observed: Any = decimal(u.observed or 0.0, 1) if u.measure.endswith("_change") else int(u.observed or 0)
    return Message(_SUMMARIES[(u.measure, u.outside == "above")],
                   {"name": name, "n": int(u.n), "observed": observed, "expected": decimal(u.expected or 0.0, 1),
                    "q": decimal(u.q or 0.0, 3)})


def _band(score: ibis.Value) -> ibis.Value:
    """Scores at admission in bands of 20 points ("0-19" ... "80-100"), "unknown" where missing."""
    lower = (score.cast("float64") / BAND).floor().clip(upper=100 // BAND - 1).cast("int64") * BAND
    return score.isnull().ifelse("unknown", lower.cast("string"))


def _groups(t: ibis.Table) -> dict[str, ibis.Value]:
    """The provider and the case-mix cells of each episode."""
    return {"unit": t.provider_id, "substance": t.primary_substance_group, "setting": t.setting,
            "referral": t.referral.fill_null("unknown"), "physical_band": _band(t.physical_score_admission),
            "mental_band": _band(t.mental_score_admission)}


def _rate_cells(t: ibis.Table, event: ibis.Value) -> pd.DataFrame:
    return t.group_by(**_groups(t)).aggregate(
        events=as_int(event.fill_null(False)).sum(), trials=t.count()).to_pandas()
