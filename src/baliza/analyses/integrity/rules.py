"""The red-flag rules as data: `rules.yaml` beside this module, and an agency's own overrides.

Every threshold a flag rests on (minimum samples, effect sizes, windows, the FDR level) is read from here;
no rule spells one of its own. Method texts are written from the same entries (`RuleSettings.criteria`), so
what a finding says it did is what it did (as messages: each `says` phrase is a catalogue msgid, its `{}`
written `%(value)s`, extracted from this file by `python -m baliza.i18n.extract`), and every finding records
the settings it was computed with
(`RuleSettings.record`, in its details).

An agency's settings file overrides values, nothing else::

    fdr_level: 0.1                 # every tested rule
    rules:
      seizure_not_converted:
        min_seizures: 10
        fdr_level: 0.05            # this rule only
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from baliza.analyses import definitions
from baliza.analyses.model import Message
from baliza.analyses.wording import share, significant
from baliza.i18n import N_

KINDS = ("unit_test", "case_fact")
_FIELD = re.compile(r"\{\d*(?::([^}]*))?\}")
FDR_WORDS = N_("flagged at Benjamini-Hochberg q <= %(value)s across every unit tested by every rule")


def says_msgid(says: str) -> str:
    """A setting's phrase as a catalogue msgid: its one `{...}` field becomes `%(value)s`."""
    escaped = _FIELD.sub("\0", " ".join(says.split())).replace("%", "%%")
    return escaped.replace("\0", "%(value)s")


def meaning_msgid(meaning: str) -> str:
    """A rule's meaning as a catalogue msgid (one line)."""
    return " ".join(meaning.split())


class SettingsError(ValueError):
    """A settings file that cannot be used, with what is wrong in it."""


@dataclass(frozen=True)
class SettingSpec:
    """One threshold of a rule: its default and the phrase the method text says about it."""

    name: str
    default: float | int
    says: str
    defined_in: str | None = None  # the name in baliza.analyses.definitions it comes from, if any

    def phrase(self, value: float | int) -> str:
        return self.says.format(value)

    def message(self, value: float | int) -> Message:
        """The phrase as a message, the value formatted as its `{...}` field says (`{:.0%}`: a share)."""
        found = _FIELD.search(self.says)
        spec = (found.group(1) or "") if found else ""
        shown: object = value
        if spec.endswith("%"):
            shown = share(float(value), int(spec[1:-1] or 0) if spec.startswith(".") else 0)
        elif isinstance(value, float) and 0 < abs(value) < 0.01:
            shown = significant(value)
        return Message(says_msgid(self.says), {"value": shown})


@dataclass(frozen=True)
class RuleSpec:
    name: str
    kind: str
    subject: str
    meaning: str
    settings: dict[str, SettingSpec]
    fdr_level: float | None  # unit tests only


@dataclass(frozen=True)
class RuleSettings:
    """The values one rule runs with (defaults with the agency's overrides applied)."""

    spec: RuleSpec
    values: Mapping[str, float | int]
    fdr_level: float | None
    source: str  # "defaults" or the settings file

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    @property
    def fdr(self) -> float:
        """The FDR level of a unit-test rule."""
        if self.fdr_level is None:
            raise ValueError(f"{self.spec.name} states facts about cases: it has no FDR level")
        return self.fdr_level

    def criteria(self, *names: str) -> tuple[Message, ...]:
        """The method text's phrases for these settings (all of them by default), then the FDR level: one
        message (sentence) each."""
        chosen = names or tuple(self.spec.settings)
        parts = [self.spec.settings[n].message(self.values[n]) for n in chosen]
        if self.fdr_level is not None:
            parts.append(Message(FDR_WORDS, {"value": float(self.fdr_level)}))
        return tuple(parts)

    def record(self) -> dict[str, Any]:
        """What goes into a finding's details: every value used and where the values came from."""
        out: dict[str, Any] = {"source": self.source, **self.values}
        if self.fdr_level is not None:
            out["fdr_level"] = self.fdr_level
        return out


