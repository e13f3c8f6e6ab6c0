"""`baliza benchmark`: units against their peers (percentile ranks with intervals) and DEA efficiency.

A percentile among one or two peers says nothing ("100 (100–100)" for the better of two): a unit whose peer
group is that small reads "group too small" with the group's size."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from baliza.cli import labels
from baliza.cli.options import DbOption, IdsOption, JsonOption
from baliza.cli.output import console, fail, print_json
from baliza.cli.steps import step
from baliza.cli.tables import NAME_WIDTH, listing, number_column, show, text_column
from baliza.i18n import gettext as _
from baliza.i18n import ngettext
from baliza.i18n.formatting import fixed, number

SMALLEST_GROUP_RANKED = 3  # units in a peer group (the unit and its peers) before a percentile means anything


def register(app: typer.Typer) -> None:
    app.command("benchmark")(benchmark)


def benchmark(
    period: Annotated[str | None, typer.Option("--period", help="Period label: 2025, 2025-Q1 or 2025-03 "
                                               "(default: the latest year with data).", show_default=False)] = None,
    ids: IdsOption = False,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Units against their peers: percentile ranks with intervals, and DEA efficiency (CCR and BCC)."""
    from baliza.analyses.benchmarks import peer_groups, peer_percentiles, unit_efficiency
    from baliza.analyses.growth import granularity_of
    from baliza.analyses.ksi import Kind, compute_indicators, load_catalogue
    from baliza.analyses.periods import Granularity
    from baliza.warehouse import open_warehouse

    granularity = granularity_of(period) if period else Granularity.YEAR
    try:
        with open_warehouse(db, read_only=True) as wh:
            with step(_("Computing the indicators and ranking each unit among its peers")):
                indicators = compute_indicators(wh, granularity)
                periods = sorted({i.period for i in indicators if i.indicator == "hit_rate"})
                if period is not None and period not in periods:
                    fail(_("no figures for period %(period)s; periods with data: %(periods)s", period=period,
                           periods=", ".join(periods) or "–"))
                label = period or (periods[-1] if periods else "")
                groups = peer_groups(wh)
                figures = []
                for spec in load_catalogue():
                    if spec.kind is Kind.PROPORTION and label:
                        figures += peer_percentiles(indicators, groups, spec.name, label)
            with step(_("Computing DEA efficiency")):
                figures = (unit_efficiency(wh, label, granularity) if label else []) + figures
    except FileNotFoundError as error:
        fail(str(error))
    if json:
        print_json([{"unit_id": i.subject_id, **{k: v for k, v in i.to_dict().items() if k != "subject_id"}}
                    for i in figures])
        return
    _print(figures, groups, label, ids)


def rank_text(rank: Any) -> str:
    """"62 (25–100)", or why there is no rank worth printing."""
    if rank is None:
        return "–"
    size = round(rank.denominator) + 1
    if size < SMALLEST_GROUP_RANKED:
        return ngettext("group too small (%(num)s unit)", "group too small (%(num)s units)", size)
    return f"{number(rank.value, 0)} ({number(rank.low, 0)}–{number(rank.high, 0)})"


def _print(figures: list[Any], groups: Any, label: str, ids: bool) -> None:
    by_unit: dict[str, dict[str, Any]] = {}
    for i in figures:
        by_unit.setdefault(i.subject_id, {})[i.indicator] = i
    names = dict(zip(groups["unit_id"], groups["name"], strict=True))
    group_of = dict(zip(groups["unit_id"], groups["peer_group"], strict=True))
    table = listing(_("Units against their peers, %(period)s", period=label))
    text_column(table, _("unit"), min_width=NAME_WIDTH)
    if ids:
        text_column(table, _("unit id"), keep_whole=True)
    text_column(table, _("peer group"), max_width=22)
    number_column(table, _("DEA (CCR)"))
    number_column(table, _("DEA (BCC)"))
    text_column(table, _("hit rate percentile (95% interval)"), max_width=16)
    ordered = sorted(by_unit.items(), key=lambda item: (group_of.get(item[0], ""), names.get(item[0], item[0])))
    for unit, found in ordered:
        ccr, bcc = found.get("dea_ccr"), found.get("dea_bcc")
        table.add_row(names.get(unit, unit), *([unit] if ids else []), labels.peer_group(group_of.get(unit, "")),
                      fixed(ccr.value) if ccr else "–", fixed(bcc.value) if bcc else "–",
                      rank_text(found.get("hit_rate_peer_percentile")))
    show(table)
    console.print(_("Percentile: 100 is the best of the peer group, 0 the worst; the interval widens when a unit "
                    "made few inspections. DEA: 1 is on the efficient frontier."), highlight=False)
