"""A generated crypto world for the tracing tests: a darknet market, a peel chain, a mixer (a CoinJoin) and
exchanges on a UTXO chain ("btc"), and the same cast on an account chain ("trx", USDT).

Every transaction happens at its own second, after those it spends, so that time order is unambiguous.
Values are integers of 1e-8 (UTXO) or 1e-6 (USDT); the CSV files carry them as decimals.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

START = datetime(2024, 1, 1, tzinfo=UTC)
SAT = 100_000_000


@dataclass
class UtxoWorld:
    io: list[dict] = field(default_factory=list)
    tags: list[dict] = field(default_factory=list)
    seeds: list[str] = field(default_factory=list)
    exchanges: dict[str, list[str]] = field(default_factory=dict)  # exchange -> its addresses
    owners: dict[str, str] = field(default_factory=dict)  # address -> owner (the true clusters' basis)
    mixer_tx: str = ""
    peel_txs: list[str] = field(default_factory=list)
    _utxos: dict[str, list[tuple[str, int, str, int]]] = field(default_factory=dict)  # owner -> outputs
    _clock: int = 0
    _count: int = 0
    _fresh: int = 0

    def new_address(self, owner: str) -> str:
        self._fresh += 1
        address = f"bc1q{owner.lower().replace(' ', '')}{self._fresh:05d}"
        self.owners[address] = owner
        return address

    def tx(self, inputs: list[tuple[str, int, str, int]], outputs: list[tuple[str, int]]) -> str:
        """Spend `inputs` (tx, index, address, value) into `outputs` (address, value) at the next second."""
        self._clock += 1
        self._count += 1
        tx_hash = f"{self._count:064x}"
        at = (START + timedelta(seconds=self._clock * 60)).isoformat()
        for i, (spent_tx, spent_index, address, value) in enumerate(inputs):
            self.io.append({"chain": "btc", "tx_hash": tx_hash, "block_time": at, "direction": "in", "index": i,
                            "address": address, "amount": f"{value / SAT:.8f}", "spent_tx_hash": spent_tx,
                            "spent_index": "" if spent_index < 0 else spent_index})
            owner = self.owners[address]
            self._utxos[owner] = [u for u in self._utxos.get(owner, []) if (u[0], u[1]) != (spent_tx, spent_index)]
        for i, (address, value) in enumerate(outputs):
            self.io.append({"chain": "btc", "tx_hash": tx_hash, "block_time": at, "direction": "out", "index": i,
                            "address": address, "amount": f"{value / SAT:.8f}", "spent_tx_hash": "",
                            "spent_index": ""})
            self._utxos.setdefault(self.owners[address], []).append((tx_hash, i, address, value))
        return tx_hash

    def fund(self, address: str, value: int) -> None:
        """Money from outside the data: an input that names no known output."""
        self.tx([(f"{'f' * 60}{self._count:04x}", -1, address, value + 1000)], [(address, value)])

    def spend(self, rng: random.Random, owner: str, payees: list[str], fraction: float = 0.5,
              change_to_new: bool = True, max_inputs: int = 3) -> str | None:
        utxos = list(self._utxos.get(owner, []))
        if not utxos:
            return None
        rng.shuffle(utxos)
        inputs = utxos[: rng.randint(1, max_inputs)]
        total = sum(u[3] for u in inputs)
        fee = rng.randint(200, 5000)
        if total <= fee + 1000 * (len(payees) + 1):
            return None
        budget = int((total - fee) * fraction)
        outputs = [(p, budget // len(payees)) for p in payees]
        change = total - fee - sum(v for _, v in outputs)
        if change > 0:
            changer = self.new_address(owner) if change_to_new else inputs[0][2]
            outputs.insert(rng.randint(0, len(outputs)), (changer, change))
        return self.tx(inputs, outputs)

    def tag(self, address: str, label: str, category: str, source: str) -> None:
        self.tags.append({"chain": "btc", "address": address, "label": label, "category": category,
                          "source": source, "confidence": "0.9"})


def build_utxo(seed: int = 7) -> UtxoWorld:
    rng = random.Random(seed)
    w = UtxoWorld()
    users = [f"user{k}" for k in range(40)]
    addresses: dict[str, list[str]] = {}
    for owner in [*users, "Nexo Market", "vendor", "Andes Exchange", "Pacifico Crypto", "GlobalX"]:
        addresses[owner] = [w.new_address(owner) for _ in range(3)]
        for address in addresses[owner][:2]:
            w.fund(address, rng.randint(2, 40) * SAT // 10)
    for exchange in ("Andes Exchange", "Pacifico Crypto", "GlobalX"):
        w.exchanges[exchange] = addresses[exchange]
        w.fund(addresses[exchange][2], 3 * SAT)
        held = list(w._utxos[exchange])  # the exchange consolidates its deposits: one cluster
        w.tx(held, [(addresses[exchange][0], sum(u[3] for u in held) - 2000)])
        w.tag(addresses[exchange][0], f"{exchange} deposit", "exchange", "exchange KYC")
    w.tag(addresses["Nexo Market"][0], "Nexo Market hot wallet", "darknet_market", "open-source intelligence")
    w.tag(addresses["Nexo Market"][0], "Nexo Market", "darknet_market", "court records")  # a second source
    w.seeds = [addresses["vendor"][0]]
    w.tag(w.seeds[0], "vendor wallet seized in case", "seized", "case file")
    for step in range(220):
        kind = rng.random()
        owner = rng.choice(users)
        if step == 60:  # the market pays the vendor in one transaction from several inputs
            w.spend(rng, "Nexo Market", [addresses["vendor"][0]], 0.8, max_inputs=3)
        elif step == 80:  # the vendor peels: a row of one-input, two-output transactions
            _peel(rng, w, addresses, users)
        elif step == 120:  # a CoinJoin: six owners, six equal outputs and their change
            _coinjoin(rng, w, addresses, users)
        elif kind < 0.25:  # buyers pay the market
            w.spend(rng, owner, [rng.choice(addresses["Nexo Market"])], 0.3)
        elif kind < 0.45:  # deposits to exchanges
            w.spend(rng, owner, [rng.choice(addresses[rng.choice(list(w.exchanges))])], 0.6)
        elif kind < 0.55:  # exchanges pay out, spending deposits together
            exchange = rng.choice(list(w.exchanges))
            w.spend(rng, exchange, [rng.choice(addresses[rng.choice(users)])], 0.4, change_to_new=False)
        elif kind < 0.65:  # the vendor spends
            w.spend(rng, "vendor", [rng.choice(addresses[rng.choice(users)]),
                                    rng.choice(addresses[rng.choice(list(w.exchanges))])], 0.7)
        else:
            w.spend(rng, owner, [rng.choice(addresses[rng.choice(users)]) for _ in range(rng.randint(1, 2))],
                    rng.uniform(0.2, 0.9), change_to_new=rng.random() < 0.7)
    return w


def _peel(rng: random.Random, w: UtxoWorld, addresses: dict[str, list[str]], users: list[str]) -> None:
    utxos = sorted(w._utxos.get("vendor", []), key=lambda u: -u[3])
    if not utxos:
        return
    current = utxos[0]
    for _ in range(5):
        small = current[3] // rng.randint(8, 15)
        change = current[3] - small - 1000
        holder = w.new_address("vendor")
        payee = rng.choice(addresses[rng.choice([*users, "GlobalX"])])
        tx = w.tx([current], [(holder, change), (payee, small)] if rng.random() < 0.5 else
                  [(payee, small), (holder, change)])
        w.peel_txs.append(tx)
        current = next(u for u in w._utxos["vendor"] if u[0] == tx)


def _coinjoin(rng: random.Random, w: UtxoWorld, addresses: dict[str, list[str]], users: list[str]) -> None:
    owners = ["vendor", *rng.sample(users, 5)]
    inputs, outputs = [], []
    unit = SAT // 20
    for owner in owners:
        utxo = max(w._utxos.get(owner, []), key=lambda u: u[3], default=None)
        if utxo is None or utxo[3] < unit + 5000:
            w.fund(addresses[owner][2], SAT)
            utxo = max(w._utxos[owner], key=lambda u: u[3])
        inputs.append(utxo)
        outputs.append((w.new_address(owner), unit))
        outputs.append((w.new_address(owner), utxo[3] - unit - 500))
    w.mixer_tx = w.tx(inputs, outputs)


@dataclass
class AccountWorld:
    transfers: list[dict] = field(default_factory=list)
    tags: list[dict] = field(default_factory=list)
    seeds: list[str] = field(default_factory=list)
    exchanges: list[str] = field(default_factory=list)


def build_account(seed: int = 11) -> AccountWorld:
    """TRON USDT: users, a market, a mixer address, a peeling vendor and exchanges, one asset, 6 decimals."""
    rng = random.Random(seed)
    w = AccountWorld()
    users = [f"Tuser{k:03d}" for k in range(30)]
    market, mixer, vendor = "Tmarket000", "Tmixer0000", "Tvendor000"
    w.exchanges = ["Texchange0", "Texchange1", "Texchange2"]
    w.seeds = [vendor]
    for k, exchange in enumerate(w.exchanges):
        w.tags.append({"chain": "trx", "address": exchange, "label": f"Exchange {k} USDT deposit",
                       "category": "exchange", "source": "exchange KYC", "confidence": "1"})
    w.tags.append({"chain": "trx", "address": mixer, "label": "Swirl", "category": "mixer", "source": "OSINT",
                   "confidence": "0.7"})
    everyone = [*users, market, mixer, vendor, *w.exchanges]
    for step in range(400):
        clock = step // 2 + 1  # two transfers a minute: ties in time keep the order of the file
        if step % 37 == 5:
            src, dst = market, vendor
        elif step % 29 == 3:
            src, dst = vendor, (w.exchanges[step % 3] if (step // 29) % 2 else rng.choice([mixer, *users]))
        elif step % 31 == 7:
            src, dst = mixer, rng.choice([*users, *w.exchanges])
        elif step % 13 == 0:
            src, dst = rng.choice(w.exchanges), rng.choice(users)  # exchanges pay out: taint must stop there
        else:
            src = rng.choice([*users, market, vendor])
            dst = rng.choice([d for d in everyone if d != src])
        amount = rng.randint(1, 5000) * 1_000_000 + rng.randint(0, 999_999)
        w.transfers.append({"chain": "trx", "tx_hash": f"{1000 - step:064x}",
                            "block_time": (START + timedelta(minutes=clock)).isoformat(), "from_address": src,
                            "to_address": dst, "asset": "USDT", "amount": f"{amount / 1e6:.6f}"})
    return w


def write_csv(folder: Path, table: str, rows: list[dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{table}.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
