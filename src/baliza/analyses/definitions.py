"""One definition per idea: the windows, outcomes and quantity rules every analysis shares.

The chain (`chain_links`), the red flags (`integrity`), the indicators (`ksi`) and the reports read these
names; none of them spells a window, a tolerance or a list of outcomes of its own.

Charged quantity against the laboratory
---------------------------------------
A seizure's *charged quantity* is, per case, the sum over defendants of each defendant's largest charge
(in the seizure's base unit: kg, l, or the count unit). Summing across defendants means that a 10 kg
seizure split between two couriers charged 5 kg each is not a broken link; taking each defendant's
largest charge means that one person charged on several counts for the same drugs is counted once.
The comparison is with the laboratory quantity, else the seized quantity. A link is broken when the
charged quantity is below `CHARGED_TOLERANCE` of it. The rule is the conservative one on purpose: a
broken link names a prosecutor, so it must not fire where charges were merely split between people.

Substance groups
----------------
The groups are the contract's vocabulary (`SUBSTANCE_GROUPS`, re-exported here). A case's group is its
seizure's, else the group of its most serious charge (`casefacts`); a seizure's is its own. Case-mix models
(red flags) and indicators compare like with like on this one grouping.

As-of date
----------
Every deadline (laboratory, case opening, limitation) is judged against the date the data covers to,
never against today: see `baliza.analyses.as_of`.
"""

from __future__ import annotations

import ibis.expr.types as ir

from baliza.contract.vocabularies import SUBSTANCE_GROUPS
from baliza.warehouse.views import base_quantity, base_unit

__all__ = [
    "CASE_WINDOW_DAYS", "CHARGED_TOLERANCE", "CONVICTIONS", "ENDED_WITHOUT_CONVICTION", "EVIDENCE_LOST",
    "LAB_WINDOW_DAYS", "SUBSTANCE_GROUPS", "charged_per_case",
]

CASE_WINDOW_DAYS = 90  # a seizure with arrests should become a case within this many days
LAB_WINDOW_DAYS = 60  # a seizure should have a laboratory result within this many days
CHARGED_TOLERANCE = 0.8  # charged below 80 % of the laboratory (else seized) quantity is a broken link

CONVICTIONS: tuple[str, ...] = ("convicted", "plea_convicted")
# outcomes that end a defendant's case without a conviction and break the chain
ENDED_WITHOUT_CONVICTION: tuple[str, ...] = ("dismissed", "acquitted", "statute_barred", "withdrawn")
EVIDENCE_LOST: tuple[str, ...] = ("evidence_missing", "evidence_destroyed")


def charged_per_case(charges: ir.Table) -> ir.Table:
    """Per case and base unit: the charged quantity (sum over defendants of each one's largest charge).

    Columns: case_id, base_unit, charged_base, n_defendants_charged. Charges without a quantity or unit
    are left out; a case charged in two dimensions (kg and tablets) has one row per base unit.
    """
    c = charges.filter(charges.quantity.notnull() & charges.quantity_unit.notnull())
    c = c.mutate(_base=base_quantity(c.quantity, c.quantity_unit), _unit=base_unit(c.quantity_unit))
    per_person = c.group_by(["case_id", "person_id", "_unit"]).aggregate(_largest=c._base.max())
    return per_person.group_by(["case_id", "_unit"]).aggregate(
        charged_base=per_person._largest.sum(), n_defendants_charged=per_person.count()
    ).rename(base_unit="_unit")
