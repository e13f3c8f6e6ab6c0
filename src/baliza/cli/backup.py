"""`baliza backup OUT` and `baliza restore BACKUP`: the warehouse, its state store and keys, encrypted."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from baliza.cli.options import DbOption, JsonOption
from baliza.cli.output import console, fail, print_json
from baliza.i18n import gettext as _

PASSPHRASE_VARIABLE = "BALIZA_BACKUP_PASSPHRASE"


def _passphrase(confirm: bool) -> str:
    given = os.environ.get(PASSPHRASE_VARIABLE)
    if given:
        return given
    return str(typer.prompt(_("Backup passphrase"), hide_input=True, confirmation_prompt=confirm, err=True))


def backup(
    out: Annotated[Path, typer.Argument(help="The backup file to write (encrypted).")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Back up the warehouse, its state store (accounts, grants, audit log) and key files into one file
    encrypted with a passphrase ($BALIZA_BACKUP_PASSPHRASE, else asked). Safe while `baliza serve` runs."""
    from baliza.warehouse import resolve_db_path
    from baliza.warehouse.backup import BackupError, make_backup

    try:
        summary = make_backup(resolve_db_path(db), out, _passphrase(confirm=True))
    except (BackupError, ValueError) as exc:
        fail(str(exc))
        return
    if as_json:
        print_json({"out": str(out), "files": summary.files, "audit_head": list(summary.audit_head),
                    "keys_in_environment": summary.keys_in_environment})
        return
    console.print(_("Backup written to %(out)s: %(n)s files, audit log at entry %(seq)s.",
                    out=str(out), n=len(summary.files), seq=summary.audit_head[0]), highlight=False)
    for variable in summary.keys_in_environment:
        console.print(_("warning: %(variable)s comes from the environment and is not in the backup; keep it "
                        "with the passphrase.", variable=variable), highlight=False)


def restore(
    archive: Annotated[Path, typer.Argument(help="A file written by `baliza backup`.")],
    db: DbOption = None,
    force: Annotated[bool, typer.Option(help="Replace the warehouse and state store already there.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Restore a backup as the warehouse at --db (with its state store and keys). Stop `baliza serve` first."""
    from baliza.warehouse import resolve_db_path
    from baliza.warehouse.backup import BackupError, restore_backup
    from baliza.warehouse.sealed import BadBackup

    if not archive.is_file():
        fail(_("no backup at %(path)s", path=str(archive)))
        return
    try:
        manifest = restore_backup(archive, resolve_db_path(db), _passphrase(confirm=False), force=force)
    except (BackupError, BadBackup) as exc:
        fail(str(exc))
        return
    if as_json:
        print_json(manifest)
        return
    console.print(_("Restored the backup of %(made)s: %(n)s files, audit log at entry %(seq)s.",
                    made=manifest["made_at"], n=len(manifest["files"]), seq=manifest["audit_head"][0]),
                  highlight=False)


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)
