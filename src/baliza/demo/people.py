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


# Another agency's record of the same person. Agencies type names, dates and numbers their own way: accents
# (or none), surnames first and in capitals ("QUISPE MAMANI, José"), the second surname left out or the two
# swapped, a date of birth typed month-first, a document number with dots or spaces, a phone with the country
# code or without. `agency_records` writes such a record; `customs_travellers` gives customs its own record of
# each air passenger who was arrested (the police's record is the arrested person's).
ACCENTED = {"Jose": "José", "Maria": "María", "Lucia": "Lucía", "Cesar": "César", "Raul": "Raúl",
            "Victor": "Víctor", "Sanchez": "Sánchez", "Rodriguez": "Rodríguez", "Garcia": "García",
            "Huaman": "Huamán", "Diaz": "Díaz", "Chavez": "Chávez", "Gutierrez": "Gutiérrez",
            "Ramirez": "Ramírez", "Vasquez": "Vásquez", "Cardenas": "Cárdenas", "Lopez": "López", "Perez": "Pérez",
            "Ramos": "Ramos", "Yupanqui": "Yupanqui"}
NAME_STYLES = {"accents": 0.3, "surnames_first": 0.25, "one_surname": 0.15, "swapped": 0.1, "as_is": 0.2}
TRANSPOSED_BIRTH = 0.25  # of the dates that can be read either way
DOCUMENT_STYLES = {"dots": 0.3, "spaces": 0.2, "as_is": 0.35, "missing": 0.15}


def _written(style: str, given: str, first: str, second: str) -> str:
    if style == "accents":
        return f"{ACCENTED.get(given, given)} {ACCENTED.get(first, first)} {ACCENTED.get(second, second)}"
    if style == "surnames_first":
        return f"{first.upper()} {second.upper()}, {ACCENTED.get(given, given)}"
    if style == "one_surname":
        return f"{given} {first}"
    if style == "swapped":
        return f"{given} {second} {first}"
    return f"{given} {first} {second}"


def _document(style: str, number: str) -> str | None:
    if style == "missing" or not number:
        return None
    if style == "dots":
        return ".".join(number[max(0, i - 3):i] for i in range(len(number) % 3 or 3, len(number) + 1, 3))
    if style == "spaces":
        return f"{number[:4]} {number[4:]}"
    return number


def agency_records(rng: np.random.Generator, persons: dict, rows: np.ndarray, ids: np.ndarray) -> dict:
    """Another agency's records (`ids`) of the people at `rows` of `persons` (as `make_persons` returns
    them), each written that agency's way; columns as `person_columns` returns them."""
    n = len(rows)
    styles = pick(rng, NAME_STYLES, n)
    names = [_written(s, g, a, b) for s, g, a, b in zip(styles, persons["given"][rows], persons["surname1"][rows],
                                                         persons["surname2"][rows], strict=True)]
    birth = persons["birth_date"][rows].astype("datetime64[D]")
    text = np.datetime_as_string(birth, unit="D").astype(object)
    day, month = (np.array([int(t[8:10]) for t in text]), np.array([int(t[5:7]) for t in text]))
    swap = (day <= 12) & (day != month) & (rng.random(n) < TRANSPOSED_BIRTH)
    written = np.array([f"{t[:4]}-{t[8:10]}-{t[5:7]}" if s else t for t, s in zip(text, swap, strict=True)],
                       dtype="datetime64[D]")
    documents = [_document(s, str(d) if d is not None else "") for s, d in
                 zip(pick(rng, DOCUMENT_STYLES, n), persons["id_document"][rows], strict=True)]
    phone = persons["phone"][rows]
    return {
        "person_id": ids,
        "birth_date": written,
        "nationality": persons["nationality"][rows],
        "id_document": np.asarray(documents, dtype=object),
        "phone": np.where(rng.random(n) < 0.5, phone, None),
        "address": np.full(n, None, dtype=object),
        "protected": np.zeros(n, dtype=bool),
        "full_name": np.asarray(names, dtype=object),
    }


