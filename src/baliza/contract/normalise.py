"""Spellings the contract accepts and what they mean, as lookup tables.

The loader applies these vectorised (as joins in DuckDB); each mapping is keyed by the
lower-cased, trimmed spelling. Whatever is changed is recorded by the loader.
"""

from __future__ import annotations

from functools import cache

import pycountry

BOOLEAN_SPELLINGS: dict[str, bool] = {
    **dict.fromkeys(["true", "t", "yes", "y", "1", "si", "sí", "s", "oui", "ya", "verdadero", "x"], True),
    **dict.fromkeys(["false", "f", "no", "n", "0", "non", "tidak", "falso"], False),
}

UNIT_SPELLINGS: dict[str, str] = {
    **dict.fromkeys(["kg", "kgs", "kilo", "kilos", "kilogram", "kilograms", "kilogramme", "kilogrammes",
                     "kilogramo", "kilogramos", "kilograma", "kilogramas", "quilo", "quilos", "quilograma",
                     "quilogramas"], "kg"),
    **dict.fromkeys(["g", "gr", "grs", "gram", "grams", "gramme", "grammes", "gramo", "gramos", "grama",
                     "gramas"], "g"),
    **dict.fromkeys(["mg", "milligram", "milligrams", "miligramo", "miligramos", "miligrama", "miligramas"], "mg"),
    **dict.fromkeys(["l", "lt", "lts", "litre", "litres", "liter", "liters", "litro", "litros"], "l"),
    **dict.fromkeys(["ml", "millilitre", "millilitres", "milliliter", "milliliters", "mililitro",
                     "mililitros"], "ml"),
    **dict.fromkeys(["tablets", "tablet", "tabs", "tab", "pills", "pill", "pastillas", "pastilla",
                     "comprimidos", "comprimido", "tabletas", "tableta", "pílulas", "pílula"], "tablets"),
    **dict.fromkeys(["doses", "dose", "dosis", "doses_", "blotters", "blotter"], "doses"),
    **dict.fromkeys(["plants", "plant", "plantas", "planta", "pies"], "plants"),
    **dict.fromkeys(["units", "unit", "unidades", "unidad", "pcs", "pieces", "items"], "units"),
}


def _keys(*spellings: str) -> list[str]:
    """Spellings as the loader compares them: lower case, spaces and hyphens as underscores, with and without
    accents (a clerk's keyboard may have none)."""
    keys = []
    for spelling in spellings:
        key = spelling.lower().replace(" ", "_").replace("-", "_")
        keys += [key, key.translate(_PLAIN)]
    return keys


_PLAIN = str.maketrans("áéíóúàâêôãõçñü", "aeiouaaeoaocnu")

SUBSTANCE_GROUP_SPELLINGS: dict[str, str] = {
    **dict.fromkeys(_keys("cocaine", "cocaína", "cocaine type", "tipo cocaína", "coca paste", "pasta básica",
                          "pasta básica de cocaína", "pbc", "pasta base", "crack", "clorhidrato de cocaína",
                          "cloridrato de cocaína", "cocaine hydrochloride", "merla"), "cocaine_type"),
    **dict.fromkeys(_keys("cannabis", "canabis", "cannabis type", "marijuana", "marihuana", "mariguana",
                          "maconha", "hashish", "hachís", "haxixe", "hash", "skunk", "cannabis resin"),
                    "cannabis_type"),
    **dict.fromkeys(_keys("opiate", "opiáceos", "opiáceo", "opiaceos", "heroin", "heroína", "opium", "opio",
                          "ópio", "morphine", "morfina"), "opiates"),
    **dict.fromkeys(_keys("synthetic opioid", "opioides sintéticos", "opioide sintético", "fentanyl", "fentanilo",
                          "fentanil", "nitazenes", "nitazenos", "tramadol"), "synthetic_opioids"),
    **dict.fromkeys(_keys("amphetamine type stimulants", "estimulantes de tipo anfetamínico", "amphetamine",
                          "anfetamina", "anfetaminas", "methamphetamine", "metanfetamina", "mdma", "ecstasy",
                          "éxtasis", "êxtase", "ecstasy (mdma)"), "ats"),
    **dict.fromkeys(_keys("new psychoactive substances", "nuevas sustancias psicoactivas",
                          "novas substâncias psicoativas", "nsp"), "nps"),
    **dict.fromkeys(_keys("sedative", "sedantes", "sedante", "sedativos", "sedativo", "benzodiazepines",
                          "benzodiacepinas", "benzodiazepínicos"), "sedatives"),
    **dict.fromkeys(_keys("hallucinogen", "alucinógenos", "alucinógeno", "lsd"), "hallucinogens"),
    **dict.fromkeys(_keys("precursor", "precursores", "precursores químicos", "chemical precursors"),
                    "precursors"),
    **dict.fromkeys(_keys("otro", "otros", "outro", "outros", "otra"), "other"),
}
"""Spanish, Portuguese and common English names of the substance groups (the contract's codes are English)."""

OUTCOME_SPELLINGS: dict[str, str] = {
    **dict.fromkeys(_keys("condenado", "condena", "condenada", "sentencia condenatoria", "guilty"), "convicted"),
    **dict.fromkeys(_keys("conformidad", "terminación anticipada", "condenado por conformidad", "guilty plea",
                          "plea", "acordo", "confissão"), "plea_convicted"),
    **dict.fromkeys(_keys("absuelto", "absuelta", "absolución", "absolvido", "absolvição", "not guilty"),
                    "acquitted"),
    **dict.fromkeys(_keys("sobreseído", "sobreseimiento", "archivado", "arquivado", "arquivamento"), "dismissed"),
    **dict.fromkeys(_keys("derivado", "salida alternativa", "medida alternativa", "transação penal"), "diverted"),
    **dict.fromkeys(_keys("prescrito", "prescrita", "prescripción", "prescrição", "time barred"),
                    "statute_barred"),
    **dict.fromkeys(_keys("retirado", "desistimiento", "desistência"), "withdrawn"),
    **dict.fromkeys(_keys("fallecido", "falecido", "muerte", "morte", "deceased"), "died"),
}
"""Spellings of a disposition's outcome (a case's ending for one defendant)."""

