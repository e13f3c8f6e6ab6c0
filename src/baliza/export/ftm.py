"""People, organisations, cases, their parties and the links between them as FollowTheMoney entities, for
investigators who work in Aleph (or any tool that reads `ftm` JSON lines).

What is exported is what the reader may read (`Scope`: their agency's rows and those shared with it; the
operator without `--user`: everything), with these entities:

- `Person` for each person record (name, birth date, nationality, document, phone, address; `publisher`
  the agency that holds the record). Protected people (protection programmes, protected witnesses) are
  withheld: no entity, no party, no link names them. A record the reader may not read in clear (their role
  sees persons masked) is withheld too: an entity holding only "[protected]" helps nobody;
- `Organization` for each organisation (name, country, registration number, address);
- `CourtCase` for each case (number, date opened, the prosecution office as `court`);
- `CourtCaseParty` for each party of a case whose person is exported (its role);
- `UnknownLink` between two person records that people resolution (`baliza people resolve`) took for one
  person, both exported, with the match weight and the fields that agreed as its role and description:
  Aleph shows them side by side, and nothing is merged.

Countries are written as FollowTheMoney writes them (ISO 3166 alpha-2, lower case). Entity ids are stable
(a digest of the table and the row's key), so a second export updates the same entities in Aleph.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pycountry

from baliza.access import fieldcrypt
from baliza.access.protection import MASK, PERSONAL_COLUMNS, present_persons, protected_person_ids
from baliza.access.scope import Scope
from baliza.analyses.people.model import COMPARED
from baliza.analyses.people.resolution import LinkEvidence
from baliza.analyses.people.stored import is_resolved, links_table
from baliza.crypto.export import entity_lines

Entity = dict[str, Any]


def entity_id(table: str, key: str) -> str:
    return f"baliza-{table}-" + hashlib.sha1(f"{table}:{key}".encode()).hexdigest()[:20]


def ftm_country(code: str | None) -> str | None:
    """An ISO alpha-3 code ("PER") as FollowTheMoney writes countries ("pe"); None when unknown."""
    if not code:
        return None
    found = pycountry.countries.get(alpha_3=str(code).upper()) or pycountry.countries.get(alpha_2=str(code).upper())
    return found.alpha_2.lower() if found else None


def _day(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value)[:10]


def _entity(schema: str, table: str, key: str, **properties: Any) -> Entity:
    kept = {name: [str(v) for v in (values if isinstance(values, list) else [values]) if v not in (None, "")]
            for name, values in properties.items()}
    return {"id": entity_id(table, key), "schema": schema, "properties": {k: v for k, v in kept.items() if v}}


@dataclass
class FtmExport:
    """The entities, and what was withheld (counted, never named)."""

    entities: list[Entity] = field(default_factory=list)
    withheld_people: int = 0

    def lines(self) -> str:
        return entity_lines(self.entities)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for e in self.entities:
            out[e["schema"]] = out.get(e["schema"], 0) + 1
        return out


def _rows(table: Any) -> list[dict[str, Any]]:
    return table.to_pyarrow().to_pylist()  # type: ignore[no-any-return]


def _table(wh: Any, scope: Scope | None, name: str) -> Any:
    return scope.filter(wh, name) if scope is not None else wh.table(name)


def _people(wh: Any, scope: Scope | None) -> tuple[list[dict[str, Any]], int]:
    """The person rows exported, opened as the reader may see them, and how many were withheld."""
    rows = _rows(_table(wh, scope, "persons"))
    protected = protected_person_ids(wh) if rows else set()  # all of them: an isin of thousands compiles slowly
    if scope is not None:
        shown = [r for r in present_persons(wh, scope, rows) if r["person_id"] not in protected
                 and not any(r.get(c) == MASK for c in PERSONAL_COLUMNS)]
        return shown, len(rows) - len(shown)
    ring = getattr(wh, "keys", None) or fieldcrypt.KeyRing.for_warehouse(wh.home)
    shown = []
    for row in rows:
        if row["person_id"] in protected:
            continue
        shown.append({**row, **{c: ring.open(row[c]) if fieldcrypt.is_encrypted(row.get(c)) else row.get(c)
                                for c in PERSONAL_COLUMNS}})
    return shown, len(rows) - len(shown)


def _agency_names(wh: Any) -> dict[str, str]:
    return {r["agency_id"]: r["name"] for r in _rows(wh.table("agencies").select("agency_id", "name"))}


def _person_entities(people: list[dict[str, Any]], agencies: dict[str, str]) -> Iterator[Entity]:
    for p in people:
        yield _entity("Person", "persons", p["person_id"], name=p.get("full_name") or p["person_id"],
                      birthDate=_day(p.get("birth_date")), nationality=ftm_country(p.get("nationality")),
                      idNumber=p.get("id_document"), phone=p.get("phone"), address=p.get("address"),
                      publisher=agencies.get(p.get("_agency_id") or "", p.get("_agency_id")),
                      description=f"Baliza person record {p['person_id']}")


def _organization_entities(wh: Any, scope: Scope | None) -> Iterator[Entity]:
    for o in _rows(_table(wh, scope, "organizations")):
        yield _entity("Organization", "organizations", o["organization_id"], name=o["name"],
                      country=ftm_country(o.get("country")), registrationNumber=o.get("registration_number"),
                      address=o.get("address"))


def _case_entities(wh: Any, scope: Scope | None, agencies: dict[str, str]) -> Iterator[Entity]:
    offices = {r["unit_id"]: r["name"] for r in _rows(wh.table("units").select("unit_id", "name"))}
    for c in _rows(_table(wh, scope, "cases")):
        yield _entity("CourtCase", "cases", c["case_id"], name=c["case_id"], caseNumber=c["case_id"],
                      fileDate=_day(c.get("opened_at")), court=offices.get(c.get("office_id") or ""),
                      publisher=agencies.get(c.get("_agency_id") or ""))


def _party_entities(wh: Any, scope: Scope | None, exported: set[str], cases: set[str]) -> Iterator[Entity]:
    for p in _rows(_table(wh, scope, "case_parties")):
        if p["person_id"] in exported and p["case_id"] in cases:
            yield _entity("CourtCaseParty", "case_parties", f"{p['case_id']}|{p['person_id']}",
                          case=entity_id("cases", p["case_id"]), party=entity_id("persons", p["person_id"]),
                          role=p.get("role"))


def _same_person_links(wh: Any, exported: set[str]) -> Iterator[Entity]:
    if not is_resolved(wh):
        return
    for k in _rows(links_table(wh)):
        if k["person_a"] not in exported or k["person_b"] not in exported:
            continue
        evidence = LinkEvidence(k["cluster_id"], k["person_a"], k["person_b"], k["match_weight"],
                                k["match_probability"], {c: k[c] for c in COMPARED})
        yield _entity("UnknownLink", "resolved_people_links", f"{k['person_a']}|{k['person_b']}",
                      subject=entity_id("persons", k["person_a"]), object=entity_id("persons", k["person_b"]),
                      role="same person (Baliza people resolution)",
                      description=f"match weight {k['match_weight']:.1f}, probability {k['match_probability']:.4f}; "
                                  f"agreed on: {', '.join(f'{c} ({k[c]})' for c in evidence.agreed()) or 'nothing'}")


def export_ftm(wh: Any, scope: Scope | None = None) -> FtmExport:
    """Every person, organisation, case, party and same-person link `scope`'s reader may read (the operator:
    everything), protected people withheld."""
    agencies = _agency_names(wh)
    people, withheld = _people(wh, scope)
    exported = {p["person_id"] for p in people}
    out = FtmExport(withheld_people=withheld)
    out.entities += _person_entities(people, agencies)
    out.entities += _organization_entities(wh, scope)
    cases = list(_case_entities(wh, scope, agencies))
    out.entities += cases
    out.entities += _party_entities(wh, scope, exported, {c["properties"]["caseNumber"][0] for c in cases})
    out.entities += _same_person_links(wh, exported)
    return out
