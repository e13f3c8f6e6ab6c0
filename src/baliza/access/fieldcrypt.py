"""Field encryption at rest (AES-GCM) for the identifying columns of every person, and blind indexes.

A token is `"enc:v1:" + base64(nonce + ciphertext)`. The key is `BALIZA_KEY` (base64 of 32 bytes)
or a `<db file>.key` file beside the warehouse, created on first use with mode 0600.

A blind index is a keyed digest (HMAC-SHA256, under a key derived from the field key) of a value:
equal values have equal digests, so exact lookups and links (two people sharing a phone) work on
sealed data, while the digest tells nothing to whoever lacks the key (it cannot be brute-forced
from a list of names or phone numbers without it).

`baliza keys rotate` (`baliza.warehouse.rotation`) replaces the key: while it runs, `<db>.key.next` holds
the new key, and from just before the rotated warehouse is published until just after, `<db>.key.retired`
holds the old one. Readers open tokens with a `KeyRing` (the key, then the retired and next ones), so a
server reading the old or the new file during a rotation opens its tokens either way.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from collections.abc import Iterable
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from baliza.access.files import decode_key, key_from

PREFIX = "enc:v1:"
_BLIND_INDEX_LABEL = b"baliza blind index v1"
_BLIND_INDEX_HEX_DIGITS = 32  # 128 bits: no accidental collisions among a country's people
KEY_ENVIRONMENT_VARIABLE = "BALIZA_KEY"
IDS_KEY_ENVIRONMENT_VARIABLE = "BALIZA_IDS_KEY"
_NONCE_BYTES = 12
_KEY_BYTES = 32
_KEY_ID_LABEL = b"baliza key id v1"
TOKEN = re.compile(r"enc:v1:[A-Za-z0-9+/]+=*")
"""A token anywhere in a text (a quarantined row's `raw` JSON holds several)."""
RETIRED, NEXT = ".retired", ".next"


def key_path(db_path: Path) -> Path:
    """Where the key of the warehouse at `db_path` is kept when `BALIZA_KEY` is not set."""
    return db_path.with_name(db_path.name + ".key")


def key_for(db_path: Path) -> bytes:
    """The field-encryption key: `BALIZA_KEY`, else `<db file>.key` (created with mode 0600)."""
    return key_from(KEY_ENVIRONMENT_VARIABLE, key_path(Path(db_path)), _KEY_BYTES)


def ids_key_for(db_path: Path) -> bytes:
    """The secret of the ids a mapping makes from an agency's own ids (`BALIZA_IDS_KEY`, else `<db>.ids.key`).
    Apart from the field key because those ids must stay the same when the field key is rotated."""
    db_path = Path(db_path)
    return key_from(IDS_KEY_ENVIRONMENT_VARIABLE, db_path.with_name(db_path.name + ".ids.key"), _KEY_BYTES)


def row_hash_pepper(key: bytes) -> str:
    """The secret in the row hashes of tables with personal columns (`load.upsert.row_hash_sql`)."""
    return hashlib.sha256(key + b"baliza row hash").hexdigest()


def retired_key_path(db_path: Path) -> Path:
    """The old key while a rotation publishes its warehouse (removed once it is published)."""
    return key_path(Path(db_path)).with_name(key_path(Path(db_path)).name + RETIRED)


def next_key_path(db_path: Path) -> Path:
    """The new key while a rotation re-seals a copy of the warehouse."""
    return key_path(Path(db_path)).with_name(key_path(Path(db_path)).name + NEXT)


def key_in_environment() -> bool:
    return bool(os.environ.get(KEY_ENVIRONMENT_VARIABLE))


def key_id(key: bytes) -> str:
    """A short public name of a key (a keyed digest of a label): tells keys apart, reveals nothing of them."""
    return hmac.new(key, _KEY_ID_LABEL, hashlib.sha256).hexdigest()[:12]


def read_key_file(path: Path) -> bytes | None:
    """The key in the file at `path`, or None when there is none."""
    try:
        text = Path(path).read_text()
    except FileNotFoundError:
        return None
    return decode_key(text, str(path), _KEY_BYTES)


def new_key() -> bytes:
    return os.urandom(_KEY_BYTES)


def encrypt(key: bytes, text: str) -> str:
    return Sealer(key).seal(text)


def decrypt(key: bytes, token: str) -> str:
    if not is_encrypted(token):
        raise ValueError("not an encrypted field (expected the enc:v1: prefix)")
    blob = base64.b64decode(token[len(PREFIX):])
    return AESGCM(key).decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], None).decode("utf-8")


def opens(key: bytes, token: str) -> bool:
    """Whether `key` is the key that sealed `token`."""
    try:
        decrypt(key, token)
    except (InvalidTag, ValueError):
        return False
    return True


class KeyRing:
    """The keys that may have sealed a warehouse's tokens, tried in order: its key, then a rotation's
    retired and next keys when they exist (a reader of the old or the new file during a rotation)."""

    def __init__(self, keys: Iterable[bytes]) -> None:
        self.keys = list(dict.fromkeys(keys))
        self._aes = [AESGCM(k) for k in self.keys]

    @classmethod
    def for_warehouse(cls, db_path: Path) -> KeyRing:
        """The keys beside the warehouse at `db_path`. Read in this order (the next key, the key, the retired
        key), they hold both keys of a rotation running meanwhile: the new key is in `.key.next` until it
        moves to `.key`, and the old one in `.key` until just after it was copied to `.key.retired`."""
        if key_in_environment():
            return cls([key_for(db_path)])
        upcoming = read_key_file(next_key_path(db_path))
        current = key_for(db_path)
        retired = read_key_file(retired_key_path(db_path))
        return cls([current, *(k for k in (retired, upcoming) if k is not None)])

    def open(self, token: str) -> str:
        """The clear text of `token`; `InvalidTag` when none of the keys sealed it."""
        if not is_encrypted(token):
            raise ValueError("not an encrypted field (expected the enc:v1: prefix)")
        blob = base64.b64decode(token[len(PREFIX):])
        for aes in self._aes:
            try:
                return aes.decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], None).decode("utf-8")
            except InvalidTag:
                continue
        raise InvalidTag()


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
