"""Accounts for `baliza demo`: one per role in the agency that reported the data, and an analyst in a
second agency to show sharing. Passwords are random and returned once, for the demo to print.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from baliza.access.roles import Role
from baliza.access.state import StateStore
from baliza.access.users import add_user, get_user
from baliza.warehouse.store import Warehouse


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    agency_id: str
    role: Role
    programme: str | None = None


def _agencies(wh: Warehouse) -> tuple[str, str]:
    """The agency that reported the most seizures, and another agency to share with."""
    s = wh.table("seizures")
    owners = s.group_by("_agency_id").aggregate(n=s.count())
    ranked = [r for r in owners.order_by(owners.n.desc()).to_pyarrow()["_agency_id"].to_pylist() if r]
    agencies = [a for a in wh.table("agencies").agency_id.to_pyarrow().to_pylist() if a]
    owner = ranked[0] if ranked else (agencies[0] if agencies else "AG-DEMO")
    other = next((a for a in agencies if a != owner), f"{owner}-PARTNER")
    return owner, other


def create_demo_accounts(wh: Warehouse, state: StateStore) -> list[DemoAccount]:
    """Create the demo accounts that do not exist yet; returns those created, with their passwords."""
    owner, other = _agencies(wh)
    wanted = [DemoAccount(f"demo_{role.value}", "", owner, role, "livelihood" if role is Role.PROGRAMME_OFFICER
                          else None) for role in Role]
    wanted.append(DemoAccount("demo_partner_analyst", "", other, Role.ANALYST))
    created = []
    for account in wanted:
        if get_user(state, account.username) is not None:
            continue
        password = secrets.token_urlsafe(12)
        add_user(state, account.username, password, account.agency_id, account.role, account.programme)
        created.append(DemoAccount(account.username, password, account.agency_id, account.role, account.programme))
    return created
