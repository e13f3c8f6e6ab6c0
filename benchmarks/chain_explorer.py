"""Time the chain explorer, warm, as an analyst of the agency with the most seizures sees it (in process).

    PYTHONPATH=src python benchmarks/chain_explorer.py --db medium.duckdb [--repeat 5]

Creates a benchmark analyst in the warehouse's state store, signs in through the form, requests each page
once to warm the caches (the whole warehouse's breaks, the scope's compiled SQL, the search index: that
time is printed as "first"), then prints the median and worst of `--repeat` more requests. The target is
under 300 ms a request on the medium country (issue 8).
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

from baliza.access.roles import Role
from baliza.access.state import open_state_beside
from baliza.access.users import add_user, get_user
from baliza.web.app import create_app

PASSWORD = "benchmark password"
USER = "bench_explorer_analyst"


def busiest_agency(db: Path) -> tuple[str, str, str]:
    """The agency reporting most seizures, one of its units and a substance it seized."""
    con = duckdb.connect(str(db), read_only=True)
    agency, unit, substance = con.execute(
        "select _agency_id, arg_max(unit_id, 1), mode(substance) from seizures group by 1 order by count(*) desc "
        "limit 1").fetchone()
    con.close()
    return agency, unit, substance


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    agency, unit, substance = busiest_agency(args.db)
    state = open_state_beside(args.db)
    if get_user(state, USER) is None:
        add_user(state, USER, PASSWORD, agency, Role.ANALYST)
    state.close()
    app = create_app(args.db)
    pages = ["/chain", "/chain?status=broken&sort=-quantity", f"/chain?unit={unit}&page=2",
             "/chain?broken=no_case&date_from=2024-01-01", f"/api/chains?substance={substance}",
             "/api/chains?page=5", "/api/search?q=cocaine", "/api/search?q=callao", "/chain?q=SZ-00012"]
    print(f"warehouse {args.db} · {os.cpu_count()} cores · load {os.getloadavg()[0]:.1f} · analyst of {agency} · "
          f"median/worst of {args.repeat} warm requests")
    try:
        with TestClient(app) as client:
            token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
            client.post("/login", data={"username": USER, "password": PASSWORD, "csrf_token": token},
                        follow_redirects=False)
            for page in pages:
                started = time.perf_counter()
                status = client.get(page).status_code
                first = (time.perf_counter() - started) * 1000
                times = []
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    client.get(page)
                    times.append((time.perf_counter() - started) * 1000)
                print(f"{page:48s} {status}  median {statistics.median(times):7.1f} ms   worst {max(times):7.1f} ms"
                      f"   first {first:8.1f} ms")
    finally:
        app.state.baliza.close()


if __name__ == "__main__":
    main()
