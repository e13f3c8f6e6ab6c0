"""Field encryption at rest (AES-GCM) for the identifying columns of every person, and blind indexes.

A token is `"enc:v1:" + base64(nonce + ciphertext)`. The key is `BALIZA_KEY` (base64 of 32 bytes)
or a `<db file>.key` file beside the warehouse, created on first use with mode 0600.

A blind index is a keyed digest (HMAC-SHA256, under a key derived from the field key) of a value:
equal values have equal digests, so exact lookups and links (two people sharing a phone) work on
sealed data, while the digest tells nothing to whoever lacks the key (it cannot be brute-forced
from a list of names or phone numbers without it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from baliza.access.files import key_from

PREFIX = "enc:v1:"
_BLIND_INDEX_LABEL = b"baliza blind index v1"
_BLIND_INDEX_HEX_DIGITS = 32  # 128 bits: no accidental collisions among a country's people
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
    return Sealer(key).seal(text)


def decrypt(key: bytes, token: str) -> str:
    if not is_encrypted(token):
        raise ValueError("not an encrypted field (expected the enc:v1: prefix)")
    blob = base64.b64decode(token[len(PREFIX):])
    return AESGCM(key).decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], None).decode("utf-8")


def is_encrypted(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


class Sealer:
    """Encrypts and blind-indexes many values with one key (the AES-GCM and HMAC keys are set up once)."""

    def __init__(self, key: bytes) -> None:
        self._aes = AESGCM(key)
        self._index_key = hmac.new(key, _BLIND_INDEX_LABEL, hashlib.sha256).digest()

    def seal(self, text: str) -> str:
        """`text` as an `enc:v1:` token (a fresh nonce each time: equal values give different tokens)."""
        nonce = os.urandom(_NONCE_BYTES)
        return PREFIX + base64.b64encode(nonce + self._aes.encrypt(nonce, text.encode("utf-8"), None)).decode("ascii")

    def blind_index(self, text: str) -> str:
        """The keyed digest of `text` (hex): equal texts, equal digests; nothing to read without the key."""
        return hmac.new(self._index_key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:_BLIND_INDEX_HEX_DIGITS]


def blind_index(key: bytes, text: str) -> str:
    return Sealer(key).blind_index(text)
