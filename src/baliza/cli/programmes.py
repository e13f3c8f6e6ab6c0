"""`baliza programmes`: what the protection programmes achieve (livelihood, treatment) and which treatment
providers stand far outside their peers once case mix is allowed for.

The operator's view of the warehouse file (every agency's rows); nothing personal is printed: counts,
shares, medians and the ids and names of offices, regions and providers. The figures are computed by
`baliza.analyses.programmes`; this module only presents them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table

from baliza.cli.lang import LangOption, speaking
from baliza.cli.options import DbOption, JsonOption
from baliza.cli.output import console, fail, print_json
from baliza.i18n import gettext as _
from baliza.i18n.findings import summary as finding_summary
from baliza.i18n.formatting import count, number, percent


class Part(StrEnum):
    LIVELIHOOD = "livelihood"
    TREATMENT = "treatment"
    PROVIDERS = "providers"


MinPeopleOption = Annotated[int, typer.Option(
    "--min-people", help="Providers with fewer episodes are shown but never flagged.", min=1)]
FdrOption = Annotated[float, typer.Option(
    "--fdr", help="False discovery rate a provider flag is held to (Benjamini-Hochberg).", min=0.0001, max=0.5)]


def programmes_command(
    part: Annotated[Part, typer.Argument(help="livelihood, treatment or providers.", case_sensitive=False)],
    db: DbOption = None, as_json: JsonOption = False, lang: LangOption = None,
    min_people: MinPeopleOption = 20, fdr: FdrOption = 0.05,
) -> None:
    """Livelihood outcomes per office and region, treatment outcomes, or providers compared with case mix."""
    from baliza.analyses.chain_links import directory_names
    from baliza.analyses.programmes import (
        CompareSettings,
        compare_providers,
        livelihood_report,
        provider_findings,
        treatment_report,
    )
    from baliza.warehouse import open_warehouse

    with speaking(lang):
        try:
            warehouse = open_warehouse(db, read_only=True)
        except FileNotFoundError as error:
            fail(str(error))
        settings = CompareSettings(min_people=min_people, fdr_level=fdr)
        with warehouse:
            names = directory_names(warehouse)
            if part is Part.LIVELIHOOD:
                report: Any = livelihood_report(warehouse.table("farmer_enrolments"), settings=settings)
            elif part is Part.TREATMENT:
                report = treatment_report(warehouse.table("treatment_episodes"))
            else:
                report = compare_providers(warehouse.table("treatment_episodes"), settings)
                findings = provider_findings(report, names)
        if as_json:
            payload = report.to_dict()
            if part is Part.PROVIDERS:
                payload["findings"] = [f.to_dict() for f in findings]
            print_json(payload)
            return
        if part is Part.LIVELIHOOD:
            _livelihood(report, names)
        elif part is Part.TREATMENT:
            _treatment(report, names)
        else:
            _providers(report, findings, names)


def _livelihood(report: Any, names: dict[str, str]) -> None:
    if not report.totals["enrolled"]:
        console.print(_("No enrolments in the livelihood programme."))
        return
    console.print(_("%(enrolled)s growers enrolled; %(placed)s placed in alternative employment (%(share)s); "
                    "%(relapsed)s relapsed to cultivation; %(dropped)s dropped out.",
                    enrolled=count(report.totals["enrolled"]), placed=count(report.placement.events),
                    share=percent(report.placement.value, 1), relapsed=count(report.relapse.events),
                    dropped=count(report.drop_out.events)), highlight=False)
    income = report.income
    if income.people:
        console.print(_("Among %(people)s people with income before and after: median %(before)s USD a month "
                        "before, %(after)s after; mean change %(change)s USD (95%% interval %(low)s to %(high)s).",
                        people=count(income.people), before=number(income.median_before),
                        after=number(income.median_after), change=number(income.mean_change),
                        low=number(income.low), high=number(income.high)), highlight=False)
    console.print(_("%(placed)s placed within a year of enrolment (people still enrolled counted until the data "
                    "end; leaving without a job ends the wait, Aalen-Johansen); %(dependents)s dependents, "
                    "%(protected)s of them under protection.",
                    placed=percent(report.time_to_placement.share_by(365), 1),
                    dependents=count(report.dependents), protected=count(report.dependents_protected)),
                  highlight=False)
    for group, key in ((_("Programme office"), "office"), (_("Region"), "region")):
        adjusted = report.adjusted[f"{key}:placement"]
        ratios = {u.unit_id: u for u in adjusted.units}
        table = Table(title=_("Placement by %(group)s, against case mix", group=group.lower()))
        for header in (group, _("Enrolled"), _("Placed"), _("Placed (share)"), _("Observed / expected"),
                       _("Shrunk"), _("Relapsed")):
            table.add_column(header)
        for g in report.offices if key == "office" else report.regions:
            u = ratios.get(g.group_id)
            table.add_row(names.get(g.group_id, g.group_id), count(g.people), count(g.rates["placement"].events),
                          percent(g.rates["placement"].value, 1), number(u.ratio if u else None, 2),
                          number(u.shrunk if u else None, 2), count(g.rates["relapse"].events))
        console.print(table)


def _treatment(report: Any, names: dict[str, str]) -> None:
    if not report.totals["admitted"]:
        console.print(_("No treatment episodes."))
        return
    console.print(_("%(admitted)s episodes; %(discharged)s discharged, of which %(completed)s completed "
                    "treatment and %(abstinent)s were abstinent at discharge.",
                    admitted=count(report.totals["admitted"]), discharged=count(report.totals["discharged"]),
                    completed=percent(report.completion.value, 1), abstinent=percent(report.abstinence.value, 1)),
                  highlight=False)
    console.print(_("Median length of stay %(days)s days (episodes still open counted until the data end). "
                    "Physical score %(physical)s points on average from admission to discharge, mental score "
                    "%(mental)s.", days=number(report.length_of_stay.median_days, 0),
                    physical=number(report.physical.mean_change), mental=number(report.mental.mean_change)),
                  highlight=False)
    table = Table(title=_("Treatment outcomes by provider (not adjusted for case mix)"))
    for header in (_("Provider"), _("Episodes"), _("Completed"), _("Abstinent"), _("Median stay (days)")):
        table.add_column(header)
    for p in report.providers:
        table.add_row(names.get(p.group_id, p.group_id), count(p.people), percent(p.rates["completion"].value, 1),
                      percent(p.rates["abstinence"].value, 1), number(p.median_days["length_of_stay"], 0))
    console.print(table)


def _providers(comparison: Any, findings: list[Any], names: dict[str, str]) -> None:
    for measure in comparison.measures.values():
        table = Table(title=_("Providers on %(measure)s, against case mix", measure=_measure_name(measure.measure)))
        ratio = measure.kind == "ratio"
        for header in (_("Provider"), _("Episodes"), _("Observed"), _("Expected"),
                       _("Observed / expected") if ratio else _("Difference"), _("95% interval"), _("Shrunk"),
                       _("q-value"), _("Outside")):
            table.add_column(header)
        for u in measure.units:
            table.add_row(names.get(u.unit_id, u.unit_id), count(u.n), number(u.observed), number(u.expected),
                          number(u.ratio, 2), _("%(low)s to %(high)s", low=number(u.low, 2), high=number(u.high, 2)),
                          number(u.shrunk, 2), number(u.q, 3),
                          {"above": _("above"), "below": _("below")}.get(u.outside or "", ""))
        console.print(table)
    if not findings:
        console.print(_("No provider is far outside its peers once case mix is allowed for."))
    for f in findings:
        console.print(finding_summary(f), highlight=False)


def _measure_name(measure: str) -> str:
    return {"completion": _("completion"), "abstinence": _("abstinence at discharge"),
            "physical_change": _("change in physical score"), "mental_change": _("change in mental score")}[measure]


def register(app: typer.Typer) -> None:
    app.command("programmes")(programmes_command)
