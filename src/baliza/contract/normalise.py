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
                     "kilogramo", "kilogramos", "kilograma", "kilogramas"], "kg"),
    **dict.fromkeys(["g", "gr", "grs", "gram", "grams", "gramme", "grammes", "gramo", "gramos", "grama",
                     "gramas"], "g"),
    **dict.fromkeys(["mg", "milligram", "milligrams", "miligramo", "miligramos"], "mg"),
    **dict.fromkeys(["l", "lt", "lts", "litre", "litres", "liter", "liters", "litro", "litros"], "l"),
    **dict.fromkeys(["ml", "millilitre", "millilitres", "milliliter", "milliliters", "mililitro",
                     "mililitros"], "ml"),
    **dict.fromkeys(["tablets", "tablet", "tabs", "tab", "pills", "pill", "pastillas", "pastilla",
                     "comprimidos", "comprimido", "tabletas", "tableta"], "tablets"),
    **dict.fromkeys(["doses", "dose", "dosis", "doses_", "blotters", "blotter"], "doses"),
    **dict.fromkeys(["plants", "plant", "plantas", "planta", "pies"], "plants"),
    **dict.fromkeys(["units", "unit", "unidades", "unidad", "pcs", "pieces", "items"], "units"),
}

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


def is_alpha3(code: str) -> bool:
    return code in alpha3_codes()


@cache
def alpha3_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-3 code (and XKX, Kosovo's user-assigned code)."""
    return frozenset(c.alpha_3 for c in pycountry.countries) | {"XKX"}
