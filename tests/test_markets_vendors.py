"""Vendors linked across platforms, and to wallets, persons and seizures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from baliza.markets.linking import link_vendors
from baliza.markets.listings import price_frame
from baliza.markets.picture import market_picture
from baliza.warehouse import open_warehouse
from markets_world import listing_rows, market_warehouse

STYLE_A = ("Envío 100% discreto en bolsa al vacío. Pureza garantizada o te devuelvo. Solo Wickr, nada de "
           "WhatsApp. Pedidos antes de las 6pm salen el mismo día, bro.")
STYLE_B = ("Premium quality product, lab tested every batch. Escrow only, no FE unless 10+ orders. Tracking "
           "within 48h. Reships for verified buyers only.")
STYLE_C = ("Hola! Tenemos de todo, precios por mayor. Escríbenos por Telegram, respondemos rápido. "
           "Delivery en Lima y envíos a provincia.")


def _vendor(handle: str, platform: str, style: str, n: int = 4, **ids: str) -> list[dict]:
    return [{"vendor_handle": handle, "platform": platform, "title": f"Perico {g}g", "price": 40.0 * g,
             "currency": "USD", "description": style, **ids} for g in (1, 2, 5, 10)[:n]]


def test_a_shared_pgp_key_links_two_accounts_and_a_widely_shared_address_does_not() -> None:
    escrow = "bc1qmarketescrowaddress000000000000000000"
    rows = (_vendor("Nevado", "Nexo Market", STYLE_A, vendor_pgp_fingerprint="AB12 " * 8)
            + _vendor("Montaña", "Condor Bazaar", STYLE_B, vendor_pgp_fingerprint="ab12" * 8))
    for i in range(6):
        rows += _vendor(f"seller{i}", "Nexo Market", STYLE_C, n=1, crypto_address=escrow)
    links = link_vendors(price_frame(listing_rows(rows)))
    pgp = [k for k in links if {k.vendor_a, k.vendor_b} == {"nexo-market:Nevado", "condor-bazaar:Montaña"}]
    assert len(pgp) == 1 and pgp[0].probability > 0.99
    assert pgp[0].evidence[0] == {"kind": "pgp_fingerprint", "value": "AB12" * 8}
    assert not any("seller" in k.vendor_a and "seller" in k.vendor_b for k in links)


def test_splink_links_a_renamed_shop_by_its_handle_and_writing_and_not_a_namesake() -> None:
    rows = (_vendor("ElNevado_Peru", "Nexo Market", STYLE_A) + _vendor("elnevado.peru", "Telegram", STYLE_A)
            + _vendor("Nevado_Kings", "Condor Bazaar", STYLE_B))
    words = STYLE_C.split() + STYLE_B.split()
    for i, handle in enumerate(["Andes", "Selva", "Costa", "Puno", "Cusco", "Tacna", "Ica", "Piura"]):
        own_words = " ".join(words[(7 * i + k * (i + 3)) % len(words)] for k in range(25))  # each its own text
        rows += _vendor(f"{handle}Store{i}", "Instagram", own_words)
    links = link_vendors(price_frame(listing_rows(rows)))
    pairs = {frozenset((k.vendor_a, k.vendor_b)): k for k in links}
    same = pairs.get(frozenset(("nexo-market:ElNevado_Peru", "telegram:elnevado.peru")))
    assert same is not None and same.probability >= 0.9
    assert same.evidence[0]["kind"] == "splink" and same.evidence[0]["match_probability"] >= 0.9
    assert not any("Nevado_Kings" in a for pair in pairs for a in pair)


def test_a_vendor_paid_at_a_seized_wallet_or_reached_at_an_arrested_persons_phone_is_a_finding(
        tmp_path: Path) -> None:
    rows = (_vendor("Nevado", "Nexo Market", STYLE_A, crypto_address="bc1qseized0000000000000000000000000000000")
            + _vendor("Perico_Lima", "Telegram", STYLE_C, vendor_contact="+51 987 654 321")
            + _vendor("Other", "Telegram", STYLE_B, vendor_contact="+51 900 000 000"))
    db = market_warehouse(
        tmp_path / "m.duckdb", rows,
        units=pd.DataFrame({"unit_id": ["U1"], "agency_id": ["AG-1"], "name": ["Cyber"], "kind": ["police_unit"]}),
        persons=pd.DataFrame({"person_id": ["P1", "P2"], "phone": ["987654321", "911111111"]}),
        arrests=pd.DataFrame({"arrest_id": ["A1"], "person_id": ["P1"], "unit_id": ["U1"],
                              "arrested_at": [pd.Timestamp("2024-01-02")], "seizure_id": [None]}),
        crypto_tags=pd.DataFrame({"chain": ["btc"], "address": ["bc1qseized0000000000000000000000000000000"],
                                  "label": ["wallet identified in case CS-1"], "category": ["seized"],
                                  "case_id": [None], "person_id": [None]}))
    with open_warehouse(db, read_only=True) as warehouse:
        picture = market_picture(warehouse, link=False)
    rules = {(f.rule, f.details.get("vendor_id")) for f in picture.findings}
    assert ("online_vendor_seized_wallet", "nexo-market:Nevado") in rules
    assert ("online_vendor_arrested_person", "telegram:Perico_Lima") in rules
    assert not any(v == "telegram:Other" for r, v in rules if r.startswith("online_vendor_"))
    arrested = next(f for f in picture.findings if f.rule == "online_vendor_arrested_person")
    assert {"table": "arrests", "id": "A1"} in [e.to_dict() for e in arrested.evidence]
