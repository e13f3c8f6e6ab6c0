"""Quantity and unit as vendors write them, read from listing titles in one vectorised pass per pattern.

"3.5G", "1 oz", "2 gramos", "1 kilo", "1/8", "QP", "eight ball" are masses, turned into grams; "100 pills",
"x10", "10 x 250ug", "Tramadol 100mg x30", "5 selos" are doses (tablets, blotters, capsules), with the
strength of one dose in mg where it is written. Patterns are tried in the order below, the first that
matches wins: a strength followed by a count ("250mg x10") is a pack of doses, not 0.25 g.

Street measures: an ounce is 28.35 g (an eighth, "1/8" or an eight ball, 3.54 g; a quarter 7.09 g; a half
14.17 g), a pound 453.6 g, a quarter pound ("QP") 113.4 g, a half pound ("HP") 226.8 g, a kilo or a brick
1,000 g. Volumes (ml, litres) are kept as written, with no grams.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

OUNCE_G = 28.349523125
POUND_G = 453.59237
MASS_UNITS: dict[str, tuple[str, float]] = {  # as written -> (unit, grams per unit)
    **{w: ("g", 1.0) for w in ("g", "gr", "grs", "gram", "grams", "gramo", "gramos", "grama", "gramas", "gm")},
    **{w: ("kg", 1000.0) for w in ("kg", "kgs", "kilo", "kilos", "quilo", "quilos")},
    **{w: ("mg", 0.001) for w in ("mg",)},
    **{w: ("ug", 1e-6) for w in ("ug", "mcg", "µg")},
    **{w: ("oz", OUNCE_G) for w in ("oz", "ounce", "ounces", "onza", "onzas", "zip", "zips")},
    **{w: ("lb", POUND_G) for w in ("lb", "lbs", "pound", "pounds", "libra", "libras")},
}
VOLUME_UNITS: dict[str, str] = {"ml": "ml", **{w: "l" for w in ("l", "lt", "litro", "litros", "liter", "liters",
                                                                "litre", "litres")}}
DOSE_WORDS = ("pills", "pill", "tabs", "tab", "tablets", "tablet", "tabletas", "tableta", "pastillas", "pastilla",
              "comprimidos", "comprimido", "pcs", "pieces", "piezas", "blotters", "blotter", "cartones", "carton",
              "hits", "u", "un", "unidades", "units", "unit", "caps", "capsules", "capsulas", "doses", "dose", "dosis",
              "sellos", "sello", "selos", "selo", "micropontos", "balas", "papeletas", "strips", "patches", "parches",
              "adesivos", "vials", "ampollas", "botones", "buttons")
STRENGTH_MG: dict[str, float] = {"mg": 1.0, "ug": 0.001, "mcg": 0.001, "µg": 0.001, "g": 1000.0}
WORD_GRAMS: dict[str, tuple[float, str, float]] = {  # street word -> (quantity, unit, grams)
    "qp": (0.25, "lb", POUND_G / 4), "hp": (0.5, "lb", POUND_G / 2), "half oz": (0.5, "oz", OUNCE_G / 2),
    "half ounce": (0.5, "oz", OUNCE_G / 2), "quarter oz": (0.25, "oz", OUNCE_G / 4),
    "quarter ounce": (0.25, "oz", OUNCE_G / 4), "eighth": (0.125, "oz", OUNCE_G / 8),
    "eight ball": (0.125, "oz", OUNCE_G / 8), "8 ball": (0.125, "oz", OUNCE_G / 8), "8ball": (0.125, "oz", OUNCE_G / 8),
    "oz": (1.0, "oz", OUNCE_G), "ounce": (1.0, "oz", OUNCE_G), "onza": (1.0, "oz", OUNCE_G),
    "zip": (1.0, "oz", OUNCE_G), "kilo": (1.0, "kg", 1000.0), "brick": (1.0, "kg", 1000.0),
    "lb": (1.0, "lb", POUND_G), "pound": (1.0, "lb", POUND_G), "libra": (1.0, "lb", POUND_G),
}
FRACTIONS: dict[str, float] = {"1/16": 1 / 16, "1/8": 1 / 8, "1/4": 1 / 4, "1/2": 1 / 2}

_NUM = r"(?P<q>\d+(?:\.\d+)?)"
_DOSES = "|".join(DOSE_WORDS)
_MASS = "|".join(sorted({*MASS_UNITS, *VOLUME_UNITS}, key=len, reverse=True))
PATTERNS: tuple[tuple[str, str], ...] = (
    ("pack", r"(?P<count>\d+)\s*(?:x|\*)\s*" + _NUM.replace("q", "dose") + r"\s*(?P<strength>mg|ug|mcg|µg)\b"),
    ("strength_count", _NUM.replace("q", "dose") + r"\s*(?P<strength>mg|ug|mcg|µg)\b[^0-9]{0,24}?(?:x|\*)\s*"
     r"(?P<count>\d+)\b"),
    ("count", r"(?P<count>\d+)\s*(?P<word>" + _DOSES + r")\b"),
    ("fraction", r"(?:^|[^0-9/])(?P<frac>1/16|1/8|1/4|1/2)(?:\s*(?P<word>oz|onza|ounce|lb))?(?:[^0-9/]|$)"),
    ("mass", _NUM + r"\s*(?P<word>" + _MASS + r")\b"),
    ("word", r"\b(?P<word>" + "|".join(sorted(WORD_GRAMS, key=len, reverse=True)) + r")\b"),
    ("x_count", r"(?:^|\s|\()(?:x|\*)\s*(?P<count>\d+)\b"),
    ("pack_of", r"\b(?:pack|paquete|pacote|caja|box)\s+(?:of|de|x)\s+(?P<count>\d+)\b"),
)


@dataclass(frozen=True)
class Quantities:
    """Per listing (columns): the quantity and unit as written (canonical unit names), grams where it is a
    mass, doses where it is a count, the strength of one dose in mg, and the pattern that read it."""

    quantity: np.ndarray
    unit: np.ndarray
    grams: np.ndarray
    doses: np.ndarray
    dose_mg: np.ndarray
    pattern: np.ndarray


def _prepare(titles: pa.Array) -> pa.Array:
    text = pc.utf8_lower(pc.fill_null(titles.cast(pa.string()), ""))
    text = pc.replace_substring_regex(text, r"(\d),(\d)", r"\1.\2")  # 3,5g
    return pc.replace_substring(text, "×", "x")


def _number(struct: pa.StructArray, field: str) -> np.ndarray:
    return pc.cast(pc.struct_field(struct, field), pa.float64(), safe=False).to_numpy(zero_copy_only=False)


def _lookup(values: list[str | None], table: dict[str, tuple], index: int, default: object = None) -> list[object]:
    return [table[v][index] if v in table else default for v in values]


def extract_quantities(titles: pa.Array | list[str | None]) -> Quantities:
    """Quantity, unit, grams and doses of each title (nan / None where it says none)."""
    text = _prepare(titles if isinstance(titles, pa.Array) else pa.array(titles, pa.string()))
    n = len(text)
    quantity, grams, doses, dose_mg = (np.full(n, np.nan) for _ in range(4))
    unit = np.full(n, None, dtype=object)
    pattern = np.full(n, None, dtype=object)
    for name, regex in PATTERNS:
        todo = np.flatnonzero(pattern == None)  # noqa: E711  (object array: elementwise)
        if len(todo) == 0:
            break
        found = pc.extract_regex(text.take(pa.array(todo)), regex)
        hit = pc.is_valid(found).to_numpy(zero_copy_only=False)
        rows, found = todo[hit], found.filter(pa.array(hit))
        if len(rows) == 0:
            continue
        pattern[rows] = name
        if name in ("pack", "strength_count"):
            count = _number(found, "count")
            strength = np.array(_lookup(pc.struct_field(found, "strength").to_pylist(), {k: (v,) for k, v in
                                                                                          STRENGTH_MG.items()}, 0))
            quantity[rows], doses[rows], unit[rows] = count, count, "doses"
            dose_mg[rows] = _number(found, "dose") * strength.astype(float)
        elif name in ("count", "x_count", "pack_of"):
            count = _number(found, "count")
            quantity[rows], doses[rows], unit[rows] = count, count, "doses"
        elif name == "mass":
            words = pc.struct_field(found, "word").to_pylist()
            q = _number(found, "q")
            per = np.array(_lookup(words, MASS_UNITS, 1, np.nan), dtype=float)
            quantity[rows], grams[rows] = q, q * per
            unit[rows] = [MASS_UNITS[w][0] if w in MASS_UNITS else VOLUME_UNITS[w] for w in words]
        elif name == "fraction":
            fraction = np.array([FRACTIONS[f] for f in pc.struct_field(found, "frac").to_pylist()])
            pound = np.array([w == "lb" for w in pc.struct_field(found, "word").to_pylist()])
            quantity[rows], unit[rows] = fraction, np.where(pound, "lb", "oz")
            grams[rows] = fraction * np.where(pound, POUND_G, OUNCE_G)
        else:  # street words
            words = [" ".join(w.split()) for w in pc.struct_field(found, "word").to_pylist()]
            quantity[rows] = _lookup(words, WORD_GRAMS, 0, np.nan)
            unit[rows] = _lookup(words, WORD_GRAMS, 1)
            grams[rows] = _lookup(words, WORD_GRAMS, 2, np.nan)
    return Quantities(quantity, unit, grams, doses, dose_mg, pattern)
