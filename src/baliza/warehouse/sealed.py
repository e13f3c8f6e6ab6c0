"""A stream encrypted with a passphrase, for backups: scrypt to derive the key, AES-GCM in chunks.

Layout: `BALIZA-BACKUP-1\\n`, a 16-byte salt, then chunks of `[4-byte length][12-byte nonce][ciphertext
and tag]`. Each chunk's associated data is its index and whether it is the last, so chunks cannot be
reordered, dropped or the stream cut short without the reader noticing. Streams of any size go through
a bounded buffer (a warehouse may be many gigabytes).
"""

from __future__ import annotations

import os
import struct
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from baliza.i18n import gettext as _

MAGIC = b"BALIZA-BACKUP-1\n"
CHUNK = 1 << 20
SALT_BYTES = 16
MIN_PASSPHRASE = 12


class BadBackup(ValueError):
    """Not a Baliza backup, a wrong passphrase, or a damaged or truncated file."""


def derive_key(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode("utf-8"))


def _aad(index: int, last: bool) -> bytes:
    return struct.pack(">Q?", index, last)


class SealingWriter:
    """A write-only file object that encrypts what is written to `out`; `close()` seals the last chunk."""

    def __init__(self, out: BinaryIO, passphrase: str) -> None:
        if len(passphrase) < MIN_PASSPHRASE:
            raise ValueError(_("a backup passphrase has at least %(n)s characters", n=MIN_PASSPHRASE))
        salt = os.urandom(SALT_BYTES)
        self._out, self._aead = out, AESGCM(derive_key(passphrase, salt))
        self._buffer = bytearray()
        self._index = 0
        out.write(MAGIC + salt)

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:  # keep one chunk back: the last one is sealed as last
            self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _seal(self, plain: bytes, last: bool) -> None:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plain, _aad(self._index, last))
        self._out.write(struct.pack(">I", len(sealed)) + nonce + sealed)
        self._index += 1

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()
        self._out.flush()


class OpeningReader:
    """A read-only file object giving back what a `SealingWriter` wrote, checking every chunk."""

    def __init__(self, source: BinaryIO, passphrase: str) -> None:
        head = source.read(len(MAGIC) + SALT_BYTES)
        if not head.startswith(MAGIC) or len(head) != len(MAGIC) + SALT_BYTES:
            raise BadBackup(_("this file is not a Baliza backup"))
        self._source, self._aead = source, AESGCM(derive_key(passphrase, head[len(MAGIC):]))
        self._buffer = b""
        self._index = 0
        self._ended = False

    def _next_chunk(self) -> None:
        size = self._source.read(4)
        if len(size) != 4:
            raise BadBackup(_("the backup is cut short"))
        (length,) = struct.unpack(">I", size)
        nonce, sealed = self._source.read(12), self._source.read(length)
        if len(sealed) != length:
            raise BadBackup(_("the backup is cut short"))
        for last in (False, True):
            try:
                plain = self._aead.decrypt(nonce, sealed, _aad(self._index, last))
            except InvalidTag:
                continue
            self._index += 1
            self._buffer += plain
            self._ended = last
            if last and self._source.read(1):
                raise BadBackup(_("the backup has data after its end"))
            return
        raise BadBackup(_("wrong passphrase, or the backup is damaged"))

    def read(self, size: int = -1) -> bytes:
        while not self._ended and (size < 0 or len(self._buffer) < size):
            self._next_chunk()
        if size < 0:
            size = len(self._buffer)
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data
