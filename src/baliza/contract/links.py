"""How the tables of a seizure's chain hang together, declared once.

A chain starts at a seizure and runs through references of the interchange format: back to the inspection
and the consignment it came from, forward to the arrests and cases opened on it, from a case to its
parties, charges, events, dispositions and assets, and from any of these to the persons they name.
Each `ChainLink` is one reference column (`table.column` -> `target`) and says which way the chain
follows it:

- `follows="target"`: from a row of `table` the chain goes on to the row it names (a seizure to its
  inspection, an arrest to its person);
- `follows="table"`: from a row of `target` the chain goes on to the rows of `table` that name it (a
  seizure to its arrests, a case to its charges).

`owner_follows_target` says that a row belongs to whoever reports the row it hangs off (a charge belongs
to the office that prosecutes the case), which the demo's split by agency uses.

The seizure chain (`analyses.chain_links`), the scope of a sharing grant (`access.scope`), the case file
(`web.queries`) and the demo's split by agency (`demo.by_agency`) all read these declarations; a test
checks them against `shared/contract/tables.yaml`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from baliza.contract.tables import get_table


@dataclass(frozen=True)
class ChainLink:
    table: str
    column: str
    target: str
    follows: Literal["target", "table"]
    stage: str  # the chain stage of the rows the link leads to
    owner_follows_target: bool = False


CHAIN_LINKS: tuple[ChainLink, ...] = (
    ChainLink("seizures", "inspection_id", "inspections", "target", "inspection"),
    ChainLink("inspections", "consignment_id", "consignments", "target", "consignment"),
    ChainLink("arrests", "seizure_id", "seizures", "table", "arrest"),
    ChainLink("cases", "seizure_id", "seizures", "table", "case"),
    ChainLink("case_parties", "case_id", "cases", "table", "party", owner_follows_target=True),
    ChainLink("charges", "case_id", "cases", "table", "charge", owner_follows_target=True),
    ChainLink("case_events", "case_id", "cases", "table", "event", owner_follows_target=True),
    ChainLink("dispositions", "case_id", "cases", "table", "disposition", owner_follows_target=True),
    ChainLink("assets", "case_id", "cases", "table", "asset"),
    ChainLink("arrests", "person_id", "persons", "target", "person"),
    ChainLink("case_parties", "person_id", "persons", "target", "person"),
    ChainLink("charges", "person_id", "persons", "target", "person"),
    ChainLink("dispositions", "person_id", "persons", "target", "person"),
    ChainLink("assets", "owner_person_id", "persons", "target", "person"),
)

# the stage each table's rows stand for in a chain
STAGE_OF_TABLE: dict[str, str] = {
    "consignments": "consignment",
    "inspections": "inspection",
    "seizures": "seizure",
    "arrests": "arrest",
    "cases": "case",
    "case_parties": "party",
    "charges": "charge",
    "case_events": "event",
    "dispositions": "disposition",
    "assets": "asset",
    "persons": "person",
}


def parts_of(target: str) -> tuple[str, ...]:
    """The tables whose rows hang off a row of `target` (a case's parties, charges, events...)."""
    return tuple(link.table for link in CHAIN_LINKS if link.follows == "table" and link.target == target)


def link_between(table: str, target: str) -> ChainLink:
    """The link through which `table` hangs off (or points at) `target`."""
    for link in CHAIN_LINKS:
        if link.table == table and link.target == target:
            return link
    raise KeyError(f"no chain link from {table} to {target}")


def owned_with_target(target: str) -> tuple[str, ...]:
    """The tables whose rows belong to whoever reports the `target` row they hang off."""
    return tuple(link.table for link in CHAIN_LINKS if link.owner_follows_target and link.target == target)


def check_links() -> None:
    """Every declared link is a reference column of the contract that points at its target."""
    for link in CHAIN_LINKS:
        column = next((c for c in get_table(link.table).columns if c.name == link.column), None)
        if column is None or column.references != link.target:
            raise ValueError(f"{link.table}.{link.column} is not a reference to {link.target}")
