"""People resolved across agencies: the variations agencies make are linked, namesakes are not, protected
identities never reach Splink, and every link carries its evidence.

The world is written here: 240 people invented with a seeded generator (customs' records), and for some of
them a police or prosecution record written the way those agencies write (each variation named below).
"""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from baliza.analyses.people import model as people_model
from baliza.analyses.people.normalise import birth_parts, document_number, name_parts, phone_number
from baliza.analyses.people.pseudonyms import PersonRecord
from baliza.analyses.people.resolution import Resolution, resolve_people

GIVEN = ("Juan", "José", "Luis", "Carlos", "María", "Ana", "Lucía", "Rosa", "Pedro", "Raúl", "Sonia", "Hugo",
         "Elena", "Diana", "Wilmer", "Nancy", "Kevin", "Milagros", "Percy", "Gladys")
SURNAMES = ("Quispe", "Flores", "Sánchez", "Rodríguez", "García", "Mamani", "Huamán", "Rojas", "Díaz", "Torres",
            "Mendoza", "Chávez", "Vargas", "Ramos", "Castillo", "Gutiérrez", "Ramírez", "Cárdenas", "Pérez",
            "Ticona", "Yupanqui", "Condori", "Apaza", "Huanca", "Paredes")


def _plain(text: str) -> str:
    return text.translate(str.maketrans("áéíóúÁÉÍÓÚ", "aeiouAEIOU"))


def _people(n: int, seed: int = 7) -> list[dict[str, str]]:
    rnd = random.Random(seed)
    return [{"given": rnd.choice(GIVEN), "s1": rnd.choice(SURNAMES), "s2": rnd.choice(SURNAMES),
             "birth": f"{rnd.randint(1960, 2004)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
             "document": f"{rnd.randint(10_000_000, 99_999_999)}"} for _ in range(n)]


def _swap_day_month(day: str) -> str:
    y, m, d = day.split("-")
    return f"{y}-{d}-{m}"


# The police and prosecution records of customs' people, written as those agencies write them.
VARIATIONS = {
    "accents dropped, upper case": lambda p: (_plain(f"{p['given']} {p['s1']} {p['s2']}").upper(), p["birth"],
                                              p["document"]),
    "surnames first, swapped, comma": lambda p: (f"{p['s2']} {p['s1']}, {p['given']}", p["birth"], p["document"]),
    "second surname missing, no document": lambda p: (f"{p['given']} {p['s1']}", p["birth"], None),
    "day and month transposed, document with dots": lambda p: (
        f"{p['given']} {p['s1']} {p['s2']}", _swap_day_month(p["birth"]),
        f"{p['document'][:2]}.{p['document'][2:5]}.{p['document'][5:]}"),
    "everything at once": lambda p: (_plain(f"{p['s1']} {p['given']}"), _swap_day_month(p["birth"]),
                                     f"{p['document'][:4]} {p['document'][4:]}"),
}


def _world() -> tuple[list[PersonRecord], dict[str, tuple[str, str]], set[str]]:
    """Customs' records, the other agencies' records of some of them, the planted pairs (by variation) and
    the protected records."""
    people = _people(240)
    records = [PersonRecord(f"CU-{i}", "AG-CUS", f"{p['given']} {p['s1']} {p['s2']}", p["birth"], "PER",
                            p["document"], None) for i, p in enumerate(people)]
    planted: dict[str, tuple[str, str]] = {}
    for k, (variation, write) in enumerate(VARIATIONS.items()):
        for j in range(6):
            i = k * 6 + j
            if "transposed" in variation or "at once" in variation:  # a day that can be mistaken for a month
                people[i]["birth"] = people[i]["birth"][:8] + ("04" if people[i]["birth"][5:7] == "03" else "03")
                records[i] = PersonRecord(f"CU-{i}", "AG-CUS", records[i].full_name, people[i]["birth"], "PER",
                                          people[i]["document"], None)
            name, birth, document = write(people[i])
            agency = "AG-POL" if j % 2 else "AG-PRO"
            records.append(PersonRecord(f"OT-{i}", agency, name, birth, "PER", document, None))
            planted[f"OT-{i}"] = (f"CU-{i}", variation)
    # two namesakes of a common name: same name, other dates of birth, no documents
    for k, birth in enumerate(("1971-03-15", "1988-11-02", "1995-06-23")):
        records.append(PersonRecord(f"NS-{k}", ("AG-CUS", "AG-POL", "AG-PRO")[k], "Juan Quispe Mamani", birth, "PER",
                                    None, None))
    # a protected witness (programme), also recorded by the police
    records.append(PersonRecord("PW-1", "AG-LIV", "Yesenia Ccori Nina", "1993-04-09", "PER", "70112233",
                                "+51 987 654 321", protected=True))
    records.append(PersonRecord("PW-2", "AG-POL", "CCORI NINA, Yesenia", "1993-09-04", "PER", "70.112.233", None))
    return records, planted, {"PW-1"}


@pytest.fixture(scope="module")
def resolved() -> tuple[Resolution, dict[str, tuple[str, str]], list[pa.Table], list[PersonRecord]]:
    records, planted, _protected = _world()
    seen: list[pa.Table] = []
    original = people_model._register

    def spying(api, backend, features, spark):  # type: ignore[no-untyped-def]
        seen.append(features)
        return original(api, backend, features, spark)

    people_model._register = spying  # type: ignore[assignment]
    try:
        resolution = resolve_people(records)
    finally:
        people_model._register = original  # type: ignore[assignment]
    return resolution, planted, seen, records


