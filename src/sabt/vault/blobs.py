"""Content-addressed, read-only blob storage on disk: ``<root>/sha256/ab/cd/<sha256>``.

Bytes are streamed (1 MiB chunks) into a temporary file inside the vault while they are hashed,
so memory stays flat whatever the file size; the temporary file is renamed into place only when
the caller's database transaction is ready to commit (``BlobStore.place``), and removed on any
failure. Stored blobs are mode 0o444 and never rewritten: identical bytes are stored once.

Each process stages into a folder of its own, ``<root>/tmp/<session>/``, holding an OS lock on
its ``lock`` file while it lives. Before blobs are placed for a transaction, their hashes are
written (and flushed) to a journal in that folder, ``placing-<n>.txt``, removed once the
transaction has committed or rolled back. A process killed mid-way leaves its folder unlocked:
`BlobStore.leftovers` finds such folders, and the vault (`sabt.vault.vault.Vault`) removes
their staged copies and any journalled blob whose row never committed when a workspace is next
opened.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
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


@dataclass
class Leftovers:
    """What a killed process left in ``vault/tmp``: its session folders, how many staged
    copies they hold, and the hashes its journals say it was placing."""

    folders: list[Path] = field(default_factory=list)
    staged: int = 0
    placing: set[str] = field(default_factory=set)


class BlobStore:
    """The folder of blobs; knows where a hash lives and how to put bytes there safely."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.tmp_dir = self.root / "tmp"
        self._made_dirs: set[Path] = set()
        self._session: Path | None = None
        self._lock_fd: int | None = None
        self._session_lock = threading.Lock()
        self._journals = itertools.count(1)
        #: set by the vault once this process has cleaned what killed processes left behind
        self.cleaned = False

    def session_dir(self) -> Path:
        """This process's staging folder (made and locked on first use)."""
        with self._session_lock:
            if self._session is None:
                self.tmp_dir.mkdir(parents=True, exist_ok=True)
                # made under a name `leftovers` leaves alone while young, locked, then renamed:
                # a session folder is never seen without its lock held
                new = Path(tempfile.mkdtemp(prefix=".new-", dir=self.tmp_dir))
                fd = os.open(new / "lock", os.O_CREAT | os.O_RDWR, 0o600)
                _try_lock(fd)   # a new folder: nobody else can hold its lock
                session = new.with_name(f"s{os.getpid()}-{new.name[len('.new-'):]}")
                os.rename(new, session)
                self._session, self._lock_fd = session, fd
            return self._session

    def close(self) -> None:
        """Remove this process's staging folder and release its lock (nothing may be staged)."""
        with self._session_lock:
            if self._session is not None and self._lock_fd is not None:
                shutil.rmtree(self._session, ignore_errors=True)
                os.close(self._lock_fd)
                self._session, self._lock_fd = None, None

    def journal(self, hashes: Iterable[str], journal: Path | None = None) -> Path:
        """Record (durably) that blobs with these hashes are about to be placed for a
        transaction that has not committed yet; append to ``journal`` or start a new one."""
        path = journal or self.session_dir() / f"placing-{next(self._journals)}.txt"
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
        try:
            os.write(fd, "".join(f"{sha}\n" for sha in hashes).encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        return path

    def leftovers(self) -> Leftovers:
        """Session folders whose process has died (their lock is free), and stray files from
        older versions directly in ``tmp``; nothing a live process uses."""
        found = Leftovers()
        if not self.tmp_dir.is_dir():
            return found
        for entry in sorted(self.tmp_dir.iterdir()):
            if entry == self._session or (entry.name.startswith(".new-") and _age(entry) < 60):
                continue
            if not entry.is_dir() or entry.is_symlink():
                found.folders.append(entry)
                found.staged += 1
                continue
            try:
                fd = os.open(entry / "lock", os.O_RDWR)
            except FileNotFoundError:   # not a session folder
                fd = None
            try:
                if fd is not None and not _try_lock(fd):
                    continue   # a live process holds it
                found.folders.append(entry)
                found.staged += sum(1 for p in entry.glob("ingest-*"))
                for journal in entry.glob("placing-*.txt"):
                    found.placing.update(
                        line for line in journal.read_text(encoding="ascii").split()
                        if _HEX64.match(line))
            finally:
                if fd is not None:
                    os.close(fd)
        return found

    def remove_leftovers(self, found: Leftovers) -> None:
        """Delete the folders (and files) `leftovers` found."""
        for entry in found.folders:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)

    def staged_files(self) -> list[Path]:
        """Staged copies not yet placed, in every session folder."""
        if not self.tmp_dir.is_dir():
            return []
        return sorted(self.tmp_dir.glob("*/ingest-*")) + sorted(self.tmp_dir.glob("ingest-*"))

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
        fd, name = tempfile.mkstemp(prefix="ingest-", dir=self.session_dir())
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


def _try_lock(fd: int) -> bool:
    """Take an exclusive OS lock on an open file without waiting; False if another holds it."""
    from sabt.store.locks import try_lock_file

    return try_lock_file(fd)


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return 0.0
