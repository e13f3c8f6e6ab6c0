"""Wallets tied to the rest of the chain, and the finding an investigator acts on.

A wallet is linked to persons and cases by its tags (`crypto_tags.person_id`, `case_id`), to seizures through
its cases, and to online listings that showed it as a payment address. When a seized or suspect wallet (or a
listing's payment address) sends funds that reach an exchange, that is a finding: which exchange, how much,
by which rule, and the path as evidence: the exchange is where a production order goes.
"""

from __future__ import annotations

from typing import Any

from baliza.analyses.model import Finding, Message, Reference
from baliza.analyses.wording import decimal, label
from baliza.crypto.chaindata import ChainData
from baliza.crypto.tags import EXCHANGE
from baliza.i18n import N_, N_plural

SEED_CATEGORIES = ("seized", "suspect")
RULE = "crypto_exchange_reached"
PEEL_RULE = "crypto_peel_chain"


def wallet_links(warehouse: Any, chain: str, addresses: list[str], data: ChainData | None = None
                 ) -> dict[str, dict[str, list[str]]]:
    """address -> {"persons", "cases", "seizures", "listings"}: the ids each address is tied to."""
    links: dict[str, dict[str, list[str]]] = {a: {"persons": [], "cases": [], "seizures": [], "listings": []}
                                               for a in addresses}
    if not addresses:
        return links
    tags = data.tags if data is not None else None
    for address in addresses:
        for tag in tags.of(address) if tags is not None else []:
            for key, field in (("persons", "person_id"), ("cases", "case_id")):
                if tag.get(field) and tag[field] not in links[address][key]:
                    links[address][key].append(tag[field])
    case_ids = sorted({c for link in links.values() for c in link["cases"]})
    if case_ids:
        cases = warehouse.table("cases")
        rows = cases.filter(cases.case_id.isin(case_ids)).select("case_id", "seizure_id").to_pyarrow().to_pylist()
        seizure_of = {r["case_id"]: r["seizure_id"] for r in rows if r["seizure_id"]}
        for link in links.values():
            link["seizures"] = sorted({seizure_of[c] for c in link["cases"] if c in seizure_of})
    listings = warehouse.table("online_listings")
    rows = listings.filter(listings.crypto_address.isin(addresses)).select("listing_id", "crypto_address")
    for row in rows.to_pyarrow().to_pylist():
        links[row["crypto_address"]]["listings"].append(row["listing_id"])
    return links


def suspect_wallets(warehouse: Any, data: ChainData) -> dict[str, str]:
    """address -> why it is a seed: its seized or suspect tag, or an online listing that showed it."""
    seeds = {a: category for category in SEED_CATEGORIES for a in data.tags.addresses_in(category)}
    listings = warehouse.table("online_listings")
    shown = listings.filter(listings.crypto_address.notnull()).select("crypto_address").distinct()
    for row in shown.to_pyarrow().to_pylist():
        seeds.setdefault(row["crypto_address"], "listing")
    return {a: why for a, why in seeds.items() if data.ledger.address_codes([a])[0] >= 0}


SUMMARIES: dict[str, str] = {
    "seized": N_("Funds from the seized wallet %(wallet)s reached %(exchange)s: %(amount)s %(asset)s by the "
                 "%(method)s rule within %(hops)s hops."),
    "suspect": N_("Funds from the suspect wallet %(wallet)s reached %(exchange)s: %(amount)s %(asset)s by the "
                  "%(method)s rule within %(hops)s hops."),
    "listing": N_("Funds from %(wallet)s, the payment address of an online listing, reached %(exchange)s: "
                  "%(amount)s %(asset)s by the %(method)s rule within %(hops)s hops."),
}
"""Why a wallet's funds reaching an exchange is a finding, by why the wallet is watched (worded by the surfaces)."""


def coins(amount: float) -> dict[str, float | int]:
    """An amount of a chain's asset, to the satoshi (eight decimals at most), written as the reader writes it."""
    return decimal(amount, 8)


def step_reference(data: ChainData, step: dict[str, Any]) -> Reference:
    """The warehouse row one path step rests on, by its full key (as the findings' scope looks rows up)."""
    chain = data.ledger.chain
    if data.ledger.kind == "utxo":
        return Reference("crypto_io", f"{chain}|{step['tx_hash']}|out|{step['output_index']}")
    return Reference("crypto_transfers", f"{chain}|{step['tx_hash']}|{step['from']}|{step['to']}|"
                                         f"{getattr(data.ledger, 'asset', '')}")


def tag_reference(data: ChainData, address: str, categories: tuple[str, ...]) -> Reference | None:
    """The tag row that makes `address` what it is (its first tag in one of `categories`)."""
    for tag in data.tags.of(address):
        if tag["category"] in categories:
            return Reference("crypto_tags", f"{data.ledger.chain}|{address}|{tag['label']}")
    return None


