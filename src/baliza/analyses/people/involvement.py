"""What resolved people change for chains and flags: one person involved again, seen only across records.

Each agency sees its own record of a courier: customs the traveller of a passenger consignment, the police
the arrested person, the prosecution a party to a case. Resolved, they are one person. One courier chain
(the consignment, the seizure, the arrest, the case of that seizure) is one event however many agencies
recorded it, so a person's rows are counted as events:

- rows linked to one seizure are one event: the arrests made at it, the cases opened on it, and the
  passenger consignments it was made on (through their inspection);
- an arrest without a seizure is one event, with the case without a seizure opened on the same person
  within `same_event_days` after it (a case from an arrest);
- any other case without a seizure is one event; consignments without a seizure are no involvement, and
  of a case's parties only its defendants and suspects are (never witnesses or victims).

Finding `person_across_agencies`: a resolved person involved in `min_events` separate events or more that
no single record of theirs shows whole (`rules.yaml`): a repeat that only the resolution brings together.
It is a lead for an analyst (the agencies may not know of each other's records), never a verdict: its
details list the records, their agencies and the events of each, and the links the resolution rests on
with their match weights and the fields that agreed, so a wrong link is there to be seen. Every record of
the person is in its evidence: a reader sees the details only if they may read all of them, else the
agencies holding the rest (`access.redaction`).

Protected records (protection programmes, protected witnesses) are left out of the events, the evidence and
the links: a finding must never reveal that someone is in a programme. The subject is the cluster's record
with the most events; the person is named by ids only (the pseudonymous cluster id in the details).

The events are Ibis expressions over the warehouse (or a principal's scoped view) and the stored resolution
(`stored`), which `baliza people resolve` computes once per load.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

from baliza.analyses.model import Finding, Message, Reference
from baliza.analyses.people.stored import is_resolved, links_table, resolved_table
from baliza.i18n import N_

RULE = "person_across_agencies"
OFFENDER_ROLES = ("defendant", "suspect")
MIN_EVENTS = 2
SAME_EVENT_DAYS = 30


@dataclass(frozen=True)
class Involvement:
    """A resolved person's separate events across their records (protected records left out)."""

    cluster_id: str
    events: int
    records: int
    record_agencies: int
    most_in_one_record: int
    arrests: int
    cases: int
    seizures: int
    agencies: int

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _people(wh: Any) -> ir.Table:
    people = resolved_table(wh)
    return people.filter(~people.protected.fill_null(False)).select("cluster_id", "person_id",
                                                                    record_agency="agency_id")


def _naming(wh: Any) -> ir.Table:
    """Every row naming a person as an offender: (person_id, kind, row_id, agency_id, at, seizure_id)."""
    arrests = wh.table("arrests")
    parties = wh.table("case_parties")
    cases = wh.table("cases")
    consignments = wh.table("consignments")
    inspections = wh.table("inspections")
    seizures = wh.table("seizures")
    named_parties = parties.filter(parties.role.isin(OFFENDER_ROLES) & parties.person_id.notnull())
    in_cases = named_parties.join(cases, named_parties.case_id == cases.case_id)
    travelled = consignments.filter(consignments.traveller_id.notnull())
    seized = travelled.join(inspections, travelled.consignment_id == inspections.consignment_id).join(
        seizures, inspections.inspection_id == seizures.inspection_id)
    return ibis.union(
        arrests.select(person_id=arrests.person_id, kind=ibis.literal("arrests"), row_id=arrests.arrest_id,
                       agency_id=arrests._agency_id, at=arrests.arrested_at, seizure_id=arrests.seizure_id),
        in_cases.select(person_id=named_parties.person_id, kind=ibis.literal("cases"), row_id=named_parties.case_id,
                        agency_id=named_parties._agency_id, at=cases.opened_at, seizure_id=cases.seizure_id),
        seized.select(person_id=travelled.traveller_id, kind=ibis.literal("consignments"),
                      row_id=travelled.consignment_id, agency_id=travelled._agency_id, at=seizures.seized_at,
                      seizure_id=seizures.seizure_id),
        distinct=True)


