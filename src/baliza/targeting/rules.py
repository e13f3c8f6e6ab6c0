"""Risk profiles as data: the rules a targeting unit writes (`profiles/*.yaml`), versioned and checked.

A rule names one feature and a condition (`equals`, `above`, `below`, `outside [low, high]`). Rules do two
things: each one's match is a feature the gradient-boosted model weighs (so a rule that never finds anything
earns no weight), and the rules a declaration matches are printed beside it in the queue as reasons. A profile
carries a version and its change notes; the model keeps the version and the file's digest, so the audit
log can say which profile chose which container.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from baliza.i18n import gettext as _

PROFILES = Path(__file__).parent / "profiles"
OPERATORS = ("equals", "above", "below", "outside")


@dataclass(frozen=True)
class Rule:
    rule_id: str
    title: str
    feature: str
    operator: str
    value: float | tuple[float, float]

    @property
    def column(self) -> str:
        return "rule_" + self.rule_id.replace("-", "_")

    def matches(self, frame: pd.DataFrame) -> np.ndarray:
        """Where the rule holds; nowhere when the data has no such feature (e.g. no declarant in the export)."""
        if self.feature not in frame.columns:
            return np.zeros(len(frame), dtype=bool)
        x = pd.to_numeric(frame[self.feature], errors="coerce").to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            if self.operator == "equals":
                hit = x == self.value
            elif self.operator == "above":
                hit = x > self.value
            elif self.operator == "below":
                hit = x < self.value
            else:
                low, high = self.value  # type: ignore[misc]
                hit = (x < low) | (x > high)
        return hit & ~np.isnan(x)

    def condition(self) -> str:
        """The condition as written in the documentation: `mass_z` outside [-2.5, 2.5]."""
        if isinstance(self.value, tuple):
            return f"`{self.feature}` outside [{self.value[0]:g}, {self.value[1]:g}]"
        sign = {"equals": "=", "above": ">", "below": "<"}[self.operator]
        return f"`{self.feature}` {sign} {self.value:g}"

    def to_dict(self) -> dict[str, object]:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {"id": self.rule_id, "title": self.title, "feature": self.feature, self.operator: value}


@dataclass(frozen=True)
class Profile:
    name: str
    version: int
    digest: str
    hubs: tuple[str, ...]
    rules: tuple[Rule, ...]

    def matches(self, frame: pd.DataFrame) -> pd.DataFrame:
        """One 0/1 column per rule (`rule_<id>`)."""
        return pd.DataFrame({r.column: r.matches(frame).astype(float) for r in self.rules}, index=frame.index)

    def markdown(self) -> str:
        """The rules as the table in docs/targeting.md (a test keeps the two the same)."""
        rows = [f"| `{r.rule_id}` | {r.title} | {r.condition()} |" for r in self.rules]
        return "\n".join(["| rule | title | condition |", "|---|---|---|", *rows])

    def to_dict(self) -> dict[str, object]:
        return {"profile": self.name, "version": self.version, "digest": self.digest,
                "hubs": list(self.hubs), "rules": [r.to_dict() for r in self.rules]}


def load_profile(name_or_path: str | Path = "default", features: set[str] | None = None) -> Profile:
    """A shipped profile by name or a profile file; every rule is checked against the features there are."""
    path = Path(name_or_path)
    if not path.suffix:
        path = PROFILES / f"{name_or_path}.yaml"
    if not path.is_file():
        raise ValueError(_("No rule profile at %(path)s.", path=str(path)))
    text = path.read_bytes()
    raw = yaml.safe_load(text) or {}
    version = raw.get("version")
    if not isinstance(version, int) or version < 1:
        raise ValueError(_("The rule profile %(name)s needs a whole version number of 1 or more.", name=path.name))
    rules = tuple(_rule(entry, path.name, features) for entry in raw.get("rules") or ())
    seen = [r.rule_id for r in rules]
    doubled = sorted({r for r in seen if seen.count(r) > 1})
    if doubled:
        raise ValueError(_("The rule profile %(name)s names the rule %(rule)s twice.", name=path.name, rule=doubled[0]))
    return Profile(str(raw.get("profile") or path.stem), version, hashlib.sha256(text).hexdigest()[:16],
                   tuple(map(str, raw.get("hubs") or ())), rules)


def _rule(entry: dict, file: str, features: set[str] | None) -> Rule:
    rule_id = str(entry.get("id") or "")
    when = entry.get("when") or {}
    operators = [o for o in OPERATORS if o in when]
    feature = str(when.get("feature") or "")
    if not rule_id or not feature or len(operators) != 1:
        raise ValueError(_("The rule %(rule)s in %(name)s needs an id, a feature and one condition (%(ops)s).",
                           rule=rule_id or "?", name=file, ops=", ".join(OPERATORS)))
    if features is not None and feature not in features:
        raise ValueError(_("The rule %(rule)s in %(name)s reads %(feature)s, which is not a feature.",
                           rule=rule_id, name=file, feature=feature))
    operator = operators[0]
    raw = when[operator]
    try:
        value: float | tuple[float, float]
        if operator == "outside":
            low, high = (float(v) for v in raw)
            value = (low, high)
        else:
            value = float(raw)
    except (TypeError, ValueError):
        raise ValueError(_("The rule %(rule)s in %(name)s has a condition that is not a number.",
                           rule=rule_id, name=file)) from None
    return Rule(rule_id, str(entry.get("title") or rule_id), feature, operator, value)
