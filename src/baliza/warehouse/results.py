"""The results computed on one load, kept on disk beside the warehouse so that a restart does not compute
them again.

One file per warehouse state (`<db>.results/<state>.bin`, the state being what `baliza.web.snapshots.
warehouse_state` names: the number of loads and the latest load id), written whole to a temporary name
and renamed, so a reader finds either the complete file or none. The results quote findings and names
taken from the warehouse, so the file is encrypted and authenticated (AES-GCM) with a key of its own
(`StateStore.key("results")`, a key file beside the state store, never in the data): a copy of the file
alone reads nothing, and a file that was altered or belongs to another state is refused (the state and
the format are its associated data) before anything in it is unpickled. Only the current state's file is
kept: writing one removes the others.
"""

from __future__ import annotations

import logging
import os
import pickle
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from baliza import __version__

log = logging.getLogger(__name__)

FORMAT = f"baliza-results-1|{__version__}"  # results written by another version are computed again
NONCE_BYTES = 12


def results_folder(db_path: Path) -> Path:
    """Where the results of the warehouse at `db_path` are kept."""
    return db_path.with_name(db_path.name + ".results")


def _file_for(db_path: Path, state: str) -> Path:
    safe = "".join(c if c.isalnum() else "-" for c in state)
    return results_folder(db_path) / f"{safe}.bin"


def _associated(state: str) -> bytes:
    return f"{FORMAT}|{state}".encode()


def store_results(db_path: Path, state: str, values: dict[str, Any], key: bytes) -> Path | None:
    """Write `values` as the results of `state`, and remove the results of any other state. None (and a
    line in the log) when the values cannot be written: the server then keeps them in memory only."""
    folder = results_folder(db_path)
    target = _file_for(db_path, state)
    try:
        plain = pickle.dumps(values, protocol=pickle.HIGHEST_PROTOCOL)
        nonce = os.urandom(NONCE_BYTES)
        sealed = nonce + AESGCM(key).encrypt(nonce, plain, _associated(state))
        folder.mkdir(mode=0o700, exist_ok=True)
        temporary = folder / f".{target.name}.{os.getpid()}.tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(sealed)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except Exception as exc:  # results that cannot be kept are still served from memory
        log.error("the results of loads %s could not be stored: %s", state, type(exc).__name__)
        return None
    for other in folder.iterdir():
        if other != target and not other.name.startswith("."):
            other.unlink(missing_ok=True)
    return target


def read_results(db_path: Path, state: str, key: bytes) -> dict[str, Any] | None:
    """The stored results of `state`, or None when there are none, they were written by another version,
    for another state, with another key, or altered (they are then computed again)."""
    path = _file_for(db_path, state)
    try:
        sealed = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        plain = AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], _associated(state))
    except (InvalidTag, ValueError):
        log.warning("stored results %s refused (another version, key or state, or altered)", path.name)
        return None
    values = pickle.loads(plain)  # authenticated above: written by this server with its key
    return values if isinstance(values, dict) else None


def clean_temporary(db_path: Path) -> None:
    """Remove results a stopped server was writing (temporary files)."""
    folder = results_folder(db_path)
    if folder.is_dir():
        for stray in folder.glob(".*.tmp"):
            stray.unlink(missing_ok=True)
