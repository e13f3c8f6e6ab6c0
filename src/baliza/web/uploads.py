"""Exports uploaded in the browser: received into a private folder, checked, loaded one at a time.

An upload is made of files (CSV, Parquet, Excel, a `manifest.yaml`, or zip files holding them) sent one
by one into `.NAME.uploads/ID/` beside the warehouse (0700, deleted after the load and at every server
start). Each file's name, type (its first bytes, not only its extension) and size are checked as it
arrives; a zip is opened without trusting its names or sizes. Loads run in one background thread, in the
order they were asked for, through the same `publishing` as `baliza load` (so a command-line load and an
upload also take turns, and the job says whom it is waiting for): all or nothing, as the uploader's agency.
"""

from __future__ import annotations

import queue
import re
import secrets
import shutil
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from baliza.access.audit import record
from baliza.access.files import private_folder
from baliza.i18n import gettext as _
from baliza.warehouse.publishing import file_identity, publishing

TABLE_FILES = (".csv", ".parquet", ".xlsx")
MANIFESTS = ("manifest.yaml", "manifest.yml")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,99}$")
MAGIC = {".parquet": (b"PAR1",), ".xlsx": (b"PK\x03\x04",), ".zip": (b"PK\x03\x04", b"PK\x05\x06")}
MAX_FILES = 200
LOAD_MEMORY = "2GB"


class UploadRefused(ValueError):
    """A file or an upload that is refused, with a sentence saying why."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def check_name(name: str) -> str:
    """The file's name if it is a plain name of an accepted type, else `UploadRefused`."""
    lower = name.lower()
    if not NAME.match(name) or ".." in name:
        raise UploadRefused(_("%(name)s: a file name has letters, digits, dots, dashes, spaces or underscores only",
                              name=name[:100]))
    if not (lower.endswith((*TABLE_FILES, ".zip")) or lower in MANIFESTS):
        raise UploadRefused(_("%(name)s: only CSV, Parquet and Excel (.xlsx) files, a manifest.yaml, or zip files "
                              "holding them can be uploaded", name=name), status=415)
    return name


def check_content(name: str, first: bytes) -> None:
    """Refuse a file whose first bytes are not what its name says."""
    suffix = Path(name.lower()).suffix
    if suffix in MAGIC:
        if first and not first.startswith(MAGIC[suffix]):
            raise UploadRefused(_("%(name)s is not a %(kind)s file", name=name, kind=suffix[1:]), status=415)
    elif b"\x00" in first:
        raise UploadRefused(_("%(name)s is not a text file", name=name), status=415)


@dataclass
class Upload:
    upload_id: str
    username: str
    agency_id: str
    folder: Path
    files: dict[str, int] = field(default_factory=dict)
    mapping: Any = None  # a shipped mapping the files are read through (`baliza.load.mapping`)
    state: str = "receiving"  # receiving, queued, waiting, loading, computing, done, failed
    step: str = ""
    done: int = 0
    total: int = 0
    waiting_for: str = ""
    error: str = ""
    report: dict[str, Any] | None = None
    load_id: int | None = None
    created: float = field(default_factory=time.time)

    @property
    def bytes(self) -> int:
        return sum(self.files.values())

    def to_dict(self) -> dict[str, Any]:
        return {"upload_id": self.upload_id, "state": self.state, "files": self.files, "step": self.step,
                "done": self.done, "total": self.total, "waiting_for": self.waiting_for, "error": self.error,
                "report": self.report, "load_id": self.load_id}


