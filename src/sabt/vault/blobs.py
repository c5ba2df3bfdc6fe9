"""Content-addressed, read-only blob storage on disk: ``<root>/sha256/ab/cd/<sha256>``.

Bytes are streamed (1 MiB chunks) into a temporary file inside the vault while they are hashed,
so memory stays flat whatever the file size; the temporary file is renamed into place only when
the caller's database transaction is ready to commit (``BlobStore.place``), and removed on any
failure. Stored blobs are mode 0o444 and never rewritten: identical bytes are stored once.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sabt.errors import SabtError

CHUNK = 1 << 20
READ_ONLY = 0o444
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def sha256_stream(stream: BinaryIO, chunk: int = CHUNK) -> tuple[str, int]:
    """SHA-256 (hex) and byte count of a binary stream, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    buffer = bytearray(chunk)
    view = memoryview(buffer)
    while True:
        n = stream.readinto(view)  # type: ignore[attr-defined]
        if not n:
            break
        digest.update(view[:n])
        size += n
    return digest.hexdigest(), size


def sha256_file(path: Path) -> tuple[str, int]:
    """SHA-256 (hex) and size of a file, streamed."""
    with open(path, "rb", buffering=0) as fh:
        return sha256_stream(fh)


@dataclass
class Staged:
    """Bytes written to a temporary file in the vault, hashed, not yet in place."""

    tmp: Path
    sha256: str
    size: int


class BlobStore:
    """The folder of blobs; knows where a hash lives and how to put bytes there safely."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.tmp_dir = self.root / "tmp"
        self._made_dirs: set[Path] = set()

    def path_for(self, sha256: str) -> Path:
        """Where the blob with this hash lives (whether or not it exists)."""
        if not _HEX64.match(sha256):
            raise SabtError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / "sha256" / sha256[:2] / sha256[2:4] / sha256

    def has(self, sha256: str) -> bool:
        """Whether the blob is on disk."""
        return self.path_for(sha256).is_file()

    def stage(self, stream: BinaryIO, max_bytes: int | None = None) -> Staged:
        """Copy a stream into a temporary file in the vault, hashing as it goes.

        Raises SabtError (and leaves nothing behind) if the stream exceeds ``max_bytes``.
        Durability comes later, for a whole batch at once (`sync`).
        """
        if self.tmp_dir not in self._made_dirs:
            self.tmp_dir.mkdir(parents=True, exist_ok=True)
            self._made_dirs.add(self.tmp_dir)
        fd, name = tempfile.mkstemp(prefix="ingest-", dir=self.tmp_dir)
        tmp = Path(name)
        digest = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb") as out:
                while True:
                    block = stream.read(CHUNK)
                    if not block:
                        break
                    size += len(block)
                    if max_bytes is not None and size > max_bytes:
                        raise SabtError(f"larger than the limit of {max_bytes} bytes")
                    digest.update(block)
                    out.write(block)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return Staged(tmp, digest.hexdigest(), size)

    def stage_bytes(self, data: bytes) -> Staged:
        """Stage bytes already in memory (extracted text)."""
        return self.stage(io.BytesIO(data))

    @staticmethod
    def sync(paths: Iterable[Path]) -> None:
        """fsync files or folders, many at once (one by one costs a disk flush each)."""
        def flush(path: Path) -> None:
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

        with ThreadPoolExecutor(max_workers=32) as pool:
            list(pool.map(flush, paths))

    def place(self, staged: Staged) -> bool:
        """Rename a staged file into its address, read-only; True if it was new.

        If the blob already exists the temporary file is dropped (deduplication).
        """
        target = self.path_for(staged.sha256)
        if target.exists():
            staged.tmp.unlink(missing_ok=True)
            return False
        if target.parent not in self._made_dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._made_dirs.add(target.parent)
        os.chmod(staged.tmp, READ_ONLY)
        os.replace(staged.tmp, target)
        return True

    def discard(self, staged: Staged) -> None:
        """Remove a staged temporary file (after a failure)."""
        staged.tmp.unlink(missing_ok=True)

    def remove_new(self, sha256: str) -> None:
        """Undo a ``place`` whose database transaction then failed."""
        path = self.path_for(sha256)
        with contextlib.suppress(FileNotFoundError):
            os.chmod(path, 0o644)
            path.unlink()

    def open(self, sha256: str) -> BinaryIO:
        """Read a stored blob."""
        return open(self.path_for(sha256), "rb")

    def iter_files(self) -> Iterator[Path]:
        """Every file under ``sha256/`` (whatever its name, so stray files show up too)."""
        base = self.root / "sha256"
        if not base.is_dir():
            return
        for dirpath, _dirs, files in os.walk(base):
            for name in files:
                yield Path(dirpath) / name