def involved_rows(wh: Any, same_event_days: int = SAME_EVENT_DAYS) -> ir.Table:
    """Every offender row of a resolved (not protected) record, with the event it belongs to: cluster_id,
    person_id, record_agency, kind, row_id, agency_id, at, seizure_id, event."""
    people = _people(wh)
    named = _naming(wh)
    rows = people.join(named, people.person_id == named.person_id).select(
        people.cluster_id, people.person_id, people.record_agency, named.kind, named.row_id, named.agency_id,
        named.at, named.seizure_id)
    loose = rows.seizure_id.isnull()
    cases = rows.filter(loose & (rows.kind == "cases")).select(
        "cluster_id", case_id=rows.row_id, opened=rows.at)
    arrests = rows.filter(loose & (rows.kind == "arrests")).select(
        arrest_cluster=rows.cluster_id, arrest_id=rows.row_id, arrested=rows.at)
    # a case without a seizure opened on a person soon after their arrest without one: one event
    after_arrest = cases.join(arrests, [cases.cluster_id == arrests.arrest_cluster,
                                        arrests.arrested <= cases.opened,
                                        arrests.arrested >= cases.opened - ibis.interval(days=same_event_days)])
    folded = after_arrest.group_by([after_arrest.cluster_id, after_arrest.case_id]).aggregate(
        arrest_id=after_arrest.arrest_id.min()).select(folded_cluster="cluster_id", folded_case="case_id",
                                                       folded_arrest="arrest_id")
    joined = rows.left_join(folded, [rows.cluster_id == folded.folded_cluster, rows.kind == "cases",
                                     rows.row_id == folded.folded_case])
    event = ibis.cases(
        (joined.seizure_id.notnull(), ibis.literal("seizures:").concat(joined.seizure_id.cast("string"))),
        (joined.folded_arrest.notnull(), ibis.literal("arrests:").concat(joined.folded_arrest.cast("string"))),
        else_=joined.kind.concat(":", joined.row_id.cast("string")))
    return joined.select("cluster_id", "person_id", "record_agency", "kind", "row_id", "agency_id", "at",
                         "seizure_id", event=event)


def involvement(wh: Any, same_event_days: int = SAME_EVENT_DAYS) -> list[Involvement]:
    """Per resolved person with involvement (protected records left out): their separate events, the most
    that any one record of theirs shows, their records and the agencies holding any of those rows."""
    if not is_resolved(wh):
        return []
    rows = involved_rows(wh, same_event_days)
    people = _people(wh)
    per_record = rows.group_by(["cluster_id", "person_id"]).aggregate(events=rows.event.nunique())
    most = per_record.group_by("cluster_id").aggregate(most_in_one_record=per_record.events.max())
    counts = rows.group_by("cluster_id").aggregate(
        events=rows.event.nunique(), arrests=rows.row_id.nunique(where=rows.kind == "arrests"),
        cases=rows.row_id.nunique(where=rows.kind == "cases"), seizures=rows.seizure_id.nunique())
    held = ibis.union(rows.select("cluster_id", "agency_id"),
                      people.select("cluster_id", agency_id=people.record_agency))
    spread = held.group_by("cluster_id").aggregate(agencies=held.agency_id.nunique())
    records = people.group_by("cluster_id").aggregate(records=people.count(),
                                                      record_agencies=people.record_agency.nunique())
    joined = (counts.join(most, "cluster_id").join(records, "cluster_id").join(spread, "cluster_id")
              .select(counts.cluster_id, counts.events, records.records, records.record_agencies,
                      most.most_in_one_record, counts.arrests, counts.cases, counts.seizures, spread.agencies))
    return [Involvement(r["cluster_id"], int(r["events"]), int(r["records"]), int(r["record_agencies"]),
                        int(r["most_in_one_record"]), int(r["arrests"]), int(r["cases"]), int(r["seizures"]),
                        int(r["agencies"]))
            for r in joined.order_by("cluster_id").to_pyarrow().to_pylist()]


def _rows_of(wh: Any, clusters: list[str], same_event_days: int) -> dict[str, list[dict[str, Any]]]:
    rows = involved_rows(wh, same_event_days)
    rows = rows.filter(rows.cluster_id.isin(clusters))
    out: dict[str, list[dict[str, Any]]] = {}
    for r in rows.order_by(["cluster_id", "at", "kind", "row_id"]).to_pyarrow().to_pylist():
        out.setdefault(r["cluster_id"], []).append(r)
    return out


