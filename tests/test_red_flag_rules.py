"""The red-flag rules as data: documented, read from rules.yaml, overridable by an agency, recorded in findings."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from baliza.analyses.integrity import FlagSettings, SettingsError, load_rules, red_flags
from baliza.cli.app import app
from baliza.warehouse import open_warehouse
from small_country import build_small_country

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "red-flags.md"
INTEGRITY = ROOT / "src" / "baliza" / "analyses" / "integrity"


def test_page_matches_the_rules() -> None:
    spec = importlib.util.spec_from_file_location("build_red_flags", ROOT / "docs" / "build_red_flags.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert PAGE.read_text(encoding="utf-8") == module.build_page(), (
        "docs/red-flags.md is out of date: run PYTHONPATH=src python docs/build_red_flags.py"
    )


def test_every_rule_the_code_names_has_an_entry_and_every_entry_is_used() -> None:
    named = set()
    for path in INTEGRITY.glob("*.py"):
        named |= set(re.findall(r'^RULE(?:_[A-Z]+)? = "([a-z_]+)"', path.read_text(encoding="utf-8"), re.M))
    assert named == {spec.name for spec in load_rules()}


def test_no_threshold_is_typed_in_the_rules_code() -> None:
    for path in INTEGRITY.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^(MIN_|[A-Z_]*WINDOW|TOLERANCE|FDR_LEVEL|RECHECK)[A-Z_]* = ", text, re.M), path.name
        assert "q <= 0.05" not in text, f"{path.name} types the FDR level by hand"


def _settings_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "agency.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules:\n  seizure_not_convertd:\n    min_seizures: 5\n", "no rule named ['seizure_not_convertd']"),
        ("rules:\n  seizure_not_converted:\n    min_seizure: 5\n", "has no setting ['min_seizure']"),
        ("fdr_level: 5\n", "fdr_level must be a number between 0 and 1"),
        ("rules:\n  outcome_outlier:\n    min_cases: many\n", "outcome_outlier.min_cases must be a number"),
        ("rules:\n  outcome_outlier:\n    min_cases: 7.5\n", "must be a whole number"),
        ("threshold: 3\n", "unknown top-level key(s) ['threshold']"),
        ("- a list\n", "expected a mapping"),
    ],
)
def test_a_bad_settings_file_is_refused_with_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SettingsError) as error:
        FlagSettings.load(_settings_file(tmp_path, text))
    assert message in str(error.value)


def test_overrides_apply_only_where_given() -> None:
    defaults = FlagSettings.defaults()
    assert defaults.rule("seizure_not_converted")["window_days"] == 90  # from definitions.CASE_WINDOW_DAYS
    assert defaults.rule("statute_barred").fdr_level is None  # a fact has no FDR level


def test_an_agencys_settings_change_the_flags_and_are_recorded(tmp_path: Path) -> None:
    with open_warehouse(tmp_path / "w.duckdb") as wh:
        country = build_small_country(wh, 3, leak=True)
        default = [f for f in red_flags(wh) if f.q_value is not None]
        assert {f.subject.id for f in default} == {country.leaking_unit}
        assert default[0].details["settings"]["source"] == "defaults"
        assert default[0].details["settings"]["fdr_level"] == 0.05
        path = _settings_file(tmp_path, "fdr_level: 0.01\nrules:\n  seizure_not_converted:\n    min_ratio: 50\n")
        strict = [f for f in red_flags(wh, path) if f.q_value is not None]
    assert strict == []
    text = " ".join(f.method for f in default)
    assert "O/E >= 1.5" in text and "q <= 0.05" in text  # written from the rules, not typed


def test_cli_flags_reads_the_settings_file(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with open_warehouse(db) as wh:
        build_small_country(wh, 3, leak=True)
    path = _settings_file(tmp_path, "rules:\n  seizure_not_converted:\n    min_excess: 6\n")
    result = CliRunner().invoke(app, ["flags", "--db", str(db), "--settings", str(path), "--json"])
    assert result.exit_code == 0, result.output
    flagged = [f for f in json.loads(result.stdout) if f["q_value"] is not None]
    assert flagged and flagged[0]["details"]["settings"]["min_excess"] == 6.0
    assert flagged[0]["details"]["settings"]["source"] == str(path)
    assert "O - E >= 6 seizures" in flagged[0]["method"]
    bad = CliRunner().invoke(app, ["flags", "--db", str(db), "--settings", str(tmp_path / "none.yaml")])
    assert bad.exit_code == 1 and "does not exist" in " ".join(bad.output.split())
