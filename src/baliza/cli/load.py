"""`baliza load`, `baliza status` and `baliza quarantine`: bring data in and see what was refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress as RichProgress
from rich.table import Table as RichTable

from baliza.cli.options import DbOption, JsonOption
from baliza.cli.output import console, errors, fail, print_json
from baliza.i18n import gettext as _

QUARANTINE_LIMIT = 200


def register(app: typer.Typer) -> None:
    app.command("load")(load)
    app.command("status")(status)
    app.command("quarantine")(quarantine)


def load(
    paths: Annotated[list[Path], typer.Argument(help="Dataset folders (or single <table>.csv/.parquet/.xlsx files).")],
    db: DbOption = None,
    agency: Annotated[str | None, typer.Option("--agency", help="Reporting agency id (else manifest reported_by).")]
    = None,
    memory_limit: Annotated[str, typer.Option("--memory-limit", help="Memory the load may use (beyond it, "
                                              "DuckDB spills to disk), e.g. 2GB.")] = "2GB",
    wait: Annotated[bool, typer.Option(help="If another load is running, wait for it (else stop and say who "
                                             "is loading).")] = True,
    as_json: JsonOption = False,
) -> None:
    """Load datasets: validate, normalise, quarantine what breaks the contract, all or nothing.

    Works while `baliza serve` runs on the same warehouse: the load writes a copy that replaces the file
    when it is complete (see docs/operations.md)."""
    import getpass

    import duckdb

    from baliza.load import LoadError, load_datasets
    from baliza.warehouse import resolve_db_path
    from baliza.warehouse.loadlock import LoadHolder, LoadRunning
    from baliza.warehouse.publishing import publishing

    def waiting(holder: LoadHolder) -> None:
        errors.print(_("Waiting: %(holder)s.", holder=holder.describe()), highlight=False)

    try:
        with publishing(resolve_db_path(db), getpass.getuser(), on_wait=waiting, wait=wait) as warehouse:
            try:
                warehouse.duckdb.execute(f"SET memory_limit = '{memory_limit.replace(chr(39), '')}'")
            except duckdb.Error as exc:
                fail(f"--memory-limit {memory_limit!r}: {exc}")
                return
            if as_json:
                report = load_datasets(warehouse, paths, agency=agency)
            else:
                with RichProgress(console=errors, transient=True) as bar:
                    task = bar.add_task("loading", total=None)

                    def progress(step: str, done: int, total: int) -> None:
                        bar.update(task, description=step, completed=done, total=total)

                    report = load_datasets(warehouse, paths, agency=agency, progress=progress)
    except (LoadError, LoadRunning) as exc:
        fail(str(exc))
        return
    except duckdb.Error as exc:  # the disk is full, the file is damaged...: said plainly, nothing published
        fail(_("the load failed and changed nothing: %(error)s", error=str(exc).splitlines()[0]))
        return
    except KeyboardInterrupt:
        fail("interrupted: the load was rolled back, the warehouse is as it was", code=130)
        return
    if as_json:
        print_json(report.to_dict())
        return
    table = RichTable(title=f"Load {report.load_id}" + (f" ({report.dataset})" if report.dataset else ""))
    for heading in ("table", "rows", "accepted", "quarantined", "normalised", "new", "replaced", "unchanged"):
        table.add_column(heading, justify="left" if heading == "table" else "right")
    for name, t in report.tables.items():
        table.add_row(name, *(str(v) for v in (t.rows, t.accepted, t.quarantined, t.normalised, t.inserted,
                                                 t.replaced, t.unchanged)))
    console.print(table)
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    if report.quarantined:
        console.print(f"{report.quarantined} rows quarantined: see [bold]baliza quarantine[/]")


def status(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Rows in each table and the loads so far."""
    from baliza.warehouse import open_warehouse

    try:
        warehouse = open_warehouse(db, read_only=True)
    except FileNotFoundError as exc:
        fail(str(exc))
        return
    with warehouse:
        counts = warehouse.row_counts()
        rows = warehouse.duckdb.execute(
            "SELECT load_id, started_at, finished_at, agency_id, dataset, sources, status, summary "
            "FROM loads ORDER BY load_id"
        ).fetchall()
    loads = []
    for load_id, started, finished, agency, dataset, sources, state, summary in rows:
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
    table = RichTable(title="Warehouse")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, n in counts.items():
        table.add_row(name, str(n))
    console.print(table)
    history = RichTable(title="Loads")
    for heading in ("load", "finished", "agency", "dataset", "accepted", "quarantined"):
        history.add_column(heading)
    for entry in loads:
        history.add_row(str(entry["load_id"]), str(entry["finished_at"] or ""), entry["agency"] or "",
                        entry["dataset"] or "", str(entry["accepted"]), str(entry["quarantined"]))
    console.print(history)


def quarantine(
    db: DbOption = None,
    table_name: Annotated[str | None, typer.Option("--table", help="Only this table.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Rows refused by the loads: file, line, column and a reason to act on. Personal data is masked."""
    from baliza.access.fieldcrypt import is_encrypted
    from baliza.warehouse import open_warehouse

    try:
        warehouse = open_warehouse(db, read_only=True)
    except FileNotFoundError as exc:
        fail(str(exc))
        return
    where, parameters = ("WHERE table_name = ?", [table_name]) if table_name else ("", [])
    with warehouse:
        rows = warehouse.duckdb.execute(
            f"SELECT load_id, table_name, source_file, line, column_name, value, reason FROM quarantine {where} "
            "ORDER BY load_id, table_name, source_file, line", parameters,
        ).fetchall()
    entries = [
        {"load_id": load_id, "table": table, "file": file, "line": line, "column": column,
         "value": "(personal data)" if is_encrypted(value) else value, "reason": reason}
        for load_id, table, file, line, column, value, reason in rows
    ]
    if as_json:
        print_json({"quarantined": len(entries), "rows": entries})
        return
    if not entries:
        console.print("Nothing in quarantine.")
        return
    listing = RichTable(title=f"Quarantine ({len(entries)} rows)")
    for heading in ("table", "file", "line", "column", "reason"):
        listing.add_column(heading, overflow="fold")
    for entry in entries[:QUARANTINE_LIMIT]:
        listing.add_row(entry["table"], entry["file"], str(entry["line"] or ""), entry["column"] or "",
                        entry["reason"])
    console.print(listing)
    if len(entries) > QUARANTINE_LIMIT:
        console.print(f"... and {len(entries) - QUARANTINE_LIMIT} more (use --json for all)")
