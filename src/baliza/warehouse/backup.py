"""Backups of a warehouse with its state store and key files, encrypted with a passphrase.

A backup is a tar stream sealed by `warehouse.sealed`: `manifest.json` (what is in it, each file's
SHA-256, the audit log's head), `warehouse.duckdb`, `state.sqlite` and `keys/…`. It is consistent while
the server runs: the load lock is held (a load waits, saying so), the warehouse file is never written in
place (`warehouse.publishing`), and the state store is copied with SQLite's online backup.

A restore checks every file against the manifest before anything is written, refuses to overwrite an
existing warehouse or state without `force`, and refuses while a server is serving the warehouse (the
state store would change under it). Keys given in the environment (`BALIZA_KEY`, `BALIZA_AUDIT_KEY`...)
are not files: the backup lists them, and they must be kept by whoever keeps the environment.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from baliza import __version__
from baliza.access.files import PRIVATE_FILE, private_folder
from baliza.access.state import open_state, state_url_for
from baliza.i18n import gettext as _
from baliza.warehouse.loadlock import holding_load_lock
from baliza.warehouse.publishing import SERVING, clean_strays, process_alive
from baliza.warehouse.sealed import BadBackup, OpeningReader, SealingWriter

WAREHOUSE, STATE = "warehouse.duckdb", "state.sqlite"
ENVIRONMENT_KEYS = ("BALIZA_KEY", "BALIZA_IDS_KEY", "BALIZA_AUDIT_KEY", "BALIZA_SESSION_KEY")


class BackupError(RuntimeError):
    """A backup or a restore that cannot be done, said plainly."""


@dataclass
class BackupSummary:
    files: dict[str, int] = field(default_factory=dict)  # name in the backup: bytes
    audit_head: tuple[int, str] = (0, "")
    keys_in_environment: list[str] = field(default_factory=list)


def state_file(db_path: Path) -> Path:
    url = state_url_for(db_path)
    if not url.startswith("sqlite:///"):
        raise BackupError(_("the state store is not a SQLite file (BALIZA_STATE_URL): back it up with its "
                            "own tools (pg_dump), and this command backs up nothing"))
    return Path(url.removeprefix("sqlite:///"))


def key_files(db_path: Path) -> dict[str, Path]:
    """The key files beside the warehouse and the state store, by their name in a backup."""
    found = {}
    for home, prefix in ((db_path, "warehouse"), (state_file(db_path), "state")):
        for path in sorted(home.parent.glob(f"{home.name}*.key")):
            found[f"keys/{prefix}{path.name[len(home.name):]}"] = path
    return found


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _audit_head(state_path: Path, key_home: Path) -> tuple[int, str]:
    from baliza.access.audit import head

    store = open_state(f"sqlite:///{state_path}", key_home=key_home)
    try:
        return head(store)
    finally:
        store.close()


def make_backup(db_path: Path, out: Path, passphrase: str) -> BackupSummary:
    """Write an encrypted backup of the warehouse at `db_path`, its state store and its key files to `out`."""
    db_path, out = Path(db_path), Path(out)
    if not db_path.exists():
        raise BackupError(_("no warehouse at %(path)s", path=str(db_path)))
    state = state_file(db_path)
    summary = BackupSummary(keys_in_environment=[k for k in ENVIRONMENT_KEYS if os.environ.get(k)])
    with holding_load_lock(db_path, "backup"), tempfile.TemporaryDirectory(dir=db_path.parent) as scratch:
        files: dict[str, Path] = {WAREHOUSE: db_path}
        if state.exists():
            copy = Path(scratch) / STATE
            with sqlite3.connect(state) as source, sqlite3.connect(copy) as target:
                source.backup(target)  # consistent while the server writes sessions and audit entries
            files[STATE] = copy
            summary.audit_head = _audit_head(copy, state)
        files.update(key_files(db_path))
        manifest = {"baliza": __version__, "made_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "warehouse_name": db_path.name, "audit_head": list(summary.audit_head),
                    "keys_in_environment": summary.keys_in_environment,
                    "files": {name: _sha256(path) for name, path in files.items()}}
        partial = out.with_name(out.name + ".partial")
        with partial.open("wb") as raw:
            os.chmod(partial, PRIVATE_FILE)
            sealed = SealingWriter(raw, passphrase)
            with tarfile.open(fileobj=sealed, mode="w|") as archive:  # type: ignore[call-overload]
                _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=1).encode())
                for name, path in files.items():
                    with path.open("rb") as file:  # an open file: a load published meanwhile does not change it
                        info = archive.gettarinfo(fileobj=file, arcname=name)
                        info.uid = info.gid = 0
                        info.uname = info.gname = ""
                        archive.addfile(info, file)
                        summary.files[name] = info.size
            sealed.close()
        os.replace(partial, out)
    return summary


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    import io

    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), PRIVATE_FILE
    archive.addfile(info, io.BytesIO(data))


def _running_server(db_path: Path) -> int | None:
    for alias in db_path.parent.glob(f".{db_path.name}{SERVING}*"):
        pid = alias.name[len(f".{db_path.name}{SERVING}"):].split("-")[0]
        if pid.isdigit() and process_alive(int(pid)) and int(pid) != os.getpid():
            return int(pid)
    return None


def restore_backup(archive_path: Path, db_path: Path, passphrase: str, force: bool = False) -> dict[str, Any]:
    """Restore a backup made by `make_backup` as the warehouse at `db_path`; returns its manifest."""
    db_path = Path(db_path)
    private_folder(db_path.parent)
    state = state_file(db_path)
    server = _running_server(db_path)
    if server is not None:
        raise BackupError(_("a server (process %(pid)s) is serving this warehouse: stop it before restoring",
                            pid=server))
    if not force and (db_path.exists() or state.exists()):
        raise BackupError(_("%(path)s already holds a warehouse or a state store: restore elsewhere, or pass "
                            "--force to replace them", path=str(db_path)))
    with holding_load_lock(db_path, "restore"), tempfile.TemporaryDirectory(dir=db_path.parent) as scratch:
        folder = Path(scratch)
        manifest = _unpack(archive_path, passphrase, folder)
        clean_strays(db_path)
        targets = {WAREHOUSE: db_path, STATE: state}
        for name in manifest["files"]:
            if name.startswith("keys/"):
                prefix, rest = name[len("keys/"):].split(".", 1)
                home = db_path if prefix == "warehouse" else state
                targets[name] = home.with_name(f"{home.name}.{rest}")
        for suffix in ("-wal", "-shm", "-journal"):
            state.with_name(state.name + suffix).unlink(missing_ok=True)
        for name, target in targets.items():
            if name in manifest["files"]:
                os.chmod(folder / name, PRIVATE_FILE)
                shutil.move(folder / name, target.with_name(target.name + ".restoring"))
                os.replace(target.with_name(target.name + ".restoring"), target)
        db_path.with_name(db_path.name + ".wal").unlink(missing_ok=True)
        db_path.with_name(db_path.name + ".search.sqlite").unlink(missing_ok=True)  # rebuilt from the warehouse
    return manifest


def _unpack(archive_path: Path, passphrase: str, folder: Path) -> dict[str, Any]:
    with Path(archive_path).open("rb") as raw:
        opened = OpeningReader(raw, passphrase)
        try:
            with tarfile.open(fileobj=opened, mode="r|") as archive:  # type: ignore[call-overload]
                for member in archive:
                    if not member.isfile() or member.name.startswith("/") or ".." in Path(member.name).parts:
                        raise BadBackup(_("the backup holds an unexpected entry"))
                    target = folder / member.name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    source = archive.extractfile(member)
                    assert source is not None
                    with target.open("wb") as file:
                        shutil.copyfileobj(source, file)
        except tarfile.TarError as exc:
            raise BadBackup(_("the backup is damaged")) from exc
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for name, digest in manifest["files"].items():
        if not (folder / name).exists() or _sha256(folder / name) != digest:
            raise BadBackup(_("the backup's %(name)s does not match its manifest", name=name))
    return manifest
