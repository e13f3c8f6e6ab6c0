"""Rule 4: steered assignment, only where the office assigns at random.

- Large cases: under random assignment the number of the office's large-quantity cases a prosecutor
  receives is hypergeometric given how many cases they got; an exact upper-tail test says whether they got
  more than chance allows.
- Linked defendants: a group of cases whose defendants share a phone or a surname and address, or are
  co-defendants, should spread over prosecutors like any cases; an exact binomial test on the prosecutor
  with most of them (Bonferroni over the office's prosecutors).
Reassignment shortly before a dismissal is in `reassignment`.
Personal data is used only to link people; no name, phone or address appears in a finding.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse, stats

from baliza.analyses.integrity.common import EVIDENCE_CAP, RuleResult, UnitTest, column, sure_words
from baliza.analyses.integrity.rules import FlagSettings, RuleSettings
from baliza.analyses.model import Finding, Message, Reference
from baliza.analyses.wording import decimal, named, significant
from baliza.analyses.wording import share as a_share
from baliza.i18n import N_
from baliza.warehouse.protocol import Warehouse, whole_of

RULE_LARGE = "steered_large_cases"
RULE_LINKED = "steered_linked_defendants"


def steered_assignment(warehouse: Warehouse, facts: ir.Table, settings: FlagSettings) -> RuleResult:
    large, linked = settings.rule(RULE_LARGE), settings.rule(RULE_LINKED)
    return RuleResult(_large_case_tests(facts, large) + _linked_group_tests(warehouse, facts, linked), [])


def _randomly_assigned(facts: ir.Table) -> ir.Table:
    return facts.filter((facts.assignment == "random") & facts.prosecutor_id.notnull())


def _large_case_tests(facts: ir.Table, rule: RuleSettings) -> list[UnitTest]:
    large_share = float(rule["large_share"])
    cases = _randomly_assigned(facts)
    cases = cases.filter(cases.case_quantity > 0)
    # large: in the office's top share of cases by quantity, ranked within the office and base unit
    rank = ibis.percent_rank().over(ibis.window(group_by=[cases.office_id, cases.quantity_unit],
                                                order_by=cases.case_quantity))
    ranked = cases.select("case_id", "office_id", "prosecutor_id", rank=rank)
    ranked = ranked.mutate(large=ranked["rank"] >= 1 - large_share)
    rows = ranked.group_by(["office_id", "prosecutor_id"]).aggregate(
        m=ranked.count(), k=ranked.large.cast("int32").sum()).to_pandas()
    tests: list[UnitTest] = []
    if rows.empty:
        return tests
    office = rows.groupby("office_id")[["m", "k"]].sum()
    for r in rows[rows["m"] >= rule["min_cases"]].itertuples(index=False):
        total, large = int(office.loc[r.office_id, "m"]), int(office.loc[r.office_id, "k"])
        k, m = int(r.k), int(r.m)
        p = float(stats.hypergeom.sf(k - 1, total, large, m))
        expected = m * large / total if total else 0.0
        material = k >= rule["min_large"] and k >= rule["min_ratio"] * expected
        tests.append(_large_test(r.prosecutor_id, r.office_id, (k, m, large, total), expected, p, material,
                                 _large_cases(ranked, r.office_id, r.prosecutor_id), rule))
    return tests


def _large_cases(ranked: ir.Table, office: str, prosecutor: str) -> Callable[[], list[str]]:
    """The prosecutor's large cases in the office, largest first (fetched only for a flagged prosecutor)."""

    def fetch() -> list[str]:
        mine = ranked.filter((ranked.office_id == office) & (ranked.prosecutor_id == prosecutor) & ranked.large)
        return [str(c) for c in column(mine.order_by([mine["rank"].desc(), mine.case_id]), "case_id")]

    return fetch


