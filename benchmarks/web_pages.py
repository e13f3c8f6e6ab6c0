"""Time every dashboard page, warm, as each demo role sees it (in process, no network).

    PYTHONPATH=src python benchmarks/web_pages.py --db baliza-demo.duckdb [--repeat 5]

Creates one benchmark user per role (in the agencies `baliza demo` gives them) in the warehouse's state
store, signs each in through the form, requests every page once to warm the caches (that time is printed
as "first"), then prints the median and worst time of `--repeat` more requests per page. The target is
under 300 ms a page on the small country (the first PDF of the country report excepted).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time
from pathlib import Path

import duckdb
from fastapi.testclient import TestClient

from baliza.access.demo_accounts import _agencies
from baliza.access.roles import Role
from baliza.access.state import open_state_beside
from baliza.access.users import add_user, get_user
from baliza.warehouse import open_warehouse
from baliza.web.app import create_app

PASSWORD = "benchmark password"


def examples(db: Path, agency: str) -> dict[str, str]:
    """A seizure with a case, that case and a person in it, all reported by or around `agency`."""
    con = duckdb.connect(str(db), read_only=True)
    row = con.execute("select s.seizure_id, c.case_id, p.person_id from seizures s join cases c using (seizure_id) "
                      "join case_parties p using (case_id) order by s._agency_id = ? desc, s.seizure_id limit 1",
                      [agency]).fetchone()
    con.close()
    return {"seizure": row[0], "case": row[1], "person": row[2]} if row else {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with open_warehouse(args.db, read_only=True) as wh:
        agencies = _agencies(wh)
    state = open_state_beside(args.db)
    for role in Role:
        if get_user(state, f"bench_{role.value}") is None:
            add_user(state, f"bench_{role.value}", PASSWORD, agencies[role.value], role,
                     "livelihood" if role is Role.PROGRAMME_OFFICER else None)
    state.close()
    app = create_app(args.db)
    print(f"warehouse {args.db} · {os.cpu_count()} cores · load {os.getloadavg()[0]:.1f} · median/worst of "
          f"{args.repeat} warm requests")
    try:
        for role in Role:
            ids = examples(args.db, agencies[role.value])
            pages = ["/", "/chain", f"/chain?q={ids.get('seizure', 'x')}", "/findings", "/indicators",
                     "/quarantine", "/sharing", "/justice", "/justice?granularity=year", "/reports",
                     "/reports/country.html", "/reports/country.pdf"]
            pages += [f"/chain/seizure/{ids['seizure']}", f"/chain/case/{ids['case']}",
                      f"/chain/person/{ids['person']}"] if ids else []
            with TestClient(app) as client:
                token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
                client.post("/login", data={"username": f"bench_{role.value}", "password": PASSWORD,
                                            "csrf_token": token}, follow_redirects=False)
                for page in pages:
                    started = time.perf_counter()
                    status = client.get(page).status_code  # warm
                    first = (time.perf_counter() - started) * 1000
                    times = []
                    for _ in range(args.repeat):
                        started = time.perf_counter()
                        client.get(page)
                        times.append((time.perf_counter() - started) * 1000)
                    print(f"{role.value:22s} {page:32s} {status}  median {statistics.median(times):7.1f} ms"
                          f"   worst {max(times):7.1f} ms   first {first:8.1f} ms")
    finally:
        app.state.baliza.close()


if __name__ == "__main__":
    main()