class Uploads:
    """The uploads of one server, and the thread that loads them one after the other."""

    def __init__(self, ctx: Any, max_bytes: int) -> None:
        self.ctx, self.max_bytes = ctx, max_bytes
        db_path: Path = ctx.db_path
        self.root = db_path.with_name(f".{db_path.name}.uploads")
        shutil.rmtree(self.root, ignore_errors=True)  # what a server stopped mid-upload left
        self._uploads: dict[str, Upload] = {}
        self._queue: queue.Queue[Upload] = queue.Queue()
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self.waiting = 0  # uploads queued behind the one loading (the /metrics queue)

    def create(self, username: str, agency_id: str) -> Upload:
        upload_id = secrets.token_urlsafe(12)
        folder = private_folder(self.root / upload_id)
        upload = Upload(upload_id, username, agency_id, folder)
        with self._lock:
            self._uploads[upload_id] = upload
        return upload

    def get(self, upload_id: str, agency_id: str) -> Upload | None:
        """The upload, if it exists and the asker's agency made it."""
        upload = self._uploads.get(upload_id)
        return upload if upload is not None and upload.agency_id == agency_id else None

    def room_for(self, upload: Upload, name: str, declared: int | None) -> Path:
        """Where the file `name` of `upload` is written, once its name and declared size pass."""
        check_name(name)
        if upload.state != "receiving":
            raise UploadRefused(_("this upload is already being loaded"), status=409)
        if name not in upload.files and len(upload.files) >= MAX_FILES:
            raise UploadRefused(_("an upload holds at most %(n)s files", n=MAX_FILES), status=413)
        if declared is not None and upload.bytes - upload.files.get(name, 0) + declared > self.max_bytes:
            raise UploadRefused(self.too_large(), status=413)
        return upload.folder / name

    def too_large(self) -> str:
        return _("an upload has at most %(mb)s MB in all", mb=self.max_bytes // 1_000_000)

    def start(self, upload: Upload, mapping: str | None = None) -> None:
        """Queue the upload's load (all or nothing, as its uploader's agency)."""
        if mapping:  # a name from a form: only a shipped mapping, never a file of the server
            from baliza.load.mapping import MappingError, find_mapping

            try:
                upload.mapping = find_mapping(str(mapping), shipped_only=True)
            except MappingError as error:
                raise UploadRefused(str(error)) from error
        if not upload.files:
            raise UploadRefused(_("no file was uploaded"))
        if upload.state != "receiving":
            raise UploadRefused(_("this upload is already being loaded"), status=409)
        upload.state = "queued"
        with self._lock:
            self.waiting += 1
            self._queue.put(upload)
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="baliza-uploads", daemon=True)
                self._worker.start()

    def _run(self) -> None:
        while True:
            try:
                upload = self._queue.get(timeout=5)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._worker = None
                        return
                continue
            with self._lock:
                self.waiting -= 1
            try:
                self._load(upload)
            finally:
                shutil.rmtree(upload.folder, ignore_errors=True)

    def _load(self, upload: Upload) -> None:
        from baliza.load import LoadError, load_datasets

        def waiting(holder: Any) -> None:
            upload.state, upload.waiting_for = "waiting", holder.describe()

        def progress(step: str, done: int, total: int) -> None:
            upload.state, upload.step, upload.done, upload.total = "loading", step, done, total

        try:
            expand_zips(upload.folder, self.max_bytes)
            upload.state = "loading"
            with publishing(self.ctx.db_path, upload.username, on_wait=waiting) as warehouse:
                warehouse.duckdb.execute(f"SET memory_limit = '{LOAD_MEMORY}'")  # as `baliza load`: spill beyond
                report = load_datasets(warehouse, [upload.folder], agency=upload.agency_id, progress=progress,
                                       mapping=upload.mapping)
        except (LoadError, UploadRefused) as exc:
            self._failed(upload, str(exc).replace(str(upload.folder) + "/", ""))
            return
        except Exception as exc:  # the disk is full, a file DuckDB cannot read...: nothing was published
            self._failed(upload, _("the load failed and changed nothing (%(error)s)", error=type(exc).__name__))
            return
        upload.report, upload.load_id = _plain(report.to_dict(), upload.folder), report.load_id
        record(self.ctx.state, upload.username, upload.agency_id, "upload", f"loads/{report.load_id}",
               {"files": len(upload.files), "bytes": upload.bytes, "accepted": report.rows_read - report.quarantined,
                "quarantined": report.quarantined})
        upload.state, upload.step = "computing", _("computing the results of the new data")
        self._wait_until_served()
        upload.state, upload.step = "done", ""

    def _wait_until_served(self, timeout: float = 1800) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            self.ctx.check_for_load()
            if self.ctx.serving_identity() == file_identity(self.ctx.db_path):
                return
            time.sleep(0.2)

    def _failed(self, upload: Upload, message: str) -> None:
        upload.state, upload.error = "failed", message
        record(self.ctx.state, upload.username, upload.agency_id, "upload_refused", f"uploads/{upload.upload_id}",
               {"files": len(upload.files), "bytes": upload.bytes})


def _plain(report: dict[str, Any], folder: Path) -> dict[str, Any]:
    """The load report with the staging folder taken out of file names."""
    prefix = str(folder) + "/"
    report["files"] = [{**f, "path": str(f.get("path", "")).replace(prefix, "")} for f in report.get("files", [])]
    report["warnings"] = [w.replace(prefix, "") for w in report.get("warnings", [])]
    return report


def expand_zips(folder: Path, max_bytes: int) -> None:
    """Replace each zip in `folder` by the table files and manifest it holds (folders inside are flattened;
    nothing else, no two files of one name, nothing larger than `max_bytes` in all once unpacked)."""
    for archive in sorted(folder.glob("*.zip")) + sorted(folder.glob("*.ZIP")):
        try:
            with zipfile.ZipFile(archive) as opened:
                members = [m for m in opened.infolist() if not m.is_dir() and not _ignored(m.filename)]
                if len(members) > MAX_FILES:
                    raise UploadRefused(_("%(name)s holds more than %(n)s files", name=archive.name, n=MAX_FILES))
                written = 0
                for member in members:
                    name = check_name(Path(member.filename).name)
                    if name.lower().endswith(".zip"):
                        raise UploadRefused(_("%(name)s holds another zip file", name=archive.name))
                    target = folder / name
                    if target.exists():
                        raise UploadRefused(_("%(name)s is uploaded twice", name=name))
                    with opened.open(member) as source, target.open("wb") as out:
                        while block := source.read(1 << 20):
                            written += len(block)
                            if written > max_bytes:
                                raise UploadRefused(_("%(name)s unpacks to more than %(mb)s MB", name=archive.name,
                                                      mb=max_bytes // 1_000_000), status=413)
                            out.write(block)
                    with target.open("rb") as check:
                        check_content(name, check.read(8192))
        except zipfile.BadZipFile as exc:
            raise UploadRefused(_("%(name)s is not a readable zip file", name=archive.name)) from exc
        archive.unlink()


def _ignored(name: str) -> bool:
    """Files a zip made on a desktop carries besides the export (macOS forks, Windows thumbnails)."""
    parts = Path(name).parts
    return any(p.startswith(".") or p == "__MACOSX" for p in parts) or Path(name).name.lower() == "thumbs.db"
