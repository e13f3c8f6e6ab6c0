"""Exchanges exposed to darknet markets and mixers: where market proceeds are cashed out.

Each cluster tagged `darknet_market` or `mixer` is traced forward (all its addresses as seeds); every exchange
cluster it reaches with at least `threshold` of taint is a finding: which exchange, from which market or mixer,
how much, by which rule, and the path as evidence. The exchange is where a production order for the account
holder goes.
"""

from __future__ import annotations

from baliza.analyses.model import Finding, Message
from baliza.analyses.wording import label
from baliza.crypto.chaindata import ChainData
from baliza.crypto.links import coins, step_reference, tag_reference
from baliza.crypto.tags import EXCHANGE
from baliza.i18n import N_

RULE = "crypto_exchange_exposure"
SOURCE_CATEGORIES = ("darknet_market", "mixer")
THRESHOLD = 0.01  # in the chain's asset: exposure below this is noise for a production order


SUMMARIES: dict[str, str] = {
    "mixer": N_("%(exchange)s received %(amount)s %(asset)s from the mixer %(source)s by the %(method)s rule "
                "within %(hops)s hops."),
    "darknet_market": N_("%(exchange)s received %(amount)s %(asset)s from the darknet market %(source)s by the "
                         "%(method)s rule within %(hops)s hops."),
}
"""What an exchange received, by the kind of cluster the funds came from (worded by the surfaces)."""


def _sources(data: ChainData) -> list[tuple[str, str, list[str]]]:
    """(category, cluster id, its addresses) of every market or mixer cluster, once per cluster."""
    found: dict[str, tuple[str, str, list[str]]] = {}
    for category in SOURCE_CATEGORIES:
        for address in data.tags.addresses_in(category):
            code = int(data.ledger.address_codes([address])[0])
            if code < 0:
                continue
            cluster_id = str(data.clustering.cluster_of(code))
            found.setdefault(cluster_id, (category, cluster_id, data.clustering.members(cluster_id)))
    return sorted(found.values())


def exposure_findings(data: ChainData, method: str = "haircut", max_hops: int = 6,
                      threshold: float = THRESHOLD) -> list[Finding]:
    """One finding per (market or mixer cluster, exchange cluster) with taint of at least `threshold`."""
    asset = getattr(data.ledger, "asset", None) or data.ledger.chain.upper()
    labels = data.tags.cluster_labels(data.clustering)
    findings: list[Finding] = []
    for category, source_id, members in _sources(data):
        result = data.trace(members, method, max_hops)
        source_number = int(data.clustering.label[data.ledger.address_codes([members[0]])[0]])
        source = ", ".join(labels.get(source_number, [])) or source_id
        for cluster in result.clusters:
            if EXCHANGE not in cluster["categories"] or cluster["tainted_amount"] < threshold:
                continue
            paths = sorted((p for p in result.paths if p["cluster_id"] == cluster["cluster_id"]),
                           key=lambda p: -p["tainted_amount"])
            if not paths:
                continue
            exchange = ", ".join(cluster["labels"]) or cluster["cluster_id"]
            evidence = [step_reference(data, s) for p in paths[:3] for s in p["steps"]]
            tags = [tag_reference(data, a, SOURCE_CATEGORIES) for a in members[:3]]
            said = Message(SUMMARIES.get(category, SUMMARIES["darknet_market"]),
                           {"exchange": exchange, "amount": coins(cluster["tainted_amount"]), "asset": asset,
                            "source": source, "method": label(method), "hops": max_hops})
            how = Message(N_("Forward trace from every address of the market or mixer cluster by the %(method)s "
                             "rule (docs/crypto.md); exposures under %(threshold)s %(asset)s are left out."),
                          {"method": label(method), "threshold": coins(threshold), "asset": asset})
            findings.append(Finding(
                rule=RULE, subject=step_reference(data, paths[0]["steps"][-1]), score=cluster["tainted_amount"],
                summary="", evidence=tuple(dict.fromkeys([*evidence, *(t for t in tags if t)])), method="",
                messages=(said,), method_messages=(how,),
                details={"chain": data.ledger.chain, "source": source, "source_cluster": source_id,
                         "source_category": category, "exchange": exchange,
                         "exchange_cluster": cluster["cluster_id"], "tainted_amount": cluster["tainted_amount"],
                         "asset": asset, "method": method, "max_hops": max_hops, "paths": paths[:3]}))
    return sorted(findings, key=lambda f: -f.score)
