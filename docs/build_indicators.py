"""Write docs/indicators.md from the indicator catalogue (src/baliza/analyses/ksi/catalogue.yaml).

Run after changing the catalogue:  PYTHONPATH=src python docs/build_indicators.py
tests/test_docs_indicators.py fails when the page is out of date or an indicator is missing from it.
"""

from __future__ import annotations

from pathlib import Path

from baliza.analyses.ksi import Direction, IndicatorSpec, Kind, load_catalogue
from baliza.analyses.ksi.horizons import STAGE_WORDS

PAGE = Path(__file__).with_name("indicators.md")

INTRO = """# Key success indicators

*This page is generated from the indicator catalogue (`src/baliza/analyses/ksi/catalogue.yaml`) by
`docs/build_indicators.py`; edit the catalogue, not this page.*

For a programme coordinator comparing interdiction units (port control units, joint airport interdiction task
forces, maritime units) and for a unit head preparing a donor report. Every indicator is computed per unit and
per period (a year `2025`, a quarter `2025-Q1` or a month `2025-03`) and always comes with its **numerator**
and **denominator**, so anyone can check it by hand: `baliza ksi --json` prints all three.

How to read the fields below:

- **Numerator / denominator**: exactly what is counted. A share with a denominator of zero has no value
  (a rate of nothing is not zero).
- **Direction**: whether a higher value is better, worse, or neither (the old seizure metric is shown for
  comparison, not judged).
- **Minimum sample**: below this denominator a value is still shown, but it is not tested against the last
  period; in the growth report it is marked "small sample".
- **Counted for / dated by**: which unit a row belongs to, and the date that puts it in a period.
- **Interval**: shares get a 95% Wilson interval, counts an exact Poisson interval; ratios and means none.
- **Horizon** (only for outcomes that take time: a case, a verdict): the outcome counts only when it came within
  this many days of the seizure, and only seizures at least this old at the end of the data of the stage that
  records the outcome are counted. Every period's seizures have then had the same time to get there, so a fall
  from one period to the next is never just last year's seizures still waiting for their verdict (censoring).
  A period with no seizure old enough shows no figure ("too recent"); a period cut by the cutoff counts its
  older seizures only ("partial"). The end of the data is the latest period end declared by the loads that
  brought the stage's tables, else its latest event (`baliza.analyses.as_of`); the growth report states it.

Peer benchmarks compare a unit only with units of the same kind at entry points with similar traffic, and data
envelopment analysis (DEA) scores each unit's seizures and seizures that became cases against its staff,
training hours and inspections (`baliza benchmark`).
"""

KIND_WORDS = {
    Kind.PROPORTION: "share (95% Wilson interval)",
    Kind.COUNT: "count (exact Poisson interval)",
    Kind.TOTAL: "total",
    Kind.RATIO: "ratio",
    Kind.MEAN: "mean",
}
DIRECTION_WORDS = {
    Direction.HIGHER_IS_BETTER: "higher is better",
    Direction.LOWER_IS_BETTER: "lower is better",
    Direction.NEUTRAL: "neither (shown, not judged)",
}


def indicator_entry(spec: IndicatorSpec) -> str:
    minimum = f"{spec.minimum_sample}" if spec.minimum_sample else "none"
    return (
        f"## `{spec.name}`\n\n{spec.meaning}\n\n"
        f"| | |\n|---|---|\n"
        f"| Numerator | {_cell(spec.numerator)} |\n"
        f"| Denominator | {_cell(spec.denominator)} |\n"
        f"| Kind | {KIND_WORDS[spec.kind]} |\n"
        f"| Direction | {DIRECTION_WORDS[spec.direction]} |\n"
        f"| Minimum sample | {minimum} |\n"
        f"| Counted for | {_cell(spec.unit_subject)} |\n"
        f"| Dated by | `{spec.dated_by}` |\n"
        + _horizon_row(spec)
    )


def _horizon_row(spec: IndicatorSpec) -> str:
    if spec.horizon_days is None or spec.outcome_stage is None:
        return ""
    stage = STAGE_WORDS[spec.outcome_stage]
    return (f"| Horizon | {spec.horizon_days} days: seizures at least {spec.horizon_days} days before the end of the "
            f"{stage} (stage `{spec.outcome_stage}`) |\n")


def build_page() -> str:
    catalogue = load_catalogue()
    index = "\n".join(f"- [`{spec.name}`](#{spec.name}): {spec.meaning}" for spec in catalogue)
    entries = "\n".join(indicator_entry(spec) for spec in catalogue)
    return f"{INTRO}\n## All indicators\n\n{index}\n\n{entries}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


if __name__ == "__main__":
    PAGE.write_text(build_page(), encoding="utf-8")
    print(f"wrote {PAGE} ({len(load_catalogue())} indicators)")
