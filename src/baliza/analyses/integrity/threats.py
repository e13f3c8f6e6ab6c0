"""Rule: threats reported by a grower in the alternative-livelihood programme escalate to its programme office.

The findings are built by `baliza.analyses.programmes.threats` (the programme's own module); this is the
rule as the red-flag run calls it, so that they reach the programme office through the same store, scope
and decisions as every other finding.
"""

from __future__ import annotations

from baliza.analyses.integrity.common import RuleResult
from baliza.analyses.integrity.rules import FlagSettings
from baliza.warehouse.store import Warehouse

RULE = "threat_reported"


def threats_reported(warehouse: Warehouse, settings: FlagSettings) -> RuleResult:
    """Every enrolment with at least `min_threats` threats reported, dated the day it was loaded."""
    from baliza.analyses.programmes.threats import threat_findings

    minimum = int(settings.rule(RULE)["min_threats"])
    found = threat_findings(warehouse.table("farmer_enrolments"), warehouse.table("loads"), minimum)
    return RuleResult([], found)
