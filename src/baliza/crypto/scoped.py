"""Crypto rows as one principal may see them: the same agency scope as every other table.

Transactions (`crypto_io`, `crypto_transfers`), tags (`crypto_tags` and the tag packs) carry the agency that
loaded them (`_agency_id`) and the load (`_load_id`), like every row. A principal's chain is read through
`ScopedWarehouse`, so its clusters, traces, exposure, peel chains, findings and exports are computed only on
the rows its agency loaded or was granted (a `dataset` grant shares a load): every figure it sees rests on
rows it may read, never on figures computed from another agency's rows.

What it may not read is not passed over in silence: `holders` names the agencies that hold rows of an
address (or a chain) the principal asked for, and `HeldElsewhere` is the refusal that says so, by name, so
that the reader can ask the holder for a grant.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any, Protocol

from baliza.access.scope import Scope, ScopedWarehouse
from baliza.analyses.model import Finding
from baliza.crypto.chaindata import ChainData, read_chain
from baliza.crypto.tags import PACK_TABLE
from baliza.i18n import gettext as _

log = logging.getLogger(__name__)
ADDRESS_COLUMNS: dict[str, tuple[str, ...]] = {
    "crypto_io": ("address",), "crypto_transfers": ("from_address", "to_address"), "crypto_tags": ("address",)}
MAX_ASKED = 5000  # addresses asked about at once (a trace's reached addresses beyond this are not looked up)


class Results(Protocol):
    """Where results are kept once per warehouse state (the web's serving context)."""

    def cached(self, name: str, compute: Callable[[], Any]) -> Any: ...


class HeldElsewhere(LookupError):
    """What the principal asked for rests on rows other agencies hold and have not shared with it."""

    def __init__(self, message: str, holders: list[dict[str, str]]) -> None:
        super().__init__(message)
        self.holders = holders


def scope_key(scope: Scope) -> str:
    """A key for results that depend on what the principal may read (`Scope.cache_key`)."""
    return scope.cache_key()


def scoped_chain(warehouse: Any, scope: Scope | None, chain: str, asset: str | None = None,
                 change_heuristic: bool = False) -> ChainData:
    """The chain as `scope`'s principal may see it (the whole chain with no scope: an operator's CLI)."""
    source = warehouse if scope is None else ScopedWarehouse(warehouse, scope)
    return read_chain(source, chain, asset, change_heuristic)


def agency_names(warehouse: Any) -> dict[str, str]:
    t = warehouse.table("agencies")
    return {r["agency_id"]: r["name"] or r["agency_id"]
            for r in t.select("agency_id", "name").to_pyarrow().to_pylist()}


def _tables(warehouse: Any) -> list[str]:
    names = ["crypto_io", "crypto_transfers", "crypto_tags"]
    try:
        warehouse.table(PACK_TABLE)
    except Exception:  # no tag pack loaded yet (ibis names the error by backend)
        return names
    return [*names, PACK_TABLE]


def holders(warehouse: Any, scope: Scope, chain: str, addresses: list[str] | None = None) -> list[dict[str, str]]:
    """The agencies holding rows of `chain` (of `addresses`, when given) that `scope` does not show: their
    id, name and how many such rows, largest first. Only who holds them is said, never what they hold."""
    wanted = sorted({_address_of(a, chain) for a in addresses or []})[:MAX_ASKED] if addresses is not None else None
    if wanted == []:
        return []
    counts: dict[str, int] = defaultdict(int)
    for table in _tables(warehouse):
        t = warehouse.table(table)
        rows = t.filter((t.chain == chain) & (t._agency_id != scope.principal.agency_id))
        if wanted is not None:
            columns = ADDRESS_COLUMNS.get(table, ("address",))
            hit = rows[columns[0]].isin(wanted)
            for column in columns[1:]:
                hit |= rows[column].isin(wanted)
            rows = rows.filter(hit)
        # counted per agency and load in the database (a chain may hold millions of rows); crypto rows are
        # shared by load (a dataset grant), so the load decides whether the principal reads them
        found = rows.group_by("_agency_id", "_load_id").aggregate(n=rows.count()).to_pyarrow().to_pylist()
        for row in found:
            if row["_agency_id"] and not scope.reads(table, row):
                counts[row["_agency_id"]] += int(row["n"])
    names = agency_names(warehouse) if counts else {}
    return [{"agency_id": agency, "name": names.get(agency, agency), "rows": str(count)}
            for agency, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def _address_of(seed: str, chain: str) -> str:
    """A seed given as a cluster id ("btc:bc1q...") names the cluster by its smallest address."""
    prefix = f"{chain}:"
    return seed[len(prefix):] if seed.startswith(prefix) else seed


def names_of(found: list[dict[str, str]]) -> str:
    return ", ".join(h["name"] for h in found)


def refuse_unseen(warehouse: Any, scope: Scope, data: ChainData | None, chain: str, asked: list[str]) -> None:
    """Raise `HeldElsewhere` when none of the addresses (or cluster ids) `asked` is in the principal's part of
    the chain but another agency holds rows of them; return quietly otherwise (unknown everywhere: the
    caller's own 'not found')."""
    if data is not None:
        visible = [a for a in asked if data.ledger.address_codes([_address_of(a, chain)])[0] >= 0]
        if visible:
            return
    found = holders(warehouse, scope, chain, asked)
    if found:
        raise HeldElsewhere(_("The transactions of %(addresses)s on the chain %(chain)s are held by %(holders)s "
                              "and not shared with your agency: ask them for a grant to trace them.",
                              addresses=", ".join(a[:80] for a in asked[:3]), chain=chain, holders=names_of(found)),
                            found)


def read_scoped(warehouse: Any, scope: Scope | None, chain: str, asset: str | None = None,
                change_heuristic: bool = False) -> ChainData | None:
    """`scoped_chain`, or None when the principal sees none of the chain's transactions but another agency
    holds some (the caller says who, with `holders`). A chain no agency holds is a `LookupError`."""
    try:
        return scoped_chain(warehouse, scope, chain, asset, change_heuristic)
    except LookupError:
        if scope is not None and holders(warehouse, scope, chain):
            return None
        raise


def scoped_findings(results: Results, wh: Any, scope: Scope, chain: str, method: str = "haircut",
                    max_hops: int = 6) -> list[Finding]:
    """The crypto findings of `chain` on the rows `scope` shows, once per warehouse state and scope."""
    from baliza.crypto.links import wallet_findings
    from baliza.crypto.markets import exposure_findings

    key = scope_key(scope)
    try:
        data = results.cached(f"crypto:{chain}:{key}", lambda: read_scoped(wh, scope, chain))
    except LookupError:
        return []
    if data is None:
        return []
    scoped = ScopedWarehouse(wh, scope)
    return results.cached(f"crypto-findings:{chain}:{method}:{max_hops}:{key}",
                          lambda: wallet_findings(scoped, data, method, max_hops)
                          + exposure_findings(data, method, max_hops))


def queue_findings(results: Results, wh: Any, scope: Scope, every: list[Finding]) -> list[Finding]:
    """`every` (the red flags) and the crypto findings of every chain the principal sees, as one list kept per
    warehouse state and scope (the findings queue's owners are looked up once per list)."""
    key = scope_key(scope)
    crypto: list[Finding] = []
    for chain in visible_chains(results, wh, scope):
        try:
            crypto += scoped_findings(results, wh, scope, chain)
        except Exception:  # a failing analysis must not take the queue down; say so in the log
            log.exception("crypto findings of %s failed", chain)
    return results.cached(f"findings-with-crypto:{id(every)}:{key}", lambda: [*every, *crypto])


def visible_chains(results: Results, wh: Any, scope: Scope) -> list[str]:
    """The chains of which the principal may read transactions."""
    def compute() -> list[str]:
        chains: set[str] = set()
        for table in ("crypto_io", "crypto_transfers"):
            t = scope.filter(wh, table)
            chains |= set(t.select("chain").distinct().to_pyarrow()["chain"].to_pylist())
        return sorted(c for c in chains if c)

    return results.cached(f"crypto-chains:{scope_key(scope)}", compute)
