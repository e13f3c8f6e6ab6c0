"""The web world with a prosecution that holds the case on a customs seizure, for the access-request tests.

Seizure S1 is reported by customs (AG-CUS); case C1 on it, with lead prosecutor ST-PRO-7, charge H1 and
asset M1, by the prosecution (AG-PRO). Every role of AG-CUS, AG-POL and AG-PRO has an account
(`web_world.user_name`).
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from baliza.access.clock import now
from baliza.access.roles import Role
from baliza.access.state import open_state, users
from baliza.warehouse import open_warehouse
from web_world import WebWorld, build_web_world, user_name

LEAD_PROSECUTOR = "ST-PRO-7"


def build_request_world(tmp: Path) -> WebWorld:
    world = build_web_world(tmp)
    with open_warehouse(world.db) as wh:
        wh.duckdb.execute(f"update cases set lead_prosecutor_id = '{LEAD_PROSECUTOR}' where case_id = 'C1'")
    state = open_state(world.state_url)
    with state.engine.begin() as conn:
        digest = conn.execute(sa.select(users.c.password_hash).limit(1)).scalar_one()
        conn.execute(users.insert(), [
            {"username": user_name("AG-PRO", role), "password_hash": digest, "agency_id": "AG-PRO",
             "role": role.value, "programme": None, "disabled": False, "created_at": now()}
            for role in (Role.ADMIN, Role.ANALYST, Role.PROSECUTION_INSPECTOR)
        ])
    state.close()
    return world