def _links_of(wh: Any, clusters: list[str]) -> dict[str, list[dict[str, Any]]]:
    from baliza.analyses.people.model import COMPARED
    from baliza.analyses.people.resolution import LinkEvidence

    people = resolved_table(wh)
    protected = set(people.filter(people.cluster_id.isin(clusters) & people.protected.fill_null(False))
                    .person_id.to_pyarrow().to_pylist())
    links = links_table(wh)
    out: dict[str, list[dict[str, Any]]] = {}
    for k in links.filter(links.cluster_id.isin(clusters)).order_by(["cluster_id", "person_a", "person_b"]) \
            .to_pyarrow().to_pylist():
        if k["person_a"] in protected or k["person_b"] in protected:
            continue  # a link to a protected record would show that it exists
        link = LinkEvidence(k["cluster_id"], k["person_a"], k["person_b"], k["match_weight"],
                            k["match_probability"], {c: k[c] for c in COMPARED})
        out.setdefault(k["cluster_id"], []).append(
            {"person_a": link.person_a, "person_b": link.person_b, "match_weight": link.match_weight,
             "agreed": {c: link.levels[c] for c in link.agreed()}})
    return out


def repeat_findings(wh: Any, min_events: int = MIN_EVENTS, same_event_days: int = SAME_EVENT_DAYS,
                    criteria: tuple[Message, ...] = ()) -> list[Finding]:
    """`person_across_agencies` findings: people involved in `min_events` separate events or more that no
    single record of theirs shows whole; most events first (`criteria`: the settings' words, for the method)."""
    fired = [i for i in involvement(wh, same_event_days)
             if i.events >= min_events and i.most_in_one_record < i.events]
    if not fired:
        return []
    clusters = [i.cluster_id for i in fired]
    rows = _rows_of(wh, clusters, same_event_days)
    links = _links_of(wh, clusters)
    people = _people(wh)
    members: dict[str, list[dict[str, Any]]] = {}
    for m in (people.filter(people.cluster_id.isin(clusters)).order_by(["cluster_id", "person_id"])
              .to_pyarrow().to_pylist()):
        members.setdefault(m["cluster_id"], []).append(m)
    findings = []
    for i in sorted(fired, key=lambda i: (-i.events, -i.record_agencies, i.cluster_id)):
        mine = rows.get(i.cluster_id, [])
        # every (not protected) record of the person is evidence, with or without rows: the details name
        # them, so a reader who may not read one sees the details withheld and who holds it
        records: dict[str, dict[str, Any]] = {
            m["person_id"]: {"person_id": m["person_id"], "agency_id": m["record_agency"], "events": set()}
            for m in members.get(i.cluster_id, [])}
        for r in mine:
            records[r["person_id"]]["events"].add(r["event"])
        subject = min(records.values(), key=lambda r: (-len(r["events"]), r["person_id"]))["person_id"]
        evidence: list[Reference] = [Reference("persons", p) for p in sorted(records)]
        for r in mine:
            for ref in (Reference(r["kind"], str(r["row_id"])),
                        Reference("seizures", str(r["seizure_id"])) if r["seizure_id"] is not None else None):
                if ref is not None and ref not in evidence:
                    evidence.append(ref)
        found = links.get(i.cluster_id, [])
        weights = [k["match_weight"] for k in found] or [0.0]
        details = {
            **i.to_dict(),
            "records_involved": [{"person_id": r["person_id"], "agency_id": r["agency_id"],
                                  "events": sorted(r["events"])} for r in records.values()],
            "rows": [{"table": r["kind"], "id": str(r["row_id"]), "agency_id": r["agency_id"],
                      "person_id": r["person_id"], "event": r["event"]} for r in mine],
            "links": found, "weakest_link_weight": min(weights), "strongest_link_weight": max(weights)}
        findings.append(Finding(
            rule=RULE, subject=Reference("persons", subject), score=float(i.events), summary="",
            evidence=tuple(evidence), method="", details=details,
            messages=(
                Message(N_("One person, recorded as %(records)s records by %(record_agencies)s agencies, is involved "
                           "in %(events)s separate seizures, arrests or cases (%(arrests)s arrests, %(cases)s "
                           "cases); no single record shows more than %(most_in_one_record)s of them."),
                        i.to_dict()),
                Message(N_("The records were linked with match weights from %(weakest)s to %(strongest)s; the "
                           "links and the fields that agreed are in the details."),
                        {"weakest": float(min(weights)), "strongest": float(max(weights))}),
            ),
            method_messages=(Message(N_(
                "Person records of every agency linked by name, date of birth, document, phone and nationality "
                "(Splink, Fellegi-Sunter model estimated without labels, keyed pseudonyms only); the rows linked to "
                "one seizure counted as one event; protected records left out.")), *criteria),
        ))
    return findings
