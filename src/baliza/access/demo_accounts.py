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

from baliza.access.grants import Grant, add_grant
from baliza.access.roles import Role
from baliza.access.state import StateStore
from baliza.access.users import add_user, get_user
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
    kinds = {row["agency_id"]: row["kind"] for row in a.select("agency_id", "kind").to_pyarrow().to_pylist()}
    owner = seizures[0] if seizures else (next(iter(kinds), "AG-DEMO"))
    of_kind = lambda kind: next((agency for agency, k in kinds.items() if k == kind), None)  # noqa: E731
    customs = of_kind("customs") if of_kind("customs") in seizures else owner
    police = of_kind("police") if of_kind("police") in seizures else owner
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


def share_for_demo(wh: Warehouse, state: StateStore, partner: str) -> list[Grant]:
    """Give the partner agency something to see: the largest seizure that became a case, shared by the
    agency that reported it, and that case, shared by the office that prosecutes it (30 days each)."""
    s, c = wh.table("seizures"), wh.table("cases")
    joined = s.join(c, s.seizure_id == c.seizure_id).select(
        seizure_id=s.seizure_id, seizure_owner=s._agency_id, case_id=c.case_id, case_owner=c._agency_id,
        quantity=s.quantity)
    joined = joined.filter((joined.seizure_owner != partner) & (joined.case_owner != partner))
    top = joined.order_by([joined.quantity.desc(), joined.seizure_id]).limit(1).to_pyarrow().to_pylist()
    if not top:
        return []
    row = top[0]
    until = datetime.now(UTC) + timedelta(days=30)
    return [
        add_grant(state, row["seizure_owner"], partner, "seizure", row["seizure_id"],
                  "demo: joint review of a large seizure", until, "demo"),
        add_grant(state, row["case_owner"], partner, "case", row["case_id"],
                  "demo: follow the case opened on it", until, "demo"),
    ]
