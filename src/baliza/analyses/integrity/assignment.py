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

import numpy as np
import pandas as pd
from scipy import sparse, stats

from baliza.analyses.casefacts import CASE_FACTS
from baliza.analyses.integrity.common import EVIDENCE_CAP, RuleResult, UnitTest, sure_words
from baliza.analyses.integrity.rules import FlagSettings, RuleSettings
from baliza.analyses.model import Finding, Message, Reference
from baliza.analyses.wording import decimal, named, significant
from baliza.analyses.wording import share as a_share
from baliza.i18n import N_
from baliza.warehouse.store import Warehouse

RULE_LARGE = "steered_large_cases"
RULE_LINKED = "steered_linked_defendants"
LINKS = "justice_defendant_links"


def steered_assignment(warehouse: Warehouse, settings: FlagSettings) -> RuleResult:
    large, linked = settings.rule(RULE_LARGE), settings.rule(RULE_LINKED)
    return RuleResult(_large_case_tests(warehouse, large) + _linked_group_tests(warehouse, linked), [])


def _large_case_tests(warehouse: Warehouse, rule: RuleSettings) -> list[UnitTest]:
    large_share = float(rule["large_share"])
    rows = warehouse.duckdb.execute(
        f"""WITH r AS (
                SELECT case_id, office_id, prosecutor_id,
                       PERCENT_RANK() OVER (PARTITION BY office_id, quantity_unit ORDER BY case_quantity) AS rank
                FROM {CASE_FACTS}
                WHERE assignment = 'random' AND prosecutor_id IS NOT NULL AND case_quantity > 0)
            SELECT office_id, prosecutor_id, COUNT(*) AS m,
                   SUM(CAST(rank >= {1 - large_share} AS INTEGER)) AS k,
                   LIST(case_id ORDER BY rank DESC) FILTER (WHERE rank >= {1 - large_share}) AS large_cases
            FROM r GROUP BY ALL"""
    ).df()
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
        cases = [] if r.large_cases is None or r.large_cases is pd.NA else list(r.large_cases)
        tests.append(_large_test(r.prosecutor_id, r.office_id, (k, m, large, total), expected, p, material, cases,
                                 rule))
    return tests


def _large_test(prosecutor: str, office: str, counts: tuple[int, int, int, int], expected: float, p: float,
                material: bool, cases: list[str], rule: RuleSettings) -> UnitTest:
    k, m, large, total = counts
    subject = Reference("staff", str(prosecutor))

    def make(q: float) -> Finding:
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


