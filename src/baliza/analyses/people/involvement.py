"""What resolved people change for chains and flags: one person's records across agencies, counted together.

Each agency sees its own record of a courier: customs the traveller of a passenger consignment, the police
the arrested person, the prosecution a party to a case. Resolved, they are one person, and what each agency
holds about them adds up: the arrests of every record, the cases naming any of them, the consignments on
which any of them travelled, and the agencies holding those rows.

Finding `person_across_agencies`: a resolved person recorded separately by two agencies or more whose rows
span `min_agencies` agencies or more, or who was arrested `min_arrests` times or more under different
records (`settings.yaml`: three agencies, two arrests). It is a lead for an
analyst (the agencies may not know of each other's records), never a verdict: the links it rests on are in
its details, with their match weights, and a wrong link is there to be seen.

Protected records (protection programmes, protected witnesses) are left out of the counts and of the
evidence: a finding must never reveal that someone is in a programme.

The counts are Ibis expressions over the warehouse and the stored resolution (`stored`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

from baliza.analyses.model import Finding, Message, Reference
from baliza.analyses.people.settings import people_settings
from baliza.analyses.people.stored import is_resolved, links_table, resolved_table
from baliza.i18n import N_

RULE = "person_across_agencies"


@dataclass(frozen=True)
class Involvement:
    """A resolved person's rows across agencies (protected records left out)."""

    cluster_id: str
    records: int
    record_agencies: int
    arrests: int
    cases: int
    consignments: int
    agencies: int

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _naming(wh: Any) -> ir.Table:
    """Every row naming a person record: (person_id, kind, row id, the agency holding the row)."""
    arrests = wh.table("arrests")
    parties = wh.table("case_parties")
    consignments = wh.table("consignments")
    return ibis.union(
        arrests.select(person_id=arrests.person_id, kind=ibis.literal("arrests"), row_id=arrests.arrest_id,
                       agency_id=arrests._agency_id),
        parties.filter(parties.person_id.notnull()).select(
            person_id=parties.person_id, kind=ibis.literal("cases"), row_id=parties.case_id,
            agency_id=parties._agency_id),
        consignments.filter(consignments.traveller_id.notnull()).select(
            person_id=consignments.traveller_id, kind=ibis.literal("consignments"),
            row_id=consignments.consignment_id, agency_id=consignments._agency_id),
        distinct=False)


def involvement(wh: Any) -> list[Involvement]:
    """Per resolved person (protected records left out), their records, arrests, cases, consignments and
    the agencies holding any of those rows."""
    if not is_resolved(wh):
        return []
    people = resolved_table(wh)
    people = people.filter(~people.protected.fill_null(False))
    named = _naming(wh)
    rows = people.join(named, "person_id").select(people.cluster_id, named.kind, named.row_id, named.agency_id)
    held = ibis.union(rows.select("cluster_id", "agency_id"), people.select("cluster_id", "agency_id"))
    counts = rows.group_by("cluster_id").aggregate(
        arrests=rows.row_id.nunique(where=rows.kind == "arrests"),
        cases=rows.row_id.nunique(where=rows.kind == "cases"),
        consignments=rows.row_id.nunique(where=rows.kind == "consignments"))
    spread = held.group_by("cluster_id").aggregate(agencies=held.agency_id.nunique())
    records = people.group_by("cluster_id").aggregate(records=people.count(),
                                                      record_agencies=people.agency_id.nunique())
    joined = (records.join(spread, "cluster_id").left_join(counts, "cluster_id")
              .select(records.cluster_id, records.records, records.record_agencies, spread.agencies,
                      arrests=counts.arrests.fill_null(0), cases=counts.cases.fill_null(0),
                      consignments=counts.consignments.fill_null(0)))
    return [Involvement(r["cluster_id"], int(r["records"]), int(r["record_agencies"]), int(r["arrests"]),
                        int(r["cases"]), int(r["consignments"]), int(r["agencies"]))
            for r in joined.order_by("cluster_id").to_pyarrow().to_pylist()]


def _evidence(wh: Any, clusters: list[str]) -> dict[str, list[Reference]]:
    people = resolved_table(wh)
    people = people.filter(people.cluster_id.isin(clusters) & ~people.protected.fill_null(False))
    named = _naming(wh)
    rows = people.left_join(named, "person_id").select(people.cluster_id, people.person_id, named.kind,
                                                       named.row_id)
    out: dict[str, list[Reference]] = {}
    for r in rows.order_by(["cluster_id", "person_id", "kind", "row_id"]).to_pyarrow().to_pylist():
        refs = out.setdefault(r["cluster_id"], [])
        for ref in (Reference("persons", r["person_id"]),
                    Reference(r["kind"], r["row_id"]) if r["kind"] else None):
            if ref is not None and ref not in refs:
                refs.append(ref)
    return out


def cross_agency_findings(wh: Any) -> list[Finding]:
    """`person_across_agencies` findings, strongest spread first."""
    chosen = people_settings()
    fired = [i for i in involvement(wh) if i.record_agencies >= 2
             and (i.agencies >= chosen.min_agencies or i.arrests >= chosen.min_arrests)]
    if not fired:
        return []
    evidence = _evidence(wh, [i.cluster_id for i in fired])
    links = links_table(wh)
    weights = {r["cluster_id"]: r for r in links.filter(links.cluster_id.isin([i.cluster_id for i in fired]))
               .group_by("cluster_id").aggregate(weakest=links.match_weight.min(), strongest=links.match_weight.max())
               .to_pyarrow().to_pylist()}
    findings = []
    for i in sorted(fired, key=lambda i: (-i.agencies, -i.arrests, i.cluster_id)):
        weight = weights.get(i.cluster_id, {})
        findings.append(Finding(
            rule=RULE, subject=Reference("resolved_people", i.cluster_id), score=float(i.agencies), summary="",
            evidence=tuple(evidence.get(i.cluster_id, ())), method="",
            details={**i.to_dict(), "weakest_link_weight": weight.get("weakest"),
                     "strongest_link_weight": weight.get("strongest")},
            messages=(
                Message(N_("One person, recorded separately by %(record_agencies)s agencies (%(records)s records), "
                           "appears in rows of %(agencies)s agencies: %(arrests)s arrests, %(cases)s cases and "
                           "%(consignments)s consignments as a traveller."), i.to_dict()),
                Message(N_("The records were linked with match weights from %(weakest)s to %(strongest)s; the "
                           "links and the fields that agreed are in the details."),
                        {"weakest": float(weight.get("weakest") or 0.0),
                         "strongest": float(weight.get("strongest") or 0.0)}),
            ),
            method_messages=(Message(N_(
                "Person records of every agency linked by name, date of birth, document, phone and nationality "
                "(Splink, Fellegi-Sunter model estimated without labels, keyed pseudonyms only); protected "
                "records left out.")),),
        ))
    return findings
