"""Traffic at the entry points: consignments risk-assessed, inspections with their selection, and seizures.

Targeted selection (risk profiles, intelligence, partner alerts, dogs, scanners) finds drugs far more often
than random checks; units differ in skill; volumes follow a yearly trend and the seasons. Inland police
operations seize without a consignment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from baliza.demo.draw import digits, join, letters, lognormal, pick, pick_by
from baliza.demo.geography import ASIA_PACIFIC, COUNTRY, ENTRY_POINTS, EUROPE
from baliza.demo.institutions import INTERDICTION_UNITS, INVESTIGATION_UNITS
from baliza.demo.substances import draw_substances
from baliza.demo.timeline import EXTRACT_AT, after, day_weights, nat, sample_times

EP_KIND = {e.entry_point_id: e.kind for e in ENTRY_POINTS}
NEIGHBOUR = {e.entry_point_id: e.neighbour for e in ENTRY_POINTS}

MODES_BY_UNIT_KIND = {
    "seaport": {"sea_container": 1.0},
    "maritime": {"vessel": 1.0},
    "airport": {"air_passenger": 0.85, "air_cargo": 0.05, "air_mail": 0.10},
    "air_cargo": {"air_cargo": 0.8, "air_mail": 0.2},
    "land_border": {"land_vehicle": 1.0},
    "postal_hub": {"postal": 1.0},
    "dry_port": {"sea_container": 1.0},
}
OUTBOUND_SHARE = {"sea_container": 0.6, "vessel": 0.8, "air_passenger": 0.55, "air_cargo": 0.6, "air_mail": 0.3,
                  "postal": 0.3, "land_vehicle": 0.5}
SELECTION = {
    "sea_container": {"risk_profile": 0.45, "scanner": 0.2, "intelligence": 0.07, "partner_alert": 0.05,
                      "random": 0.2, "detector_dog": 0.03},
    "vessel": {"intelligence": 0.45, "partner_alert": 0.35, "risk_profile": 0.15, "random": 0.05},
    "air_passenger": {"risk_profile": 0.45, "detector_dog": 0.15, "intelligence": 0.07, "partner_alert": 0.06,
                      "random": 0.25, "other": 0.02},
    "air_cargo": {"risk_profile": 0.5, "scanner": 0.2, "detector_dog": 0.1, "random": 0.2},
    "air_mail": {"risk_profile": 0.35, "scanner": 0.3, "detector_dog": 0.1, "random": 0.25},
    "postal": {"risk_profile": 0.35, "scanner": 0.3, "detector_dog": 0.1, "random": 0.25},
    "land_vehicle": {"risk_profile": 0.3, "detector_dog": 0.2, "intelligence": 0.1, "random": 0.35, "scanner": 0.05},
}
HIT_RATE = {"risk_profile": 0.10, "intelligence": 0.33, "partner_alert": 0.27, "detector_dog": 0.12,
            "scanner": 0.07, "random": 0.012, "other": 0.05}
MODE_FACTOR = {"sea_container": 0.8, "vessel": 1.4, "air_passenger": 1.0, "air_cargo": 0.8, "air_mail": 0.6,
               "postal": 0.6, "land_vehicle": 0.7}
MINUTES = {"sea_container": 180, "vessel": 300, "air_passenger": 35, "air_cargo": 90, "air_mail": 12, "postal": 10,
           "land_vehicle": 45}
EXPECTED_HIT = 0.085
INLAND_SHARE = 0.2
"""Share of seizures made inland by investigation units, without a consignment."""

HS = {"out": {"0804": "fresh avocados", "0806": "table grapes", "0901": "green coffee beans", "0803": "bananas",
              "2603": "copper concentrate", "0306": "frozen shrimp", "6109": "cotton t-shirts",
              "1801": "cocoa beans", "0709": "fresh asparagus"},
      "in": {"8471": "computers and parts", "8517": "mobile phones", "8703": "motor vehicles",
             "2710": "petroleum oils", "3004": "medicaments", "2915": "industrial chemicals",
             "6402": "footwear", "9503": "toys"}}
CARRIERS = {"sea_container": ("Maersk", "MSC", "CMA CGM", "Hapag-Lloyd", "COSCO", "ONE"),
            "vessel": ("fishing vessel", "cargo vessel", "pleasure craft"),
            "air_passenger": ("LATAM", "Iberia", "KLM", "Avianca", "Air Europa", "Sky Airline", "Copa"),
            "air_cargo": ("LATAM Cargo", "Atlas Air", "KLM Cargo", "DHL Aviation"),
            "air_mail": ("DHL Express", "FedEx", "UPS"), "postal": ("national post", "EMS", "DHL eCommerce"),
            "land_vehicle": ("private car", "bus company", "freight truck")}


def _unit_kind(unit) -> str:
    kind = EP_KIND[unit.entry_point_id]
    if unit.kind == "maritime_unit":
        return "maritime"
    if kind == "airport" and unit.kind == "port_control_unit":
        return "air_cargo"
    return kind


@dataclass
class Traffic:
    consignments: dict
    inspections: dict
    seizures: dict
    # For the rest of the chain (one entry per seizure):
    seizure_unit: np.ndarray
    seizure_mode: np.ndarray
    seizure_region: np.ndarray
    kg_equiv: np.ndarray
    seizure_consignment: np.ndarray
    """Row index of the seizure's consignment in `consignments`, -1 when inland."""


