"""What is seized where: substance mixes by route, the names agencies write, units and typical quantities."""

from __future__ import annotations

import numpy as np

from baliza.demo.draw import pick, pick_by

# Substance group by (mode, direction) of the consignment; 'investigation' for inland police operations.
GROUP_BY_ROUTE: dict[str, dict[str, float]] = {
    "sea_container/out": {"cocaine_type": 0.9, "cannabis_type": 0.03, "precursors": 0.02, "other": 0.05},
    "sea_container/in": {"precursors": 0.45, "ats": 0.15, "nps": 0.1, "synthetic_opioids": 0.1,
                         "cocaine_type": 0.15, "other": 0.05},
    "vessel/out": {"cocaine_type": 0.95, "cannabis_type": 0.05},
    "vessel/in": {"cocaine_type": 0.7, "cannabis_type": 0.2, "precursors": 0.1},
    "air_passenger/out": {"cocaine_type": 0.88, "cannabis_type": 0.05, "hallucinogens": 0.07},
    "air_passenger/in": {"ats": 0.35, "nps": 0.2, "cocaine_type": 0.2, "cannabis_type": 0.2, "sedatives": 0.05},
    "air_cargo/out": {"cocaine_type": 0.85, "cannabis_type": 0.1, "other": 0.05},
    "air_cargo/in": {"precursors": 0.3, "ats": 0.3, "synthetic_opioids": 0.2, "nps": 0.2},
    "air_mail/out": {"cocaine_type": 0.8, "cannabis_type": 0.2},
    "air_mail/in": {"ats": 0.35, "nps": 0.25, "synthetic_opioids": 0.1, "cannabis_type": 0.15,
                    "hallucinogens": 0.1, "sedatives": 0.05},
    "postal/out": {"cocaine_type": 0.8, "cannabis_type": 0.2},
    "postal/in": {"ats": 0.35, "nps": 0.25, "synthetic_opioids": 0.1, "cannabis_type": 0.15,
                  "hallucinogens": 0.1, "sedatives": 0.05},
    "land_vehicle/out": {"cocaine_type": 0.85, "precursors": 0.1, "cannabis_type": 0.05},
    "land_vehicle/in": {"cannabis_type": 0.6, "cocaine_type": 0.2, "precursors": 0.2},
    "investigation": {"cocaine_type": 0.55, "cannabis_type": 0.33, "precursors": 0.07, "opiates": 0.05},
}

# Substance names as written, with the date a new substance first reaches the country.
NAMES: dict[str, dict[str, float]] = {
    "cocaine_type": {"cocaine hydrochloride": 0.7, "coca paste": 0.2, "cocaine base": 0.1},
    "cannabis_type": {"cannabis herb": 0.75, "cannabis resin": 0.12, "cannabis oil": 0.05, "cannabis plants": 0.08},
    "opiates": {"opium latex": 0.6, "heroin": 0.4},
    "synthetic_opioids": {"tramadol": 0.6, "fentanyl": 0.3, "protonitazene": 0.1},
    "ats": {"MDMA (ecstasy)": 0.6, "methamphetamine": 0.3, "amphetamine": 0.1},
    "nps": {"2C-B": 0.3, "tusi (pink cocaine)": 0.25, "4-MMC (mephedrone)": 0.15, "3-MMC": 0.15,
            "MDMB-4en-PINACA": 0.15},
    "sedatives": {"clonazepam": 0.6, "alprazolam": 0.4},
    "hallucinogens": {"LSD": 0.4, "ketamine": 0.35, "psilocybin mushrooms": 0.25},
    "precursors": {"potassium permanganate": 0.35, "sulphuric acid": 0.3, "P-2-P": 0.15, "ephedrine": 0.2},
    "other": {"khat": 0.5, "unidentified white powder": 0.5},
}
FIRST_SEEN = {"protonitazene": "2024-03-01", "tusi (pink cocaine)": "2022-09-01", "3-MMC": "2023-05-01",
              "MDMB-4en-PINACA": "2021-08-01"}
FALLBACK = {"protonitazene": "tramadol", "tusi (pink cocaine)": "2C-B", "3-MMC": "4-MMC (mephedrone)",
            "MDMB-4en-PINACA": "2C-B"}
COUNTED = {"MDMA (ecstasy)": "tablets", "tramadol": "tablets", "clonazepam": "tablets", "alprazolam": "tablets",
           "LSD": "doses", "cannabis plants": "plants"}
LIQUID = {"sulphuric acid", "P-2-P", "cannabis oil"}
KG_PER_COUNT = {"tablets": 0.0003, "doses": 0.00005, "plants": 0.1}

# Median quantity in kg by mode (and for inland operations), log-normal spread.
MEDIAN_KG = {"sea_container": 250.0, "vessel": 700.0, "air_cargo": 40.0, "air_passenger": 2.2, "air_mail": 0.35,
             "postal": 0.35, "land_vehicle": 60.0, "investigation": 25.0, "street": 0.012}
SIGMA = {"sea_container": 1.0, "vessel": 0.8, "air_cargo": 1.0, "air_passenger": 0.55, "air_mail": 1.1,
         "postal": 1.1, "land_vehicle": 1.2, "investigation": 1.4, "street": 0.8}
