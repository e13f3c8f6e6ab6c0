"""docs/indicators.md documents every indicator of the catalogue (like datasette's documented-settings test)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from baliza.analyses.ksi import load_catalogue

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGE = DOCS / "indicators.md"


@pytest.fixture(scope="module")
def documented() -> set[str]:
    return set(re.findall(r"^## `([a-z0-9_]+)`$", PAGE.read_text(encoding="utf-8"), re.M))


@pytest.mark.parametrize("name", [spec.name for spec in load_catalogue()])
def test_indicator_is_documented(name: str, documented: set[str]) -> None:
    assert name in documented, f"{name} is missing from docs/indicators.md: run python docs/build_indicators.py"


def test_no_documented_indicator_is_gone_from_the_catalogue(documented: set[str]) -> None:
    assert documented <= {spec.name for spec in load_catalogue()}


def test_page_matches_the_catalogue() -> None:
    spec = importlib.util.spec_from_file_location("build_indicators", DOCS / "build_indicators.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert PAGE.read_text(encoding="utf-8") == module.build_page(), (
        "docs/indicators.md is out of date: run PYTHONPATH=src python docs/build_indicators.py"
    )


def test_each_entry_states_numerator_denominator_direction_and_minimum_sample() -> None:
    text = PAGE.read_text(encoding="utf-8")
    for spec in load_catalogue():
        entry = text.split(f"## `{spec.name}`", 1)[1].split("\n## ", 1)[0]
        for field in ("Numerator", "Denominator", "Direction", "Minimum sample"):
            assert f"| {field} |" in entry, f"{spec.name}: no {field}"
        assert spec.meaning in entry
