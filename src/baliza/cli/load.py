"""`baliza load`, `baliza status` and `baliza quarantine`: bring data in and see what was refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import Progress as RichProgress

from baliza.cli.options import AllOption, DbOption, JsonOption
from baliza.cli.output import console, errors, fail, print_json
from baliza.cli.tables import first, listing, number_column, say_more, show, text_column
from baliza.i18n import gettext as _
from baliza.i18n import ngettext
from baliza.i18n.formatting import count

QUARANTINE_LIMIT = 200
RECENT_LOADS = 10
DATASETS_JOINED = "; "  # how a load of several folders joins their datasets' names


def register(app: typer.Typer) -> None:
    app.command("load")(load)
    app.command("status")(status)
    app.command("quarantine")(quarantine)


def load(
    paths: Annotated[list[Path], typer.Argument(help="Dataset folders (or single <table>.csv/.parquet/.xlsx files); "
                                                "with --mapping, an agency's own export files or folders.")],
    db: DbOption = None,
    agency: Annotated[str | None, typer.Option("--agency", help="Reporting agency id (else manifest reported_by).")]
    = None,
    memory_limit: Annotated[str, typer.Option("--memory-limit", help="Memory the load may use (beyond it, "
                                              "DuckDB spills to disk), e.g. 2GB.")] = "2GB",
    mapping: Annotated[str | None, typer.Option("--mapping", help="Read the files through this mapping (a file, "
                                                "or a shipped one: kcs, co-police); see baliza mapping.")] = None,
    wait: Annotated[bool, typer.Option(help="If another load is running, wait for it (else stop and say who "
                                             "is loading).")] = True,
    as_json: JsonOption = False,
) -> None:
    """Load datasets: validate, normalise, quarantine what breaks the contract, all or nothing.

    Works while `baliza serve` runs on the same warehouse: the load writes a copy that replaces the file
    when it is complete (see docs/operations.md)."""
    # With --db postgresql://... or spark:///folder, the load validates into a DuckDB loading file and then
    # publishes every table there at once (`warehouse.engines.publishing_to`, docs/engines.md).
    import getpass

    import duckdb
    import psycopg

    from baliza.load import LoadError, load_datasets
    from baliza.warehouse.engines import publishing_to
    from baliza.warehouse.loadlock import LoadHolder, LoadRunning
    from baliza.warehouse.store import chosen_db

    def waiting(holder: LoadHolder) -> None:
        errors.print(_("Waiting: %(holder)s.", holder=holder.describe()), highlight=False)

    try:
        chosen = None
        if mapping:
            from baliza.load.mapping import find_mapping

            chosen = find_mapping(mapping)
        with publishing_to(chosen_db(db), getpass.getuser(), on_wait=waiting, wait=wait) as warehouse:
            try:
                warehouse.duckdb.execute(f"SET memory_limit = '{memory_limit.replace(chr(39), '')}'")
            except duckdb.Error as exc:
                fail(_("--memory-limit %(value)s: %(error)s", value=memory_limit, error=exc))
                return
            if as_json:
                report = load_datasets(warehouse, paths, agency=agency, mapping=chosen)
            else:
                with RichProgress(console=errors, transient=True) as bar:
                    task = bar.add_task(_("Loading"), total=None)

                    def progress(step: str, done: int, total: int) -> None:
                        bar.update(task, description=step, completed=done, total=total)

                    report = load_datasets(warehouse, paths, agency=agency, progress=progress, mapping=chosen)
    except (LoadError, LoadRunning) as exc:
        fail(str(exc))
        return
    except duckdb.Error as exc:  # the disk is full, the file is damaged...: said plainly, nothing published
        fail(_("the load failed and changed nothing: %(error)s", error=str(exc).splitlines()[0]))
        return
    except (OSError, ValueError, psycopg.Error) as exc:  # the PostgreSQL server refused, a wrong address...
        fail(_("the load failed and changed nothing: %(error)s", error=str(exc).splitlines()[0]))
        return
    except KeyboardInterrupt:
        fail("interrupted: the load was rolled back, the warehouse is as it was", code=130)
        return
    if as_json:
        print_json(report.to_dict())
        return
    table = listing(_("Load %(load)s (%(dataset)s)", load=report.load_id, dataset=report.dataset)
                    if report.dataset else _("Load %(load)s", load=report.load_id))
    text_column(table, _("table"), keep_whole=True)
    for heading in (_("rows"), _("accepted"), _("quarantined"), _("normalised"), _("new"), _("replaced"),
                    _("unchanged")):
        number_column(table, heading)
    for name, t in report.tables.items():
        table.add_row(name, *(count(v) for v in (t.rows, t.accepted, t.quarantined, t.normalised, t.inserted,
                                                   t.replaced, t.unchanged)))
    show(table)
    for warning in report.warnings:
        console.print(f"[yellow]{_('warning:')}[/] {escape(str(warning))}", highlight=False)
    if report.quarantined:
        console.print(ngettext("%(num)s row quarantined: see [bold]baliza quarantine[/]",
                               "%(num)s rows quarantined: see [bold]baliza quarantine[/]", report.quarantined),
                      highlight=False)


def status(db: DbOption = None, show_all: AllOption = False, as_json: JsonOption = False) -> None:
    """Rows in each table and the loads so far (the last ten; --all for every load and every dataset)."""
    from baliza.cli.names import directory
    from baliza.warehouse import open_warehouse

    try:
        warehouse = open_warehouse(db, read_only=True)
    except FileNotFoundError as exc:
        fail(str(exc))
    with warehouse:
        counts = warehouse.row_counts()
        names = directory(warehouse) if counts.get("agencies") else {}
        t = warehouse.table("loads")
        rows = t.select("load_id", "started_at", "finished_at", "agency_id", "dataset", "sources", "status",
                        summary=t.summary.cast("string")).order_by("load_id").to_pyarrow().to_pylist()
    loads = []
    for row in rows:
        load_id, started, finished, agency, dataset, sources, state, summary = row.values()
        tables = json.loads(summary)["tables"] if summary else {}
        loads.append({
            "load_id": load_id, "started_at": started, "finished_at": finished, "agency": agency,
            "dataset": dataset, "sources": sources, "status": state,
            "accepted": sum(t["accepted"] for t in tables.values()),
            "quarantined": sum(t["quarantined"] for t in tables.values()),
        })
    if as_json:
        print_json({"tables": {name: {"rows": n} for name, n in counts.items()}, "loads": loads})
        return
    table = listing(_("Warehouse: %(rows)s rows", rows=count(sum(counts.values()))))
    text_column(table, _("table"), keep_whole=True)
    number_column(table, _("rows"))
    for name, n in counts.items():
        table.add_row(name, count(n))
    show(table)
    history = listing(_("Loads"))
    text_column(history, _("load"), keep_whole=True)
    text_column(history, _("finished"), keep_whole=True)
    text_column(history, _("agency"))
    text_column(history, _("dataset"))
    number_column(history, _("accepted"))
    number_column(history, _("quarantined"))
    shown = loads if show_all else loads[-RECENT_LOADS:]
    for entry in shown:
        finished = entry["finished_at"]
        history.add_row(str(entry["load_id"]), f"{finished:%Y-%m-%d %H:%M}" if finished else _("not finished"),
                        names.get(entry["agency"], entry["agency"] or ""),
                        dataset_text(entry["dataset"] or "", show_all), count(entry["accepted"]),
                        count(entry["quarantined"]))
    show(history)
    if len(shown) < len(loads):
        console.print(_("Showing the last %(shown)s of %(total)s loads. --all shows every one.",
                        shown=count(len(shown)), total=count(len(loads))), highlight=False)


def dataset_text(dataset: str, show_all: bool) -> str:
    """A load's dataset in a few words: a load of many folders names the first and counts the others
    (`--all`: one line each)."""
    parts = [part.strip() for part in dataset.split(DATASETS_JOINED) if part.strip()]
    if show_all or len(parts) <= 1:
        return "\n".join(parts)
    return ngettext("%(first)s and %(num)s other dataset", "%(first)s and %(num)s other datasets",
                    len(parts) - 1, first=parts[0])


def quarantine(
    db: DbOption = None,
    table_name: Annotated[str | None, typer.Option("--table", help="Only this table.")] = None,
    show_all: AllOption = False,
    as_json: JsonOption = False,
) -> None:
    """Rows refused by the loads: file, line, column and a reason to act on. Personal data is masked."""
    from baliza.access.fieldcrypt import is_encrypted
    from baliza.cli.names import resolve
    from baliza.contract.tables import TABLES_BY_NAME
    from baliza.warehouse import open_warehouse

    if table_name is not None:
        table_name = resolve(table_name, {name: name for name in TABLES_BY_NAME}, _("tables of the contract"),
                             "baliza status")
    try:
        warehouse = open_warehouse(db, read_only=True)
    except FileNotFoundError as exc:
        fail(str(exc))
    with warehouse:
        t = warehouse.table("quarantine")
        if table_name:
            t = t.filter(t.table_name == table_name)
        rows = t.select("load_id", "table_name", "source_file", "line", "column_name", "value", "reason").order_by(
            ["load_id", "table_name", "source_file", "line"]).to_pyarrow().to_pylist()
    entries = [
        {"load_id": r["load_id"], "table": r["table_name"], "file": r["source_file"], "line": r["line"],
         "column": r["column_name"], "value": "(personal data)" if is_encrypted(r["value"]) else r["value"],
         "reason": r["reason"]}
        for r in rows
    ]
    if as_json:
        print_json({"quarantined": len(entries), "rows": entries})
        return
    if not entries:
        console.print(_("Nothing in quarantine."))
        return
    shown = first(entries, QUARANTINE_LIMIT, show_all)
    table = listing(ngettext("Quarantine (%(num)s row)", "Quarantine (%(num)s rows)", len(entries)))
    text_column(table, _("table"), keep_whole=True)
    text_column(table, _("file"))
    number_column(table, _("line"))
    text_column(table, _("column"))
    text_column(table, _("reason"), min_width=30)
    for entry in shown:
        table.add_row(entry["table"], entry["file"], count(entry["line"]) if entry["line"] else "",
                      entry["column"] or "", entry["reason"])
    show(table)
    say_more(len(shown), len(entries), _("--all shows every one; --json gives them to a program."))