ENTRY_POINT_KIND_SPELLINGS: dict[str, str] = {
    **dict.fromkeys(_keys("puerto", "puerto marítimo", "porto", "porto marítimo", "port", "sea port"), "seaport"),
    **dict.fromkeys(_keys("aeropuerto", "aeroporto", "airfield"), "airport"),
    **dict.fromkeys(_keys("frontera", "frontera terrestre", "fronteira", "fronteira terrestre", "border",
                          "border crossing", "paso de frontera"), "land_border"),
    **dict.fromkeys(_keys("centro postal", "correo", "correios", "post office", "postal"), "postal_hub"),
    **dict.fromkeys(_keys("puerto seco", "porto seco", "inland port"), "dry_port"),
    **dict.fromkeys(_keys("en línea", "internet", "on line"), "online"),
}
"""Spellings of the kinds of entry point."""

# Common names that pycountry does not carry (Spanish, Portuguese, Indonesian and short English forms).
_COUNTRY_ALIASES: dict[str, str] = {
    "peru": "PER", "perú": "PER", "colombia": "COL", "bolivia": "BOL", "venezuela": "VEN", "ecuador": "ECU",
    "brasil": "BRA", "brazil": "BRA", "méxico": "MEX", "mexico": "MEX", "panamá": "PAN", "panama": "PAN",
    "españa": "ESP", "spain": "ESP", "países bajos": "NLD", "holanda": "NLD", "holland": "NLD",
    "the netherlands": "NLD", "netherlands": "NLD", "belgica": "BEL", "bélgica": "BEL", "alemania": "DEU",
    "estados unidos": "USA", "eeuu": "USA", "ee.uu.": "USA", "usa": "USA", "us": "USA", "united states": "USA",
    "united states of america": "USA", "uk": "GBR", "united kingdom": "GBR", "great britain": "GBR",
    "reino unido": "GBR", "russia": "RUS", "iran": "IRN", "syria": "SYR", "vietnam": "VNM", "viet nam": "VNM",
    "south korea": "KOR", "korea": "KOR", "north korea": "PRK", "laos": "LAO", "bolivia (plurinational state of)":
    "BOL", "tanzania": "TZA", "moldova": "MDA", "turkey": "TUR", "türkiye": "TUR", "turkiye": "TUR",
    "ivory coast": "CIV", "côte d'ivoire": "CIV", "cote d'ivoire": "CIV", "cape verde": "CPV",
    "cabo verde": "CPV", "czech republic": "CZE", "czechia": "CZE", "macedonia": "MKD", "burma": "MMR",
    "myanmar": "MMR", "república dominicana": "DOM", "republica dominicana": "DOM", "costa rica": "CRI",
    "guayana francesa": "GUF", "paraguay": "PRY", "uruguay": "URY", "argentina": "ARG", "chile": "CHL",
    "indonesia": "IDN", "filipinas": "PHL", "philippines": "PHL", "tailandia": "THA", "thailand": "THA",
    "china": "CHN", "hong kong": "HKG", "taiwan": "TWN", "palestine": "PSE", "kosovo": "XKX",
}


@cache
def country_spellings() -> dict[str, str]:
    """Every accepted spelling of a country (alpha-3, alpha-2, names) to its ISO 3166-1 alpha-3 code."""
    spellings: dict[str, str] = {}
    for country in pycountry.countries:
        alpha3 = country.alpha_3
        for attribute in ("alpha_3", "alpha_2", "name", "official_name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                spellings[value.strip().lower()] = alpha3
    spellings.update(_COUNTRY_ALIASES)
    return spellings


DISPOSITION_OUTCOMES = frozenset({"convicted", "plea_convicted", "acquitted", "dismissed", "diverted",
                                  "statute_barred", "withdrawn", "died"})


def vocabulary_spellings(values: tuple[str, ...]) -> dict[str, str]:
    """Accepted spellings (keys as `_keys` writes them) of the vocabulary whose codes are `values`: units,
    substance groups, disposition outcomes, entry point kinds; empty for the others (codes only)."""
    from baliza.contract.vocabularies import ENTRY_POINT_KINDS, QUANTITY_UNITS, SUBSTANCE_GROUPS

    vocabulary = frozenset(values)
    if vocabulary == frozenset(QUANTITY_UNITS):
        return {key: unit for spelling, unit in UNIT_SPELLINGS.items() for key in _keys(spelling)}
    known = {frozenset(SUBSTANCE_GROUPS): SUBSTANCE_GROUP_SPELLINGS, DISPOSITION_OUTCOMES: OUTCOME_SPELLINGS,
             frozenset(ENTRY_POINT_KINDS): ENTRY_POINT_KIND_SPELLINGS}
    return dict(known.get(vocabulary, {}))


def is_alpha3(code: str) -> bool:
    return code in alpha3_codes()


@cache
def alpha3_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-3 code (and XKX, Kosovo's user-assigned code)."""
    return frozenset(c.alpha_3 for c in pycountry.countries) | {"XKX"}