GROUP_FACTOR = {"cannabis_type": 3.0, "precursors": 8.0, "hallucinogens": 0.3, "sedatives": 0.3}
PURITY = {"cocaine_type": (72, 12), "ats": (55, 15), "opiates": (45, 15), "synthetic_opioids": (30, 15),
          "nps": (60, 15), "cannabis_type": (12, 5)}

CONCEALMENT = {
    "sea_container": {"rip-on/rip-off behind container doors": 0.35, "hidden in fruit boxes": 0.2,
                      "inside the refrigeration unit": 0.15, "mixed with coffee beans": 0.1,
                      "in a false floor": 0.1, "attached to the hull (parasite)": 0.1},
    "vessel": {"in the fishing hold": 0.6, "in a hull compartment": 0.4},
    "air_passenger": {"body packing (ingested capsules)": 0.3, "double-bottom suitcase": 0.35,
                      "strapped to the body": 0.2, "impregnated in clothing": 0.15},
    "air_cargo": {"among perishable cargo": 0.5, "inside machinery": 0.3, "in handicrafts": 0.2},
    "air_mail": {"inside a greeting card": 0.3, "hidden in cosmetics": 0.3, "vacuum-sealed in a book": 0.2,
                 "inside an electronic device": 0.2},
    "postal": {"inside a greeting card": 0.3, "hidden in cosmetics": 0.3, "vacuum-sealed in a book": 0.2,
               "inside an electronic device": 0.2},
    "land_vehicle": {"hidden compartment in the fuel tank": 0.4, "among agricultural produce": 0.35,
                     "in the spare tyre": 0.25},
    "investigation": {"stash house": 0.5, "clandestine laboratory": 0.2, "plantation": 0.3},
}


def draw_substances(
    rng: np.random.Generator, routes: np.ndarray, modes: np.ndarray, seized_at: np.ndarray
) -> dict[str, np.ndarray]:
    """Substance, group, quantity and unit, lab results and concealment for seizures on the given routes."""
    n = len(routes)
    group = pick_by(rng, routes, GROUP_BY_ROUTE)
    name = pick_by(rng, group, NAMES)
    for new, since in FIRST_SEEN.items():
        too_early = (name == new) & (seized_at < np.datetime64(since))
        name[too_early] = FALLBACK[new]
    in_street = modes == "street"
    name[in_street & (name == "cannabis plants")] = "cannabis herb"
    median = np.array([MEDIAN_KG[m] for m in modes]) * np.array([GROUP_FACTOR.get(g, 1.0) for g in group])
    sigma = np.array([SIGMA[m] for m in modes])
    kg = median * np.exp(rng.normal(0, 1, n) * sigma)
    unit = np.where(np.isin(name, list(LIQUID)), "l", "kg").astype(object)
    quantity = kg.copy()
    for substance, counted in COUNTED.items():
        mask = name == substance
        unit[mask] = counted
        quantity[mask] = np.maximum(1, np.round(kg[mask] / KG_PER_COUNT[counted]))
    small = (unit == "kg") & (quantity < 1.0)
    unit[small] = "g"
    quantity[small] = np.maximum(0.1, quantity[small] * 1000)
    quantity = np.where(np.isin(unit, ["tablets", "doses", "plants"]), quantity, np.round(quantity, 3))
    quantity = np.maximum(quantity, 0.1)
    kg_equiv = np.where(unit == "g", quantity / 1000, quantity)
    for counted, factor in KG_PER_COUNT.items():
        kg_equiv = np.where(unit == counted, quantity * factor, kg_equiv)
    # The laboratory weighs net of packaging and moisture: a little below, rarely above.
    lab = quantity * np.clip(rng.normal(0.975, 0.02, n), 0.9, 1.02)
    lab = np.where(np.isin(unit, ["tablets", "doses", "plants"]), np.round(lab), np.round(lab, 3))
    purity = np.full(n, np.nan)
    for g, (mean, sd) in PURITY.items():
        mask = group == g
        purity[mask] = np.round(np.clip(rng.normal(mean, sd, mask.sum()), 2, 99), 1)
    concealment = pick_by(rng, np.where(in_street, "investigation", modes).astype(object), CONCEALMENT)
    return {"substance": name, "substance_group": group, "quantity": quantity, "quantity_unit": unit,
            "kg_equiv": kg_equiv, "lab_quantity": lab, "lab_purity_pct": purity, "concealment": concealment}


def is_offence_small(group: np.ndarray, kg_equiv: np.ndarray) -> np.ndarray:
    """Personal-use amounts: possession rather than supply."""
    return kg_equiv < np.where(group == "cannabis_type", 0.1, 0.02)


def offence_for(group: np.ndarray, substance: np.ndarray, kg_equiv: np.ndarray) -> np.ndarray:
    cannabis = group == "cannabis_type"
    offence = np.where(kg_equiv >= np.where(cannabis, 20, 2), "trafficking", "possession_for_supply").astype(object)
    offence[is_offence_small(group, kg_equiv)] = "possession"
    offence[substance == "cannabis plants"] = "production"
    return offence


def pick_countries(rng: np.random.Generator, pools: dict[str, float], n: int) -> np.ndarray:
    return pick(rng, pools, n)
