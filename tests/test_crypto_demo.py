"""The demo's crypto data as the dashboard shows it: from a darknet market, funds go through vendors and the
mixer and arrive at exchanges (computed by the trace, not planted figures), seen only by the agency that holds
the crypto records (the financial intelligence unit) and named to the others."""

from __future__ import annotations

import pytest

from baliza.access.principal import Principal
from baliza.access.roles import Role
from baliza.access.scope import scope_for
from baliza.access.state import open_state
from baliza.crypto.scoped import holders, read_scoped
from baliza.warehouse import open_warehouse

FIU, CUSTOMS = "AG-PER-FIU", "AG-PER-CUSTOMS"


def _scope(wh, state_url: str, agency: str):
    state = open_state(state_url)
    try:
        return scope_for(wh, state, Principal(f"{agency.lower()}-analyst", agency, Role.ANALYST))
    finally:
        state.close()


@pytest.mark.parametrize("method", ["haircut", "poison"])
def test_the_demo_trace_from_a_market_reaches_exchanges_through_the_mixer(split, method: str) -> None:
    db, state_url, _readers, _country = split
    with open_warehouse(db, read_only=True) as wh:
        data = read_scoped(wh, _scope(wh, state_url, FIU), "btc")
    assert data is not None
    markets = data.tags.addresses_in("darknet_market")
    mixers = set(data.tags.addresses_in("mixer"))
    assert markets and mixers
    result = data.trace(markets, method, 6)
    exchanges = [c for c in result.clusters if "exchange" in c["categories"] and c["tainted_amount"] > 0]
    assert exchanges
    through_mixer = [p for p in result.paths if any(s["from"] in mixers for s in p["steps"])
                     and any("exchange" in t["category"] for t in data.tags.of(p["to"]))]
    assert through_mixer and all(p["tainted_amount"] > 0 for p in through_mixer)
    # the taint at each exchange is what its paths' last steps carry at most (a path is one route among several)
    for path in through_mixer:
        assert path["steps"][-1]["tainted_amount"] <= path["tainted_amount"] + 1e-8


def test_another_agency_sees_none_of_the_demo_crypto_and_is_told_who_holds_it(split) -> None:
    db, state_url, _readers, _country = split
    with open_warehouse(db, read_only=True) as wh:
        scope = _scope(wh, state_url, CUSTOMS)
        assert read_scoped(wh, scope, "btc") is None
        named = holders(wh, scope, "btc")
    assert [h["agency_id"] for h in named] == [FIU] and named[0]["name"] != FIU


def test_the_fiu_queue_holds_the_demo_crypto_findings_computed_on_its_rows(split) -> None:
    from baliza.crypto.scoped import queue_findings

    db, state_url, _readers, _country = split
    kept: dict[str, object] = {}

    class Results:
        def cached(self, name, compute):
            if name not in kept:
                kept[name] = compute()
            return kept[name]

    with open_warehouse(db, read_only=True) as wh:
        fiu = queue_findings(Results(), wh, _scope(wh, state_url, FIU), [])
        customs = queue_findings(Results(), wh, _scope(wh, state_url, CUSTOMS), [])
    rules = {f.rule for f in fiu}
    assert {"crypto_exchange_exposure", "crypto_exchange_reached"} <= rules
    assert customs == []
    market = [f for f in fiu
              if f.rule == "crypto_exchange_exposure" and f.details["source_category"] == "darknet_market"]
    assert market and all(f.score >= 0.01 and f.evidence for f in market)
