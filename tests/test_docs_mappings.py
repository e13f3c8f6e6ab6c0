"""docs/mappings.md documents every rule and key a mapping reads, and its example is a valid mapping."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from baliza.load.mapping import parse_mapping, shipped_mappings
from baliza.load.mapping.spec import RULE_KINDS

DOC = Path(__file__).resolve().parents[1] / "docs" / "mappings.md"
SPEC = Path(__file__).resolve().parents[1] / "src" / "baliza" / "load" / "mapping" / "spec.py"


def test_every_rule_and_key_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    read_keys = set(re.findall(r"""(?:source|content|spec|entry|value)(?:\.get\(|\[)"(\w+)\"""", SPEC.read_text()))
    assert {"header_row", "sheet", "fill_down", "default", "decimal_mark", "vocabulary", "lookup"} <= read_keys
    missing = [key for key in sorted(read_keys | set(RULE_KINDS)) if f"`{key}`" not in text and f"{key}:" not in text]
    assert not missing, f"not documented in docs/mappings.md: {missing}"


def test_the_documented_example_is_a_valid_mapping() -> None:
    block = DOC.read_text(encoding="utf-8").split("## A mapping, key by key")[1].split("```yaml")[1].split("```")[0]
    content = yaml.safe_load(block.replace("    file: commands.csv          # or (also) a CSV beside the mapping: "
                                           "spelling, value\n", ""))
    mapping = parse_mapping(content)
    assert mapping.header_row == 3 and mapping.delimiter == ";" and mapping.fill_down == ("DEPARTAMENTO",)
    assert mapping.translations["police_commands"].values["bogota d.c."] == "U-CO-MEBOG"


def test_every_shipped_mapping_is_in_the_docs() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert shipped_mappings() == ["co-police", "kcs"]
    assert all(f"`{name}`" in text for name in shipped_mappings())