def _large_test(prosecutor: str, office: str, counts: tuple[int, int, int, int], expected: float, p: float,
                material: bool, large_cases: Callable[[], list[str]], rule: RuleSettings) -> UnitTest:
    k, m, large, total = counts
    subject = Reference("staff", str(prosecutor))

    def make(q: float) -> Finding:
        cases = large_cases()
        summary = Message(
            N_("Prosecutor %(prosecutor)s received %(k)s of office %(office)s's %(large)s largest-quantity cases "
               "among %(m)s randomly assigned cases; chance would give about %(expected)s."),
            {"prosecutor": named("staff", prosecutor), "k": k, "office": named("units", office), "large": large, "m": m,
             "expected": decimal(expected, 1)})
        method = (
            Message(N_("Office %(office)s assigns at random (%(total)s cases); large cases ranked within the office "
                       "and base unit."), {"office": named("units", office), "total": total}),
            Message(N_("Exact hypergeometric upper tail P(X >= %(k)s) = %(p)s."), {"k": k, "p": significant(p)}),
            *rule.criteria(),
        )
        evidence = tuple(Reference("cases", str(c)) for c in cases[:EVIDENCE_CAP])
        return Finding(RULE_LARGE, subject, round(k / max(expected, 1e-9), 3), "", evidence, "", q,
                       details={"large_cases": k, "cases": m, "expected": round(expected, 2),
                                "office_id": office, "evidence_count": len(cases)},
                       messages=(summary, sure_words(q, rule.fdr)), method_messages=method)

    return UnitTest(RULE_LARGE, subject, p, material, make, rule.fdr)


def _linked_group_tests(warehouse: Warehouse, facts: ir.Table, rule: RuleSettings) -> list[UnitTest]:
    """Connected groups of defendants (shared phone, shared surname + address, co-defendants).

    Only keys shared by two or more people can link anyone, so only those enter the graph; a person linked
    to nobody is a group alone (still tested when they are a defendant in several cases).
    """
    randomly = _randomly_assigned(facts)
    parties = warehouse.table("case_parties")
    defendants = parties.filter(parties.role == "defendant").select("case_id", "person_id")
    assigned = randomly.select("case_id", "office_id", "prosecutor_id")
    d = defendants.join(assigned, "case_id").select(
        defendants.case_id, defendants.person_id, assigned.office_id, assigned.prosecutor_id).distinct()
    groups = ibis.memtable(_groups(_shared_keys(warehouse, d).to_pyarrow()))
    g = d.left_join(groups, d.person_id == groups.grouped_person).select(
        d.case_id, d.office_id, d.prosecutor_id,
        group_id=ibis.coalesce("g" + groups.group_id.cast("string"), "p" + d.person_id)).distinct()
    sizes = g.group_by(["group_id", "office_id"]).aggregate(m=g.case_id.nunique())
    sizes = sizes.filter(sizes.m >= int(rule["min_group_cases"]))
    shares = _shares(randomly)
    joined = g.join(sizes, ["group_id", "office_id"]).join(shares, ["office_id", "prosecutor_id"])
    rows = joined.group_by(["group_id", "office_id", "prosecutor_id", "m", "share", "n_prosecutors"]).aggregate(
        k=joined.case_id.nunique(), cases=joined.case_id.collect(distinct=True)).to_pandas()
    tests: list[UnitTest] = []
    if rows.empty:
        return tests
    shares = shares.select("office_id", "share").to_pandas()
    rows["p"] = stats.binom.sf(rows["k"] - 1, rows["m"], rows["share"])
    # P(some prosecutor gets >= k of the group's m cases) <= sum over the office's prosecutors of their tails
    any_tail = _any_prosecutor_tail(rows, shares)
    top = (rows.sort_values(["group_id", "office_id", "p", "prosecutor_id"], kind="stable")
           .drop_duplicates(["group_id", "office_id"]))
    for row in top.to_dict("records"):
        p = float(min(1.0, any_tail(row["office_id"], int(row["k"]), int(row["m"]))))
        k, m = int(row["k"]), int(row["m"])
        material = k >= rule["min_group_cases"] and k >= rule["min_ratio"] * m * float(row["share"])
        tests.append(_linked_test(row, k, m, p, material, rule))
    return tests


