"""Findings for review from the online markets, in the project's currency (`analyses.model.Finding`):

- `online_new_substance`: a new psychoactive substance offered online for the first time in the data;
- `online_ships_to_country`: a vendor account that says it ships to the country;
- `online_vendor_seized_wallet`: a vendor whose crypto address is tagged as a wallet seized or identified
  in a case;
- `online_vendor_arrested_person`: a vendor whose contact is the phone of a person who was arrested;
- `online_price_drop`: a substance's online price per gram fell sharply (`prices.price_drops`).

The joins with the warehouse (crypto tags, persons, arrests) are Ibis expressions.
"""

from __future__ import annotations

from typing import Any

import ibis
import pandas as pd
import pycountry

from baliza.analyses.model import Finding, Message, Reference
from baliza.analyses.wording import day, decimal, label, labels, share
from baliza.i18n import N_, N_plural
from baliza.markets.prices import price_drops
from baliza.markets.vendors import normalise_address, normalise_contact

METHOD = "online markets (baliza.markets)"


def _first_nps_term(terms: list[str]) -> str | None:
    for term in terms:
        if term.endswith("(own: nps)") or term.endswith("(dea: nps)"):
            return term.rsplit(" (", 1)[0]
    return None


def new_substances(priced: pd.DataFrame) -> list[Finding]:
    """One finding per NPS named in listings, dated by its first listing."""
    nps = priced[priced.substance_group == "nps"]
    if nps.empty:
        return []
    named = nps.assign(substance=[_first_nps_term(list(t)) or "unnamed" for t in nps.matched_terms])
    out = []
    for substance, rows in named.sort_values("observed_at").groupby("substance", sort=True):
        first = rows.iloc[0]
        out.append(Finding(
            rule="online_new_substance", subject=Reference("online_listings", str(first.listing_id)),
            score=float(len(rows)), method=METHOD, period=str(pd.Timestamp(first.observed_at).date()), summary="",
            messages=(Message(N_("New psychoactive substance %(substance)s first offered online on %(date)s by "
                                 "%(vendor)s; %(listings)s listings from %(vendors)s vendor accounts since."),
                              {"substance": str(substance), "date": day(pd.Timestamp(first.observed_at).date()),
                               "vendor": str(first.vendor_id), "listings": len(rows),
                               "vendors": int(rows.vendor_id.nunique())}),),
            evidence=tuple(Reference("online_listings", str(i)) for i in rows.listing_id.head(20)),
            details={"substance": substance, "listings": len(rows), "vendors": int(rows.vendor_id.nunique())}))
    return out


def country_words(country: str) -> list[str]:
    """How listings name the country: its names (en, es, pt spellings) and ISO codes, lower case."""
    found = pycountry.countries.lookup(country)
    words = {found.name, getattr(found, "common_name", found.name), found.alpha_2, found.alpha_3}
    spanish = {"Peru": "Perú", "Brazil": "Brasil", "Mexico": "México", "Colombia": "Colombia",
               "Bolivia, Plurinational State of": "Bolivia", "Spain": "España"}
    words |= {spanish.get(found.name, found.name), found.name.split(",")[0]}
    return sorted({w.lower() for w in words})


def ships_to_country(priced: pd.DataFrame, country: str) -> list[Finding]:
    """Vendor accounts whose listings name the country as a destination (not "worldwide")."""
    words = country_words(country)
    pattern = r"(?i)(?:^|[^a-z])(?:" + "|".join(words) + r")(?:[^a-z]|$)"
    shipping = priced[priced.ships_to.astype("string").str.contains(pattern, regex=True, na=False)]
    out = []
    for vendor, rows in shipping.groupby("vendor_id", sort=True):
        out.append(Finding(
            rule="online_ships_to_country", subject=Reference("online_listings", str(rows.listing_id.iloc[0])),
            score=float(len(rows)), method=METHOD, summary="",
            messages=(Message.counted(N_plural(
                "Vendor %(vendor)s offers to ship to %(country)s in %(num)s listing (%(groups)s).",
                "Vendor %(vendor)s offers to ship to %(country)s in %(num)s listings (%(groups)s)."),
                {"vendor": str(vendor), "country": str(country), "num": len(rows),
                 "groups": labels(sorted({str(g) for g in rows.substance_group if g}))}),),
            evidence=tuple(Reference("online_listings", str(i)) for i in rows.listing_id.head(20)),
            details={"vendor_id": vendor, "ships_to": sorted(set(rows.ships_to.dropna().astype(str)))}))
    return out


