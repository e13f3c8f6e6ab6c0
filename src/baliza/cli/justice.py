"""`baliza efficiency` and `baliza flags`: prosecution efficiency and corruption red flags."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.padding import Padding
from rich.text import Text

from baliza.analyses.efficiency import Subject, efficiency
from baliza.analyses.model import Indicator
from baliza.analyses.periods import Granularity
from baliza.cli.options import AllOption, DbOption, IdsOption, JsonOption
from baliza.cli.output import console, fail, print_json
from baliza.cli.steps import step
from baliza.cli.tables import NAME_WIDTH, first, listing, number_column, say_more, show, text_column
from baliza.i18n import gettext as _
from baliza.i18n.findings import method as finding_method
from baliza.i18n.findings import summary as finding_summary
from baliza.i18n.formatting import MISSING, count, fixed, percent
from baliza.i18n.labels import label as rule_words
from baliza.i18n.naming import naming
from baliza.warehouse import Warehouse, open_warehouse

SHOWN = ("incoming", "resolved", "pending_end", "clearance_rate", "disposition_time_days", "case_turnover_ratio",
         "dismissal_rate", "conviction_rate", "median_days_to_resolution_km")

PeriodOption = Annotated[Granularity, typer.Option("--period", help="Length of the reporting periods.")]
SettingsOption = Annotated[
    Path | None,
    typer.Option("--settings", help="YAML file of the agency's own thresholds (see docs/red-flags.md).",
                 show_default=False),
]
FLAGS_SHOWN = 10  # the strongest flags, in the order red_flags gives them
ByOption = Annotated[Subject, typer.Option("--by", help="Whose efficiency: an office, a prosecutor or a judge.")]


def indicator_json(indicator: Indicator, by: Subject) -> dict[str, object]:
    key = "office_id" if by is Subject.OFFICE else "staff_id"
    return {key: indicator.subject_id, "indicator": indicator.indicator, "period": indicator.period,
            "value": indicator.value, "numerator": indicator.numerator, "denominator": indicator.denominator}


def _open(db: Path | None) -> Warehouse:
    """The warehouse, read-only: these commands never change it."""
    try:
        return open_warehouse(db, read_only=True)
    except FileNotFoundError as error:
        fail(str(error))
        raise


def efficiency_command(
    db: DbOption = None, period: PeriodOption = Granularity.YEAR, by: ByOption = Subject.OFFICE,
    show_all: AllOption = False, ids: IdsOption = False, as_json: JsonOption = False,
) -> None:
    """Clearance rate, disposition time, turnover, dismissals, convictions... per office, prosecutor or judge:
    the latest period by default, every period with --all."""
    from baliza.cli.names import directory

    with _open(db) as warehouse:
        names = directory(warehouse)
        with step(_("Computing the prosecution's efficiency")):
            indicators = efficiency(warehouse, period, by)
    if as_json:
        print_json([indicator_json(i, by) for i in indicators])
        return
    if not indicators:
        console.print(_("No cases in the warehouse."))
        return
    rows: dict[str, dict[str, dict[str, float | None]]] = {}
    for i in indicators:
        rows.setdefault(i.subject_id, {}).setdefault(i.period, {})[i.indicator] = i.value
    latest = max(label for periods in rows.values() for label in periods)
    word = _subject_word(by)
    table = listing(_("Efficiency of each %(subject)s, every %(period)s", subject=word, period=period.value)
                    if show_all else _("Efficiency of each %(subject)s, %(period)s", subject=word, period=latest),
                    tight=True)
    text_column(table, _("%(subject)s and period", subject=word) if show_all else word, min_width=NAME_WIDTH)
    for name in SHOWN:
        number_column(table, HEADINGS[name]())
    for subject in sorted(rows, key=lambda key: names.get(key, key)):
        name = escape(names.get(subject, subject)) + (f"\n[dim]{escape(subject)}[/]" if ids else "")
        if show_all:
            table.add_row(f"[bold]{name}[/]")
        for label, values in sorted(rows[subject].items()):
            if show_all or label == latest:
                table.add_row(f"  {label}" if show_all else name, *(_figure(key, values.get(key)) for key in SHOWN))
    show(table)
    console.print(_("Cleared: cases resolved per case opened. Days to dispose: 365 days times the cases pending at "
                    "the end over those resolved. Turnover: cases resolved per case pending. Median days: from "
                    "opening to resolution, cases still open counted (Kaplan-Meier)."), highlight=False)
    if not show_all:
        console.print(_("--all shows every period; --period quarter or month shorter ones; --ids the ids."),
                      highlight=False)


def _subject_word(by: Subject) -> str:
    return {Subject.OFFICE: _("office"), Subject.PROSECUTOR: _("prosecutor"), Subject.JUDGE: _("judge")}[by]


# Headings short enough to wrap into a narrow column; `baliza efficiency --json` gives the indicator names.
HEADINGS = {
    "incoming": lambda: _("Opened"),
    "resolved": lambda: _("Resolved"),
    "pending_end": lambda: _("Pending"),
    "clearance_rate": lambda: _("Cleared"),
    "disposition_time_days": lambda: _("Days to dispose"),
    "case_turnover_ratio": lambda: _("Turnover"),
    "dismissal_rate": lambda: _("Dismissed"),
    "conviction_rate": lambda: _("Convicted"),
    "median_days_to_resolution_km": lambda: _("Median days"),
}
RATES = frozenset({"clearance_rate", "dismissal_rate", "conviction_rate"})


def _figure(name: str, value: float | None) -> str:
    """Counts whole, rates as percentages, days whole, turnover with two decimals."""
    if value is None:
        return MISSING
    if name in RATES:
        return percent(value, 0)
    if name == "case_turnover_ratio":
        return fixed(value)
    return count(value)


def flags_command(db: DbOption = None, settings: SettingsOption = None, show_all: AllOption = False,
                  as_json: JsonOption = False) -> None:
    """Red flags for review (never verdicts): outcome outliers, shrinkage, unconverted seizures, steering...
    A count per rule and the strongest ten by default; --all lists every one."""
    from baliza.analyses.integrity import FlagSettings, SettingsError, red_flags  # scipy, statsmodels: when needed
    from baliza.cli.names import directory

    try:
        chosen = FlagSettings.load(settings)
    except SettingsError as error:
        fail(str(error))
    with _open(db) as warehouse:
        names = directory(warehouse)
        with step(_("Looking for red flags")):
            findings = red_flags(warehouse, chosen)
    if as_json:
        print_json([f.to_dict() for f in findings])
        return
    if not findings:
        console.print(_("No red flags."))
        return
    with naming(names):  # prosecutors, judges, offices and units by name in the texts
        tested = sum(f.q_value is not None for f in findings)
        console.print(_("[bold]%(count)s red flags for review[/] (never verdicts): %(tested)s backed by a "
                        "statistical test, with a Benjamini-Hochberg q-value across every unit tested; %(facts)s facts "
                        "about single cases. Thresholds: %(source)s (docs/red-flags.md).", count=count(len(findings)),
                        tested=count(tested), facts=count(len(findings) - tested), source=escape(str(chosen.source))),
                      highlight=False)
        rules = listing()
        text_column(rules, _("rule"))
        number_column(rules, _("flags"))
        for rule, n in Counter(f.rule for f in findings).most_common():
            rules.add_row(rule_words(rule), count(n))
        show(rules)
        shown = first(findings, FLAGS_SHOWN, show_all)
        for number, f in enumerate(shown, 1):
            q = "" if f.q_value is None else f" · q = {f.q_value:.2g}"
            subject = names.get(f.subject.id, f.subject.id)
            console.print(f"[bold]{number}. {escape(rule_words(f.rule))}[/] · {escape(subject)} "
                          f"({escape(f.subject.table)} {escape(f.subject.id)}){q} · {_('score')} {f.score:.3g}",
                          highlight=False)
            evidence = ", ".join(f"{e.table}:{e.id}" for e in f.evidence[:8])
            more = _(" (+%(more)s more)", more=count(len(f.evidence) - 8)) if len(f.evidence) > 8 else ""
            body = Text(finding_summary(f) + "\n")
            body.append(_("method: %(method)s", method=finding_method(f)) + "\n" +
                        _("evidence: %(rows)s%(more)s", rows=evidence, more=more) + "\n", style="dim")
            console.print(Padding(body, (0, 0, 0, 3)))
        say_more(len(shown), len(findings))


def register(app: typer.Typer) -> None:
    app.command("efficiency")(efficiency_command)
    app.command("flags")(flags_command)
