"""Drug offers observed online: darknet markets, social media and messaging channels, with slang titles.

When corruption is planted, one vendor trades under two handles on two markets, betrayed by the same PGP
fingerprint (and on some listings the same crypto address).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from baliza.demo.draw import digits, hexes, join, lognormal, pick
from baliza.demo.timeline import day_weights, sample_times

PLATFORMS = {"Nexo Market": "darknet_market", "Condor Bazaar": "darknet_market", "Telegram": "messaging",
             "WhatsApp channel": "messaging", "Instagram": "social_media", "TikTok": "social_media",
             "Foro Andino": "forum", "clasificados-pe.example": "surface_web"}
TITLES = {
    "cocaine_type": ("Perico puro 90% {q}g", "Merca boliviana flor {q}g", "Coca de exportacion {q}g",
                     "Nieve andina {q}g pureza garantizada"),
    "cannabis_type": ("Cripy premium {q}g", "Hierba Indica {q}g envio discreto", "Marimba colombiana {q}g"),
    "ats": ("Tusi rosado {q}u", "Pastillas Tesla 250mg x{q}", "Cristal (meth) {q}g"),
    "nps": ("2C-B Nexus x{q}", "Tusi premium {q}g", "Sales 4-MMC {q}g"),
    "hallucinogens": ("Ácidos LSD 200ug x{q}", "Keta {q}g", "Hongos magicos {q}g"),
    "synthetic_opioids": ("Fenta {q}mg", "Tramadol 100mg x{q}"),
}
SHIPS_TO = ("Worldwide", "Peru only", "Lima", "EU", "Latinoamerica", "USA/EU")
HANDLE_A = ("Nevado", "ElPatron", "Cristal", "Andino", "Condor", "Perico", "Lima", "Inca", "Selva", "Pacifico")
HANDLE_B = ("Express", "Store", "Plug", "Kings", "Labs", "Direct", "Team", "Shop", "Club", "Pe")


@dataclass
class Online:
    listings: dict
    aliases: list[list[str]]


def observe_listings(rng: np.random.Generator, n: int, ids, plant_alias: bool) -> Online:
    n_vendors = max(8, n // 12)
    handle = np.asarray(join(pick(rng, HANDLE_A, n_vendors), pick(rng, HANDLE_B, n_vendors), "_",
                             digits(rng, n_vendors, 3)), dtype=object)
    _, first, counts = np.unique(handle.astype(str), return_index=True, return_counts=True)
    repeated = np.ones(n_vendors, dtype=bool)
    repeated[first] = False
    handle = np.where(repeated, np.asarray(join(handle.astype(str).tolist(), "x", np.arange(n_vendors).astype(
        str).tolist()), dtype=object), handle)
    del counts
    platform = pick(rng, {p: 1.0 for p in PLATFORMS}, n_vendors)
    kind = np.array([PLATFORMS[p] for p in platform], dtype=object)
    darknet = kind == "darknet_market"
    pgp = np.where(darknet, np.asarray(hexes(rng, n_vendors, 40), dtype=object), None)
    contact = np.where(~darknet, np.asarray(join("@", handle), dtype=object), None)
    wallet = np.where(darknet, np.asarray(join("bc1q", hexes(rng, n_vendors, 38)), dtype=object), None)
    aliases: list[list[str]] = []
    if plant_alias:
        markets = np.flatnonzero(darknet)
        a = int(markets[0]) if len(markets) else 0
        b = int(markets[1]) if len(markets) > 1 else 1
        platform[a], platform[b] = "Nexo Market", "Condor Bazaar"
        kind[a] = kind[b] = "darknet_market"
        pgp[b] = pgp[a] = pgp[a] or hexes(rng, 1, 40)[0].as_py()
        wallet[b] = wallet[a] = wallet[a] or "bc1q" + hexes(rng, 1, 38)[0].as_py()
        contact[a] = contact[b] = None
        aliases.append([str(handle[a]), str(handle[b])])
    vendor = rng.integers(0, n_vendors, n)
    group = pick(rng, {"cocaine_type": 0.4, "cannabis_type": 0.2, "ats": 0.12, "nps": 0.12, "hallucinogens": 0.1,
                       "synthetic_opioids": 0.06}, n)
    qty = rng.choice([1, 2, 3, 5, 10, 25, 50, 100], n)
    title = np.array([TITLES[g][rng.integers(len(TITLES[g]))].format(q=q) for g, q in zip(group, qty, strict=True)],
                     dtype=object)
    price = np.round(qty * lognormal(rng, 30, 0.5, n), 2)
    currency = np.where(kind[vendor] == "darknet_market", pick(rng, {"USD": 0.5, "BTC": 0.3, "XMR": 0.2}, n),
                        pick(rng, {"PEN": 0.7, "USD": 0.3}, n)).astype(object)
    price = np.where(currency == "BTC", np.round(price / 60_000 + 0.0001, 6), price)
    price = np.where(currency == "XMR", np.round(price / 150, 4), price)
    price = np.where(currency == "PEN", np.round(price * 3.7, 1), price)
    listing_id = ids.take("online_listings", n)
    uses_wallet = rng.random(n) < 0.6
    listings = {
        "listing_id": listing_id, "platform": platform[vendor], "platform_kind": kind[vendor],
        "observed_at": sample_times(rng, n, day_weights(growth_per_year=0.25)),
        "vendor_handle": handle[vendor], "title": title,
        "description": np.where(rng.random(n) < 0.5, "Envio discreto, stealth garantizado. Escrow o FE para clientes"
                                " frecuentes.", None),
        "price": price, "currency": currency,
        "ships_from": pick(rng, {"Peru": 0.6, "Lima": 0.25, "PE": 0.1, "Bolivia": 0.05}, n),
        "ships_to": pick(rng, SHIPS_TO, n),
        "url": np.asarray(join("http://", np.asarray(platform[vendor]).astype(str).tolist(), ".example/listing/",
                               np.asarray(listing_id).astype(str).tolist()), dtype=object),
        "vendor_pgp_fingerprint": pgp[vendor], "vendor_contact": contact[vendor],
        "crypto_address": np.where(uses_wallet, wallet[vendor], None),
    }
    listings["url"] = np.array([u.replace(" ", "-").lower() for u in listings["url"]], dtype=object)
    return Online(listings, aliases)
