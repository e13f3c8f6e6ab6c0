"""Cryptocurrency: background activity on BTC (inputs and outputs) and TRON USDT, tagged services, wallets
identified in cases, the markets' proceeds cashed out through vendors and a mixer to exchanges, and, when
corruption is planted, a laundering path from a case wallet through hops and the mixer to an exchange deposit
address. Every spend of market, vendor, mixer and laundering funds names the output it spends, so that a trace
from a market (or the case wallet) follows the funds through the mixer to the exchanges."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from baliza.demo.draw import hexes, join, lognormal
from baliza.demo.timeline import EXTRACT_AT, PERIOD_START, after, day_weights, sample_times

BTC_USD = {2021: 47_000, 2022: 28_000, 2023: 29_000, 2024: 65_000, 2025: 95_000}
EXCHANGES = ("Andes Exchange", "Pacifico Crypto", "GlobalX")
MARKETS = ("Nexo Market", "Condor Bazaar")


@dataclass
class CryptoWorld:
    io: dict[str, list] = field(default_factory=lambda: {k: [] for k in (
        "chain", "tx_hash", "block_time", "direction", "index", "address", "amount", "spent_tx_hash",
        "spent_index")})
    transfers: dict[str, list] = field(default_factory=lambda: {k: [] for k in (
        "chain", "tx_hash", "block_time", "from_address", "to_address", "asset", "amount", "amount_usd")})
    tags: dict[str, list] = field(default_factory=lambda: {k: [] for k in (
        "chain", "address", "label", "category", "source", "confidence", "case_id", "person_id")})
    laundering_addresses: list[str] = field(default_factory=list)
    laundering_path: list[dict] = field(default_factory=list)
    assets: dict[str, list] = field(default_factory=lambda: {k: [] for k in (
        "asset_id", "kind", "estimated_value_usd", "case_id", "owner_person_id", "identified_at", "frozen_at",
        "released_at", "jurisdiction")})
    # address -> its unspent outputs: (tx, index) -> (amount, time); spent ones are taken out
    unspent: dict[str, dict[tuple[str, int], tuple[float, np.datetime64]]] = field(default_factory=dict)

    def tag(self, chain: str, address: str, label: str, category: str, case_id: str | None = None,
            person_id: str | None = None, source: str = "analyst", confidence: float = 0.9) -> None:
        for key, value in zip(self.tags, (chain, address, label, category, source, confidence, case_id, person_id),
                              strict=True):
            self.tags[key].append(value)

    def btc_tx(self, tx_hash: str, at: np.datetime64, inputs: list[tuple[str, float, str | None, int | None]],
               outputs: list[tuple[str, float]]) -> str:
        at = min(max(at, PERIOD_START.astype("datetime64[s]")), EXTRACT_AT)
        for address, _amount, spent, spent_index in inputs:
            if spent is not None:
                self.unspent.get(address, {}).pop((spent, int(spent_index or 0)), None)
        for i, (address, amount) in enumerate(outputs):
            self.unspent.setdefault(address, {})[(tx_hash, i)] = (amount, at)
        for i, (address, amount, spent, spent_index) in enumerate(inputs):
            for key, value in zip(self.io, ("btc", tx_hash, at, "in", i, address, amount, spent, spent_index),
                                  strict=True):
                self.io[key].append(value)
        for i, (address, amount) in enumerate(outputs):
            for key, value in zip(self.io, ("btc", tx_hash, at, "out", i, address, amount, None, None), strict=True):
                self.io[key].append(value)
        total_out = sum(a for _, a in outputs) or 1.0
        usd = BTC_USD[int(str(at)[:4])]
        pairs: dict[tuple[str, str], float] = {}  # one transfer per sender and receiver (the table's key)
        for address_in, amount_in, _, _ in inputs:
            for address_out, amount_out in outputs:
                pairs[(address_in, address_out)] = pairs.get((address_in, address_out), 0.0) + (
                    amount_in * amount_out / total_out)
        for (address_in, address_out), amount in pairs.items():
            share = round(amount, 6)
            for key, value in zip(self.transfers, ("btc", tx_hash, at, address_in, address_out, "BTC", share,
                                                   round(share * usd, 2)), strict=True):
                self.transfers[key].append(value)
        return tx_hash

    def spend_all(self, rng: np.random.Generator, address: str, batch: int, delay_days: tuple[float, float],
                  pay: Callable[[float], list[tuple[str, float]]]) -> list[tuple[str, list[tuple[str, float]]]]:
        """Spend `address`'s unspent outputs, `batch` at a time in time order, each batch some days after its
        last receipt into the outputs `pay(total)` names; the transactions made and their outputs."""
        held = sorted(self.unspent.get(address, {}).items(), key=lambda kv: (kv[1][1], kv[0]))
        made = []
        for start in range(0, len(held), batch):
            chunk = held[start:start + batch]
            total = sum(amount for _, (amount, _) in chunk)
            at = after(max(t for _, (_, t) in chunk), rng.uniform(*delay_days))
            outputs = [(a, v) for a, v in pay(total) if v > 0]
            if not outputs:
                continue
            tx = self.btc_tx(hexes(rng, 1, 64)[0].as_py(), at,
                             [(address, amount, tx, index) for (tx, index), (amount, _) in chunk], outputs)
            made.append((tx, outputs))
        return made


def _addresses(rng: np.random.Generator, n: int, chain: str) -> np.ndarray:
    if chain == "btc":
        return np.asarray(join("bc1q", hexes(rng, n, 38)), dtype=object)
    return np.asarray(join("T", hexes(rng, n, 33)), dtype=object)


def build_crypto(rng: np.random.Generator, n_tx: int, case_wallets: list[tuple[str, str, np.datetime64]],
                 laundering_case: tuple[str, str, np.datetime64] | None, asset_ids) -> CryptoWorld:
    world = CryptoWorld()
    users = _addresses(rng, max(50, n_tx // 3), "btc")
    deposits = _addresses(rng, 4 * len(EXCHANGES), "btc")
    market = _addresses(rng, len(MARKETS), "btc")
    mixer = _addresses(rng, 1, "btc")[0]
    for i, address in enumerate(deposits):
        world.tag("btc", address, f"{EXCHANGES[i % len(EXCHANGES)]} deposit", "exchange", source="exchange KYC")
    for name, address in zip(MARKETS, market, strict=True):
        world.tag("btc", address, f"{name} hot wallet", "darknet_market", source="open-source intelligence",
                  confidence=0.8)
    world.tag("btc", mixer, "CoinSwirl mixer", "mixer", source="open-source intelligence", confidence=0.85)
    # Background BTC transactions, vectorised then written row by row of small lists.
    times = np.sort(sample_times(rng, n_tx, day_weights(growth_per_year=0.2, season_amplitude=0.05)))
    hashes = np.asarray(hexes(rng, n_tx, 64), dtype=object)
    receivers = np.concatenate([users, deposits, market, [mixer]])
    weights = np.concatenate([np.ones(len(users)), np.full(len(deposits), 20.0), np.full(len(market), 30.0), [15.0]])
    weights /= weights.sum()
    n_in = rng.integers(1, 3, n_tx)
    n_out = rng.integers(1, 3, n_tx)
    # Users hold two addresses each and spend them together (what the common-input heuristic relies on).
    owner = rng.integers(0, len(users) // 2, n_tx) * 2
    sender = np.stack([users[owner], users[owner + 1]], axis=1)
    receiver = receivers[rng.choice(len(receivers), (n_tx, 2), p=weights)]
    amounts = np.round(lognormal(rng, 0.05, 1.0, 2 * n_tx).reshape(n_tx, 2) + 0.001, 6)
    splits = rng.uniform(0.2, 0.8, n_tx)
    for t in range(n_tx):
        senders = list(dict.fromkeys(sender[t, : n_in[t]]))
        outs = [o for o in dict.fromkeys(receiver[t, : n_out[t]]) if o not in senders] or [users[(t * 7) % len(
            users)]]
        if outs[0] in senders:
            continue
        paid = amounts[t, : len(senders)]
        total = float(paid.sum()) * 0.999
        split = [round(total * splits[t], 6), round(total * (1 - splits[t]), 6)] if len(outs) > 1 else [
            round(total, 6)]
        world.btc_tx(hashes[t], times[t], [(a, float(x), None, None) for a, x in zip(senders, paid, strict=True)],
                     [(o, float(x)) for o, x in zip(outs, split, strict=True)])
    # TRON USDT transfers between users and exchanges (account chain: transfers only).
    n_trx = n_tx // 2
    trx_users = _addresses(rng, max(30, n_trx // 3), "trx")
    trx_deposit = _addresses(rng, 3, "trx")
    for i, address in enumerate(trx_deposit):
        world.tag("trx", address, f"{EXCHANGES[i]} USDT deposit", "exchange", source="exchange KYC")
    trx_times = np.sort(sample_times(rng, n_trx, day_weights(growth_per_year=0.3)))
    trx_hash = np.asarray(hexes(rng, n_trx, 64), dtype=object)
    src = trx_users[rng.integers(0, len(trx_users), n_trx)]
    dst = np.where(rng.random(n_trx) < 0.3, trx_deposit[rng.integers(0, 3, n_trx)],
                   trx_users[rng.integers(0, len(trx_users), n_trx)])
    dst = np.where(dst == src, trx_deposit[0], dst)
    amount = np.round(lognormal(rng, 800, 1.2, n_trx) + 1, 2)
    for key, values in (("chain", ["trx"] * n_trx), ("tx_hash", trx_hash), ("block_time", trx_times),
                        ("from_address", src), ("to_address", dst), ("asset", ["USDT"] * n_trx),
                        ("amount", amount), ("amount_usd", amount)):
        world.transfers[key].extend(list(values))
    # Wallets identified in cases: funds stay put (frozen).
    for case_id, person_id, opened in case_wallets:
        wallet = _addresses(rng, 1, "btc")[0]
        world.tag("btc", wallet, f"wallet identified in case {case_id}", "seized", case_id=case_id,
                  person_id=person_id, source="case file", confidence=1.0)
        funding = after(opened, -rng.uniform(20, 200))
        world.btc_tx(hexes(rng, 1, 64)[0].as_py(), funding, [(users[rng.integers(len(users))], 0.8, None, None)],
                     [(wallet, 0.799)])
    if laundering_case is not None:
        _launder(rng, world, laundering_case, users, deposits[0], mixer, asset_ids)
    _cash_out(rng, world, market, mixer, deposits)
    return world


def _down(amount: float) -> float:
    """An amount rounded down to 1e-6 (what is paid never exceeds what is spent)."""
    return float(np.floor(amount * 1e6) / 1e6)


def _cash_out(rng: np.random.Generator, world: CryptoWorld, markets: np.ndarray, mixer: str,
              deposits: np.ndarray) -> None:
    """Markets pay their vendors from batches of what buyers paid in (keeping a commission); most vendors send
    their payout through the mixer, the others straight to an exchange; the mixer pays out what it holds to
    fresh addresses, each of which deposits at an exchange. Every input names the output it spends."""
    def deposit() -> str:
        return str(deposits[rng.integers(len(deposits))])

    for market in markets:
        vendors = _addresses(rng, 6, "btc")
        payouts = world.spend_all(rng, str(market), 5, (0.5, 3.0), lambda total, vendors=vendors: [
            (str(vendors[rng.integers(len(vendors))]), _down(total * 0.97))])
        for tx, [(vendor, paid)] in payouts:
            target = mixer if rng.random() < 0.7 else deposit()
            world.btc_tx(hexes(rng, 1, 64)[0].as_py(), after(world.unspent[vendor][(tx, 0)][1], rng.uniform(0.2, 2.0)),
                         [(vendor, paid, tx, 0)], [(target, _down(paid * 0.999))])

    def mix(total: float) -> list[tuple[str, float]]:
        shares = rng.dirichlet(np.ones(int(rng.integers(3, 6))))
        return [(str(a), _down(total * 0.98 * w)) for a, w in zip(_addresses(rng, len(shares), "btc"), shares,
                                                                   strict=True)]

    for tx, outputs in world.spend_all(rng, mixer, 4, (0.1, 1.0), mix):
        for index, (fresh, value) in enumerate(outputs):
            world.btc_tx(hexes(rng, 1, 64)[0].as_py(), after(world.unspent[fresh][(tx, index)][1],
                                                             rng.uniform(0.1, 2.0)),
                         [(fresh, value, tx, index)], [(deposit(), _down(value * 0.999))])


def _launder(rng, world: CryptoWorld, case: tuple[str, str, np.datetime64], users, deposit: str, mixer: str,
             asset_ids) -> None:
    case_id, person_id, opened = case
    wallet, hop1, hop2, hop3, hop4 = _addresses(rng, 5, "btc")
    world.tag("btc", wallet, f"wallet identified in case {case_id}", "seized", case_id=case_id,
              person_id=person_id, source="case file", confidence=1.0)
    amount = 6.5
    funding = after(opened, -40.0)
    steps = [(users[0], wallet, funding), (wallet, hop1, after(opened, 3.2)), (hop1, hop2, after(opened, 3.9)),
             (hop2, mixer, after(opened, 5.1)), (mixer, hop3, after(opened, 7.4)), (hop3, hop4, after(opened, 8.0)),
             (hop4, deposit, after(opened, 9.6))]
    previous: tuple[str, int] | None = None
    for k, (src, dst, at) in enumerate(steps):
        tx = hexes(rng, 1, 64)[0].as_py()
        out = round(amount * (0.995 ** k), 6)
        spent = previous  # the mixer's payout names what it spends too: a trace goes through the mixer
        world.btc_tx(tx, min(at, EXTRACT_AT), [(src, round(out / 0.995, 6) if k else out + 0.01,
                                                spent[0] if spent else None, spent[1] if spent else None)],
                     [(dst, out)])
        world.laundering_path.append({"tx_hash": tx, "from": src, "to": dst, "amount_btc": out, "at": str(at)})
        previous = (tx, 0)
    world.laundering_addresses.extend([wallet, hop1, hop2, hop3, hop4, deposit])
    frozen = after(opened, 30.0)
    released = after(frozen, 240.0)
    for key, value in zip(world.assets, (asset_ids.take("assets", 1)[0], "crypto", round(amount * 60_000, -2),
                                         case_id, person_id, after(opened, 2.0), frozen,
                                         released if released <= EXTRACT_AT else None, "PER"),
                          strict=True):
        world.assets[key].append(value)