def unit_skills(rng: np.random.Generator) -> np.ndarray:
    return np.exp(rng.normal(0, 0.3, len(INTERDICTION_UNITS)))


def generate_traffic(rng: np.random.Generator, n_seizures: int, skills: np.ndarray, ids) -> Traffic:
    units = INTERDICTION_UNITS
    activity = np.array([u.activity for u in units])
    n_inspections = max(10, round(n_seizures * (1 - INLAND_SHARE) / EXPECTED_HIT))
    n_cleared = round(n_inspections * 0.2)
    n_cons = n_inspections + n_cleared
    unit_idx = rng.choice(len(units), size=n_cons, p=activity / activity.sum())
    unit_kind = np.array([_unit_kind(u) for u in units], dtype=object)[unit_idx]
    mode = pick_by(rng, unit_kind, MODES_BY_UNIT_KIND)
    outbound = rng.random(n_cons) < np.array([OUTBOUND_SHARE[m] for m in mode])
    ep_ids = np.array([u.entry_point_id for u in units], dtype=object)[unit_idx]
    declared = sample_times(rng, n_cons, day_weights(), day_hours=True)
    # A unit inspects nothing before it becomes operational.
    since = np.array([np.datetime64(u.operational_since or "2000-01-01", "s") for u in units])
    operating = declared >= since[unit_idx]
    order = np.flatnonzero(operating)[np.argsort(declared[operating], kind="stable")]
    unit_idx, unit_kind, mode, outbound, ep_ids, declared = (
        a[order] for a in (unit_idx, unit_kind, mode, outbound, ep_ids, declared))
    n_cons = len(order)
    n_inspections = min(n_inspections, n_cons)

    # Inspections: the first n_inspections consignments in a random order are inspected.
    inspected = np.zeros(n_cons, dtype=bool)
    inspected[rng.choice(n_cons, n_inspections, replace=False)] = True
    ins_rows = np.flatnonzero(inspected)
    ins_mode = mode[ins_rows]
    selection = pick_by(rng, ins_mode, SELECTION)
    p_hit = np.array([HIT_RATE[s] for s in selection]) * np.array([MODE_FACTOR[m] for m in ins_mode])
    # New units learn: their hit rate grows over their first eighteen months.
    months = (declared[ins_rows] - since[unit_idx[ins_rows]]).astype(np.int64) / (30.4 * 86_400)
    learning = 0.55 + 0.45 * np.clip(months / 18, 0, 1)
    p_hit = np.clip(p_hit * skills[unit_idx[ins_rows]] * learning, 0, 0.8)
    hit = rng.random(n_inspections) < p_hit
    other_offence = ~hit & (rng.random(n_inspections) < 0.02)
    outcome = np.where(hit, "seizure", np.where(other_offence, "other_offence", "no_find")).astype(object)
    inspected_at = after(declared[ins_rows], lognormal(rng, 0.4, 0.8, n_inspections))
    minutes = np.round(lognormal(rng, np.array([MINUTES[m] for m in ins_mode]), 0.5, n_inspections))
    minutes[hit] *= 2
    keep = inspected_at <= EXTRACT_AT
    ins_rows, selection, outcome, inspected_at, minutes, hit = (
        a[keep] for a in (ins_rows, selection, outcome, inspected_at, minutes, hit))
    cons_ids = ids.take("consignments", n_cons)
    ins_ids = ids.take("inspections", len(ins_rows))
    inspection_unit = np.array([u.unit_id for u in units], dtype=object)[unit_idx[ins_rows]]

    # Seizures from inspections, then inland operations.
    s_rows = ins_rows[hit]
    n_border = len(s_rows)
    n_inland = round(n_border * INLAND_SHARE / (1 - INLAND_SHARE))
    inland_unit = rng.choice(len(INVESTIGATION_UNITS), n_inland, p=[0.6, 0.4])
    seized_at = np.concatenate([np.minimum(after(inspected_at[hit], rng.uniform(0.02, 0.3, n_border)), EXTRACT_AT),
                                sample_times(rng, n_inland, day_weights(season_amplitude=0.1))])
    s_mode = np.concatenate([mode[s_rows], np.where(rng.random(n_inland) < 0.5, "street", "investigation")])
    route = np.where(outbound[s_rows], mode[s_rows] + "/out", mode[s_rows] + "/in").astype(object)
    route = np.concatenate([route, np.full(n_inland, "investigation", dtype=object)])
    drugs = draw_substances(rng, route, s_mode.astype(object), seized_at)
    n_s = n_border + n_inland
    s_unit = np.concatenate([inspection_unit[hit], np.array([u.unit_id for u in INVESTIGATION_UNITS],
                                                            dtype=object)[inland_unit]])
    s_region = np.concatenate([np.array([u.region for u in units], dtype=object)[unit_idx[s_rows]],
                               np.array([u.region for u in INVESTIGATION_UNITS], dtype=object)[inland_unit]])
    s_sel = np.concatenate([selection[hit], np.full(n_inland, "investigation", dtype=object)])
    intelligence_led = np.isin(s_sel, ["intelligence", "partner_alert"]) | (
        (s_sel == "investigation") & (rng.random(n_s) < 0.8))
    intelligence_led = intelligence_led.astype(object)
    intelligence_led[rng.random(n_s) < 0.08] = None
    programme = {u.unit_id: u.programme for u in (*units, *INVESTIGATION_UNITS)}
    share_p = np.array([{"AIRCOP": 0.8, "CCP": 0.7, "SEACOP": 0.85}.get(programme[u], 0.35) for u in s_unit])
    shared = rng.random(n_s) < share_p
    share_delay = lognormal(rng, np.where(np.array([programme[u] == "AIRCOP" for u in s_unit]), 0.4, 1.3), 0.9, n_s)
    shared_at = np.where(shared, after(seized_at, share_delay), nat(n_s))
    lab_at = after(seized_at, lognormal(rng, 12, 0.6, n_s))
    has_lab = (rng.random(n_s) > 0.07) & (lab_at <= EXTRACT_AT)
    shared_at[shared_at > EXTRACT_AT] = np.datetime64("NaT")
    s_cons = np.concatenate([s_rows, np.full(n_inland, -1)])
    cons_origin = np.where(outbound[s_rows], COUNTRY, None).astype(object)
    s_origin = np.concatenate([cons_origin, np.full(n_inland, None, dtype=object)])
    # Origin and destination countries of all consignments.
    origin, destination, transit = _countries(rng, mode, outbound, ep_ids)
    s_origin = np.concatenate([origin[s_rows], np.full(n_inland, None, dtype=object)])
    s_dest = np.concatenate([destination[s_rows], np.full(n_inland, None, dtype=object)])
    drug_cons = np.zeros(n_cons, dtype=bool)
    drug_cons[s_rows] = True

    seizures = {
        "seizure_id": ids.take("seizures", n_s),
        "unit_id": s_unit,
        "seized_at": seized_at,
        "entry_point_id": np.concatenate([ep_ids[s_rows], np.full(n_inland, None, dtype=object)]),
        "inspection_id": np.concatenate([np.asarray(ins_ids)[hit], np.full(n_inland, None, dtype=object)]),
        "substance": drugs["substance"],
        "substance_group": drugs["substance_group"],
        "quantity": drugs["quantity"],
        "quantity_unit": drugs["quantity_unit"],
        "lab_quantity": np.where(has_lab, drugs["lab_quantity"], np.nan),
        "lab_purity_pct": np.where(has_lab, drugs["lab_purity_pct"], np.nan),
        "lab_confirmed_at": np.where(has_lab, lab_at, nat(n_s)),
        "concealment": drugs["concealment"],
        "origin_country": s_origin,
        "destination_country": s_dest,
        "intelligence_led": intelligence_led,
        "shared_with_partners_at": shared_at,
    }
    inspections = {
        "inspection_id": ins_ids,
        "consignment_id": np.asarray(cons_ids)[ins_rows],
        "unit_id": inspection_unit,
        "inspected_at": inspected_at,
        "selection": selection,
        "outcome": outcome,
        "minutes_spent": minutes,
    }
    consignments = _consignment_columns(rng, cons_ids, ep_ids, mode, outbound, declared, origin, destination,
                                        transit, drug_cons)
    return Traffic(consignments, inspections, seizures, s_unit, s_mode.astype(object), s_region,
                   drugs["kg_equiv"], s_cons)