def customs_travellers(rng: np.random.Generator, consignments: dict, persons: dict) -> tuple[dict, list[list[str]]]:
    """Customs' own record of each consignment's traveller (an arrested passenger, recorded by the police
    under another id): the consignment now names customs' record. Returns the records and, for the ground
    truth, each pair [customs' record, the police's record]."""
    travellers = consignments["traveller_id"]
    has = np.flatnonzero(np.array([t is not None for t in travellers], dtype=bool))
    row_of = {p: i for i, p in enumerate(persons["person_id"])}
    has = np.array([i for i in has if travellers[i] in row_of], dtype=int)
    rows = np.array([row_of[travellers[i]] for i in has], dtype=int)
    ids = np.asarray(["PX-" + str(consignments["consignment_id"][i]).split("-")[-1] for i in has], dtype=object)
    records = agency_records(rng, persons, rows, ids)
    pairs = [[str(new), str(travellers[i])] for new, i in zip(ids, has, strict=True)]
    travellers[has] = ids
    return records, pairs


def staff_names(seed: int, n: int) -> list[str]:
    """Officials' display names, as a case file shows them ("Rosa Quispe Torres"): drawn from a generator of
    their own, so that naming staff changes no other draw of the country."""
    rng = np.random.default_rng([seed, 5150])
    return [f"{g} {a} {b}" for g, a, b in zip(pick(rng, GIVEN, n), pick(rng, SURNAMES, n),
                                              pick(rng, SURNAMES, n), strict=True)]



# Repeat offenders: a person arrested again at a later, separate seizure, recorded afresh by the agency that
# arrested them, written its own way. Planted with a generator of their own, so that no other draw changes.
REPEATERS = (2, 2, 3)  # per chunk: how many separate seizures each planted repeater was arrested at
REPEAT_NAME_STYLES = ("accents", "surnames_first", "one_surname", "swapped")
REPEAT_DOCUMENT_STYLES = ("dots", "spaces")


def plant_repeaters(rng: np.random.Generator, persons: dict, arrests: dict) -> tuple[dict[int, dict], list[list[str]]]:
    """Make a few arrested persons (`persons` as `make_persons` returns them) the same person as one arrested
    at another seizure: the later records take the first one's identity, written another way (accents, the
    surnames first or one left out, the day and month of birth swapped, the document with separators).

    `persons` is changed in place (the identity, so that records made from it later agree); the returned
    rewrites (row -> columns as `person_columns` gives them) are applied with `rewrite_records` once the
    columns are made. Also returns, for the ground truth, each repeater's records."""
    row_of = {p: i for i, p in enumerate(persons["person_id"])}
    seized = [(p, s) for p, s in zip(arrests["person_id"], arrests["seizure_id"], strict=True)
              if s is not None and p in row_of]
    by_seizure: dict[str, list[str]] = {}
    for person, seizure in seized:
        by_seizure.setdefault(str(seizure), []).append(person)
    seizures = sorted(by_seizure)
    needed = sum(REPEATERS)
    if len(seizures) < needed:
        return {}, []
    chosen = rng.choice(len(seizures), size=needed, replace=False)
    rewrites: dict[int, dict] = {}
    groups: list[list[str]] = []
    at = 0
    for times in REPEATERS:
        people = [by_seizure[seizures[i]][0] for i in chosen[at:at + times]]  # one arrested person per seizure
        at += times
        first = row_of[people[0]]
        groups.append(people)
        for again, person in enumerate(people[1:]):
            row = row_of[person]
            for key in ("given", "surname1", "surname2", "birth_date", "nationality", "id_document", "phone"):
                persons[key][row] = persons[key][first]
            rewrites[row] = _rewritten(rng, persons, first, again)
    return rewrites, groups


def _rewritten(rng: np.random.Generator, persons: dict, row: int, again: int) -> dict:
    style = REPEAT_NAME_STYLES[(again + int(rng.integers(0, len(REPEAT_NAME_STYLES)))) % len(REPEAT_NAME_STYLES)]
    name = _written(style, persons["given"][row], persons["surname1"][row], persons["surname2"][row])
    text = str(np.datetime64(persons["birth_date"][row], "D"))
    day, month = int(text[8:10]), int(text[5:7])
    birth = f"{text[:4]}-{text[8:10]}-{text[5:7]}" if day <= 12 and day != month else text
    document = _document(REPEAT_DOCUMENT_STYLES[int(rng.integers(0, 2))], str(persons["id_document"][row]))
    return {"full_name": name, "birth_date": np.datetime64(birth, "D"), "id_document": document}


def rewrite_records(columns: dict, rewrites: dict[int, dict]) -> dict:
    """`columns` (as `person_columns` gives them) with the rows of `rewrites` written their new way."""
    for row, values in rewrites.items():
        for key, value in values.items():
            columns[key][row] = value
    return columns
