"""The workspace's Ed25519 signing key: made at `sabt init` / `sabt upgrade`, kept in the
workspace folder (mode 0600, never in the database, never printed); its public key is what
outsiders use to check checkpoints and case files.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from sabt.errors import SabtError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

KEY_FILE = "signing-key.pem"


def key_path(root: Path) -> Path:
    return root / KEY_FILE


def ensure_key(root: Path) -> bool:
    """Make the workspace's key if it has none; True when one was made."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = key_path(root)
    if path.exists():
        return False
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
        fh.flush()
        os.fsync(fh.fileno())
    return True


def private_key(root: Path) -> Ed25519PrivateKey:
    """The workspace's private key (SabtError when it is missing or unreadable)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = key_path(root)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise SabtError(f"{path}: the workspace has no signing key; run `sabt upgrade`") from None
    except (OSError, ValueError, TypeError) as exc:
        raise SabtError(f"{path}: unreadable signing key ({type(exc).__name__})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SabtError(f"{path}: not an Ed25519 key")
    return key


def public_key_pem(root: Path) -> bytes:
    """The public half, as a PEM SubjectPublicKeyInfo (what `openssl pkeyutl -pubin` reads)."""
    from cryptography.hazmat.primitives import serialization

    return private_key(root).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def fingerprint(public_pem: bytes) -> str:
    """SHA-256 of the public key's PEM bytes: how a checkpoint names the key that signed it."""
    return hashlib.sha256(public_pem).hexdigest()


def sign(root: Path, data: bytes) -> bytes:
    """A raw 64-byte Ed25519 signature of `data`."""
    return private_key(root).sign(data)


def signature_holds(public_pem: bytes, data: bytes, signature: bytes) -> bool:
    """Whether `signature` is the key's signature of `data`."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = serialization.load_pem_public_key(public_pem)
    except ValueError:
        return False
    if not isinstance(key, Ed25519PublicKey):
        return False
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True