def _countries(rng, mode, outbound, ep_ids):
    n = len(mode)
    far = {"sea_container": {**dict.fromkeys(EUROPE, 1.0), **dict.fromkeys(ASIA_PACIFIC, 0.7),
                             "USA": 1.5, "MEX": 0.8, "PAN": 0.5},
           "air": {"ESP": 3, "NLD": 1.5, "MEX": 1.5, "USA": 2, "BRA": 1, "CHL": 1, "ARG": 1, "FRA": 1, "PAN": 1},
           "post": {"NLD": 2, "DEU": 2, "USA": 2, "CHN": 2, "ESP": 1, "CAN": 1, "GBR": 1}}
    key = np.where(mode == "sea_container", "sea_container",
                   np.where(np.isin(mode, ["air_passenger", "air_cargo"]), "air", "post")).astype(object)
    foreign = pick_by(rng, key, far)
    land = np.array([NEIGHBOUR[e] or "" for e in ep_ids], dtype=object)
    foreign = np.where(mode == "land_vehicle", land, foreign)
    foreign = np.where(mode == "vessel", pick(rng, {"MEX": 1, "ECU": 1, "PAN": 1, "USA": 1, "ESP": 0.5}, n), foreign)
    origin = np.where(outbound, COUNTRY, foreign).astype(object)
    destination = np.where(outbound, foreign, COUNTRY).astype(object)
    transit = np.full(n, None, dtype=object)
    via = (mode == "sea_container") & (rng.random(n) < 0.3)
    transit[via] = pick(rng, {"PAN": 3, "COL": 1, "ECU": 1, "PAN|ESP": 1, "ECU|PAN": 1, "MEX": 0.5}, int(via.sum()))
    return origin, destination, transit


