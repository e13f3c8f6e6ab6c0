"""Field encryption at rest (AES-GCM) for the identifying columns of protected people.

A token is `"enc:v1:" + base64(nonce + ciphertext)`. The key is `BALIZA_KEY` (base64 of 32 bytes)
or a `<db file>.key` file beside the warehouse, created on first use with mode 0600.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from baliza.access.files import key_from

PREFIX = "enc:v1:"
KEY_ENVIRONMENT_VARIABLE = "BALIZA_KEY"
_NONCE_BYTES = 12
_KEY_BYTES = 32


def key_path(db_path: Path) -> Path:
    """Where the key of the warehouse at `db_path` is kept when `BALIZA_KEY` is not set."""
    return db_path.with_name(db_path.name + ".key")


def key_for(db_path: Path) -> bytes:
    """The field-encryption key: `BALIZA_KEY`, else `<db file>.key` (created with mode 0600)."""
    return key_from(KEY_ENVIRONMENT_VARIABLE, key_path(Path(db_path)), _KEY_BYTES)


def encrypt(key: bytes, text: str) -> str:
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, text.encode("utf-8"), None)
    return PREFIX + base64.b64encode(nonce + sealed).decode("ascii")


def decrypt(key: bytes, token: str) -> str:
    if not is_encrypted(token):
        raise ValueError("not an encrypted field (expected the enc:v1: prefix)")
    blob = base64.b64decode(token[len(PREFIX):])
    return AESGCM(key).decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], None).decode("utf-8")


def is_encrypted(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)
