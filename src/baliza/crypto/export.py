"""A trace exported for the tools investigators use: GEXF (Gephi) and FollowTheMoney (Aleph, OpenSanctions).

Both hold the paths as evidence: the addresses on them (with their cluster, taint and tags) and the steps
between them (transaction, time, amount, taint, hop). In FollowTheMoney a wallet is a `CryptoWallet` whose
holder is the cluster's owner, an unnamed `LegalEntity` (named by its tags where it has some), and each step is a
`Payment` between owners whose `transactionNumber` is the transaction hash, since a `Payment`'s parties are
legal entities, not wallets. Persons tied to a wallet are not exported: their identity stays in Baliza,
behind its access rules.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any
from xml.etree import ElementTree as ET

from baliza.crypto.trace import TraceResult
from baliza.i18n import gettext as _


def _wallets(result: TraceResult) -> dict[str, dict[str, Any]]:
    """Every address on a path, with its cluster, taint and tags."""
    reached = {r["address"]: r for r in result.reached}
    wallets: dict[str, dict[str, Any]] = {}
    for path in result.paths:
        for step in path["steps"]:
            for address in (step["from"], step["to"]):
                if address and address not in wallets:
                    row = reached.get(address, {})
                    wallets[address] = {"cluster_id": row.get("cluster_id", ""),
                                        "tainted_amount": row.get("tainted_amount", 0.0),
                                        "tags": row.get("tags", []), "seed": address in result.seeds}
    return wallets


def _steps(result: TraceResult) -> list[dict[str, Any]]:
    seen: dict[tuple[str, str, str], dict[str, Any]] = {}
    for path in result.paths:
        for step in path["steps"]:
            if step["from"]:
                seen.setdefault((step["tx_hash"], step["from"], step["to"]), step)
    return list(seen.values())


def to_gexf(result: TraceResult) -> str:
    """The paths as a GEXF 1.3 graph: addresses as nodes, steps as directed edges weighted by taint."""
    root = ET.Element("gexf", {"xmlns": "http://gexf.net/1.3", "version": "1.3"})
    meta = ET.SubElement(root, "meta")
    ET.SubElement(meta, "creator").text = "Baliza"
    ET.SubElement(meta, "description").text = _(
        "Paths of a %(method)s trace over %(hops)s hops on %(chain)s from %(seeds)s", method=result.method,
        hops=result.max_hops, chain=result.chain, seeds=", ".join(result.seeds))
    graph = ET.SubElement(root, "graph", {"defaultedgetype": "directed", "mode": "static"})
    node_attributes = ET.SubElement(graph, "attributes", {"class": "node"})
    for k, (name, kind) in enumerate((("cluster_id", "string"), ("tainted_amount", "double"),
                                      ("tags", "string"), ("seed", "boolean"))):
        ET.SubElement(node_attributes, "attribute", {"id": str(k), "title": name, "type": kind})
    edge_attributes = ET.SubElement(graph, "attributes", {"class": "edge"})
    for k, (name, kind) in enumerate((("tx_hash", "string"), ("time", "string"), ("amount", "double"),
                                      ("tainted_amount", "double"), ("hop", "integer"))):
        ET.SubElement(edge_attributes, "attribute", {"id": str(k), "title": name, "type": kind})
    nodes = ET.SubElement(graph, "nodes")
    for address, wallet in _wallets(result).items():
        node = ET.SubElement(nodes, "node", {"id": address, "label": address})
        values = ET.SubElement(node, "attvalues")
        tags = "; ".join(f"{t['label']} ({t['category']}, {t['source']})" for t in wallet["tags"])
        for k, value in enumerate((wallet["cluster_id"], wallet["tainted_amount"], tags,
                                   str(wallet["seed"]).lower())):
            ET.SubElement(values, "attvalue", {"for": str(k), "value": str(value)})
    edges = ET.SubElement(graph, "edges")
    for k, step in enumerate(_steps(result)):
        edge = ET.SubElement(edges, "edge", {"id": str(k), "source": step["from"], "target": step["to"],
                                             "weight": str(step["tainted_amount"])})
        values = ET.SubElement(edge, "attvalues")
        for j, value in enumerate((step["tx_hash"], step["time"], step["amount"], step["tainted_amount"],
                                   step["hop"])):
            ET.SubElement(values, "attvalue", {"for": str(j), "value": str(value)})
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def _id(*parts: str) -> str:
    return "baliza-crypto-" + hashlib.sha1(":".join(parts).encode()).hexdigest()


def to_ftm(result: TraceResult) -> list[dict[str, Any]]:
    """FollowTheMoney entities (one JSON object each) for the wallets, their owners and the paths' payments."""
    asset = result.asset or result.chain.upper()
    entities: list[dict[str, Any]] = []
    owners: dict[str, str] = {}
    for address, wallet in _wallets(result).items():
        cluster = wallet["cluster_id"] or f"{result.chain}:{address}"
        if cluster not in owners:
            owners[cluster] = _id(result.chain, "owner", cluster)
            labels = sorted({t["label"] for t in wallet["tags"]})
            entities.append({"id": owners[cluster], "schema": "LegalEntity", "properties": {
                "name": labels or [_("Owner of cluster %(cluster)s", cluster=cluster)],
                "notes": [_("Addresses joined by common-input ownership (Baliza cluster %(cluster)s).",
                            cluster=cluster)]}})
        entities.append({"id": _id(result.chain, address), "schema": "CryptoWallet", "properties": {
            "publicKey": [address], "currencySymbol": [asset], "holder": [owners[cluster]],
            "summary": [f"{t['label']} ({t['category']}; {t['source']})" for t in wallet["tags"]]}})
    wallets = _wallets(result)
    for step in _steps(result):
        payer = owners.get(wallets[step["from"]]["cluster_id"] or f"{result.chain}:{step['from']}")
        payee = owners.get(wallets[step["to"]]["cluster_id"] or f"{result.chain}:{step['to']}")
        entities.append({"id": _id(result.chain, step["tx_hash"], step["from"], step["to"]), "schema": "Payment",
                         "properties": {"payer": [payer], "beneficiary": [payee], "amount": [str(step["amount"])],
                                        "currency": [asset], "date": [step["time"][:10]],
                                        "transactionNumber": [step["tx_hash"]],
                                        "purpose": [_("Hop %(hop)s of a %(method)s trace: %(taint)s %(asset)s "
                                                      "tainted", hop=step["hop"], method=result.method,
                                                      taint=step["tainted_amount"], asset=asset)]}})
    return entities


def entity_lines(entities: Iterable[dict[str, Any]]) -> str:
    """FollowTheMoney entities as Aleph and `ftm` read them: one JSON object per line."""
    return "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entities)


def ftm_lines(result: TraceResult) -> str:
    return entity_lines(to_ftm(result))
