"""Streams encrypted to an X25519 public key (the format of encrypted `sabt backup` files).

Only the holder of the private key can read a sealed stream; the machine that writes backups
holds the public key only. The format, ``sabt-sealed v1``:

* a header: the 16 bytes ``SABT-SEALED-v1\\n\\0``; a fresh (ephemeral) X25519 public key,
  32 bytes; the first 8 bytes of SHA-256 of the recipient's raw public key (so a wrong key is
  named, not guessed at); a random salt, 16 bytes;
* the key: HKDF-SHA256 of the X25519 shared secret, with that salt and the info
  ``sabt-sealed v1`` + ephemeral public key + recipient public key, 32 bytes;
* the body: the plaintext in chunks of 64 KiB, each sealed with ChaCha20-Poly1305 (16-byte
  tag) under the nonce ``chunk number (11 bytes, big-endian) + last flag (1 byte, 1 on the last
  chunk)``, with the whole header as associated data. The last chunk may be empty.

A chunk that was altered, reordered, dropped, or a stream cut short fails authentication, and
reading stops with one line. Keys are PEM files (PKCS#8 private key, SubjectPublicKeyInfo
public key) as the ``cryptography`` package and ``openssl pkey`` read and write them.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import BinaryIO

from sabt.errors import SabtError

MAGIC = b"SABT-SEALED-v1\n\0"
CHUNK = 64 * 1024
TAG = 16
HEADER = len(MAGIC) + 32 + 8 + 16
INFO = b"sabt-sealed v1"


def new_key_pair(prefix: Path) -> tuple[Path, Path]:
    """Write ``<prefix>.key`` (the private key, mode 0600: keep it off the server, e.g. on two
    USB sticks in two places) and ``<prefix>.pub`` (give it to `sabt backup --encrypt-to`)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    private = X25519PrivateKey.generate()
    key_path = prefix.with_name(prefix.name + ".key")
    pub_path = prefix.with_name(prefix.name + ".pub")
    for path in (key_path, pub_path):
        if path.exists():
            raise SabtError(f"{path} exists already: not overwritten")
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    fd = os.open(key_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    pub_path.write_bytes(private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return key_path, pub_path


def _raw_public(path: Path) -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise SabtError(f"{path}: not a PEM public key ({exc})") from exc
    if not isinstance(key, X25519PublicKey):
        raise SabtError(f"{path}: not an X25519 public key (make one with `sabt backup-key`)")
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _derive(shared: bytes, salt: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(hashes.SHA256(), 32, salt, INFO + ephemeral + recipient).derive(shared)


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class SealingWriter:
    """A write-only binary stream that seals what is written to `out`; `close` ends it."""

    def __init__(self, out: BinaryIO, recipient: Path) -> None:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.x25519 import (
            X25519PrivateKey,
            X25519PublicKey,
        )
        from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

        raw = _raw_public(recipient)
        ephemeral = X25519PrivateKey.generate()
        eph_raw = ephemeral.public_key().public_bytes(serialization.Encoding.Raw,
                                                      serialization.PublicFormat.Raw)
        salt = os.urandom(16)
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(raw))
        self.header = MAGIC + eph_raw + hashlib.sha256(raw).digest()[:8] + salt
        self.aead = ChaCha20Poly1305(_derive(shared, salt, eph_raw, raw))
        self.out = out
        self.buffer = bytearray()
        self.counter = 0
        self.closed = False
        out.write(self.header)

    def write(self, data: bytes) -> int:
        self.buffer += data
        if len(self.buffer) > CHUNK:   # keep at least one byte back: the last chunk is flagged
            whole = (len(self.buffer) - 1) // CHUNK * CHUNK
            with memoryview(self.buffer) as view:
                for start in range(0, whole, CHUNK):
                    self._seal(bytes(view[start:start + CHUNK]), last=False)
            del self.buffer[:whole]
        return len(data)

    def _seal(self, chunk: bytes, last: bool) -> None:
        self.out.write(self.aead.encrypt(_nonce(self.counter, last), chunk, self.header))
        self.counter += 1

    def flush(self) -> None:
        """Nothing to do: whole chunks are written as they fill (for `tarfile` and `gzip`)."""

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self.buffer), last=True)
            self.buffer.clear()
            self.closed = True


class OpeningReader:
    """A read-only binary stream of what a sealed stream holds, checked chunk by chunk."""

    def __init__(self, source: BinaryIO, private_key: Path, name: str) -> None:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.x25519 import (
            X25519PrivateKey,
            X25519PublicKey,
        )
        from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

        self.name = name
        header = source.read(HEADER)
        if len(header) < HEADER or not header.startswith(MAGIC):
            raise SabtError(f"{name}: not an encrypted Sabt backup (no sabt-sealed v1 header)")
        try:
            key = serialization.load_pem_private_key(private_key.read_bytes(), password=None)
        except (OSError, ValueError, TypeError) as exc:
            raise SabtError(f"{private_key}: not an unencrypted PEM private key ({exc})") from exc
        if not isinstance(key, X25519PrivateKey):
            raise SabtError(f"{private_key}: not an X25519 private key")
        raw = key.public_key().public_bytes(serialization.Encoding.Raw,
                                            serialization.PublicFormat.Raw)
        eph_raw = header[len(MAGIC):len(MAGIC) + 32]
        if hashlib.sha256(raw).digest()[:8] != header[len(MAGIC) + 32:len(MAGIC) + 40]:
            raise SabtError(f"{name} was encrypted to another key than {private_key}")
        shared = key.exchange(X25519PublicKey.from_public_bytes(eph_raw))
        self.aead = ChaCha20Poly1305(_derive(shared, header[-16:], eph_raw, raw))
        self.header = header
        self.source = source
        self.counter = 0
        self.pending = source.read(CHUNK + TAG)
        self.plain = bytearray()
        self.done = False

    def _next(self) -> None:
        from cryptography.exceptions import InvalidTag

        sealed = self.pending
        self.pending = self.source.read(CHUNK + TAG)
        last = not self.pending
        if len(sealed) < TAG:
            raise SabtError(f"{self.name} is cut short (chunk {self.counter})")
        try:
            self.plain += self.aead.decrypt(_nonce(self.counter, last), sealed, self.header)
        except InvalidTag:
            raise SabtError(f"{self.name}: chunk {self.counter} fails authentication (the file "
                            "was altered or cut short)") from None
        self.counter += 1
        self.done = last

    def read(self, size: int = -1) -> bytes:
        while not self.done and (size < 0 or len(self.plain) < size):
            self._next()
        if size < 0:
            size = len(self.plain)
        out = bytes(self.plain[:size])
        del self.plain[:size]
        return out
