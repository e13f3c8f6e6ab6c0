"""Requests per second and p95 latency of the findings list and a chain page, 50 concurrent clients.

    PYTHONPATH=src python benchmarks/web_perf.py --db COUNTRY.duckdb [--clients 50] [--requests 2000]

Starts `baliza serve` in its own process on a free loopback port, creates a benchmark user with an
API token (in the warehouse's state store) in the agency that reported the most seizures, then drives
each route with `--clients` concurrent keep-alive connections (`wrk` when installed: `apt-get install wrk`;
else httpx clients on asyncio, which cost the shared cores milliseconds a request) and prints the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import httpx

from baliza.access.roles import Role
from baliza.access.state import open_state_beside
from baliza.access.tokens import add_token
from baliza.access.users import add_user, get_user

USER = "benchmark_analyst"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) a process has used so far, from /proc (Linux): the server's cost per
    request measured this way does not depend on how busy the machine is."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def signed_in_token(db: Path, username: str, agency: str, role: Role | str, purpose: str) -> str:
    """A new API token for the benchmark user `username` of `role` in `agency` (made, with a random
    password, if the warehouse's state store does not hold it yet): what a benchmark client signs in with."""
    state = open_state_beside(db)
    try:
        if get_user(state, username) is None:
            add_user(state, username, os.urandom(16).hex(), agency, Role(role))
        return add_token(state, username, purpose)[1]
    finally:
        state.close()


def prepare(db: Path, count: int) -> tuple[str, str, list[str]]:
    """(agency, token, `count` seizure ids with a case) for the benchmark user."""
    con = duckdb.connect(str(db), read_only=True)
    agency = con.execute("select _agency_id from seizures group by 1 order by count(*) desc limit 1").fetchall()[0][0]
    seizures = [r[0] for r in con.execute(
        "select distinct s.seizure_id from seizures s join cases c using (seizure_id) where s._agency_id = ? "
        "order by 1 limit ?", [agency, count]).fetchall()]
    if not seizures:
        seizures = [r[0] for r in con.execute("select seizure_id from seizures where _agency_id = ? limit ?",
                                              [agency, count]).fetchall()]
    con.close()
    return agency, signed_in_token(db, USER, agency, Role.ANALYST, "web_perf benchmark"), seizures


WRK_SCRIPT = """
local paths, n, token = {}, 0, os.getenv("BALIZA_BENCH_TOKEN")
for line in io.lines(os.getenv("BALIZA_BENCH_PATHS")) do paths[#paths + 1] = line end
wrk.headers["Authorization"] = "Bearer " .. token
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("BALIZA %d %d %d %f %f\\n", summary.requests, errors + summary.errors.status,
    summary.duration, latency:percentile(50), latency:percentile(95)))
end
"""


def drive(base: str, paths: list[str], token: str, clients: int, requests: int,
          seconds: float | None = None) -> dict[str, float]:
    """Drive `paths` (cycled: each request a different row) with `clients` concurrent keep-alive
    connections: with `wrk` when it is installed (a C client, one thread: it leaves the cores to the
    server), else with httpx (which costs the client milliseconds a request). `client_cpu_ms` is the
    client's processor time a request."""
    if shutil.which("wrk"):
        # as many seconds as `requests` take at ~200 requests/s, at least 5
        return drive_wrk(base, paths, token, clients, seconds or max(5.0, requests / 200))
    used = time.process_time()
    result = asyncio.run(drive_httpx(base, paths, token, clients, requests))
    result["client_cpu_ms"] = (time.process_time() - used) * 1000 / max(1, result["requests"])
    return result


def drive_wrk(base: str, paths: list[str], token: str, clients: int, seconds: float) -> dict[str, float]:
    """`wrk -t1 -c clients -d seconds` over `paths`, with the bearer token; its figures."""
    httpx.get(base + paths[-1], headers={"Authorization": f"Bearer {token}"}, timeout=120)  # warm once
    with tempfile.TemporaryDirectory() as folder:
        script, listed = Path(folder) / "paths.lua", Path(folder) / "paths.txt"
        script.write_text(WRK_SCRIPT)
        listed.write_text("\n".join(paths) + "\n")
        env = {**os.environ, "BALIZA_BENCH_TOKEN": token, "BALIZA_BENCH_PATHS": str(listed)}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(["wrk", "-t1", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--timeout", "60s",
                               "-s", str(script), base], env=env, capture_output=True, text=True, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next(row for row in done.stdout.splitlines() if row.startswith("BALIZA "))
    count, errors, micros, p50, p95 = line.split()[1:]
    requests = int(count)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"requests": requests, "errors": int(errors), "seconds": int(micros) / 1e6,
            "rps": requests / (int(micros) / 1e6), "p50_ms": float(p50) / 1000, "p95_ms": float(p95) / 1000,
            "client_cpu_ms": cpu * 1000 / max(1, requests), "client": "wrk"}


async def drive_httpx(base: str, paths: list[str], token: str, clients: int, requests: int) -> dict[str, float]:
    """Send `requests` GETs cycling through `paths` (each a different row: no answer is reused)."""
    latencies: list[float] = []
    errors = 0
    remaining = requests
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=60) as client:
        await client.get(paths[-1])  # warm caches (analyses, charts) before timing

        async def worker() -> None:
            nonlocal remaining, errors
            while remaining > 0:
                remaining -= 1
                path = paths[remaining % len(paths)]
                started = time.perf_counter()
                try:
                    answer = await client.get(path)
                except httpx.TransportError:  # counted, not fatal: the figures say how many failed
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - started)
                errors += answer.status_code != 200

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies), "errors": errors, "seconds": elapsed, "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000, "p95_ms": latencies[int(0.95 * (len(latencies) - 1))] * 1000,
        "client": "httpx",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    agency, token, seizures = prepare(args.db, args.requests)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src"), "PYTHONFAULTHANDLER": "1"}
    log = args.db.with_name(args.db.stem + ".web_perf.log")
    server = subprocess.Popen([sys.executable, "-m", "baliza", "serve", "--db", str(args.db), "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"))
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{base}/openapi.json", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        print(f"warehouse {args.db} · agency {agency} · {len(seizures)} distinct seizures · {args.clients} clients"
              f" · {os.cpu_count()} cores")
        routes = (("findings list (API)", ["/api/findings"]), ("findings page", ["/findings"]),
                  ("chain (API)", [f"/api/seizures/{s}/chain" for s in seizures]),
                  ("chain page", [f"/chain/seizure/{s}" for s in seizures]))
        for clients in sorted({1, args.clients}):
            for label, paths in routes:
                used = cpu_seconds(server.pid)
                result = drive(base, paths, token, clients, args.requests if clients > 1 else 50)
                server_ms = (cpu_seconds(server.pid) - used) * 1000 / max(1, result["requests"])
                print(f"{label:20s} {clients:3d} clients {result['rps']:8.1f} req/s   p50 {result['p50_ms']:7.1f} ms"
                      f"   p95 {result['p95_ms']:7.1f} ms   ({result['requests']} requests, {result['errors']} errors)"
                      f"   CPU a request: server {server_ms:.1f} ms, client ({result['client']}) "
                      f"{result['client_cpu_ms']:.1f} ms")
    finally:
        if server.poll() is not None:
            print(f"the server stopped (exit {server.returncode}); its log: {log}")
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
