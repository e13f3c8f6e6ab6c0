"""An independent computation of clusters and taint, written plainly from the rows (docs/crypto.md's
definitions), transaction by transaction in Python with exact Fractions: what `baliza.crypto` is checked
against. It shares no code with the product.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from fractions import Fraction


def _units(amount: str) -> Fraction:
    return Fraction(Decimal(amount))


def reference_clusters(io: list[dict]) -> dict[str, frozenset[str]]:
    """address -> the set of addresses in its cluster (union-find with path halving)."""
    parent: dict[str, str] = {}

    def find(a: str) -> str:
        parent.setdefault(a, a)
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    by_tx: dict[str, dict[str, list[dict]]] = defaultdict(lambda: {"in": [], "out": []})
    for row in io:
        by_tx[row["tx_hash"]][row["direction"]].append(row)
        find(row["address"])
    for rows in by_tx.values():
        values = Counter(r["amount"] for r in rows["out"])
        if len(rows["in"]) >= 5 and values and max(values.values()) >= 5:
            continue  # a CoinJoin
        addresses = [r["address"] for r in rows["in"]]
        for a in addresses[1:]:
            parent[find(a)] = find(addresses[0])
    groups: dict[str, set[str]] = defaultdict(set)
    for a in parent:
        groups[find(a)].add(a)
    return {a: frozenset(groups[find(a)]) for a in parent}


def reference_utxo(io: list[dict], tags: list[dict], seeds: list[str], method: str, hops: int
                   ) -> dict[str, Fraction]:
    """address -> taint received at hops 1..hops, in coins."""
    clusters = reference_clusters(io)
    exchange_addresses = set()
    for tag in tags:
        if tag["category"] == "exchange" and tag["address"] in clusters:
            exchange_addresses |= clusters[tag["address"]]
    txs: dict[str, dict] = {}
    for row in io:
        tx = txs.setdefault(row["tx_hash"], {"time": row["block_time"], "in": {}, "out": {}})
        tx[row["direction"]][int(row["index"])] = row
    # taint[(tx, index)] = {hop: amount} for outputs; hop 0 for outputs paying seeds
    taint: dict[tuple[str, int], dict[int, Fraction]] = {}
    layout: dict[tuple[str, int], list[tuple[Fraction, Fraction, int]]] = {}  # fifo: (start, end, hop)
    received: dict[str, Fraction] = defaultdict(Fraction)
    for tx_hash, tx in sorted(txs.items(), key=lambda kv: kv[1]["time"]):
        inputs = [tx["in"][i] for i in sorted(tx["in"])]
        outputs = [tx["out"][i] for i in sorted(tx["out"])]
        carried: list[dict[int, Fraction]] = []
        spans: list[list[tuple[Fraction, Fraction, int]]] = []
        for row in inputs:
            key = (row["spent_tx_hash"], int(row["spent_index"])) if row["spent_index"] != "" else None
            paying = txs.get(key[0], {}).get("out", {}).get(key[1]) if key else None
            passes = paying is not None and (paying["address"] in seeds or paying["address"] not in
                                             exchange_addresses)
            carried.append(taint.get(key, {}) if passes else {})
            spans.append(layout.get(key, []) if passes else [])
        total_in = sum((_units(r["amount"]) for r in inputs), Fraction(0))
        position = Fraction(0)
        laid: list[tuple[Fraction, Fraction, int]] = []  # FIFO: tainted stretches of the laid-out inputs
        for row, stretch in zip(inputs, spans, strict=True):
            for start, end, hop in stretch:
                laid.append((position + start, position + end, hop + 1))
            position += _units(row["amount"])
        cursor = Fraction(0)
        for row in outputs:
            key, value = (tx_hash, int(row["index"])), _units(row["amount"])
            if row["address"] in seeds:
                taint[key] = {0: value}
                layout[key] = [(Fraction(0), value, 0)]
                cursor += value
                continue
            mine: dict[int, Fraction] = defaultdict(Fraction)
            if method == "poison":
                hops_in = [min(c) for c in carried if c]
                if hops_in and min(hops_in) + 1 <= hops:
                    mine[min(hops_in) + 1] = value
            elif method == "haircut":
                for c in carried:
                    for hop, amount in c.items():
                        if hop + 1 <= hops and total_in:
                            mine[hop + 1] += value * amount / total_in
            else:
                pieces = []
                for start, end, hop in laid:
                    low, high = max(start, cursor), min(end, cursor + value)
                    if low < high and hop <= hops:
                        pieces.append((low - cursor, high - cursor, hop))
                        mine[hop] += high - low
                layout[key] = pieces
            cursor += value
            if mine:
                taint[key] = dict(mine)
                received[row["address"]] += sum(mine.values(), Fraction(0))
    return dict(received)


def reference_account(transfers: list[dict], tags: list[dict], seeds: list[str], method: str, hops: int
                      ) -> dict[str, Fraction]:
    """The same rules over balances, transfer by transfer in time order."""
    exchange = {t["address"] for t in tags if t["category"] == "exchange"}
    rows = sorted(transfers, key=lambda r: r["block_time"])  # stable: ties keep the file order
    received: dict[str, Fraction] = defaultdict(Fraction)
    balance: dict[str, Fraction] = defaultdict(Fraction)
    held: dict[str, dict[int, Fraction]] = defaultdict(lambda: defaultdict(Fraction))  # haircut
    first_hop: dict[str, int] = {}  # poison
    queue: dict[str, list[list]] = defaultdict(list)  # fifo: [amount, hop or None]
    for row in rows:
        a, b, v = row["from_address"], row["to_address"], _units(row["amount"])
        passes = a in seeds or a not in exchange
        out: dict[int, Fraction] = defaultdict(Fraction)
        if method == "poison":
            if a in first_hop and passes and first_hop[a] + 1 <= hops:
                out[first_hop[a] + 1] = v
        elif method == "haircut":
            paid = min(v, balance[a])
            if balance[a] > 0:
                for hop in list(held[a]):
                    moved = held[a][hop] * paid / balance[a]
                    held[a][hop] -= moved
                    if passes and hop + 1 <= hops:
                        out[hop + 1] += moved
            balance[a] -= paid
        else:
            need, moving = v, []
            while need > 0 and queue[a]:
                piece = queue[a][0]
                take = min(piece[0], need)
                moving.append([take, piece[1]])
                need -= take
                piece[0] -= take
                if piece[0] == 0:
                    queue[a].pop(0)
            if need > 0:
                moving.append([need, None])
            for piece in moving:
                hop = piece[1]
                piece[1] = hop + 1 if hop is not None and passes and hop + 1 <= hops else None
                if piece[1] is not None:
                    out[piece[1]] += piece[0]
        if b in seeds:
            first_hop[b] = 0
            balance[b] += v
            held[b][0] += v
            queue[b].append([v, 0])
            continue
        balance[b] += v
        for hop, amount in out.items():
            held[b][hop] += amount
            received[b] += amount
            if method == "poison" and (b not in first_hop or first_hop[b] > hop):
                first_hop[b] = hop
        if method == "fifo":
            queue[b].extend(moving)
    return dict(received)


def reference_backward(io: list[dict], tags: list[dict], seeds: list[str], method: str, hops: int
                       ) -> dict[str, Fraction]:
    """Where the funds at the seeds came from: the rules run upstream, newest transaction first."""
    clusters = reference_clusters(io)
    exchange_addresses = set()
    for tag in tags:
        if tag["category"] == "exchange" and tag["address"] in clusters:
            exchange_addresses |= clusters[tag["address"]]
    outputs = {(r["tx_hash"], int(r["index"])): r for r in io if r["direction"] == "out"}
    inputs: dict[str, list[dict]] = defaultdict(list)
    for row in io:
        if row["direction"] == "in":
            inputs[row["tx_hash"]].append(row)
    taint: dict[tuple[str, int], dict[int, Fraction]] = {
        key: {0: _units(row["amount"])} for key, row in outputs.items() if row["address"] in seeds}
    received: dict[str, Fraction] = defaultdict(Fraction)
    times = {r["tx_hash"]: r["block_time"] for r in io}
    for tx_hash in sorted(times, key=lambda t: times[t], reverse=True):
        carried: dict[int, Fraction] = defaultdict(Fraction)
        for key, row in outputs.items():
            if key[0] == tx_hash and key in taint and (row["address"] in seeds or
                                                       row["address"] not in exchange_addresses):
                for hop, amount in taint[key].items():
                    carried[hop] += amount
        total = sum((_units(r["amount"]) for r in inputs[tx_hash]), Fraction(0))
        for row in inputs[tx_hash]:
            if row["spent_index"] == "" or (row["spent_tx_hash"], int(row["spent_index"])) not in outputs:
                continue
            key = (row["spent_tx_hash"], int(row["spent_index"]))
            paid = outputs[key]
            if paid["address"] in seeds or not carried:
                continue
            mine = taint.setdefault(key, {})
            if method == "poison":
                hop = min(carried) + 1
                if hop <= hops and not mine:
                    mine[hop] = _units(paid["amount"])
                    received[paid["address"]] += mine[hop]
            else:
                for hop, amount in carried.items():
                    if hop + 1 <= hops and total:
                        share = amount * _units(row["amount"]) / total
                        mine[hop + 1] = mine.get(hop + 1, Fraction(0)) + share
                        received[paid["address"]] += share
    return dict(received)
