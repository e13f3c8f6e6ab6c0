"""Write docs/red-flags.md from the red-flag rules (src/baliza/analyses/integrity/rules.yaml).

Run after changing the rules:  PYTHONPATH=src python docs/build_red_flags.py
tests/test_docs_red_flags.py fails when the page is out of date or a rule is missing from it.
"""

from __future__ import annotations

from pathlib import Path

from baliza.analyses.integrity import FlagSettings, load_rules
from baliza.analyses.integrity.rules import RuleSpec
from baliza.stats.funnel import LEAVE_ONE_OUT_UNITS

PAGE = Path(__file__).with_name("red-flags.md")

INTRO = """# Red flags

*This page is generated from the red-flag rules (`src/baliza/analyses/integrity/rules.yaml`) by
`docs/build_red_flags.py`; edit the rules, not this page.*

For an inspectorate or a disciplinary board reading `baliza flags`: what makes a flag, with every threshold.
A flag is a reason to look at the records, never a verdict. Each finding lists the rows it rests on, says in
its method text how it was computed (written from the values below), and records the settings it was computed
with (`details.settings` in `baliza flags --json`).

Two kinds of rule:

- **Unit tests** compare a prosecutor, judge, prosecution office or seizing unit with its peers, after
  adjusting for the cases it handled (a logistic case-mix model). Real units differ more than chance allows,
  so the comparison allows for the spread between ordinary units (tau², DerSimonian-Laird). Wherever there
  are at most LEAVE_ONE_OUT_UNITS units, that spread is estimated **leaving the judged unit out**, so that in a
  small country (four or five seizing units) the outlier cannot widen the yardstick it is measured with; with
  more units one unit cannot move it, and one estimate over all of them is used. One Benjamini-Hochberg step
  controls the false discovery rate across every unit tested by every rule; a unit is flagged only where its
  q-value is at most the rule's FDR level *and* its effect is material (the minimums below).
- **Case facts** state something about one case (a case lost to the statute of limitations); they carry no
  statistics.

## Changing the thresholds

An agency may set its own values in a YAML file and run `baliza flags --settings my-settings.yaml`. Only
values are set; a rule or setting the file names must exist (a typo is an error, not a silent default):

```yaml
fdr_level: 0.1              # every tested rule
rules:
  seizure_not_converted:
    min_seizures: 10        # small units tested too
    fdr_level: 0.05         # this rule keeps the stricter level
```

Values marked *from `NAME`* are the shared definitions of `baliza.analyses.definitions` (the chain and the
indicators use the same ones); overriding them here changes the flags only.
"""

KIND_WORDS = {"unit_test": "unit test (FDR-controlled)", "case_fact": "case fact (no statistics)"}


def rule_entry(spec: RuleSpec, settings: FlagSettings) -> str:
    values = settings.rule(spec.name)
    rows = [f"| Kind | {KIND_WORDS[spec.kind]} |", f"| Subject | {spec.subject} |"]
    if values.fdr_level is not None:
        rows.append(f"| FDR level (`fdr_level`) | {values.fdr_level:g} |")
    for name, setting in spec.settings.items():
        origin = f" (from `{setting.defined_in}`)" if setting.defined_in else ""
        rows.append(f"| `{name}` = {values[name]:g}{origin} | {_cell(setting.phrase(values[name]))} |")
    table = "\n".join(rows)
    return f"## `{spec.name}`\n\n{spec.meaning}\n\n| | |\n|---|---|\n{table}\n"


def build_page() -> str:
    rules = load_rules()
    settings = FlagSettings.defaults()
    index = "\n".join(f"- [`{spec.name}`](#{spec.name}): {spec.meaning}" for spec in rules)
    entries = "\n".join(rule_entry(spec, settings) for spec in rules)
    intro = INTRO.replace("LEAVE_ONE_OUT_UNITS", str(LEAVE_ONE_OUT_UNITS))
    return f"{intro}\n## All rules\n\n{index}\n\n{entries}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


if __name__ == "__main__":
    PAGE.write_text(build_page(), encoding="utf-8")
    print(f"wrote {PAGE} ({len(load_rules())} rules)")
