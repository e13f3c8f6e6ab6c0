"""What the protection programmes achieve: growers leaving cultivation (livelihood) and people in treatment.

Every function takes Ibis tables already cut to what its reader may see and returns plain data: counts,
shares with intervals, survival curves, paired changes and case-mix-adjusted comparisons of offices,
regions and providers, never a person. The interface (signatures in /work/notes/progstats-interface.md):

- `livelihood_outcomes(enrolments, as_of=None) -> dict` and `livelihood_report(...) -> LivelihoodReport`
- `treatment_outcomes(episodes, as_of=None) -> dict` and `treatment_report(...) -> TreatmentReport`
- `compare_providers(episodes, settings) -> ProviderComparison` and `provider_findings(comparison, names)`
- `threat_findings(enrolments, loads) -> list[Finding]` (run with the red flags: `integrity.threats`)
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis

from baliza.analyses.programmes.compare import CompareSettings
from baliza.analyses.programmes.livelihood import LivelihoodReport, livelihood_report
from baliza.analyses.programmes.model import (
    Curve,
    FunnelLimits,
    GroupOutcomes,
    MeasureComparison,
    PairedChange,
    Rate,
    UnitComparison,
)
from baliza.analyses.programmes.providers import ProviderComparison, compare_providers, provider_findings
from baliza.analyses.programmes.threats import threat_findings
from baliza.analyses.programmes.treatment import TreatmentReport, treatment_report

__all__ = [
    "CompareSettings", "Curve", "FunnelLimits", "GroupOutcomes", "LivelihoodReport", "MeasureComparison",
    "PairedChange", "ProviderComparison", "Rate", "TreatmentReport", "UnitComparison", "compare_providers",
    "livelihood_outcomes", "livelihood_report", "provider_findings", "threat_findings",
    "treatment_outcomes", "treatment_report",
]


def livelihood_outcomes(enrolments: ibis.Table, as_of: date | None = None) -> dict[str, Any]:
    """`livelihood_report(...).to_dict()`: the earlier keys (totals, by_status, by_year, income) and the
    new ones (placement, relapse, drop_out, time_to_placement, retention, income_change, dependents,
    offices, regions, adjusted)."""
    return livelihood_report(enrolments, as_of=as_of).to_dict()


def treatment_outcomes(episodes: ibis.Table, as_of: date | None = None) -> dict[str, Any]:
    """`treatment_report(...).to_dict()`: the earlier keys (totals, by_year) and the new ones (completion,
    abstinence, length_of_stay, physical_change, mental_change, providers)."""
    return treatment_report(episodes, as_of=as_of).to_dict()
