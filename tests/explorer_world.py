"""The web world (`web_world`) with more chains, every load's data declared to end on 2025-12-31, so that
each seizure's broken links and status can be worked out by hand:

- S1 (customs, 120 kg cocaine, 2025-01-02, no lab; cases C9 customs and C1 prosecution, charged 100 kg):
  no_lab_confirmation; its cases have no disposition. Shared with the police (web_world's grant).
- S2 (customs, 3 kg heroin, 2025-02-10, no lab, no case): no_lab_confirmation and no_case.
- S3 (police, 40 kg cannabis, 2025-03-01, lab 39 kg; case C7 opened the next day, X3 convicted): complete.
- S4 (customs, 1,149,160 tablets of MDMA, 2025-12-20, no lab, no case): too early to judge.
- S5 (customs, 941.978 kg cocaine, 2025-04-01, lab 941.978 kg, no entry point; prosecution case C5 opened
  2025-04-10 charging X2 with 500 kg, dismissed 2025-09-01): charged_below_seized (500 < 80 % of 941.978)
  and dismissed, both resting on the prosecution's rows.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from baliza.access.clock import now
from baliza.access.roles import Role
from baliza.access.state import open_state, users
from web_world import WebWorld, build_web_world, user_name

EXPECTED_BREAKS: dict[str, set[str]] = {
    "S1": {"no_lab_confirmation"}, "S2": {"no_lab_confirmation", "no_case"}, "S3": set(), "S4": set(),
    "S5": {"charged_below_seized", "dismissed"},
}
EXPECTED_STATUS = {"S1": "broken", "S2": "broken", "S3": "complete", "S4": "too_early", "S5": "broken"}


def build_explorer_world(tmp: Path) -> WebWorld:
    world = build_web_world(tmp)
    import duckdb

    con = duckdb.connect(str(world.db))
    sql = con.execute
    sql("update seizures set lab_quantity = 39, lab_confirmed_at = '2025-03-10' where seizure_id = 'S3'")
    sql("insert into seizures (seizure_id, unit_id, seized_at, entry_point_id, substance, substance_group, quantity,"
        " quantity_unit, lab_quantity, lab_confirmed_at, origin_country, destination_country, _agency_id, _load_id)"
        " values ('S4','U1','2025-12-20','EP1','MDMA','ats',1149160,'tablets',null,null,'NLD','PER','AG-CUS',2),"
        " ('S5','U1','2025-04-01',null,'cocaine','cocaine_type',941.978,'kg',941.978,'2025-04-20','COL','ESP',"
        "'AG-CUS',2)")
    sql("insert into dispositions (case_id, person_id, disposed_at, outcome, sentence_months, _agency_id, _load_id)"
        " values ('C7','X3','2025-06-01','convicted',18,'AG-POL',7), ('C5','X2','2025-09-01','dismissed',null,"
        "'AG-PRO',5)")
    sql("insert into cases (case_id, office_id, opened_at, origin, seizure_id, lead_prosecutor_id, _agency_id,"
        " _load_id) values ('C5','P9','2025-04-10','seizure','S5','ST9','AG-PRO',5)")
    sql("insert into staff (staff_id, unit_id, role, display_name, _agency_id, _load_id) values"
        " ('ST9','P9','prosecutor','Prosecutor Rosa Diaz','AG-PRO',5)")
    sql("insert into case_parties (case_id, person_id, role, _agency_id, _load_id) values"
        " ('C5','X2','defendant','AG-PRO',5), ('C9','X1','defendant','AG-CUS',1)")
    sql("insert into charges (charge_id, case_id, person_id, filed_at, offence, quantity, quantity_unit,"
        " _agency_id, _load_id) values ('H5','C5','X2','2025-04-12','trafficking',500,'kg','AG-PRO',5)")
    sql("insert into loads (load_id, started_at, agency_id, status) values (3, '2025-03-01', 'AG-LIV', 'done'),"
        " (5, '2025-03-01', 'AG-PRO', 'done'), (7, '2025-03-01', 'AG-POL', 'done')")
    sql("update loads set period_to = '2025-12-31'")
    con.close()
    state = open_state(world.state_url)
    with state.engine.begin() as conn:  # the prosecution's users, with the web world's password hash
        digest = conn.execute(sa.select(users.c.password_hash)).first()[0]
        conn.execute(users.insert(), [
            {"username": user_name("AG-PRO", role), "password_hash": digest, "agency_id": "AG-PRO",
             "role": role.value, "programme": None, "disabled": False, "created_at": now()}
            for role in (Role.ANALYST, Role.UNIT_OFFICER, Role.PROSECUTION_INSPECTOR)])
    state.close()
    return world
