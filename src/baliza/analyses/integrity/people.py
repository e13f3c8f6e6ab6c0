"""Rule: one person involved in separate seizures, arrests or cases, seen only across agencies' records.

The findings are built by `baliza.analyses.people.involvement` from the resolution `baliza people resolve`
keeps in the warehouse (computed once per load: Splink is too slow to run inside every red-flag run); this
is the rule as the red-flag run calls it, so that the findings reach `baliza flags` and the findings queue
through the same store, scope and redaction as every other finding. Without a stored resolution it finds
nothing.
"""

from __future__ import annotations

import ibis.expr.types as ir

from baliza.analyses.integrity.common import RuleResult
from baliza.analyses.integrity.rules import FlagSettings
from baliza.warehouse.protocol import Warehouse

RULE = "person_across_agencies"


def repeat_people(warehouse: Warehouse, facts: ir.Table | None, settings: FlagSettings) -> RuleResult:
    """Every resolved person with at least `min_events` separate events that no single record shows whole
    (`facts`: unused, the rule reads no case facts)."""
    from baliza.analyses.people.involvement import repeat_findings

    rule = settings.rule(RULE)
    return RuleResult([], repeat_findings(warehouse, int(rule["min_events"]), int(rule["same_event_days"]),
                                          rule.criteria()))