def _linked_group_tests(warehouse: Warehouse, rule: RuleSettings) -> list[UnitTest]:
    """Connected groups of defendants (shared phone, shared surname + address, co-defendants).

    Only keys shared by two or more people can link anyone, so only those enter the graph; a person linked
    to nobody is a group alone (still tested when they are a defendant in several cases).
    """
    con = warehouse.duckdb
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {LINKS} AS
            WITH d AS (
                SELECT DISTINCT p.case_id, p.person_id, f.office_id, f.prosecutor_id FROM case_parties p
                JOIN {CASE_FACTS} f USING (case_id)
                WHERE p.role = 'defendant' AND f.assignment = 'random' AND f.prosecutor_id IS NOT NULL),
            people AS (
                -- the loader's blind indexes; cells in clear (a warehouse written by an earlier Baliza) as they are
                SELECT x.person_id,
                       coalesce(l.phone, CASE WHEN NOT starts_with(x.phone, 'enc:') THEN NULLIF(trim(x.phone), '') END)
                           AS phone,
                       coalesce(l.surname_address,
                                CASE WHEN NULLIF(trim(x.address), '') IS NOT NULL AND x.full_name IS NOT NULL
                                          AND NOT starts_with(x.address || x.full_name, 'enc:')
                                THEN lower(split_part(trim(x.full_name), ' ', -1)) || '|' || lower(trim(x.address))
                                END) AS surname_address
                FROM persons x SEMI JOIN d USING (person_id) LEFT JOIN person_lookups l USING (person_id)),
            keyed AS (
                SELECT person_id, 'case:' || case_id AS k FROM d
                UNION ALL SELECT person_id, 'phone:' || phone FROM people WHERE phone IS NOT NULL
                UNION ALL SELECT person_id, 'home:' || surname_address FROM people WHERE surname_address IS NOT NULL),
            shared AS (SELECT k FROM keyed GROUP BY k HAVING COUNT(DISTINCT person_id) >= 2)
            SELECT DISTINCT person_id, hash(person_id) AS person_hash, hash(k) AS key_hash
            FROM keyed SEMI JOIN shared USING (k)"""
    )
    edges = con.execute(f"SELECT person_hash, key_hash FROM {LINKS}").fetchnumpy()
    groups = pd.DataFrame({"person_hash": np.array([], dtype=np.uint64), "group_id": np.array([], dtype=np.int64)})
    if len(edges["person_hash"]):
        persons, person_idx = np.unique(np.asarray(edges["person_hash"]), return_inverse=True)
        _, key_idx = np.unique(np.asarray(edges["key_hash"]), return_inverse=True)
        n = len(persons) + int(key_idx.max()) + 1
        graph = sparse.coo_matrix((np.ones(len(person_idx)), (person_idx, len(persons) + key_idx)), shape=(n, n))
        _, labels = sparse.csgraph.connected_components(graph, directed=False)
        groups = pd.DataFrame({"person_hash": persons, "group_id": labels[: len(persons)].astype(np.int64)})
    con.register("_group_of_hash", groups)
    try:
        rows = con.execute(
            f"""WITH d AS (
                    SELECT DISTINCT p.case_id, p.person_id, f.office_id, f.prosecutor_id FROM case_parties p
                    JOIN {CASE_FACTS} f USING (case_id)
                    WHERE p.role = 'defendant' AND f.assignment = 'random' AND f.prosecutor_id IS NOT NULL),
                g AS (
                    SELECT DISTINCT d.case_id, d.office_id, d.prosecutor_id,
                           COALESCE('g' || CAST(h.group_id AS VARCHAR), 'p' || d.person_id) AS group_id
                    FROM d LEFT JOIN _group_of_hash h ON h.person_hash = hash(d.person_id)),
                sizes AS (SELECT group_id, office_id, COUNT(DISTINCT case_id) AS m FROM g GROUP BY ALL
                          HAVING COUNT(DISTINCT case_id) >= {int(rule["min_group_cases"])}),
                shares AS (SELECT office_id, prosecutor_id, COUNT(*) AS n,
                                  COUNT(*) / SUM(COUNT(*)) OVER (PARTITION BY office_id) AS share,
                                  COUNT(*) OVER (PARTITION BY office_id) AS n_prosecutors
                           FROM {CASE_FACTS} WHERE assignment = 'random' AND prosecutor_id IS NOT NULL
                           GROUP BY office_id, prosecutor_id)
                SELECT g.group_id, g.office_id, g.prosecutor_id, s.m, COUNT(DISTINCT g.case_id) AS k,
                       LIST(DISTINCT g.case_id) AS cases, sh.share, sh.n_prosecutors
                FROM g JOIN sizes s USING (group_id, office_id)
                JOIN shares sh USING (office_id, prosecutor_id)
                GROUP BY g.group_id, g.office_id, g.prosecutor_id, s.m, sh.share, sh.n_prosecutors"""
        ).df()
    finally:
        con.unregister("_group_of_hash")
        con.execute(f"DROP TABLE IF EXISTS {LINKS}")
    tests: list[UnitTest] = []
    if rows.empty:
        return tests
    shares = con.execute(
        f"""SELECT office_id, COUNT(*) / SUM(COUNT(*)) OVER (PARTITION BY office_id) AS share
            FROM {CASE_FACTS} WHERE assignment = 'random' AND prosecutor_id IS NOT NULL
            GROUP BY office_id, prosecutor_id"""
    ).df()
    rows["p"] = stats.binom.sf(rows["k"] - 1, rows["m"], rows["share"])
    # P(some prosecutor gets >= k of the group's m cases) <= sum over the office's prosecutors of their tails
    any_tail = _any_prosecutor_tail(rows, shares)
    top = rows.sort_values(["group_id", "office_id", "p"]).drop_duplicates(["group_id", "office_id"])
    for row in top.to_dict("records"):
        p = float(min(1.0, any_tail(row["office_id"], int(row["k"]), int(row["m"]))))
        k, m = int(row["k"]), int(row["m"])
        material = k >= rule["min_group_cases"] and k >= rule["min_ratio"] * m * float(row["share"])
        tests.append(_linked_test(row, k, m, p, material, rule))
    return tests


def _any_prosecutor_tail(rows: pd.DataFrame, shares: pd.DataFrame) -> Callable[[str, int, int], float]:
    by_office = {office: g["share"].to_numpy(float) for office, g in shares.groupby("office_id")}

    def tail(office: str, k: int, m: int) -> float:
        return float(stats.binom.sf(k - 1, m, by_office[office]).sum())

    return tail


def _linked_test(top: dict, k: int, m: int, p: float, material: bool, rule: RuleSettings) -> UnitTest:
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
