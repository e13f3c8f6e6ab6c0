"""`baliza target train|score|queue|evaluate|simulate`: risk targeting for port control units and airport
task forces.

Each command reads declarations from an export (`--declarations FILE --mapping kcs`) or, without
`--declarations`, from the warehouse (consignments, inspections, seizures). The work is done in
`baliza.targeting`; this module only reads options and prints.
"""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from baliza.cli.options import DbOption, JsonOption
from baliza.cli.output import console, fail, print_json
from baliza.i18n import gettext as _

target_app = typer.Typer(help="Risk targeting: learn from past inspections, score and queue consignments.",
                         no_args_is_help=True)

DeclarationsOption = Annotated[
    Path | None, typer.Option("--declarations", help="An export of declarations (CSV or Parquet); "
                                                     "without it, the warehouse's consignments.")]
MappingOption = Annotated[str, typer.Option("--mapping", help="The export's column mapping: a shipped name "
                                                              "(kcs) or a mapping file.")]
ModelOption = Annotated[Path, typer.Option("--model", help="The model folder.")]
ProfileOption = Annotated[str, typer.Option("--profile", help="Rule profile: a shipped name or a YAML file.")]


def register(app: typer.Typer) -> None:
    app.add_typer(target_app, name="target")


def _source(declarations: Path | None, mapping: str, db: Path | None, model: Path | None = None) -> Any:
    from baliza.targeting.inputs import from_file, from_warehouse

    if declarations is not None:
        return from_file(declarations, mapping)
    from baliza.warehouse import open_warehouse

    with open_warehouse(db, read_only=True) as warehouse:
        return from_warehouse(warehouse, model)


def _audit(db: Path | None, action: str, subject: str, detail: dict[str, Any]) -> None:
    """Record in the warehouse's audit log (commands reading an export have no warehouse to record in)."""
    from baliza.access.audit import record
    from baliza.access.state import open_state_beside
    from baliza.warehouse.engines import home_of

    state = open_state_beside(home_of(db))
    try:
        record(state, f"cli:{getpass.getuser()}", "", action, subject, detail)
    finally:
        state.close()


