"""Rule: threats reported by a grower in the alternative-livelihood programme escalate to its programme office.

The findings are built by `baliza.analyses.programmes.threats` (the programme's own module); this is the
rule as the red-flag run calls it, so that they reach the programme office through the same store, scope
and decisions as every other finding.
"""

from __future__ import annotations

import ibis.expr.types as ir

from baliza.analyses.integrity.common import RuleResult
from baliza.analyses.integrity.rules import FlagSettings
from baliza.warehouse.protocol import Warehouse, whole_of

RULE = "threat_reported"


def threats_reported(warehouse: Warehouse, facts: ir.Table, settings: FlagSettings) -> RuleResult:
    """Every enrolment with at least `min_threats` threats reported, dated the day it was loaded."""
    from baliza.analyses.programmes.threats import threat_findings

    minimum = int(settings.rule(RULE)["min_threats"])
    # the loads are bookkeeping without an agency: read whole, even from a scoped view
    found = threat_findings(warehouse.table("farmer_enrolments"), whole_of(warehouse).table("loads"), minimum)
    return RuleResult([], found)
