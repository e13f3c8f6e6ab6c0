"""The US DEA list of drug slang code words, read at run time from the data folder beside the project.

The list (`dea_slang_terms.txt`, MIT licence, from the DOPE package by Balise, Bouzoubaa, Odom et al.) is
never copied into Baliza: it is read where it lies, found through `$BALIZA_DRUG_SLANG` or at
`../shared/data/drug-slang` beside the project, and Baliza works without it (the own lexicon and the
classifier remain). Each line is `Class~Brand~term; term; ...`; classes map to the contract's substance
groups below. Notes in parentheses ("(mixed with heroin)") are dropped, terms of two characters or fewer and
terms the list gives to classes of different groups ("Candy", "Blue") are left out: they name nothing alone.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

from baliza.markets.text import fold

SLANG_FILE = "dea_slang_terms.txt"
CLASS_GROUPS: dict[str, str] = {
    "Amphetamine": "ats", "Cocaine": "cocaine_type", "Crack Cocaine": "cocaine_type",
    "Fentanyl and Fentanyl Derivatives": "synthetic_opioids", "GHB": "sedatives", "Heroin": "opiates",
    "Hydrocodone": "opiates", "Ketamine": "nps", "Clonazepam": "sedatives", "LSD": "hallucinogens",
    "Marijuana": "cannabis_type", "Marijuana Concentrates": "cannabis_type", "MDMA": "ats",
    "Mescaline": "hallucinogens", "Methamphetamine": "ats", "Mushrooms": "hallucinogens", "Opium": "opiates",
    "Oxycodone": "opiates", "PCP": "hallucinogens", "Acetaminophen and Oxycodone": "opiates",
    "Peyote": "hallucinogens", "Promethazine with Codeine": "opiates", "Ritalin": "ats",
    "Synthetic Cannabinoids": "nps", "Synthetic Cathinones": "nps", "Alprazolam": "sedatives",
}


def slang_dir(explicit: Path | None = None) -> Path | None:
    """Where the slang list is: `explicit`, else `$BALIZA_DRUG_SLANG`, else `../shared/data/drug-slang`
    beside the working folder or the project; None when it is nowhere."""
    candidates = [explicit] if explicit is not None else [
        Path(p) for p in (os.environ.get("BALIZA_DRUG_SLANG"),) if p] + [
        Path.cwd().parent / "shared" / "data" / "drug-slang",
        Path(__file__).resolve().parents[4] / "shared" / "data" / "drug-slang"]
    return next((c for c in candidates if (c / SLANG_FILE).is_file()), None)


def parse_slang(text: str) -> dict[str, tuple[str, ...]]:
    """The slang terms of `text` (the list's format) by substance group, folded, ambiguous ones left out."""
    groups_of: dict[str, set[str]] = defaultdict(set)
    for line in text.splitlines():
        parts = line.split("~")
        if len(parts) != 3 or parts[0].strip() not in CLASS_GROUPS:
            continue
        group = CLASS_GROUPS[parts[0].strip()]
        for raw in [parts[1], *parts[2].split(";")]:
            term = fold(raw.split("(")[0])
            if len(term) > 2:
                groups_of[term].add(group)
    by_group: dict[str, set[str]] = defaultdict(set)
    for term, groups in groups_of.items():
        if len(groups) == 1:
            by_group[next(iter(groups))].add(term)
    return {group: tuple(sorted(terms)) for group, terms in by_group.items()}


def dea_terms(directory: Path | None = None) -> dict[str, tuple[str, ...]]:
    """The DEA slang terms by group, or {} when the list is not there."""
    found = slang_dir(directory)
    if found is None:
        return {}
    return parse_slang((found / SLANG_FILE).read_text(encoding="utf-8"))
