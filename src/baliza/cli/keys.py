"""`baliza keys status` and `baliza keys rotate`: the field key that seals every person's identifying cells."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

import typer

from baliza.cli.options import DbOption, JsonOption
from baliza.cli.output import console, errors, fail, print_json
from baliza.i18n import gettext as _

keys_app = typer.Typer(help="The field key: where it is, and rotating it.", no_args_is_help=True)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # pragma: no cover - no login name in some containers
        return "cli"


def key_status(db_path: Path) -> dict[str, Any]:
    """Where the field key of the warehouse at `db_path` comes from, its public id, whether it opens the
    warehouse, a rotation's key files left over, and the last rotation in the audit log."""
    from baliza.access import fieldcrypt
    from baliza.access.audit import entries
    from baliza.access.state import open_state_beside
    from baliza.warehouse.keyfiles import sample_token
    from baliza.warehouse.loadlock import current_holder
    from baliza.warehouse.publishing import close_snapshot, open_snapshot

    in_environment = fieldcrypt.key_in_environment()
    key_file = fieldcrypt.key_path(db_path)
    key = fieldcrypt.key_for(db_path) if in_environment else fieldcrypt.read_key_file(key_file)
    opens: bool | None = None
    if db_path.exists():
        snapshot = open_snapshot(db_path)
        try:
            token = sample_token(snapshot.duckdb)
        finally:
            close_snapshot(snapshot)
        opens = None if token is None else bool(key is not None and fieldcrypt.opens(key, token))
    store = open_state_beside(db_path)
    try:
        rotations = [e for e in entries(store) if e.action == "key_rotate"]
    finally:
        store.close()
    holder = current_holder(db_path)
    return {
        "source": "environment" if in_environment else "file",
        "key_file": None if in_environment else str(key_file),
        "key_id": fieldcrypt.key_id(key) if key is not None else None,
        "opens_warehouse": opens,
        "retired_key_file": fieldcrypt.retired_key_path(db_path).exists(),
        "next_key_file": fieldcrypt.next_key_path(db_path).exists(),
        "writer_running": holder.describe() if holder else None,
        "last_rotation": rotations[-1].at if rotations else None,
        "rotations": len(rotations),
    }


@keys_app.command("status")
def status(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Where the field key is, its public id, whether it opens the warehouse, and the last rotation."""
    from baliza.warehouse import resolve_db_path

    found = key_status(resolve_db_path(db))
    if as_json:
        print_json(found)
        return
    if found["source"] == "environment":
        console.print(_("Field key: from the environment (BALIZA_KEY), id %(id)s.", id=found["key_id"]),
                      highlight=False)
    elif found["key_id"] is None:
        console.print(_("Field key: none yet (%(file)s is created by the first load).", file=found["key_file"]),
                      highlight=False)
    else:
        console.print(_("Field key: %(file)s, id %(id)s.", file=found["key_file"], id=found["key_id"]),
                      highlight=False)
    if found["opens_warehouse"] is False:
        console.print(_("warning: this key does not open the warehouse's sealed cells."), highlight=False)
    if found["retired_key_file"] or found["next_key_file"]:
        console.print(_("A rotation's key files are still there (a rotation is running, or was stopped): the next "
                        "load or rotation puts them right."), highlight=False)
    if found["last_rotation"]:
        console.print(_("Last rotation: %(at)s (%(n)s in all).", at=found["last_rotation"], n=found["rotations"]),
                      highlight=False)
    else:
        console.print(_("The key has never been rotated."), highlight=False)


@keys_app.command("rotate")
def rotate(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Re-seal every person's identifying cells under a new field key, while `baliza serve` keeps serving.
    The old key is removed once the re-sealed warehouse is published; the rotation is audited."""
    from baliza.warehouse import resolve_db_path
    from baliza.warehouse.rotation import RotationError, rotate_field_key

    def waiting(holder: Any) -> None:
        errors.print(_("Waiting: %(holder)s.", holder=holder.describe()), highlight=False)

    try:
        done = rotate_field_key(resolve_db_path(db), _actor(), on_wait=waiting)
    except RotationError as error:
        fail(str(error))
        return
    if as_json:
        print_json({"old_key_id": done.old_key_id, "new_key_id": done.new_key_id, "sealed_cells": done.sealed_cells,
                    "cells": done.cells, "lookups": done.lookups, "row_hashes": done.row_hashes})
        return
    console.print(_("Field key rotated: %(cells)s sealed cells re-sealed, %(lookups)s lookups recomputed; key "
                    "%(old)s removed, key %(new)s in use.", cells=done.sealed_cells, lookups=done.lookups,
                    old=done.old_key_id, new=done.new_key_id), highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
