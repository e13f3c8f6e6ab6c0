"""`baliza demo`: build a synthetic country reported by several agencies, load it, create one demo
account per role, and serve the dashboard (unless `--no-serve`).

The port is checked before anything else (a busy port is said at once, with a free one to pass to
`--port`, not after the country is built); each demo account is printed on one line of its own, so no
password is ever split across lines."""

from __future__ import annotations

import shutil
import socket
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.padding import Padding
from rich.panel import Panel
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from baliza.access.files import write_private  # reports may name people: owner-only files
from baliza.cli.output import console, fail
from baliza.cli.steps import step
from baliza.cli.tables import listing, number_column, show, text_column
from baliza.i18n import gettext as _
from baliza.i18n.formatting import count, number

if TYPE_CHECKING:
    from baliza.analyses.model import Finding

DEMO_DB = Path("baliza-demo.duckdb")
PORTS_TRIED = 20  # after a busy port, the next ones looked at for a free one to suggest


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                    TimeElapsedColumn(), console=console, transient=False)


def port_is_free(host: str, port: int) -> bool:
    """Whether a server could listen on `host:port` now."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def check_port(host: str, port: int) -> None:
    """Stop at once, with a free port to use instead, when `host:port` is taken."""
    if port_is_free(host, port):
        return
    free = next((p for p in range(port + 1, min(port + 1 + PORTS_TRIED, 65536)) if port_is_free(host, p)), None)
    if free is None:
        fail(_("port %(port)s on %(host)s is in use: choose a free one with --port, or --no-serve to build the "
               "demo without serving it", port=port, host=host))
    fail(_("port %(port)s on %(host)s is in use (another Baliza, or another server): run again with --port "
           "%(free)s, or --no-serve to build the demo without serving it", port=port, host=host, free=free))


def demo(
    db: Annotated[Path, typer.Option("--db", help="Warehouse file the demo writes (replaced).")] = DEMO_DB,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic country.")] = 7,
    keep: Annotated[Path | None, typer.Option(help="Keep the generated dataset in this folder.")] = None,
    serve: Annotated[bool, typer.Option("--serve/--no-serve",
                                        help="End by serving the dashboard with the demo accounts.")] = True,
    host: Annotated[str, typer.Option(help="Address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
) -> None:
    """Generate a small synthetic country (one dataset per reporting agency), load it into an embedded
    warehouse, create demo accounts (one per role) and serve the dashboard."""
    from baliza.access.demo_accounts import CHAIN_READERS, create_demo_accounts, share_for_demo, whole_chains
    from baliza.access.state import open_state_beside, state_url_for
    from baliza.demo import generate_country
    from baliza.load import load_datasets
    from baliza.report.country import country_document, country_figures
    from baliza.warehouse import open_warehouse

    if serve:
        check_port(host, port)
    started = time.perf_counter()
    console.print(Panel.fit(
        _("[bold]Baliza demo[/]: a synthetic country's drug-control chain, from entry point to verdict to "
          "recovered asset.\nNothing here is real: people, units and cases are generated."),
        border_style="cyan"))
    workdir = Path(tempfile.mkdtemp(prefix="baliza-demo-"))
    report_path = db.with_name(f"{db.stem}-report.html")
    dataset = keep or workdir / "country"
    try:
        with _progress() as progress:
            task = progress.add_task(_("Generating the country"), total=1.0)
            summary = generate_country(dataset, seed=seed, scale="small", truth_path=workdir / "truth.json",
                                       progress=lambda _stage, done: progress.update(task, completed=done),
                                       by_agency=True)
            progress.update(task, completed=1.0)
        folders = sorted(p for p in dataset.iterdir() if (p / "manifest.yaml").exists())
        console.print(_("%(rows)s rows in %(tables)s tables, one folder for each of %(agencies)s reporting "
                        "agencies: %(folder)s", rows=count(sum(summary.rows.values())),
                        tables=count(len(summary.rows)), agencies=count(len(folders)), folder=escape(str(dataset))),
                      highlight=False)

        _remove_stale(db, state_url_for(db))
        with open_warehouse(db) as warehouse:
            with _progress() as progress:
                task = progress.add_task(_("Loading and validating"), total=1.0)

                def loading(stage: str, done: int, total: int) -> None:
                    progress.update(task, completed=done / max(total, 1),
                                    description=_("Loading: %(step)s", step=stage))

                report = load_datasets(warehouse, folders, progress=loading)
                progress.update(task, completed=1.0, description=_("Loaded and validated"))
            _show_load(report.to_dict())
            with step(_("Resolving people across the agencies' records (keyed pseudonyms only)")):
                # kept in the warehouse, as baliza people resolve does: the red flags read it (repeat involvement)
                from baliza.analyses.people import resolve_warehouse
                from baliza.analyses.people.stored import store_resolution

                store_resolution(warehouse, resolve_warehouse(warehouse))
            with step(_("Running the analyses and writing the report")):
                figures = country_figures(warehouse)
                write_private(report_path, country_document(figures))
            _show_findings(figures.justice.findings, report_path)
            with step(_("Creating the demo accounts and sharing chains between agencies")):
                state = open_state_beside(db)
                try:
                    accounts = create_demo_accounts(warehouse, state)
                    viewers = {a.agency_id for a in accounts if a.role.value in CHAIN_READERS}
                    grants = share_for_demo(warehouse, state, viewers)
                    followed = whole_chains(warehouse)
                    from baliza.cli.names import directory

                    names = directory(warehouse)
                finally:
                    state.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    show_accounts(accounts, names)
    for agency, seizure_id in sorted(followed.items()):
        shared = sorted({names.get(g.grantee_agency_id, g.grantee_agency_id) for g in grants
                         if g.subject_id == seizure_id})
        console.print(_("Whole chain to follow: seizure [bold]%(seizure)s[/] of %(agency)s, from inspection to "
                        "verdict and assets; every agency holding a step shares it with %(shared)s.",
                        seizure=seizure_id, agency=escape(names.get(agency, agency)),
                        shared=escape(", ".join(shared))), highlight=False)
    console.print(_("Other chains show, for each step another agency holds, its stage, date and agency (not its "
                    "content), with a button to request access."))
    console.print("\n" + _("Done in %(seconds)s s. The warehouse is [bold]%(db)s[/]. Try next:",
                           seconds=number(time.perf_counter() - started, 1), db=escape(str(db))), highlight=False)
    example = next(iter(sorted(followed.values())), "SEIZURE_ID")
    for command, what in _next_steps(db, example):
        console.print(f"  [bold cyan]{escape(command)}[/]\n      {what}", highlight=False, soft_wrap=True)
    if serve:
        from baliza.cli.serve import serve as serve_dashboard

        console.print("\n" + _("Sign in at [bold]http://%(host)s:%(port)s/login[/] with an account above "
                               "(Ctrl-C stops).", host=host, port=port), highlight=False)
        serve_dashboard(db=db, host=host, port=port, secure_cookies=False)


def _remove_stale(db: Path, state_url: str) -> None:
    """The demo replaces its warehouse and, when it is the SQLite file beside it, its state store."""
    stale = [db, db.with_name(db.name + ".wal")]
    if state_url.startswith("sqlite:///"):
        state = Path(state_url.removeprefix("sqlite:///"))
        if state.parent == db.parent:
            stale += [state, state.with_name(state.name + "-journal"), state.with_name(state.name + "-wal")]
    for path in stale:
        path.unlink(missing_ok=True)


def _show_findings(findings: list[Finding], report_path: Path) -> None:
    tested = [f for f in findings if f.q_value is not None]
    by_rule = Counter(f.rule for f in findings)
    console.print("\n" + _("[bold]%(flags)s red flags[/] backed by a statistical test (q-values across every unit "
                           "tested) and [bold]%(facts)s case facts[/] for review:", flags=count(len(tested)),
                           facts=count(len(findings) - len(tested))), highlight=False)
    for rule, n in by_rule.most_common():
        console.print(f"  {count(n):>5}  {rule.replace('_', ' ')}", highlight=False)
    console.print(_("The country report (indicators, benchmarks, justice, entry points) is [bold]%(path)s[/].",
                    path=escape(str(report_path))), highlight=False)


def _role_words(role: str) -> str:
    return {
        "admin": _("administrator"),
        "analyst": _("analyst"),
        "unit_officer": _("unit officer"),
        "prosecution_inspector": _("prosecution inspector"),
        "programme_officer": _("programme officer"),
        "oversight": _("oversight"),
    }.get(role, role.replace("_", " "))


def show_accounts(accounts: list[Any], names: dict[str, str]) -> None:
    """One line per account, user and password side by side and never wrapped; then who it is and what it
    may see, on a line of its own that may wrap."""
    console.print("\n" + _("[bold]Demo accounts[/] (passwords shown once):"), highlight=False)
    width = max(len(a.username) for a in accounts)
    for a in accounts:
        console.print(f"  [bold]{a.username:<{width}}[/]  {escape(a.password)}", highlight=False, soft_wrap=True)
        console.print(Padding(_("%(role)s at %(agency)s; sees %(sees)s", role=_role_words(a.role.value),
                                agency=names.get(a.agency_id, a.agency_id), sees=_(a.sees)), (0, 0, 0, 6)),
                      style="dim", highlight=False)


def _show_load(report: dict[str, Any]) -> None:
    table = listing(_("What was loaded"))
    text_column(table, _("table"), keep_whole=True)
    for heading in (_("accepted"), _("normalised"), _("quarantined")):
        number_column(table, heading)
    for name, counts in sorted(report["tables"].items()):
        table.add_row(name, count(counts["accepted"]), count(counts["normalised"]), count(counts["quarantined"]))
    show(table)


def _next_steps(db: Path, seizure_id: str) -> list[tuple[str, str]]:
    at = f" --db {db}"
    return [
        (f"baliza status{at}", _("what the warehouse holds and the loads that built it")),
        (f"baliza flags{at}", _("the red flags, each with why it fired, how sure it is, and its evidence")),
        (f"baliza chain {seizure_id}{at}", _("one seizure's path to verdict and assets, with broken links named")),
        (f"baliza efficiency{at}", _("clearance rate, disposition time and turnover per prosecution office")),
        (f"baliza ksi{at}", _("key success indicators of each unit, the latest year (--all: every period)")),
        (f"baliza report country --lang es{at}", _("the country report, in Spanish")),
        (f"baliza report growth --format pdf --out growth.pdf{at}", _("the growth report for donors, as PDF")),
        ("baliza load YOUR_FOLDER --db agency.duckdb", _("load your own agency's files (CSV, Parquet, Excel)")),
    ]


def register(app: typer.Typer) -> None:
    app.command()(demo)
