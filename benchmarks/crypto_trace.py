"""Clustering and a 6-hop haircut trace on a synthetic UTXO chain of 10 million transfers, beside networkx.

A transfer is one output (value paid to an address). The chain is made with numpy: transactions of 1-3
outputs to random addresses; 80 % of outputs are spent later, each by a transaction a geometric number of
transactions after it (at most two inputs spend into one transaction on average), inputs spend whole outputs
and carry their address, so that common-input clustering has real work. Values are random (the timing does
not need them to balance).

Each engine runs in its own process (so that peak memory is its own): Baliza's (`baliza.crypto`: numpy and
scipy.sparse) and a plain networkx implementation of the same clustering (connected components) and the same
haircut trace (a DiGraph of outputs and transactions, hop by hop over dictionaries). networkx needs about 1 GB
per million transfers, so by default it runs at 1 million transfers, with Baliza at the same size for the
ratio and at the full size. The two traces' taint at every address must agree.

Run: PYTHONPATH=src python benchmarks/crypto_trace.py [--transfers N] [--networkx-transfers M] [--seeds 100]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

HOPS = 6


def synthesise(transfers: int, seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    n_tx = max(10, transfers // 2)
    n_out = rng.integers(1, 4, n_tx)
    scale = transfers / n_out.sum()
    n_out = np.maximum(1, np.round(n_out * scale)).astype(np.int64)
    out_tx = np.repeat(np.arange(n_tx), n_out)[:transfers]
    n = len(out_tx)
    n_addr = max(10, n // 3)
    out_addr = rng.integers(0, n_addr, n)
    out_value = (rng.lognormal(14, 2, n) + 1000).astype(np.int64)
    spent = rng.random(n) < 0.8
    gap = rng.geometric(1 / 50, n)
    spender_tx = out_tx + gap
    spent &= spender_tx < n_tx
    o = np.flatnonzero(spent)
    in_tx = spender_tx[o]
    order = np.argsort(in_tx, kind="stable")
    return {"out_tx": out_tx, "out_addr": out_addr, "out_value": out_value, "in_tx": in_tx[order],
            "in_spent": o[order], "n_tx": np.asarray(n_tx), "n_addr": np.asarray(n_addr)}


class PeakMemory:
    """Peak resident memory above the level at start, sampled every 5 ms (/proc/self/statm)."""

    def __enter__(self) -> PeakMemory:
        self.start = self.peak = self._rss()
        self._running = True
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._running = False
        self._thread.join()

    @staticmethod
    def _rss() -> int:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _watch(self) -> None:
        while self._running:
            self.peak = max(self.peak, self._rss())
            time.sleep(0.005)

    @property
    def megabytes(self) -> float:
        return (self.peak - self.start) / 1e6


def _seeds(chain: dict[str, np.ndarray], count: int) -> np.ndarray:
    return np.random.default_rng(2).choice(int(chain["n_addr"]), count, replace=False)


def run_baliza(transfers: int, seeds: int) -> dict:
    from baliza.crypto.clusters import cluster_addresses
    from baliza.crypto.ledger import UtxoLedger
    from baliza.crypto.utxo_trace import trace_utxo

    chain = synthesise(transfers)
    n_tx, n_addr = int(chain["n_tx"]), int(chain["n_addr"])
    addresses = np.asarray([f"a{k:09d}" for k in range(n_addr)], dtype=object)
    in_value = chain["out_value"][chain["in_spent"]]
    ledger = UtxoLedger("bench", addresses, np.asarray([f"{k:064x}" for k in range(n_tx)], dtype=object),
                        np.arange(n_tx).astype("datetime64[s]"), chain["out_tx"], np.zeros_like(chain["out_tx"]),
                        chain["out_addr"], chain["out_value"], chain["in_tx"], chain["out_addr"][chain["in_spent"]],
                        in_value, chain["in_spent"])
    result: dict = {"engine": "baliza", "transfers": len(chain["out_tx"]), "inputs": len(chain["in_tx"])}
    with PeakMemory() as memory:
        started = time.perf_counter()
        clustering = cluster_addresses(ledger)
        result["clustering_s"] = time.perf_counter() - started
    result["clustering_mb"] = memory.megabytes
    result["clusters"] = len(clustering.cluster_ids)
    stop = np.zeros(n_addr, dtype=bool)
    stop[np.random.default_rng(3).choice(n_addr, max(1, n_addr // 1000), replace=False)] = True
    with PeakMemory() as memory:
        started = time.perf_counter()
        ledger.build_indexes()  # what the trace reads, as networkx's graph is (built once per chain)
        result["index_s"] = time.perf_counter() - started
    result["index_mb"] = memory.megabytes
    with PeakMemory() as memory:
        started = time.perf_counter()
        hops = trace_utxo(ledger, _seeds(chain, seeds), stop, "haircut", HOPS)
        result["trace_s"] = time.perf_counter() - started
    result["trace_mb"] = memory.megabytes
    taint = np.zeros(n_addr)
    for hop in hops[1:]:
        taint += np.bincount(ledger.out_addr[hop.items], weights=hop.taint, minlength=n_addr)
    result["reached"] = int((taint > 0).sum())
    result["taint_checksum"] = float(taint.sum())
    result["peak_rss_mb"] = _max_rss_mb()
    return result


def run_networkx(transfers: int, seeds: int) -> dict:
    import networkx as nx

    chain = synthesise(transfers)
    n_addr = int(chain["n_addr"])
    out_tx, out_addr, out_value = (chain[k].tolist() for k in ("out_tx", "out_addr", "out_value"))
    in_tx, in_spent = chain["in_tx"].tolist(), chain["in_spent"].tolist()
    result: dict = {"engine": "networkx", "transfers": len(out_tx), "inputs": len(in_tx)}
    with PeakMemory() as memory:
        started = time.perf_counter()
        addresses = nx.Graph()
        addresses.add_nodes_from(range(n_addr))
        first: dict[int, int] = {}
        for t, o in zip(in_tx, in_spent, strict=True):
            a = out_addr[o]
            addresses.add_edge(first.setdefault(t, a), a)
        components = list(nx.connected_components(addresses))
        result["clustering_s"] = time.perf_counter() - started
    result["clustering_mb"] = memory.megabytes
    result["clusters"] = len(components)
    del addresses, components
    stop = set(np.random.default_rng(3).choice(n_addr, max(1, n_addr // 1000), replace=False).tolist())
    seed_set = set(_seeds(chain, seeds).tolist())
    with PeakMemory() as memory:
        started = time.perf_counter()
        graph = nx.DiGraph()
        total_in: dict[int, float] = defaultdict(float)
        for t, o in zip(in_tx, in_spent, strict=True):
            graph.add_edge(("o", o), ("t", t))
            total_in[t] += out_value[o]
        for o, (t, a, v) in enumerate(zip(out_tx, out_addr, out_value, strict=True)):
            graph.add_edge(("t", t), ("o", o), value=v, address=a)
        result["networkx_build_s"] = time.perf_counter() - started
        started = time.perf_counter()
        taint = {o: float(v) for o, (a, v) in enumerate(zip(out_addr, out_value, strict=True)) if a in seed_set}
        received: dict[int, float] = defaultdict(float)
        for _ in range(HOPS):
            carried: dict[int, float] = defaultdict(float)
            for o, amount in taint.items():
                if out_addr[o] in stop and out_addr[o] not in seed_set:
                    continue
                for _, (_, t) in graph.out_edges(("o", o)):
                    carried[t] += amount
            taint = {}
            for t, amount in carried.items():
                for _, (_, o), data in graph.out_edges(("t", t), data=True):
                    if data["address"] not in seed_set and total_in[t] > 0:
                        taint[o] = data["value"] * amount / total_in[t]
                        received[data["address"]] += taint[o]
        result["trace_s"] = time.perf_counter() - started
    result["trace_mb"] = memory.megabytes
    result["reached"] = sum(1 for v in received.values() if v > 0)
    result["taint_checksum"] = float(sum(received.values()))
    result["peak_rss_mb"] = _max_rss_mb()
    return result


def _max_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def _in_child(engine: str, transfers: int, seeds: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent / "src")}
    done = subprocess.run([sys.executable, __file__, "--child", engine, "--transfers", str(transfers), "--seeds",
                           str(seeds)], capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _show(result: dict) -> None:
    extra = (f"; the graph it reads: {result['networkx_build_s']:.1f} s" if "networkx_build_s" in result else
             f"; the indexes it reads: {result['index_s']:.2f} s (+{result['index_mb']:,.0f} MB)")
    print(f"{result['engine']:>8} {result['transfers']:>11,} transfers: clustering {result['clustering_s']:7.2f} s "
          f"(+{result['clustering_mb']:,.0f} MB, {result['clusters']:,} clusters); 6-hop haircut trace "
          f"{result['trace_s']:7.2f} s (+{result['trace_mb']:,.0f} MB, {result['reached']:,} addresses reached)"
          f"{extra}; process peak {result['peak_rss_mb']:,.0f} MB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transfers", type=int, default=10_000_000)
    parser.add_argument("--networkx-transfers", type=int, default=1_000_000)
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--child", choices=["baliza", "networkx"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run = run_baliza if args.child == "baliza" else run_networkx
        print(json.dumps(run(args.transfers, args.seeds)))
        return
    print(f"machine: {os.cpu_count()} cores", flush=True)
    small = min(args.networkx_transfers, args.transfers)
    ours, theirs = _in_child("baliza", small, args.seeds), _in_child("networkx", small, args.seeds)
    _show(ours)
    _show(theirs)
    agree = abs(ours["taint_checksum"] - theirs["taint_checksum"]) <= 1e-6 * max(1.0, theirs["taint_checksum"])
    print(f"same taint in both: {agree} ({ours['reached']:,} and {theirs['reached']:,} addresses)")
    print(f"speed-up at {small:,} transfers: clustering {theirs['clustering_s'] / ours['clustering_s']:.0f}x, "
          f"trace {theirs['trace_s'] / ours['trace_s']:.0f}x, trace with what it reads built "
          f"{(theirs['trace_s'] + theirs['networkx_build_s']) / (ours['trace_s'] + ours['index_s']):.0f}x "
          "(goal: 20x)")
    if args.transfers > small:
        _show(_in_child("baliza", args.transfers, args.seeds))
    if not agree:
        sys.exit("the two traces disagree")


if __name__ == "__main__":
    main()
