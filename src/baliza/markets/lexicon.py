"""The terms that name a substance group in a listing: the project's own lexicon (es, pt, en; shipped in
`data/lexicon.yaml`) and, when it is there, the DEA slang list (`slang`). Matched on whole words of the
folded text (`text.fold_column`), one regular expression per group and source, so a million titles are
matched by a handful of vectorised passes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import yaml

from baliza.markets.text import fold

DATA = Path(__file__).parent / "data"
SUBSTANCE_GROUPS: tuple[str, ...] = ("cocaine_type", "cannabis_type", "opiates", "synthetic_opioids", "ats", "nps",
                                     "sedatives", "hallucinogens", "precursors", "other")
SOURCES: tuple[str, ...] = ("own", "dea")


@dataclass(frozen=True)
class Lexicon:
    """Terms by source ("own", "dea") and substance group, folded."""

    terms: dict[str, dict[str, tuple[str, ...]]]

    def pattern(self, source: str, group: str) -> str | None:
        """One regular expression matching any of the group's terms from `source` as whole words."""
        words = sorted(self.terms.get(source, {}).get(group, ()), key=len, reverse=True)
        if not words:
            return None
        return r"(?:^|\s)(?P<term>" + "|".join(re.escape(w) for w in words) + r")(?:\s|$)"

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(s for s in SOURCES if self.terms.get(s))


@cache
def own_terms() -> dict[str, tuple[str, ...]]:
    """The shipped lexicon: every group's terms in the three languages, folded and deduplicated."""
    declared = yaml.safe_load((DATA / "lexicon.yaml").read_text(encoding="utf-8"))["groups"]
    unknown = set(declared) - set(SUBSTANCE_GROUPS)
    if unknown:
        raise ValueError(f"lexicon.yaml: unknown substance groups {sorted(unknown)}")
    return {group: tuple(sorted({fold(str(t)) for terms in by_language.values() for t in terms} - {""}))
            for group, by_language in declared.items()}


def load_lexicon(slang_dir: Path | None = None) -> Lexicon:
    """The own lexicon, plus the DEA slang list when `slang_dir` (or the default place) has it."""
    from baliza.markets.slang import dea_terms

    terms = {"own": own_terms()}
    dea = dea_terms(slang_dir)
    if dea:
        terms["dea"] = dea
    return Lexicon(terms)


def match_terms(lexicon: Lexicon, folded: pa.Array) -> dict[tuple[str, str], pa.Array]:
    """For each (source, group), the first term of that group found in each folded text (null: none)."""
    found: dict[tuple[str, str], pa.Array] = {}
    for source in lexicon.sources:
        for group in SUBSTANCE_GROUPS:
            pattern = lexicon.pattern(source, group)
            if pattern is None:
                continue
            found[(source, group)] = pc.struct_field(pc.extract_regex(folded, pattern), "term")
    return found
