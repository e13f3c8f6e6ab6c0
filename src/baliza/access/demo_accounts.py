"""Accounts for `baliza demo`: one per role, each in the agency that does that work in the synthetic
country (a customs analyst, a prosecution inspector, a programme officer, a police unit officer, an
oversight member, an administrator), and a partner analyst whose agency reported no seizure or case,
so that it sees only what is shared with it. Passwords are random and returned once, for the demo to
print.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import ibis

from baliza.access.grants import Grant, add_grant
from baliza.access.roles import Permission, Role, allows
from baliza.access.state import StateStore
from baliza.access.users import add_user, get_user
from baliza.analyses.definitions import CONVICTIONS
from baliza.contract.links import parts_of
from baliza.warehouse.store import Warehouse

SEES: dict[Role, str] = {
    Role.ANALYST: "its agency's seizures, cases and persons, findings on them, and what is shared with it; "
                  "may share its own rows",
    Role.PROSECUTION_INSPECTOR: "its agency's cases and the red flags on them; decides findings",
    Role.PROGRAMME_OFFICER: "the people in its programme, in clear; indicators and aggregates",
    Role.UNIT_OFFICER: "its agency's seizures, cases and persons; unit indicators; quarantine",
    Role.OVERSIGHT: "indicators and aggregates only, small cells suppressed, no personal data",
    Role.ADMIN: "users, tokens, grants and the audit log; its agency's rows",
}


# the roles that read seizures' chains: the demo lets each follow at least one whole chain
CHAIN_READERS: frozenset[str] = frozenset(r.value for r in Role if allows(r, Permission.READ_SEIZURES))


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    agency_id: str
    role: Role
    programme: str | None = None

    @property
    def sees(self) -> str:
        if self.username == "demo_partner_analyst":
            return "only what other agencies have shared with its agency"
        return SEES[self.role]


def _owners_by_rows(wh: Warehouse, table: str) -> list[str]:
    t = wh.table(table)
    counted = t.group_by("_agency_id").aggregate(n=t.count())
    return [a for a in counted.order_by(counted.n.desc())["_agency_id"].to_pyarrow().to_pylist() if a]


def _agencies(wh: Warehouse) -> dict[str, str]:
    """The agency for each demo account, from who reported what (falling back on the agency that
    reported the most seizures)."""
    seizures, cases = _owners_by_rows(wh, "seizures"), _owners_by_rows(wh, "cases")
    a = wh.table("agencies")
    rows = a.select("agency_id", "kind").to_pyarrow().to_pylist()
    kinds: dict[str, str] = {row["agency_id"]: row["kind"] for row in rows}
    owner = seizures[0] if seizures else (next(iter(kinds), "AG-DEMO"))

    def of_kind(kind: str) -> str | None:
        return next((agency for agency, k in kinds.items() if k == kind), None)

    def reporting(kind: str) -> str:  # the agency of that kind if it reported seizures, else the main one
        found = of_kind(kind)
        return found if found is not None and found in seizures else owner

    customs, police = reporting("customs"), reporting("police")
    prosecution = cases[0] if cases else owner
    programme = next(iter(_owners_by_rows(wh, "farmer_enrolments")), owner)
    reporters = set(seizures) | set(cases)
    partner = of_kind("international")
    if partner is None or partner in reporters:
        partner = next((agency for agency in kinds if agency not in reporters), None) or \
            next((agency for agency in kinds if agency != owner), f"{owner}-PARTNER")
    oversight = of_kind("attorney_general") or partner
    return {"analyst": customs, "prosecution_inspector": prosecution, "programme_officer": programme,
            "unit_officer": police, "oversight": oversight, "admin": partner, "partner": partner}


def create_demo_accounts(wh: Warehouse, state: StateStore) -> list[DemoAccount]:
    """Create the demo accounts that do not exist yet; returns those created, with their passwords."""
    agencies = _agencies(wh)
    wanted = [DemoAccount(f"demo_{role.value}", "", agencies[role.value], role,
                          "livelihood" if role is Role.PROGRAMME_OFFICER else None) for role in Role]
    wanted.append(DemoAccount("demo_partner_analyst", "", agencies["partner"], Role.ANALYST))
    created = []
    for account in wanted:
        if get_user(state, account.username) is not None:
            continue
        password = secrets.token_urlsafe(12)
        add_user(state, account.username, password, account.agency_id, account.role, account.programme)
        created.append(DemoAccount(account.username, password, account.agency_id, account.role, account.programme))
    return created


def whole_chains(wh: Warehouse) -> dict[str, str]:
    """For each agency that reports seizures, its largest seizure whose chain runs from an inspection to a
    conviction and a confiscated asset: seizing agency -> seizure id."""
    s, c = wh.table("seizures"), wh.table("cases")
    d, a = wh.table("dispositions"), wh.table("assets")
    convicted = d.filter(d.outcome.isin(CONVICTIONS)).select("case_id").distinct()
    confiscated = a.filter(a.confiscated_at.notnull()).select("case_id").distinct()
    cases = c.filter(c.case_id.isin(convicted.case_id) & c.case_id.isin(confiscated.case_id)).select("seizure_id")
    found = s.filter(s.inspection_id.notnull() & s.seizure_id.isin(cases.seizure_id))
    ranked = found.mutate(rank=ibis.row_number().over(
        group_by=found._agency_id, order_by=[found.quantity.desc(), found.seizure_id]))
    rows = ranked.filter(ranked.rank == 0).select("_agency_id", "seizure_id").to_pyarrow().to_pylist()
    return {row["_agency_id"]: row["seizure_id"] for row in rows}


def _chain_holders(wh: Warehouse, seizure_id: str) -> set[str]:
    """The agencies that hold a step of one seizure's chain."""
    holders: set[str] = set()
    s, c, arrests = wh.table("seizures"), wh.table("cases"), wh.table("arrests")
    case_ids = c.filter(c.seizure_id == seizure_id).case_id.to_pyarrow().to_pylist()
    steps = [s.filter(s.seizure_id == seizure_id), arrests.filter(arrests.seizure_id == seizure_id),
             c.filter(c.seizure_id == seizure_id)]
    steps += [wh.table(name).filter(wh.table(name).case_id.isin(case_ids)) for name in parts_of("cases")]
    for step in steps:
        holders |= {v for v in step.select("_agency_id").distinct().to_pyarrow()["_agency_id"].to_pylist() if v}
    return holders


def share_for_demo(wh: Warehouse, state: StateStore, viewers: set[str]) -> list[Grant]:
    """Let every demo account that reads chains follow at least one whole chain: for each seizing agency's
    largest complete chain (inspection to conviction and confiscation), each agency holding a step of it
    shares that seizure's chain with the other viewers' agencies (30 days). Everything else stays hit/no-hit:
    other chains show which agency holds their later steps, not their content."""
    until = datetime.now(UTC) + timedelta(days=30)
    grants: list[Grant] = []
    for seizure_id in sorted(whole_chains(wh).values()):
        for holder in sorted(_chain_holders(wh, seizure_id)):
            for viewer in sorted(viewers - {holder}):
                grants.append(add_grant(state, holder, viewer, "seizure", seizure_id,
                                        "demo: follow a whole chain from inspection to verdict and assets",
                                        until, "demo"))
    return grants
