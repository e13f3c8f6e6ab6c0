"""A person's other records, as one reader may learn of them (the person page, the API).

A reader sees the records of the same resolved person that their agency holds or was granted, each with the
link that joined it (match weight and the fields that agreed). Of the others they learn only that an agency
holds a record of this person, and how many (hit/no-hit, as for the steps of a chain): never its id, its
content, or the evidence of the link. Left out entirely:

- the records of an agency that withholds its `persons` rows (it declared that even their existence is not
  disclosed);
- protected records, and everything when the record read is itself protected: a link must never reveal that
  someone is in a protection programme.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from baliza.access.scope import Scope
from baliza.analyses.people.labels import agreement
from baliza.analyses.people.stored import cluster_of, resolution_state


def records_elsewhere(wh: Any, scope: Scope, person_id: str,
                      withheld: Mapping[str, set[str]] | None = None) -> dict[str, Any] | None:
    """The same person's other records for `scope`'s reader: `readable` (id, agency, link) and
    `held_elsewhere` (per agency, how many records); None when people were never resolved."""
    state = resolution_state(wh)
    if state is None:
        return None
    members, links = cluster_of(wh, person_id)
    own = next((m for m in members if m.person_id == person_id), None)
    empty = {"readable": [], "held_elsewhere": [], "resolved_at": state["resolved_at"],
             "stale": state["load_id"] != state["latest_load"]}
    if own is None or own.protected:
        return empty
    reader = scope.principal.agency_id
    others = [m for m in members if m.person_id != person_id and not m.protected
              and (m.agency_id == reader or "persons" not in (withheld or {}).get(m.agency_id, set()))]
    if not others:
        return empty
    whole = getattr(wh, "warehouse", wh)
    persons = whole.table("persons")
    rows = {r["person_id"]: r for r in persons.filter(persons.person_id.isin([m.person_id for m in others]))
            .select("person_id", "_agency_id", "_load_id").to_pyarrow().to_pylist()}
    agencies = whole.table("agencies")
    names = {r["agency_id"]: r["name"] for r in agencies.select("agency_id", "name").to_pyarrow().to_pylist()}
    readable: list[dict[str, Any]] = []
    held: dict[str, int] = {}
    for member in others:
        row = rows.get(member.person_id)
        if row is not None and scope.reads("persons", row):
            link = _link_between(links, person_id, member.person_id)
            readable.append({"person_id": member.person_id, "agency_id": member.agency_id,
                             "agency_name": names.get(member.agency_id, member.agency_id),
                             "match_weight": link.match_weight if link else member.weight,
                             "direct": link is not None, "agreed": link.agreed() if link else [],
                             "agreement": agreement(link.levels, link.agreed()) if link else [],
                             "levels": dict(link.levels) if link else {}})
        else:
            held[member.agency_id] = held.get(member.agency_id, 0) + 1
    return {**empty, "readable": readable,
            "held_elsewhere": [{"agency_id": a, "agency_name": names.get(a, a), "records": n}
                               for a, n in sorted(held.items())]}


def _link_between(links: list[Any], a: str, b: str) -> Any:
    return next((k for k in links if {k.person_a, k.person_b} == {a, b}), None)