@target_app.command("train")
def train(
    model: ModelOption,
    declarations: DeclarationsOption = None,
    mapping: MappingOption = "kcs",
    profile: ProfileOption = "default",
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Learn from past inspections which declarations carry drugs or fraud, and write the model folder."""
    from baliza.targeting.model import save
    from baliza.targeting.model import train as train_model

    try:
        source = _source(declarations, mapping, db, model if model.exists() else None)
        trained = train_model(source.declarations, profile, mapping=source.mapping,
                              extra_numeric=source.extra_numeric, extra_categorical=source.extra_categorical)
        save(trained, model)
        if declarations is None:
            _audit(db, "target_train", f"model/{model.name}", trained.card["profile"])
    except (ValueError, FileNotFoundError, KeyError) as error:
        fail(str(error))
        return
    if json:
        print_json(trained.card)
        return
    card = trained.card
    console.print(_("Trained on %(count)s declarations (%(start)s to %(end)s), %(found)s finds in %(inspected)s "
                    "inspections; %(trees)s trees; model written to %(folder)s.",
                    count=f"{card['declarations']:,}", start=card["period"]["from"], end=card["period"]["to"],
                    found=f"{card['found']:,}", inspected=f"{card['inspected']:,}", trees=card["trees"],
                    folder=str(model)))


@target_app.command("score")
def score(
    model: ModelOption,
    declarations: DeclarationsOption = None,
    mapping: MappingOption = "kcs",
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Score every declaration: the chance that inspecting it finds something."""
    from baliza.targeting.model import load

    try:
        trained = load(model)
        source = _source(declarations, mapping, db)
        scored = trained.score(source.declarations, outcomes_known=declarations is None)
    except (ValueError, FileNotFoundError, KeyError) as error:
        fail(str(error))
        return
    ids = _as_written(scored["id"].tolist()) if declarations is not None else scored["id"].tolist()
    rows = [{"id": i, "score": float(s)} for i, s in zip(ids, scored["score"], strict=True)]
    if json:
        print_json(rows)
        return
    console.print(_("Scored %(count)s declarations; the highest scores:", count=f"{len(rows):,}"))
    table = Table(_("declaration"), _("score"), box=None)
    for row in sorted(rows, key=lambda r: -r["score"])[:20]:
        table.add_row(str(row["id"]), f"{row['score']:.3f}")
    console.print(table)


def _as_written(ids: list[str]) -> list[Any]:
    """Ids as the export writes them: whole numbers stay numbers in the JSON (97061800, not "97061800"),
    so that a script can join the scores back to its file; any other id stays text."""
    if all(i.isdigit() and (i == "0" or not i.startswith("0")) for i in ids):
        return [int(i) for i in ids]
    return ids


@target_app.command("queue")
def queue(
    entry_point: Annotated[str, typer.Option("--entry-point", help="The entry point (office) to queue for.")],
    capacity: Annotated[int, typer.Option("--capacity", help="How many inspections can be made.", min=0)],
    model: ModelOption,
    day: Annotated[str | None, typer.Option("--date", help="The day to queue (YYYY-MM-DD); default: the "
                                                          "latest day with declarations there.")] = None,
    explore: Annotated[float, typer.Option("--explore", help="Share of the queue chosen to explore.",
                                           min=0.0, max=1.0)] = 0.1,
    strategy: Annotated[str, typer.Option("--strategy", help="How exploration chooses: random or "
                                                             "uncertainty.")] = "random",
    seed: Annotated[int | None, typer.Option("--seed", help="Seed of the random exploration.")] = None,
    days: Annotated[int, typer.Option("--days", help="Days of declarations still waiting to queue from.",
                                      min=1)] = 1,
    declarations: DeclarationsOption = None,
    mapping: MappingOption = "kcs",
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """The declarations to inspect today at one entry point, with the reasons for each."""
    from baliza.targeting.inputs import day_candidates, history_before
    from baliza.targeting.model import load
    from baliza.targeting.queue import build_queue

    name = None
    try:
        chosen_day = date.fromisoformat(day) if day else None
        trained = load(model)
        source = _source(declarations, mapping, db)
        if declarations is None:
            name = _entry_point_name(db, entry_point)
        candidates, chosen_day = day_candidates(source.declarations, entry_point, chosen_day,
                                                uninspected_only=declarations is None, days=days)
        history = history_before(source.declarations, chosen_day, days) if declarations is None else None
        items = build_queue(trained, candidates, capacity, explore=explore, strategy=strategy, seed=seed,
                            history=history)
        if declarations is None:
            _audit(db, "target_queue_opened", f"entry_points/{entry_point}",
                   {"day": chosen_day.isoformat(), "days": days, "capacity": capacity, "explore": explore})
    except (ValueError, FileNotFoundError, KeyError) as error:
        fail(str(error).strip("'\""))
        return
    if json:
        print_json({"entry_point": entry_point, "entry_point_name": name, "day": chosen_day.isoformat(),
                    "candidates": len(candidates),
                    "queue": [i.to_dict() for i in items]})
        return
    console.print(_("%(count)s of %(candidates)s declarations to inspect at %(entry_point)s on %(day)s:",
                    count=len(items), candidates=f"{len(candidates):,}", entry_point=name or entry_point,
                    day=chosen_day.isoformat()))
    for rank, item in enumerate(items, 1):
        why = _("chosen to explore") if item.chosen_by == "exploration" else _("chosen by score")
        console.print(f"[bold]{rank}. {item.id}[/]  {item.score:.3f}  [dim]{why}[/]")
        for reason in item.reasons:
            console.print(f"   + {reason.label}: {reason.value}")
        for rule in item.rules:
            console.print(f"   [yellow]{_('rule')}: {rule}[/]")


def _entry_point_name(db: Path | None, entry_point: str) -> str | None:
    from baliza.targeting.sources import entry_point_name
    from baliza.warehouse import open_warehouse

    with open_warehouse(db, read_only=True) as warehouse:
        return entry_point_name(warehouse, entry_point)


@target_app.command("evaluate")
def evaluate(
    declarations: DeclarationsOption = None,
    holdout: Annotated[Path | None, typer.Option("--holdout", help="A later export to evaluate on; default: "
                                                                   "the latest fifth of the days.")] = None,
    mapping: MappingOption = "kcs",
    profile: ProfileOption = "default",
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Model, plain gradient boosting and random selection on a time-ordered hold-out, side by side."""
    from baliza.targeting.evaluation import evaluate as run
    from baliza.targeting.inputs import from_file

    try:
        source = _source(declarations, mapping, db)
        later = from_file(holdout, mapping).declarations if holdout is not None else None
        report = run(source.declarations, later, profile=profile, extra_numeric=source.extra_numeric,
                     extra_categorical=source.extra_categorical, mapping=source.mapping)
    except (ValueError, FileNotFoundError, KeyError) as error:
        fail(str(error))
        return
    if json:
        print_json(report)
        return
    _print_rankings(report)


def _print_rankings(report: dict[str, Any]) -> None:
    console.print(_("Trained on %(start)s to %(end)s, evaluated on %(hstart)s to %(hend)s (%(count)s declarations, "
                    "%(rate)s found).", start=report["train"]["from"], end=report["train"]["to"],
                    hstart=report["holdout"]["from"], hend=report["holdout"]["to"],
                    count=f"{report['holdout']['declarations']:,}", rate=f"{report['found_rate']:.1%}"))
    names = {"model": _("targeting model"), "baseline": _("plain gradient boosting"), "random": _("random")}
    rankings = report["rankings"]
    measures = list(rankings["model"])
    table = Table(_("measure"), *names.values(), box=None)
    for measure in measures:
        cells = [rankings[n][measure] for n in names]
        table.add_row(measure, *("-" if c is None else f"{c:.3f}" for c in cells))
    console.print(table)


@target_app.command("simulate")
def simulate(
    explore: Annotated[float, typer.Option("--explore", help="Exploration share compared with none.",
                                           min=0.0, max=1.0)] = 0.1,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the simulated traffic.")] = 0,
    daily: Annotated[int, typer.Option("--daily", help="Declarations per day.", min=50)] = 600,
    capacity: Annotated[int, typer.Option("--capacity", help="Inspections per day.", min=1)] = 12,
    json: JsonOption = False,
) -> None:
    """Precision by quarter over the country's years, with and without exploration, as traffickers shift
    routes away from where they are caught."""
    from baliza.targeting.simulation import SimulationSettings, simulate_years

    try:
        result = simulate_years(SimulationSettings(seed=seed, daily=daily, capacity=capacity, explore=explore))
    except ValueError as error:
        fail(str(error))
        return
    if json:
        print_json(result)
        return
    table = Table(_("quarter"), _("without exploration"), _("with exploration"), _("route in use"), box=None)
    for row in result["quarters"]:
        table.add_row(row["quarter"], f"{row['precision_exploit']:.1%}", f"{row['precision_explore']:.1%}",
                      row["trafficker_route"])
    console.print(table)
    console.print(_("Over all quarters: %(exploit)s without exploration, %(explore)s with %(share)s exploration.",
                    exploit=f"{result['precision_exploit']:.1%}", explore=f"{result['precision_explore']:.1%}",
                    share=f"{explore:.0%}"))
