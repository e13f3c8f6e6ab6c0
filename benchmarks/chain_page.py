"""Time a seizure's chain page and API answer, warm, as agencies that hold only part of each chain see them.

    PYTHONPATH=src python benchmarks/chain_page.py [--scale medium] [--seizures 30] [--repeat 5]

Generates a country exported one folder per agency (`--scale`, medium by default), loads it, creates the
demo accounts with their grants, and for the customs analyst and the prosecution inspector requests the
chain page (`/chain/seizure/{id}`) and `GET /api/seizures/{id}/chain` of `--seizures` seizures whose case
another agency holds: once to warm (printed as "first"), then `--repeat` times (median, p95, worst). The
chain is computed on the whole warehouse and disclosed hit/no-hit on every request. Target: under 300 ms
warm for the medium country (issue 8).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

import duckdb
from fastapi.testclient import TestClient

from baliza.access.demo_accounts import CHAIN_READERS, create_demo_accounts, share_for_demo
from baliza.access.state import open_state_beside
from baliza.demo import generate_country
from baliza.load import load_datasets
from baliza.warehouse import open_warehouse
from baliza.web.app import create_app


def build(scale: str, workdir: Path) -> tuple[Path, dict[str, tuple[str, str]]]:
    """The loaded country and the demo accounts that read chains: username -> (password, agency)."""
    country, db = workdir / f"{scale}-by-agency", workdir / f"{scale}-by-agency.duckdb"
    started = time.perf_counter()
    generate_country(country, seed=7, scale=scale, truth_path=workdir / f"{scale}-truth.json", by_agency=True)
    folders = sorted(p for p in country.iterdir() if (p / "manifest.yaml").exists())
    with open_warehouse(db) as wh:
        load_datasets(wh, folders)
        state = open_state_beside(db)
        accounts = create_demo_accounts(wh, state)
        share_for_demo(wh, state, {a.agency_id for a in accounts if a.role.value in CHAIN_READERS})
        state.close()
    print(f"{scale} country generated and loaded in {time.perf_counter() - started:.0f} s ({len(folders)} agencies)")
    return db, {a.username: (a.password, a.agency_id) for a in accounts}


def examples(db: Path, agency: str, count: int) -> list[str]:
    """Seizures of `agency` whose case another agency holds, or cases `agency` holds on others' seizures."""
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("""select distinct s.seizure_id from seizures s join cases c using (seizure_id)
                          where (s._agency_id = ?) <> (c._agency_id = ?) order by 1 limit ?""",
                       [agency, agency, count]).fetchall()
    con.close()
    return [r[0] for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seizures", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="baliza-chain-"))
    db, accounts = build(args.scale, workdir)
    rows = duckdb.connect(str(db), read_only=True).execute("select count(*) from seizures").fetchone()[0]
    app = create_app(db)
    print(f"{rows:,} seizures · {os.cpu_count()} cores · load {os.getloadavg()[0]:.1f} · "
          f"{args.seizures} seizures x {args.repeat} warm requests each")
    try:
        for username in ("demo_analyst", "demo_prosecution_inspector"):
            password, agency = accounts[username]
            with TestClient(app) as client:
                token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
                client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                            follow_redirects=False)
                for kind, path in (("page", "/chain/seizure/{}"), ("api", "/api/seizures/{}/chain")):
                    first, warm, statuses = [], [], set()
                    for seizure_id in examples(db, agency, args.seizures):
                        started = time.perf_counter()
                        statuses.add(client.get(path.format(seizure_id)).status_code)
                        first.append((time.perf_counter() - started) * 1000)
                        for _ in range(args.repeat):
                            started = time.perf_counter()
                            client.get(path.format(seizure_id))
                            warm.append((time.perf_counter() - started) * 1000)
                    warm.sort()
                    p95 = warm[int(0.95 * (len(warm) - 1))]
                    median = statistics.median(warm)
                    print(f"{username:28s} {kind:4s} status {sorted(statuses)}  median {median:6.1f} ms"
                          f"  p95 {p95:6.1f} ms  worst {warm[-1]:6.1f} ms  first (median) "
                          f"{statistics.median(first):6.1f} ms")
    finally:
        app.state.baliza.close()


if __name__ == "__main__":
    main()