def seized_wallet_links(warehouse: Any, priced: pd.DataFrame) -> list[dict[str, Any]]:
    """Vendor accounts whose crypto address carries a tag from a case (seized, suspect, or with a case)."""
    addresses = priced[["vendor_id", "listing_id", "crypto_address"]].assign(
        address=normalise_address(priced.crypto_address)).dropna(subset=["address"])
    if addresses.empty:
        return []
    tags = warehouse.table("crypto_tags")
    tagged = tags.filter((tags.category.isin(["seized", "suspect"])) | tags.case_id.notnull())
    offered = ibis.memtable(addresses[["vendor_id", "listing_id", "address"]].astype(str))
    joined = offered.join(tagged, offered.address == tagged.address).select(
        offered.vendor_id, offered.listing_id, offered.address, tagged.label, tagged.category, tagged.case_id,
        tagged.person_id)
    return joined.to_pandas().to_dict("records")


def arrested_person_links(warehouse: Any, priced: pd.DataFrame) -> list[dict[str, Any]]:
    """Vendor accounts whose contact is the phone of a person with an arrest (and the arrest's seizure)."""
    contacts = priced[["vendor_id", "listing_id"]].assign(contact=normalise_contact(priced.vendor_contact))
    contacts = contacts[contacts.contact.astype("string").str.fullmatch(r"\d{7,9}").fillna(False)]
    if contacts.empty:
        return []
    persons = warehouse.table("persons").select("person_id", "phone").to_pandas()
    persons = persons.assign(contact=normalise_contact(persons.phone)).dropna(subset=["contact"])
    contacts = contacts.astype({"contact": str})
    matched = contacts.merge(persons[["person_id", "contact"]].astype({"contact": str}), on="contact")
    if matched.empty:
        return []
    arrests = warehouse.table("arrests")
    wanted = arrests.filter(arrests.person_id.isin(sorted(set(matched.person_id))))
    found = wanted.select("arrest_id", "person_id", "seizure_id", "arrested_at").to_pandas()
    return matched.drop(columns=["contact"]).merge(found, on="person_id").to_dict("records")


def identity_findings(wallets: list[dict[str, Any]], arrests: list[dict[str, Any]]) -> list[Finding]:
    out = []
    for vendor, rows in pd.DataFrame(wallets).groupby("vendor_id", sort=True) if wallets else []:
        evidence = [Reference("online_listings", str(rows.listing_id.iloc[0]))]
        evidence += [Reference("cases", str(c)) for c in rows.case_id.dropna().unique()]
        out.append(Finding(
            rule="online_vendor_seized_wallet", subject=Reference("online_listings", str(rows.listing_id.iloc[0])),
            score=float(len(rows)), method=METHOD, evidence=tuple(evidence), summary="",
            messages=(Message(N_("Vendor %(vendor)s takes payment at %(address)s, tagged as %(label)s."),
                              {"vendor": str(vendor), "address": str(rows.address.iloc[0]),
                               "label": str(rows.label.iloc[0])}),),
            details={"vendor_id": vendor, "addresses": sorted(set(rows.address))}))
    for vendor, rows in pd.DataFrame(arrests).groupby("vendor_id", sort=True) if arrests else []:
        evidence = [Reference("online_listings", str(rows.listing_id.iloc[0]))]
        evidence += [Reference("arrests", str(a)) for a in rows.arrest_id.unique()]
        evidence += [Reference("seizures", str(s)) for s in rows.seizure_id.dropna().unique()]
        out.append(Finding(
            rule="online_vendor_arrested_person", subject=Reference("online_listings", str(rows.listing_id.iloc[0])),
            score=float(len(rows)), method=METHOD, evidence=tuple(evidence), summary="",
            messages=(Message(N_("Vendor %(vendor)s gives as contact the phone of a person arrested %(times)s "
                                 "time(s)."), {"vendor": str(vendor), "times": int(rows.arrest_id.nunique())}),),
            details={"vendor_id": vendor, "persons": sorted(set(rows.person_id))}))
    return out


def price_drop_findings(priced: pd.DataFrame) -> list[Finding]:
    return [Finding(
        rule="online_price_drop", subject=Reference("online_listings", d.listing_ids[0]), score=1 - d.ratio,
        q_value=d.q_value, period=d.period, method=METHOD + "; one-sided Mann-Whitney, Benjamini-Hochberg",
        summary="",
        messages=(Message(N_("The online price of %(group)s fell to %(now)s USD per gram in %(period)s, %(ratio)s of "
                             "the %(before)s USD of the four quarters before (%(n)s and %(m)s listings)."),
                          {"group": label(d.substance_group), "now": decimal(float(d.median_usd), 2),
                           "period": str(d.period), "ratio": share(float(d.ratio)),
                           "before": decimal(float(d.baseline_median_usd), 2), "n": int(d.listings),
                           "m": int(d.baseline_listings)}),),
        evidence=tuple(Reference("online_listings", i) for i in d.listing_ids),
        details={"substance_group": d.substance_group, "p_value": d.p_value}) for d in price_drops(priced)]
