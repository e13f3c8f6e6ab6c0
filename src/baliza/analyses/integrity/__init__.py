"""Corruption red flags in prosecution and courts: one module per rule family, one FDR across them all.

`red_flags(warehouse, settings)` runs every rule with the thresholds of `rules.yaml` (or an agency's
overrides, `FlagSettings.load(path)`). Rules that test units (prosecutors, judges, offices, seizing units)
return p-values; Benjamini-Hochberg (statsmodels `multipletests`) is applied once across every unit tested by
every rule, and a unit is flagged only where q is at most its rule's FDR level and its effect is material
(the rule's stated minimums). Rules about a single case (a statute-barred case, shrunk charges) state facts
and carry no q. An office's or judge's outcome flag stands only if its excess remains without the cases of
the prosecutors flagged by any rule. Every finding records the settings it was computed with
(`details["settings"]`).

The rules read the warehouse through Ibis (`warehouse.table`) and the case facts of one run
(`casefacts.case_facts`, cached once and shared), so they run on DuckDB, PostgreSQL or Spark, and on a
principal's `ScopedWarehouse` (then on the rows in scope only).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import ibis.expr.types as ir
import numpy as np
from statsmodels.stats.multitest import multipletests

from baliza.analyses.casefacts import case_facts, data_end
from baliza.analyses.integrity.assets import asset_flags
from baliza.analyses.integrity.assignment import steered_assignment
from baliza.analyses.integrity.common import FactsRule, RuleResult, cached
from baliza.analyses.integrity.conversion import unconverted_seizures
from baliza.analyses.integrity.evidence import evidence_losses
from baliza.analyses.integrity.limitation import limitation_losses
from baliza.analyses.integrity.outcomes import outcome_outliers
from baliza.analyses.integrity.people import repeat_people
from baliza.analyses.integrity.reassignment import reassigned_before_loss
from baliza.analyses.integrity.rules import FlagSettings, SettingsError, load_rules
from baliza.analyses.integrity.sentencing import sentencing_outliers
from baliza.analyses.integrity.shrinkage import quantity_shrinkage
from baliza.analyses.integrity.threats import threats_reported
from baliza.analyses.model import Finding
from baliza.warehouse.protocol import Warehouse

__all__ = ["FlagSettings", "SettingsError", "findings_of", "load_rules", "red_flags", "rule_results"]

RULES: tuple[FactsRule, ...] = (
    outcome_outliers,
    quantity_shrinkage,
    steered_assignment,
    reassigned_before_loss,
    limitation_losses,
    evidence_losses,
    sentencing_outliers,
    asset_flags,
    threats_reported,
    repeat_people,
)


def benjamini_hochberg(p_values: list[float]) -> np.ndarray:
    """BH q-values in the order given (statsmodels `multipletests`, method fdr_bh)."""
    if not p_values:
        return np.array([])
    return multipletests(np.asarray(p_values, float), method="fdr_bh")[1]


def rule_results(warehouse: Warehouse, settings: FlagSettings, facts: ir.Table) -> list[RuleResult]:
    """Every rule's unit tests and per-case findings, before the FDR step (`facts`: `casefacts.case_facts`,
    cached by the caller, for the findings read their evidence from it when they are made)."""
    results = [rule(warehouse, facts, settings) for rule in RULES]
    end = data_end(warehouse)
    if end is not None:
        results.append(unconverted_seizures(warehouse, end, settings))
    return results


def red_flags(
    warehouse: Warehouse, settings: FlagSettings | Path | str | None = None, *, facts: ir.Table | None = None
) -> list[Finding]:
    """Every finding, unit flags first (most certain first), then per-case facts.

    `settings`: the values to run with (default: `rules.yaml`); a path is read as an agency's settings file.
    `facts`: the case facts, if the caller computed them for other analyses too (`casefacts.case_facts`);
    else they are computed once and cached on the engine for the run (or the caller's cache of them reused).
    """
    if not isinstance(settings, FlagSettings):
        settings = FlagSettings.load(settings)
    if facts is None:
        with cached(case_facts(warehouse)) as facts:
            return _flagged(warehouse, settings, facts)
    return _flagged(warehouse, settings, facts)


def _flagged(warehouse: Warehouse, settings: FlagSettings, facts: ir.Table) -> list[Finding]:
    return findings_of(rule_results(warehouse, settings, facts), settings)


def findings_of(results: list[RuleResult], settings: FlagSettings) -> list[Finding]:
    """The rules' results as findings: the units that pass the one FDR step and their rule's minimums (and
    the recheck without flagged prosecutors), most certain first; then every per-case fact."""
    tests = [t for r in results for t in r.tests]
    q_values = benjamini_hochberg([t.p_value for t in tests])
    passed = [(t, float(q)) for t, q in zip(tests, q_values, strict=True) if q <= t.fdr_level and t.material]
    # an office's or judge's outcome excess that is only flagged prosecutors' cases is theirs, not its own
    prosecutors = frozenset(t.subject.id for t, _ in passed if t.subject.table == "staff")
    flagged = [t.make_finding(q) for t, q in passed if t.recheck is None or t.recheck(prosecutors)]
    flagged.sort(key=lambda f: (f.q_value if f.q_value is not None else 1.0, -f.score))
    per_case = sorted((f for r in results for f in r.findings), key=lambda f: (f.rule, -f.score, f.subject.id))
    return [_with_settings(f, settings) for f in flagged + per_case]


def _with_settings(finding: Finding, settings: FlagSettings) -> Finding:
    return replace(finding, details={**finding.details, "settings": settings.rule(finding.rule).record()})
