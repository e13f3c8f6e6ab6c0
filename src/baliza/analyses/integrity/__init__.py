"""Corruption red flags in prosecution and courts: one module per rule family, one FDR across them all.

`red_flags(warehouse)` runs every rule. Rules that test units (prosecutors, judges, offices, seizing units)
return p-values; Benjamini-Hochberg is applied once across every unit tested by every rule, and a unit is
flagged only where q <= FDR_LEVEL and its effect is material (the rule's stated minimums). Rules about a
single case (a statute-barred case, shrunk charges) state facts and carry no q. An office's or judge's
outcome flag stands only if its excess remains without the cases of the prosecutors flagged by any rule.
"""

from __future__ import annotations

from collections.abc import Callable

from baliza.analyses.casefacts import build_case_facts, data_end
from baliza.analyses.integrity.assignment import steered_assignment
from baliza.analyses.integrity.common import FDR_LEVEL, RuleResult
from baliza.analyses.integrity.conversion import unconverted_seizures
from baliza.analyses.integrity.evidence import evidence_losses
from baliza.analyses.integrity.limitation import limitation_losses
from baliza.analyses.integrity.outcomes import outcome_outliers
from baliza.analyses.integrity.reassignment import reassigned_before_loss
from baliza.analyses.integrity.sentencing import sentencing_outliers
from baliza.analyses.integrity.shrinkage import quantity_shrinkage
from baliza.analyses.model import Finding
from baliza.stats.fdr import benjamini_hochberg
from baliza.warehouse.store import Warehouse

RULES: tuple[Callable[[Warehouse], RuleResult], ...] = (
    outcome_outliers,
    quantity_shrinkage,
    steered_assignment,
    reassigned_before_loss,
    limitation_losses,
    evidence_losses,
    sentencing_outliers,
)


def red_flags(warehouse: Warehouse, *, facts_ready: bool = False) -> list[Finding]:
    """Every finding, unit flags first (most certain first), then per-case facts."""
    if not facts_ready:
        build_case_facts(warehouse)
    end = data_end(warehouse)
    results = [rule(warehouse) for rule in RULES]
    if end is not None:
        results.append(unconverted_seizures(warehouse, end))
    tests = [t for r in results for t in r.tests]
    q_values = benjamini_hochberg([t.p_value for t in tests])
    passed = [(t, float(q)) for t, q in zip(tests, q_values, strict=True) if q <= FDR_LEVEL and t.material]
    # an office's or judge's outcome excess that is only flagged prosecutors' cases is theirs, not its own
    prosecutors = frozenset(t.subject.id for t, _ in passed if t.subject.table == "staff")
    flagged = [t.make_finding(q) for t, q in passed if t.recheck is None or t.recheck(prosecutors)]
    flagged.sort(key=lambda f: (f.q_value if f.q_value is not None else 1.0, -f.score))
    facts = sorted((f for r in results for f in r.findings), key=lambda f: (f.rule, -f.score, f.subject.id))
    return flagged + facts
