"""A finding as one reader may see it: the hit/no-hit rule applied to its evidence.

Flags are computed once on the whole warehouse, so one finding can rest on rows of several agencies. A reader
learns that such a row exists and who holds it (its table, the stage of the chain, and the holding agency:
a hit), never its id or content; the summary and details, which quote quantities and ids from the evidence,
are replaced by a sentence naming the rule and the agencies holding the rest. The reader can then ask the
holder to share (a grant), and the finding shows in full once the grant is live.

`redact_finding` is the one place this is decided: the API, the pages and the reports all call it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from baliza.analyses.model import Finding, Message, Reference
from baliza.analyses.wording import label, named
from baliza.i18n import N_

UNKNOWN_HOLDER = "another agency"


@dataclass(frozen=True)
class Readable:
    """Which evidence rows a reader may read, and who holds each row it may not."""

    rows: frozenset[tuple[str, str]]  # (table, id) the reader's agency reported or was granted
    holders: Mapping[tuple[str, str], str] = field(default_factory=dict)  # (table, id) -> holding agency

    def may_read(self, reference: Reference) -> bool:
        return (reference.table, reference.id) in self.rows

    def holder(self, reference: Reference) -> str:
        return self.holders.get((reference.table, reference.id)) or UNKNOWN_HOLDER


def redact_finding(finding: Finding, readable: Readable) -> dict[str, Any]:
    """The finding's plain form (as `Finding.to_dict`) with what the reader may not read taken out.

    Evidence rows the reader may read keep their id; the others become {"table", "held_by"}, once per table
    and holder (how many rows is theirs to say). If any is
    held elsewhere, the summary and details (which may quote those rows) are withheld, and `withheld`
    names the holding agencies.
    """
    plain = finding.to_dict()
    held: list[str] = []
    evidence: list[dict[str, str]] = []
    for reference in finding.evidence:
        if readable.may_read(reference):
            evidence.append(reference.to_dict())
        else:
            holder = readable.holder(reference)
            hit = {"table": reference.table, "held_by": holder}
            if hit not in evidence:  # a hit, not a count: one line per table and holder
                evidence.append(hit)
            if holder not in held:
                held.append(holder)
    plain["evidence"] = evidence
    plain["withheld"] = sorted(held)
    if held:
        # the messages' values quote figures and ids of the evidence, like the summary: all withheld
        withheld = Message(N_("%(rule)s: the rule fired, and some of its evidence is held by %(holders)s. Ask the "
                              "holder to share it to see the figures."),
                           {"rule": label(finding.rule), "holders": named("agencies", sorted(held))})
        plain["summary"] = withheld.english()
        plain["messages"] = [withheld.to_dict()]
        plain["details"] = {}
    return plain
