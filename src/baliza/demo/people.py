"""Persons: suspects, defendants, couriers, farmers and treatment clients, with invented identities.

Co-defendants are sometimes linked the way investigators link them: a shared surname and address (family),
or a shared phone.
"""

from __future__ import annotations

import numpy as np

from baliza.demo.draw import digits, join, letters, pick
from baliza.demo.geography import REGION_CITIES

GIVEN = ("Juan", "Jose", "Luis", "Carlos", "Jorge", "Miguel", "Pedro", "Victor", "Cesar", "Raul", "Edwin", "Wilmer",
         "Rosa", "Maria", "Ana", "Carmen", "Lucia", "Elena", "Julia", "Sonia", "Milagros", "Yesenia", "Diana",
         "Marco", "Alberto", "Fernando", "Hugo", "Walter", "Percy", "Roxana", "Gladys", "Nancy", "Kevin", "Brayan")
SURNAMES = ("Quispe", "Flores", "Sanchez", "Rodriguez", "Garcia", "Mamani", "Huaman", "Rojas", "Diaz", "Torres",
            "Mendoza", "Chavez", "Vargas", "Ramos", "Castillo", "Espinoza", "Gutierrez", "Ramirez", "Vasquez",
            "Condori", "Cruz", "Salazar", "Ccori", "Apaza", "Huanca", "Paredes", "Cardenas", "Villanueva",
            "Soto", "Rivera", "Morales", "Herrera", "Lopez", "Perez", "Ticona", "Yupanqui", "Pari", "Nina")
STREETS = ("Av. Grau", "Jr. Bolognesi", "Calle Lima", "Av. Arequipa", "Jr. Huancavelica", "Av. Tupac Amaru",
           "Calle Los Pinos", "Av. Venezuela", "Jr. Ayacucho", "Av. Los Incas", "Pasaje San Martin",
           "Av. Colonial", "Calle Las Flores", "Jr. Junin", "Av. Brasil")
FOREIGN = {"ESP": 1, "NLD": 0.6, "COL": 1.5, "BOL": 1.2, "ECU": 1, "VEN": 1.5, "MEX": 0.8, "BRA": 0.6,
           "CHL": 0.5, "USA": 0.4, "NGA": 0.3, "ZAF": 0.3}
ALL_CITIES = tuple(c for cities in REGION_CITIES.values() for c in cities)


def make_persons(rng: np.random.Generator, ids: np.ndarray, foreign_share: float = 0.15,
                 protected: bool = False, birth_range: tuple[str, str] = ("1958-01-01", "2005-12-31")) -> dict:
    n = len(ids)
    given = pick(rng, GIVEN, n)
    surname1 = pick(rng, SURNAMES, n)
    surname2 = pick(rng, SURNAMES, n)
    lo, hi = (np.datetime64(d, "D").astype(np.int64) for d in birth_range)
    birth = rng.integers(lo, hi, n).astype("datetime64[D]")
    foreign = rng.random(n) < foreign_share
    nationality = np.where(foreign, pick(rng, FOREIGN, n), "PER").astype(object)
    dni = np.asarray(digits(rng, n, 8), dtype=object)
    passport = np.asarray(join(letters(rng, n, 2), digits(rng, n, 7)), dtype=object)
    phone = np.asarray(join("+51 9", digits(rng, n, 8)), dtype=object)
    address = np.asarray(join(pick(rng, STREETS, n), " ", pc_str(rng.integers(100, 2000, n)), ", ",
                              pick(rng, ALL_CITIES, n)), dtype=object)
    has_phone = rng.random(n) < 0.8
    return {
        "person_id": ids,
        "given": given, "surname1": surname1, "surname2": surname2,
        "birth_date": birth,
        "nationality": nationality,
        "id_document": np.where(foreign, passport, dni),
        "phone": np.where(has_phone, phone, None),
        "address": np.where(foreign & (rng.random(n) < 0.7), None, address),
        "protected": np.full(n, protected),
    }


def pc_str(values: np.ndarray) -> np.ndarray:
    return values.astype(str).astype(object)


def link_codefendants(rng: np.random.Generator, persons: dict, group: np.ndarray) -> None:
    """Within each group of co-defendants (same `group` value, sorted), link some as kin or by phone."""
    if len(group) < 2:
        return
    same_as_previous = np.concatenate([[False], group[1:] == group[:-1]])
    leader = np.maximum.accumulate(np.where(~same_as_previous, np.arange(len(group)), 0))
    family = same_as_previous & (rng.random(len(group)) < 0.3)
    persons["surname1"][family] = persons["surname1"][leader[family]]
    persons["address"][family] = persons["address"][leader[family]]
    shares_phone = same_as_previous & ~family & (rng.random(len(group)) < 0.2)
    persons["phone"][shares_phone] = persons["phone"][leader[shares_phone]]


def person_columns(persons: dict) -> dict:
    full_name = np.asarray(join(persons["given"], " ", persons["surname1"], " ", persons["surname2"]), dtype=object)
    columns = {k: v for k, v in persons.items() if k not in {"given", "surname1", "surname2"}}
    columns["full_name"] = full_name
    return columns


def concat_persons(parts: list[dict]) -> dict:
    keys = parts[0].keys()
    return {k: np.concatenate([p[k] for p in parts]) for k in keys}
