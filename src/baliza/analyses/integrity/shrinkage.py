"""Rule 2: quantity shrinkage. The charged quantity well below what the laboratory confirmed (else what was
seized), per case, and concentrations of it per prosecutor.

The charged quantity is the one definition the chain uses too (`definitions.charged_per_case`: per case, the
sum over defendants of each defendant's largest charge), so a 10 kg seizure split between two couriers
charged 5 kg each is neither a broken link nor a shrunk case, and one person charged on several counts for
the same drugs is counted once.
"""

from __future__ import annotations

from typing import Any

import ibis.expr.types as ir

from baliza.analyses.definitions import charged_per_case
from baliza.analyses.integrity.common import (
    RuleResult,
    UnitTest,
    cached,
    event_cells,
    excess_cases_test,
    funnel_words,
    observed_expected_tests,
    observed_words,
    sure_words,
)
from baliza.analyses.integrity.rules import FlagSettings, RuleSettings
from baliza.analyses.model import Finding, Message, Reference
from baliza.analyses.wording import amount, named
from baliza.analyses.wording import share as a_share
from baliza.i18n import N_
from baliza.warehouse.protocol import Warehouse

RULE_CASE = "quantity_shrinkage"
RULE_PROSECUTOR = "quantity_shrinkage_concentration"
CHARGED_WORDS = N_("The charged quantity (per case, the sum over defendants of each defendant's largest charge) "
                   "against the laboratory quantity (else the seized quantity), in the same base unit.")


def comparable_quantities(warehouse: Warehouse, facts: ir.Table, tolerance: float) -> ir.Table:
    """Seizure cases with a seizure quantity and a charged quantity in the same base unit, and whether the
    charge is below `tolerance` of the seizure's (`shrunk`)."""
    charged = charged_per_case(warehouse.table("charges"))
    seized = facts.filter(facts.seizure_id.notnull() & (facts.case_quantity > 0))
    both = seized.join(charged, (seized.case_id == charged.case_id) & (seized.quantity_unit == charged.base_unit))
    return both.select(
        seized.case_id, seized.prosecutor_id, seized.seizure_id, reference_base=seized.case_quantity,
        charged_base=charged.charged_base, base_unit=seized.quantity_unit, substance_group=seized.substance_group,
        shrunk=charged.charged_base < float(tolerance) * seized.case_quantity,
    )


def quantity_shrinkage(warehouse: Warehouse, facts: ir.Table, settings: FlagSettings) -> RuleResult:
    per_case, per_prosecutor = settings.rule(RULE_CASE), settings.rule(RULE_PROSECUTOR)
    tolerance = per_case["tolerance"]
    with cached(comparable_quantities(warehouse, facts, tolerance)) as comparable:  # read twice
        return _shrinkage(comparable, per_case, per_prosecutor)


def _shrinkage(comparable: ir.Table, per_case: RuleSettings, per_prosecutor: RuleSettings) -> RuleResult:
    tolerance = per_case["tolerance"]
    rows = comparable.filter(comparable.shrunk).order_by("case_id").to_pandas()
    findings: list[Finding] = []
    method = (Message(CHARGED_WORDS), *per_case.criteria())
    for r in rows.itertuples(index=False):
        share = float(r.charged_base) / float(r.reference_base)
        findings.append(
            Finding(
                RULE_CASE,
                Reference("cases", str(r.case_id)),
                round(1 - share, 3), "",
                (Reference("cases", str(r.case_id)), Reference("seizures", str(r.seizure_id))), "",
                details={"charged": float(r.charged_base), "reference": float(r.reference_base),
                         "unit": r.base_unit, "prosecutor_id": r.prosecutor_id},
                messages=(Message(N_("Case %(case)s charges %(charged)s where seizure %(seizure)s held %(held)s "
                                     "(%(share)s)."),
                                  {"case": str(r.case_id), "charged": amount(float(r.charged_base), r.base_unit),
                                   "seizure": str(r.seizure_id), "held": amount(float(r.reference_base), r.base_unit),
                                   "share": a_share(share)}), sure_words(None)),
                method_messages=method,
            )
        )
    cells = event_cells(comparable, ("prosecutor_id", "substance_group"), "shrunk")
    per_unit, _ = observed_expected_tests(cells, "prosecutor_id", ("substance_group",), per_prosecutor["min_cases"])
    tests: list[UnitTest] = []
    shrunk_by = rows.groupby("prosecutor_id")["case_id"].apply(sorted).to_dict() if len(rows) else {}
    for row in per_unit.itertuples(index=False) if not per_unit.empty else []:
        tests.append(_prosecutor_test(row, shrunk_by.get(row.prosecutor_id, []), per_prosecutor, tolerance))
    return RuleResult(tests, findings)


def _prosecutor_test(row: Any, shrunk_cases: list[str], rule: RuleSettings, tolerance: float) -> UnitTest:
    observed, expected, n = float(row.observed), float(row.expected), int(row.n)
    material = observed >= rule["min_shrunk"] and (expected == 0 or observed >= rule["min_ratio"] * expected)
    summary = Message(
        N_("Prosecutor %(prosecutor)s: %(observed)s of %(n)s seizure cases charge less than %(tolerance)s of the "
           "seized quantity, where about %(expected)s would be usual for the same substances."),
        {"prosecutor": named("staff", row.prosecutor_id), "tolerance": a_share(tolerance),
         **observed_words(observed, expected, n)})
    method = (
        Message(CHARGED_WORDS),
        Message(N_("Per case: shrunk below %(tolerance)s. Per prosecutor: observed against expected shrunk cases "
                   "(logistic model on substance group)."), {"tolerance": a_share(tolerance)}),
        funnel_words(row), *rule.criteria(),
    )
    return excess_cases_test(RULE_PROSECUTOR, row, shrunk_cases, material, summary, method, rule.fdr)
