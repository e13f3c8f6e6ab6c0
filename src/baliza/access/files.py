"""Private files: what the product writes (warehouse, state, keys, reports, audit anchors) is readable by
its owner only, 0600 in a 0700 folder, so another local account cannot copy a session, a key or a
person's details off the disk.

Embedded databases (DuckDB, SQLite) create their own side files (write-ahead logs, journals) after they
are opened; only the process's umask reaches those, so `restrict_new_files()` turns off the group and
other bits of the umask for the whole process. The other helpers create a file or folder private
from its first byte, or tighten one that exists, and read or create key files.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import secrets
import stat
import tempfile
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
_SIDE_FILES = (".wal", "-wal", "-shm", "-journal")


def restrict_new_files() -> None:
    """Every file and folder this process creates from now on is private to its owner (umask |= 077)."""
    current = os.umask(0o077)
    os.umask(current | 0o077)


def private_folder(path: Path) -> Path:
    """Create `path` (and missing parents) with mode 0700. An existing folder is left as it is: its owner
    chose where the data lives (it may be shared, like /tmp), and the files in it are 0600."""
    restrict_new_files()
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
    return path


def make_private(path: Path) -> None:
    """Mode 0600 on `path` and on the side files its database keeps beside it (WAL, journal), if they exist."""
    for candidate in (path, *(path.with_name(path.name + suffix) for suffix in _SIDE_FILES)):
        try:
            if stat.S_IMODE(candidate.stat().st_mode) != PRIVATE_FILE:
                candidate.chmod(PRIVATE_FILE)
        except FileNotFoundError:
            continue


def create_private(path: Path) -> None:
    """Create `path` empty with mode 0600 if it does not exist (so a database opened on it is private from
    the start); tighten it if it does."""
    private_folder(path.parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    make_private(path)


def write_private(path: Path, content: str | bytes) -> None:
    """Write `content` to `path`, which is (or becomes) mode 0600, in a folder created 0700."""
    private_folder(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    os.fchmod(descriptor, PRIVATE_FILE)  # an existing file keeps its mode through O_CREAT: tighten it
    data = content.encode("utf-8") if isinstance(content, str) else content
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def decode_key(text: str, origin: str, size: int) -> bytes:
    """A key of `size` bytes from its base64 text; the error names where it came from, never its value."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{origin} is not base64") from None
    if len(key) != size:
        raise ValueError(f"{origin} must be base64 of {size} bytes, not {len(key)}")
    return key


def key_from(variable: str, path: Path, size: int = 32) -> bytes:
    """A secret key: the environment variable `variable` (base64) if set, else the key file at `path`,
    created with `size` random bytes and mode 0600 the first time."""
    from_environment = os.environ.get(variable)
    if from_environment:
        return decode_key(from_environment, variable, size)
    if path.exists():
        make_private(path)
        return decode_key(path.read_text(), str(path), size)
    private_folder(path.parent)
    key = secrets.token_bytes(size)
    # Written whole beside it, then linked into place: another process (a second service worker) finds the
    # key file whole or not at all, never created but not yet written.
    descriptor, written = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(descriptor, PRIVATE_FILE)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(base64.b64encode(key).decode("ascii"))
            handle.flush()
            os.fsync(handle.fileno())
        os.link(written, path)
    except FileExistsError:  # made meanwhile by another process: use theirs
        return decode_key(path.read_text(), str(path), size)
    finally:
        os.unlink(written)
    return key
