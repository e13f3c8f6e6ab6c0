"""The service under load: p95 of the findings list API and the chain page at 50 concurrent clients, and the
first view of every page after a load made while serving.

    PYTHONPATH=src python benchmarks/service_speed.py --db MEDIUM.duckdb [--reload MEDIUM_FOLDER]
        [--workers 2] [--clients 50] [--seconds 10] [--requests 1000]

Starts `baliza serve` in its own process (results computed in the background at start), waits until its
results are ready (`GET /api/service`) and its processes idle (every worker's results read back), then
drives the findings list API and the chain page with `--clients` concurrent keep-alive connections
(`wrk`, one thread, for `--seconds` when it is installed: a C client that leaves the cores to the server;
else httpx, `--requests`). With `--reload` it then loads
that export with `baliza load` from another process while the server runs, waits until the server
serves the new file (its results computed), and times the first view of every page as an analyst and a
prosecution inspector, once each. Targets (issue 12): p95 < 300 ms,
first view < 500 ms. Client and server share the machine's cores; the CPU time each request cost the
server (all its processes under `--workers`) and the client (from /proc) is printed too, with the load
average, since it does not depend on how busy the machine is. The chain page cycles through 500 seizures:
in a run of more than 500 requests the later ones find their answer kept (`web.answers`).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import httpx

from baliza.access.roles import Role
from web_perf import cpu_seconds, drive, free_port, signed_in_token


def tokens(db: Path) -> tuple[str, dict[Role, str], list[str], dict[str, str]]:
    """(busiest agency, a token per role, seizures with a case, example ids) for benchmark users."""
    con = duckdb.connect(str(db), read_only=True)
    agency = con.execute("select _agency_id from seizures group by 1 order by count(*) desc limit 1").fetchone()[0]
    seizures = [r[0] for r in con.execute(
        "select distinct s.seizure_id from seizures s join cases c using (seizure_id) where s._agency_id = ? "
        "order by 1 limit 500", [agency]).fetchall()]
    row = con.execute("select c.case_id, p.person_id from cases c join case_parties p using (case_id) "
                      "where c._agency_id = ? or c.seizure_id in (select seizure_id from seizures where _agency_id = ?)"
                      " limit 1", [agency, agency]).fetchone()
    con.close()
    made = {role: signed_in_token(db, f"service_bench_{role.value}", agency, role, "service_speed benchmark")
            for role in (Role.ANALYST, Role.PROSECUTION_INSPECTOR, Role.ADMIN)}
    return agency, made, seizures, {"case": row[0], "person": row[1]} if row else {}


def server_seconds(pid: int) -> float:
    """CPU time of the server process and of its worker processes (`--workers`), from /proc."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = [int(k) for k in children.read_text().split()] if children.exists() else []
    return cpu_seconds(pid) + sum(cpu_seconds(k) for k in kids if Path(f"/proc/{k}").exists())


def service(client: httpx.Client, admin: str) -> dict:
    return client.get("/api/service", headers={"Authorization": f"Bearer {admin}"}).json()