def _shared_keys(warehouse: Warehouse, defendants: ir.Table) -> ir.Table:
    """(person_id, k) for every key shared by two or more of these defendants: a case they are co-defendants
    in (`case:`), a phone (`phone:`), a surname and address (`home:`). The loader's blind indexes
    (`person_lookups`) where there are; cells in clear (a warehouse written by an earlier Baliza) as they are.
    The blind indexes carry no agency: in a scoped view they are read for the persons in scope only."""
    persons, lookups = warehouse.table("persons"), whole_of(warehouse).table("person_lookups")
    people = persons.semi_join(defendants, "person_id")
    blind = lookups.select(blind_person=lookups.person_id, blind_phone=lookups.phone,
                           blind_home=lookups.surname_address)
    people = people.left_join(blind, people.person_id == blind.blind_person)
    address, name = people.address.strip().nullif(""), people.full_name
    clear_phone = ibis.ifelse(~people.phone.startswith("enc:"), people.phone.strip().nullif(""), ibis.null("string"))
    in_clear = address.notnull() & name.notnull() & ~people.address.concat(name).startswith("enc:")
    surname = name.strip().re_extract(r"[^ ]*$", 0).lower()
    clear_home = ibis.ifelse(in_clear, surname.concat("|", address.lower()), ibis.null("string"))
    people = people.select("person_id", phone=people.blind_phone.coalesce(clear_phone),
                           home=people.blind_home.coalesce(clear_home))
    keyed = ibis.union(
        defendants.select("person_id", k="case:" + defendants.case_id),
        people.filter(people.phone.notnull()).select("person_id", k="phone:" + people.phone),
        people.filter(people.home.notnull()).select("person_id", k="home:" + people.home),
    )
    shared = keyed.group_by("k").aggregate(people=keyed.person_id.nunique())
    shared = shared.filter(shared.people >= 2)
    return keyed.semi_join(shared, "k").distinct()


def _groups(edges: pa.Table) -> pa.Table:
    """Connected components of the graph of people and the keys they share: grouped_person, group_id."""
    if edges.num_rows == 0:
        return pa.table({"grouped_person": pa.array([], pa.string()), "group_id": pa.array([], pa.int64())})
    person = pc.dictionary_encode(edges["person_id"]).combine_chunks()
    key = pc.dictionary_encode(edges["k"]).combine_chunks()
    person_idx = person.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    key_idx = key.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    people = len(person.dictionary)
    n = people + len(key.dictionary)
    graph = sparse.coo_matrix((np.ones(len(person_idx)), (person_idx, people + key_idx)), shape=(n, n))
    _, labels = sparse.csgraph.connected_components(graph, directed=False)
    return pa.table({"grouped_person": person.dictionary, "group_id": pa.array(labels[:people].astype(np.int64))})


def _shares(randomly: ir.Table) -> ir.Table:
    """Each prosecutor's share of their office's random assignments, and how many prosecutors it has."""
    counts = randomly.group_by(["office_id", "prosecutor_id"]).aggregate(n=randomly.count())
    office = ibis.window(group_by=counts.office_id)
    return counts.mutate(share=counts.n / counts.n.sum().over(office), n_prosecutors=counts.n.count().over(office))


def _any_prosecutor_tail(rows: pd.DataFrame, shares: pd.DataFrame) -> Callable[[str, int, int], float]:
    by_office = {office: g["share"].to_numpy(float) for office, g in shares.groupby("office_id")}

    def tail(office: str, k: int, m: int) -> float:
        return float(stats.binom.sf(k - 1, m, by_office[office]).sum())

    return tail


def _linked_test(top: dict[str, Any], k: int, m: int, p: float, material: bool, rule: RuleSettings) -> UnitTest:
    prosecutor, office, share = str(top["prosecutor_id"]), str(top["office_id"]), float(top["share"])
    cases = sorted(str(c) for c in top["cases"])
    subject = Reference("staff", prosecutor)

    def make(q: float) -> Finding:
        summary = Message(
            N_("Prosecutor %(prosecutor)s received %(k)s of %(m)s cases of one linked group of defendants in office "
               "%(office)s (linked by shared phone, shared surname and address, or as co-defendants); with their "
               "%(share)s share of the office's random assignments chance would give about %(expected)s."),
            {"prosecutor": named("staff", prosecutor), "k": k, "m": m, "office": named("units", office),
             "share": a_share(share), "expected": decimal(m * share, 1)})
        method = (
            Message(N_("Defendants linked into groups (connected components over shared phone, surname and address, "
                       "co-defendancy).")),
            Message(N_("p = P(any of the office's prosecutors receives >= %(k)s of the %(m)s cases), bounded by the "
                       "sum of their exact binomial tails at their shares of random assignments (p = %(p)s)."),
                    {"k": k, "m": m, "p": significant(p)}),
            *rule.criteria(),
        )
        evidence = tuple(Reference("cases", c) for c in cases[:EVIDENCE_CAP])
        return Finding(RULE_LINKED, subject, round(k / max(m * share, 1e-9), 3), "", evidence, "", q,
                       details={"group_cases": m, "received": k, "office_id": office, "evidence_count": len(cases)},
                       messages=(summary, sure_words(q, rule.fdr)), method_messages=method)

    return UnitTest(RULE_LINKED, subject, p, material, make, rule.fdr)