def _cluster(resolution: Resolution) -> dict[str, str]:
    return {r.person_id: r.cluster_id for r in resolution.records}


def test_normalisation_absorbs_what_agencies_vary() -> None:
    assert set(name_parts("QUISPE MAMANI, José").tokens) == set(name_parts("José Mamani Quispe").tokens) \
        == {"jose", "quispe", "mamani"}
    assert name_parts("QUISPE MAMANI, José").given == "jose"
    assert name_parts("María de los Ángeles Ramírez").tokens == ("maria", "angeles", "ramirez")
    assert birth_parts("1985-07-03").swapped == "1985-03-07" and birth_parts("1985-07-13").swapped is None
    assert document_number("12.345.678") == document_number("12 345 678") == "12345678"
    assert phone_number("+51 987 654 321") == phone_number("987-654-321")
    assert birth_parts("not a date").day is None


@pytest.mark.parametrize("variation", list(VARIATIONS))
def test_each_variation_is_linked(resolved, variation: str) -> None:  # type: ignore[no-untyped-def]
    resolution, planted, _seen, _records = resolved
    cluster = _cluster(resolution)
    pairs = [(other, mine) for other, (mine, v) in planted.items() if v == variation]
    linked = [p for p in pairs if cluster.get(p[0]) is not None and cluster.get(p[0]) == cluster.get(p[1])]
    assert len(linked) == len(pairs), f"{variation}: {len(linked)} of {len(pairs)} linked"


def test_no_planted_pair_is_linked_to_a_stranger(resolved) -> None:  # type: ignore[no-untyped-def]
    resolution, planted, _seen, _records = resolved
    for members in resolution.clusters().values():
        ids = {m.person_id for m in members}
        assert len(ids) <= 3, ids  # each planted person has two records; a chain through strangers would grow
        for other in ids & set(planted):
            assert planted[other][0] in ids


def test_namesakes_with_other_dates_of_birth_are_not_linked(resolved) -> None:  # type: ignore[no-untyped-def]
    resolution, _planted, _seen, _records = resolved
    cluster = _cluster(resolution)
    assert not {"NS-0", "NS-1", "NS-2"} & set(cluster)


def test_protected_people_are_resolved_on_pseudonyms_only(resolved) -> None:  # type: ignore[no-untyped-def]
    resolution, _planted, seen, records = resolved
    cluster = _cluster(resolution)
    assert cluster.get("PW-1") is not None and cluster["PW-1"] == cluster["PW-2"]
    assert [r.protected for r in resolution.records if r.person_id == "PW-1"] == [True]
    assert len(seen) == 1 and seen[0].num_rows == len(records)
    cells = {str(v) for column in seen[0].columns for v in column.to_pylist() if v is not None}
    cells |= {str(x) for column in seen[0].columns for v in column.to_pylist() if isinstance(v, list) for x in v}
    protected = next(r for r in records if r.person_id == "PW-1")
    clear = {protected.full_name, protected.birth_date, protected.id_document, protected.phone,
             *name_parts(protected.full_name).tokens, document_number(protected.id_document),
             birth_parts(protected.birth_date).swapped, birth_parts(protected.birth_date).year,
             phone_number(protected.phone), "PER"}
    # a short clear value (a year, a country) may sit inside a hexadecimal pseudonym by chance: equal cells only
    assert not {c for c in cells for value in clear
                if value and (value.lower() == c.lower() or (len(value) >= 6 and value.lower() in c.lower()))}
    assert set(seen[0].column_names) == {"unique_id", "agency_id", "given", "surnames", "name_tokens", "name_key",
                                         "birth_day", "birth_swapped", "birth_year", "document",
                                         "document_digits", "phone", "nationality"}


def test_every_link_carries_its_evidence(resolved) -> None:  # type: ignore[no-untyped-def]
    resolution, planted, _seen, _records = resolved
    assert resolution.links and all(k.match_probability >= resolution.threshold for k in resolution.links)
    by_pair = {(k.person_a, k.person_b): k for k in resolution.links}
    transposed = [other for other, (_m, v) in planted.items() if v.startswith("day and month")]
    for other in transposed:
        link = by_pair[tuple(sorted((other, planted[other][0])))]  # type: ignore[index]
        assert link.levels["birth"] == "day_month_swapped" and link.levels["document"] == "same"
        assert {"name", "birth", "document"} <= set(link.agreed())
    missing = [o for o, (_m, v) in planted.items() if v.startswith("second surname")]
    link = by_pair[tuple(sorted((missing[0], planted[missing[0]][0])))]  # type: ignore[index]
    assert link.levels["document"] == "missing" and link.levels["name"] == "given_and_surname"
    weights = {r.person_id: r.weight for r in resolution.records}
    assert all(w >= 4 for w in weights.values())


def test_spark_finds_the_same_links_as_duckdb(resolved, spark) -> None:  # type: ignore[no-untyped-def]
    resolution, _planted, _seen, records = resolved
    on_spark = resolve_people(records, "spark", spark)
    assert {(k.person_a, k.person_b) for k in on_spark.links} == {(k.person_a, k.person_b) for k in resolution.links}
