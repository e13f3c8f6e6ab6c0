"""Decisions on findings: an inspector confirms, dismisses or asks for more data, with a note.

A decision belongs to the agency that made it; the latest one per finding is the finding's state.
Every decision also goes into the audit log (done by the caller, who knows the principal).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from baliza.access.clock import as_utc, now
from baliza.access.principal import Principal
from baliza.access.state import StateStore, finding_decisions
from baliza.i18n import gettext as _

DECISIONS: tuple[str, ...] = ("confirmed", "dismissed", "needs_more_data")


@dataclass(frozen=True)
class Decision:
    finding_id: str
    decision: str
    note: str
    decided_by: str
    decided_at: datetime

    def to_dict(self) -> dict[str, str]:
        return {"finding_id": self.finding_id, "decision": self.decision, "note": self.note,
                "decided_by": self.decided_by, "decided_at": self.decided_at.isoformat()}


def decide(store: StateStore, principal: Principal, finding_id: str, decision: str, note: str) -> Decision:
    if decision not in DECISIONS:
        raise ValueError(_("a decision is one of: %(decisions)s", decisions=", ".join(DECISIONS)))
    made = Decision(finding_id, decision, note.strip(), principal.username, now())
    with store.engine.begin() as conn:
        conn.execute(finding_decisions.insert().values(
            finding_id=finding_id, agency_id=principal.agency_id, decision=decision, note=made.note,
            decided_by=principal.username, decided_at=made.decided_at,
        ))
    return made


def latest_decisions(store: StateStore, agency_id: str) -> dict[str, Decision]:
    """The latest decision of `agency_id` on each finding it decided."""
    d = finding_decisions
    query = sa.select(d).where(d.c.agency_id == agency_id).order_by(d.c.decision_id)
    with store.engine.connect() as conn:
        return {row.finding_id: Decision(row.finding_id, row.decision, row.note, row.decided_by,
                                         as_utc(row.decided_at)) for row in conn.execute(query)}
