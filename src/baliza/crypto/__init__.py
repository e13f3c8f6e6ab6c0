"""Tracing drug proceeds through cryptocurrency (clause 8c): clusters, taint tracing, evidence paths.

The facade: `load_ledger` reads one chain from the warehouse into compressed arrays, `cluster_addresses`
groups addresses by common-input ownership, `trace` follows value forward (or backward) from seed addresses
by the poison, haircut or FIFO rule, and `exchange_findings` names the seized or suspect wallets whose funds
reach an exchange. Definitions: docs/crypto.md.
"""

from __future__ import annotations

from baliza.crypto.clusters import Clustering, cluster_addresses
from baliza.crypto.ledger import AccountLedger, Ledger, UtxoLedger, load_ledger
from baliza.crypto.trace import METHODS, TraceResult, trace

__all__ = ["METHODS", "AccountLedger", "Clustering", "Ledger", "TraceResult", "UtxoLedger", "cluster_addresses",
           "load_ledger", "trace"]