def _consignment_columns(rng, cons_ids, ep_ids, mode, outbound, declared, origin, destination, transit, drug):
    n = len(mode)
    direction = np.where(outbound, "out", "in").astype(object)
    hs = pick_by(rng, direction, {k: dict.fromkeys(v, 1.0) for k, v in HS.items()})
    description = np.array([HS["out"].get(h) or HS["in"].get(h) for h in hs], dtype=object)
    cargo = np.isin(mode, ["sea_container", "air_cargo"])
    reference = np.asarray(join(letters(rng, n, 4), digits(rng, n, 7)), dtype=object)
    awb = np.asarray(join(digits(rng, n, 3), "-", digits(rng, n, 8)), dtype=object)
    flight = np.asarray(join(letters(rng, n, 2), digits(rng, n, 4), "/", digits(rng, n, 2), "C"), dtype=object)
    parcel = np.asarray(join("RR", digits(rng, n, 9), "PE"), dtype=object)
    plate = np.asarray(join(letters(rng, n, 3), "-", digits(rng, n, 3)), dtype=object)
    vessel = np.asarray(join("IMO", digits(rng, n, 7)), dtype=object)
    reference = np.select(
        [mode == "sea_container", mode == "air_cargo", mode == "air_passenger", np.isin(mode, ["postal", "air_mail"]),
         mode == "land_vehicle"], [reference, awb, flight, parcel, plate], vessel)
    weight = np.where(mode == "sea_container", lognormal(rng, 18_000, 0.3, n),
                      np.where(mode == "air_cargo", lognormal(rng, 350, 0.8, n),
                               np.where(mode == "air_passenger", lognormal(rng, 22, 0.3, n),
                                        np.where(mode == "land_vehicle", lognormal(rng, 1500, 1.0, n),
                                                 np.where(mode == "vessel", lognormal(rng, 40_000, 0.8, n),
                                                          lognormal(rng, 1.2, 0.7, n))))))
    value = np.where(cargo, weight * lognormal(rng, 3.5, 0.7, n), np.nan)
    payment = pick(rng, {"bank_transfer": 0.6, "letter_of_credit": 0.15, "prepaid": 0.1, "cash": 0.05,
                         "unknown": 0.1}, n)
    risky = drug & (rng.random(n) < 0.35)
    payment[risky] = pick(rng, {"cash": 0.6, "prepaid": 0.3, "unknown": 0.1}, int(risky.sum()))
    payment[~cargo] = None
    carrier = pick_by(rng, mode, {m: dict.fromkeys(c, 1.0) for m, c in CARRIERS.items()})
    return {
        "consignment_id": cons_ids, "entry_point_id": ep_ids, "mode": mode, "declared_at": declared,
        "reference": reference, "origin_country": origin, "transit_countries": transit,
        "destination_country": destination, "hs_code": np.where(cargo, hs, None),
        "declared_description": np.where(cargo, description, None),
        "declared_value_usd": np.round(value, 2), "gross_weight_kg": np.round(weight, 1),
        "carrier": carrier, "payment_method": payment,
    }