def wait_for_results(client: httpx.Client, admin: str, refreshes: int, timeout: float = 1800) -> float:
    """Seconds until the server has computed `refreshes` sets of results and serves them."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            results = service(client, admin)["results"]
            if results["refreshes"] >= refreshes and results["state"] != "computing":
                return time.perf_counter() - started
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise SystemExit("the server's results were not ready in time")


def wait_until_idle(pid: int, window: float = 2.0, share: float = 0.1, timeout: float = 600) -> float:
    """Seconds until the server's processes use less than `share` of a core over `window` seconds: with
    `--workers`, `/api/service` answers for one process while the others may still read the results back."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        before = server_seconds(pid)
        time.sleep(window)
        if server_seconds(pid) - before < share * window:
            break
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--reload", type=Path, help="an export to load while serving (then the first views are timed)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=1000, help="with httpx as the client")
    parser.add_argument("--seconds", type=float, default=10, help="each route's run, with wrk as the client")
    parser.add_argument("--workers", type=int, default=1, help="`baliza serve --workers`")
    args = parser.parse_args()
    agency, token, seizures, ids = tokens(args.db)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    log = args.db.with_name(args.db.stem + ".service_speed.log")
    server = subprocess.Popen([sys.executable, "-m", "baliza", "serve", "--db", str(args.db), "--port", str(port),
                               "--workers", str(args.workers)],
                              env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"))
    base = f"http://127.0.0.1:{port}"
    print(f"warehouse {args.db} · agency {agency} · {args.clients} clients · {os.cpu_count()} cores "
          f"(client and server on the same machine) · load average {os.getloadavg()[0]:.1f}")
    try:
        with httpx.Client(base_url=base, timeout=120) as client:
            for _ in range(600):
                try:
                    client.get("/health")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            print(f"results at start computed in {wait_for_results(client, token[Role.ADMIN], 1):.1f} s; "
                  f"the server idle {wait_until_idle(server.pid):.1f} s later")
            routes = (("findings list (API)", ["/api/findings"]),
                      ("chain page", [f"/chain/seizure/{s}" for s in seizures]))
            for label, paths in routes:
                server_cpu = server_seconds(server.pid)
                result = drive(base, paths, token[Role.ANALYST], args.clients, args.requests, args.seconds)
                server_ms = (server_seconds(server.pid) - server_cpu) * 1000 / max(1, result["requests"])
                client_ms = result["client_cpu_ms"]
                print(f"{label:22s} {args.clients:3d} clients {result['rps']:7.1f} req/s"
                      f"   p50 {result['p50_ms']:7.1f} ms   p95 {result['p95_ms']:7.1f} ms"
                      f"   ({result['requests']} requests, {result['errors']} errors)"
                      f"   CPU a request: server {server_ms:.1f} ms, client ({result['client']}) {client_ms:.1f} ms"
                      f"   load average {os.getloadavg()[0]:.1f}")
            if args.reload is None:
                return
            before = service(client, token[Role.ADMIN])["results"]["refreshes"]
            started = time.perf_counter()
            loaded = subprocess.run([sys.executable, "-m", "baliza", "load", str(args.reload), "--db", str(args.db),
                                     "--json"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if loaded.returncode:
                raise SystemExit(f"the load failed: {loaded.stderr[-500:]}")
            load_seconds = time.perf_counter() - started
            client.get("/health")  # the server notices the new file on its next request
            computed = wait_for_results(client, token[Role.ADMIN], before + 1)
            print(f"load while serving {load_seconds:.1f} s; new data served {computed:.1f} s later "
                  f"(results computed in the background meanwhile)")
            pages = {Role.ANALYST: ["/", "/chain", "/findings", "/indicators", "/indicators?granularity=quarter",
                                    "/indicators?granularity=month", "/quarantine", "/sharing", "/requests",
                                    "/reports", f"/chain/seizure/{seizures[0]}", "/api/findings"],
                     Role.PROSECUTION_INSPECTOR: ["/justice", "/justice?granularity=year",
                                                  "/justice?granularity=month", "/findings"]}
            if ids:
                # cases and their parties are the prosecution's rows: the customs analyst would time a refusal
                pages[Role.PROSECUTION_INSPECTOR] += [f"/chain/case/{ids['case']}", f"/chain/person/{ids['person']}"]
            worst = 0.0
            for role, paths in pages.items():
                for path in paths:
                    started = time.perf_counter()
                    status = client.get(path, headers={"Authorization": f"Bearer {token[role]}"}).status_code
                    took = (time.perf_counter() - started) * 1000
                    worst = max(worst, took)
                    print(f"first view after the load  {role.value:22s} {path:36s} {status}  {took:7.1f} ms")
            print(f"slowest first view after the load: {worst:.1f} ms")
    finally:
        if server.poll() is not None:
            print(f"the server stopped (exit {server.returncode}); its log: {log}")
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
