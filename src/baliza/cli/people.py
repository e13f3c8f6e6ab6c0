"""`baliza people resolve|show|findings`: people resolved across agencies, with the evidence.

`resolve` links every agency's person records (Splink, keyed pseudonyms only) and keeps the resolution in
the warehouse, beside the rows it never changes; `show` prints one person's records and the links between
them; `findings` the people in separate seizures, arrests or cases that only their records together show.
The analysis is `baliza.analyses.people`; this module only presents it.
"""

from __future__ import annotations

import getpass
from typing import Annotated, Any

import typer

from baliza.cli.options import DbOption, JsonOption
from baliza.cli.output import console, errors, fail, print_json
from baliza.cli.steps import step
from baliza.i18n import N_
from baliza.i18n import gettext as _

people_app = typer.Typer(help="People resolved across agencies: the same person in several agencies' records.",
                         no_args_is_help=True)

ThresholdOption = Annotated[float, typer.Option(
    "--threshold", min=0.5, max=0.999999, help="Match probability at which two records are linked.")]
BackendOption = Annotated[str, typer.Option(
    "--backend", help="Linking engine: duckdb (embedded, default) or spark (local mode here).")]

STEPS = {"pseudonyms": N_("Opening the person records and making their keyed pseudonyms"),
         "linking": N_("Scoring candidate pairs of records (Splink)"),
         "clusters": N_("Grouping the links into people")}


def _spark_session(backend: str) -> Any:
    if backend == "duckdb":
        return None
    if backend != "spark":
        fail(_("--backend %(backend)s: choose duckdb or spark", backend=backend))
    try:
        from baliza.crypto.spark import local_session
        return local_session()
    except Exception as error:  # no pyspark, no Java
        fail(_("the Spark backend is not available here: %(error)s", error=str(error).splitlines()[0]))


def _audit(db: Any, summary: dict[str, Any]) -> None:
    from baliza.access.audit import record
    from baliza.access.state import open_state_beside

    store = open_state_beside(db)
    try:
        record(store, f"cli:{getpass.getuser()}", "", "people_resolve", "persons",
               {k: summary[k] for k in ("records_compared", "people_with_several_records", "links")})
    finally:
        store.close()


@people_app.command("resolve")
def resolve(db: DbOption = None, threshold: ThresholdOption = 0.95, backend: BackendOption = "duckdb",
            as_json: JsonOption = False) -> None:
    """Link every agency's person records into resolved people (nothing merged) and keep the result."""
    from baliza.analyses.people import resolve_warehouse
    from baliza.analyses.people.stored import store_resolution
    from baliza.warehouse.engines import home_of, publishing_to
    from baliza.warehouse.loadlock import LoadRunning
    from baliza.warehouse.postgres import redact
    from baliza.warehouse.store import chosen_db

    chosen = chosen_db(db)
    path = home_of(chosen)  # the file, or for PostgreSQL and Spark the loading file (its keys are beside it)
    if not path.exists():
        fail(_("no warehouse at %(path)s: load a dataset first (baliza load DIR --db %(path)s)",
               path=redact(str(chosen))))
    spark = _spark_session(backend)
    current: list[Any] = []

    def say(name: str) -> None:
        if current:
            current.pop().__exit__(None, None, None)
        started = step(_(STEPS[name]))
        started.__enter__()
        current.append(started)

    try:
        # on a file, kept in it; on PostgreSQL or Spark, kept in the loading file and published with its tables
        with publishing_to(chosen, getpass.getuser()) as warehouse:
            resolution = resolve_warehouse(warehouse, backend, spark, threshold, say)  # type: ignore[arg-type]
            if current:
                current.pop().__exit__(None, None, None)
            with step(_("Keeping the resolution in the warehouse")):
                store_resolution(warehouse, resolution)
    except LoadRunning as error:
        fail(str(error))
    summary = resolution.summary()
    _audit(path, summary)
    if as_json:
        print_json({"summary": summary, "model": resolution.model.to_dict(), "timings": resolution.timings})
        return
    console.print(_("%(records)s person records compared; %(pairs)s pairs of records are likely matches "
                    "(probability 0.5 or more).", records=f"{summary['records_compared']:,}",
                    pairs=f"{summary['pairs_likely']:,}"))
    console.print(_("%(people)s people have two records or more (%(records)s records); %(across)s of them are "
                    "recorded by more than one agency.", people=f"{summary['people_with_several_records']:,}",
                    records=f"{summary['records_in_them']:,}", across=f"{summary['people_across_agencies']:,}"))
    if not resolution.model.trained:
        errors.print(_("Too few records to estimate the model from: its prior settings were used."))
    console.print(_("See one person with baliza people show PERSON_ID, and the leads with baliza people findings."))


@people_app.command("show")
def show(person_id: str, db: DbOption = None, as_json: JsonOption = False) -> None:
    """One person's records across agencies and the links between them (operator's view: ids, agencies,
    match weights and the fields that agreed; no identities)."""
    from baliza.analyses.people.labels import agreement
    from baliza.analyses.people.stored import cluster_of, is_resolved
    from baliza.warehouse import open_warehouse

    try:
        with open_warehouse(db, read_only=True) as warehouse:
            if not is_resolved(warehouse):
                fail(_("people were not resolved in this warehouse: run baliza people resolve"))
            members, links = cluster_of(warehouse, person_id)
    except FileNotFoundError as error:
        fail(str(error))
    if as_json:
        print_json({"person_id": person_id, "records": [m.to_dict() for m in members],
                    "links": [k.to_dict() for k in links]})
        return
    if not members:
        console.print(_("%(person)s was not linked to any other record.", person=person_id))
        return
    for m in members:
        console.print(_("%(person)s held by %(agency)s", person=m.person_id, agency=m.agency_id)
                      + (f" ({_('protected')})" if m.protected else ""))
    for k in links:
        console.print(_("%(a)s and %(b)s: match weight %(weight)s; agreed on: %(fields)s", a=k.person_a,
                        b=k.person_b, weight=f"{k.match_weight:.1f}",
                        fields=", ".join(f"{_(field)} ({_(level)})" for field, level in
                                         agreement(k.levels, k.agreed())) or "-"))


@people_app.command("findings")
def findings(db: DbOption = None, as_json: JsonOption = False) -> None:
    """People in separate seizures, arrests or cases that only their records across agencies show: leads
    (the red-flag rule person_across_agencies, computed here from the stored resolution)."""
    from baliza.analyses.integrity import FlagSettings
    from baliza.analyses.integrity.people import RULE, repeat_people
    from baliza.analyses.people.stored import is_resolved
    from baliza.i18n.findings import summary as finding_summary
    from baliza.warehouse import open_warehouse

    try:
        with open_warehouse(db, read_only=True) as warehouse:
            if not is_resolved(warehouse):
                fail(_("people were not resolved in this warehouse: run baliza people resolve"))
            settings = FlagSettings.defaults()
            found = repeat_people(warehouse, None, settings).findings
    except FileNotFoundError as error:
        fail(str(error))
    if as_json:
        print_json([{**f.to_dict(), "details": {**f.details, "settings": settings.rule(RULE).record()}}
                    for f in found])
        return
    console.print(_("%(n)s people in separate seizures, arrests or cases seen only across their records.",
                    n=f"{len(found):,}"))
    for f in found[:20]:
        console.print(f"• {f.details['cluster_id']} ({f.subject.id}): {finding_summary(f)}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(people_app, name="people")