def exchange_findings(warehouse: Any, data: ChainData, method: str = "haircut", max_hops: int = 6
                      ) -> list[Finding]:
    """One finding per (suspect wallet, exchange cluster) its funds reach, largest first (`wallet_findings`)."""
    return [f for f in wallet_findings(warehouse, data, method, max_hops) if f.rule == RULE]


def _peel_finding(data: ChainData, seed: str, why: str, peel: dict[str, Any], tag: Reference | None,
                  method: str, max_hops: int) -> Finding:
    """A peel chain the wallet's funds went through: where each small payment went is where to look next."""
    chain = data.ledger.chain
    peeled = [Reference("crypto_io", f"{chain}|{p['tx_hash']}|out|{p['output_index']}") for p in peel["peeled"]]
    asset = data.ledger.chain.upper()
    said = Message.counted(N_plural(
        "Funds traced from the wallet %(wallet)s went through a peel chain of %(length)s transactions that paid "
        "%(amount)s %(asset)s away to %(num)s address.",
        "Funds traced from the wallet %(wallet)s went through a peel chain of %(length)s transactions that paid "
        "%(amount)s %(asset)s away to %(num)s addresses."),
        {"wallet": seed, "length": int(peel["length"]), "amount": coins(peel["peeled_amount"]), "asset": asset,
         "num": len({p["address"] for p in peel["peeled"]})})
    how = Message(N_("Forward trace from the wallet by the %(method)s rule within %(hops)s hops; a peel chain is a "
                     "run of at least 3 transactions each spending one input into two outputs, the larger spent by "
                     "the next (docs/crypto.md)."), {"method": label(method), "hops": max_hops})
    return Finding(
        rule=PEEL_RULE, subject=peeled[0], score=peel["peeled_amount"], summary="",
        evidence=tuple(dict.fromkeys([*peeled, *([tag] if tag else [])])), method="",
        messages=(said,), method_messages=(how,),
        details={"chain": chain, "wallet": seed, "why": why, "method": method, "max_hops": max_hops,
                 "peel_chain": peel})


def wallet_findings(warehouse: Any, data: ChainData, method: str = "haircut", max_hops: int = 6
                    ) -> list[Finding]:
    """What the funds of seized or suspect wallets (and listings' payment addresses) did: one finding per
    exchange cluster they reach, largest first, then one per peel chain they went through.

    Its subject is the arrival: the output (or transfer) by which the most taint reached the exchange, the row
    a production order names; its evidence the transactions of the paths (by their rows), the wallet's tag,
    its cases and listings."""
    findings: list[Finding] = []
    peels: list[Finding] = []
    asset = getattr(data.ledger, "asset", None) or data.ledger.chain.upper()
    seeds = suspect_wallets(warehouse, data)
    links = wallet_links(warehouse, data.ledger.chain, sorted(seeds), data)
    for seed, why in sorted(seeds.items()):
        result = data.trace([seed], method, max_hops)
        tag = tag_reference(data, seed, SEED_CATEGORIES)
        listings = [Reference("online_listings", i) for i in links[seed]["listings"]]
        peels += [_peel_finding(data, seed, why, peel, tag, method, max_hops) for peel in result.peel_chains]
        for cluster in result.clusters:
            if EXCHANGE not in cluster["categories"]:
                continue
            exchange = ", ".join(cluster["labels"]) or cluster["cluster_id"]
            paths = [p for p in result.paths if p["cluster_id"] == cluster["cluster_id"]]
            if not paths:
                continue
            paths.sort(key=lambda p: -p["tainted_amount"])
            arrival = step_reference(data, paths[0]["steps"][-1])
            evidence = [step_reference(data, s) for p in paths[:3] for s in p["steps"]]
            evidence += [tag] if tag else []
            evidence += [Reference("cases", c) for c in links[seed]["cases"]] + listings
            said = Message(SUMMARIES.get(why, SUMMARIES["listing"]),
                           {"wallet": seed, "exchange": exchange, "amount": coins(cluster["tainted_amount"]),
                            "asset": asset, "method": label(method), "hops": max_hops})
            how = Message(N_("Forward trace from the wallet by the %(method)s rule (docs/crypto.md); exchange "
                             "clusters receive taint and pass none on."), {"method": label(method)})
            findings.append(Finding(
                rule=RULE, subject=arrival, score=cluster["tainted_amount"], summary="",
                evidence=tuple(dict.fromkeys(evidence)), method="", messages=(said,), method_messages=(how,),
                details={"chain": data.ledger.chain, "wallet": seed, "why": why, "exchange": exchange,
                         "exchange_cluster": cluster["cluster_id"], "tainted_amount": cluster["tainted_amount"],
                         "asset": asset, "method": method, "max_hops": max_hops, "paths": paths[:3],
                         "links": {k: v for k, v in links[seed].items() if k != "persons"}}))  # persons: their pages
    return sorted(findings, key=lambda f: -f.score) + list({f.subject: f for f in peels}.values())