@dataclass(frozen=True)
class FlagSettings:
    """Every rule's settings; `FlagSettings.load(path)` applies an agency's file over the catalogue."""

    rules: dict[str, RuleSettings] = field(default_factory=dict)
    source: str = "defaults"

    def rule(self, name: str) -> RuleSettings:
        return self.rules[name]

    @classmethod
    def defaults(cls) -> FlagSettings:
        return cls.load(None)

    @classmethod
    def load(cls, path: Path | str | None) -> FlagSettings:
        overrides: dict[str, Any] = {}
        source = "defaults"
        if path is not None:
            path = Path(path)
            if not path.is_file():
                raise SettingsError(f"settings file {path} does not exist")
            try:
                overrides = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            except yaml.YAMLError as error:
                raise SettingsError(f"settings file {path} is not valid YAML: {error}") from error
            if not isinstance(overrides, dict):
                raise SettingsError(f"settings file {path}: expected a mapping with fdr_level and/or rules")
            source = str(path)
        return cls(_apply(overrides, source), source)


@cache
def load_rules() -> tuple[RuleSpec, ...]:
    """The catalogue of rules, in the order of `rules.yaml`."""
    text = resources.files("baliza.analyses.integrity").joinpath("rules.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    default_fdr = float(data["fdr_level"])
    out = []
    for entry in data["rules"]:
        if entry["kind"] not in KINDS:
            raise ValueError(f"rules.yaml: {entry['name']} has kind {entry['kind']!r}, not one of {KINDS}")
        settings = {name: _setting(name, spec) for name, spec in (entry.get("settings") or {}).items()}
        fdr = float(entry.get("fdr_level", default_fdr)) if entry["kind"] == "unit_test" else None
        out.append(RuleSpec(entry["name"], entry["kind"], entry["subject"], meaning_msgid(entry["meaning"]),
                            settings, fdr))
    return tuple(out)


def _setting(name: str, spec: dict[str, Any]) -> SettingSpec:
    if "from" in spec:
        return SettingSpec(name, getattr(definitions, spec["from"]), spec["says"], spec["from"])
    return SettingSpec(name, spec["value"], spec["says"])


def _apply(overrides: dict[str, Any], source: str) -> dict[str, RuleSettings]:
    unknown = set(overrides) - {"fdr_level", "rules"}
    if unknown:
        raise SettingsError(f"{source}: unknown top-level key(s) {sorted(unknown)}; expected fdr_level, rules")
    global_fdr = overrides.get("fdr_level")
    if global_fdr is not None:
        _check_fdr(global_fdr, f"{source}: fdr_level")
    per_rule = overrides.get("rules") or {}
    if not isinstance(per_rule, dict):
        raise SettingsError(f"{source}: rules must be a mapping of rule name to settings")
    specs = {spec.name: spec for spec in load_rules()}
    unknown = set(per_rule) - set(specs)
    if unknown:
        raise SettingsError(f"{source}: no rule named {sorted(unknown)}; the rules are {sorted(specs)}")
    out: dict[str, RuleSettings] = {}
    for name, spec in specs.items():
        given = dict(per_rule.get(name) or {})
        fdr = given.pop("fdr_level", global_fdr if global_fdr is not None else spec.fdr_level)
        if spec.fdr_level is None:
            fdr = None  # a fact about one case has no FDR level
        elif fdr is not None:
            _check_fdr(fdr, f"{source}: {name}.fdr_level")
        values: dict[str, float | int] = {}
        for key, setting in spec.settings.items():
            values[key] = _check_value(given.pop(key, setting.default), setting, f"{source}: {name}.{key}")
        if given:
            raise SettingsError(f"{source}: rule {name} has no setting {sorted(given)}; it has "
                                f"{sorted(spec.settings) + (['fdr_level'] if spec.fdr_level else [])}")
        out[name] = RuleSettings(spec, values, fdr, source)
    return out


def _check_fdr(value: Any, where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < float(value) < 1:
        raise SettingsError(f"{where} must be a number between 0 and 1, not {value!r}")


def _check_value(value: Any, setting: SettingSpec, where: str) -> float | int:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or float(value) < 0:
        raise SettingsError(f"{where} must be a number >= 0, not {value!r}")
    if isinstance(setting.default, int) and not float(value).is_integer():
        raise SettingsError(f"{where} must be a whole number, not {value!r}")
    return int(float(value)) if isinstance(setting.default, int) else float(value)
