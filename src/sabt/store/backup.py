"""Consistent backups of a whole workspace, taken while others keep writing, and their restore.

A backup is one file: a gzip-compressed tar stream (POSIX pax), optionally sealed to an X25519
public key (`sabt.store.sealed`). Its members, in order:

* ``database/sabt.sqlite`` — a SQLite workspace's database as of one moment (``VACUUM INTO``,
  one read transaction: writers carry on meanwhile), or ``database/export.jsonl`` — a
  PostgreSQL workspace's lossless JSON Lines export (`sabt.store.jsonl`), read in one
  ``REPEATABLE READ`` read-only transaction, so it too is one moment;
* ``workspace/…`` — every other file of the workspace folder (the marker, keys, …) except the
  database's own files, lock files and ``tmp`` folders; of the vault, exactly the blobs whose
  rows are in that database snapshot (blobs are immutable, and a committed row's blob is never
  removed, so they are all there however long the copy takes);
* ``MANIFEST.json`` — format, version, when, Sabt's version, and every member's path, size and
  SHA-256.

The file is written as ``<out>.partial`` and renamed when complete: ``<out>`` is a whole
backup or absent. Restoring checks every member against the manifest (a missing manifest means
a backup cut short) and refuses names that would leave the target folder.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Any, BinaryIO

from sqlalchemy import select, text

from sabt import __version__
from sabt.errors import SabtError
from sabt.store import jsonl
from sabt.store.sealed import MAGIC, OpeningReader, SealingWriter
from sabt.store.workspace import MARKER, SQLITE_FILE, Store, make_engine
from sabt.vault.blobs import CHUNK, READ_ONLY, BlobStore

if TYPE_CHECKING:
    from sabt.vault.vault import VerifyReport

FORMAT = "sabt-backup"
VERSION = 1
MANIFEST = "MANIFEST.json"
#: Files of the workspace folder a backup leaves out (the database is snapshotted instead).
DATABASE_FILES = {SQLITE_FILE, f"{SQLITE_FILE}-wal", f"{SQLITE_FILE}-shm",
                  f"{SQLITE_FILE}-journal"}
MAX_MANIFEST = 256 << 20


@dataclass
class BackupReport:
    """What `write_backup` wrote."""

    out: Path
    encrypted: bool
    database: str            # "sqlite" (a database file) or "jsonl" (a logical export)
    files: int = 0
    bytes: int = 0           # bytes of the members, before compression
    vault_items: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class RestoreReport:
    """What `restore_backup` rebuilt."""

    root: Path
    database: str
    created_at: str
    files: int = 0
    bytes: int = 0
    verify: VerifyReport | None = None   # the restored vault re-hashed (`Workspace.restore`)


class _Hashing:
    """A read stream that hashes what passes through it."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.digest.update(data)
        return data


def write_backup(store: Store, blobs: BlobStore, out: Path,
                 recipient: Path | None = None) -> BackupReport:
    """Write a backup of `store` (database, vault, workspace files) to `out`, sealed to the
    public key in `recipient` if given."""
    out = out.resolve()
    partial = out.with_name(out.name + ".partial")
    dialect = store.engine.dialect.name
    report = BackupReport(out, recipient is not None, "sqlite" if dialect == "sqlite" else "jsonl")
    staging = blobs.session_dir()
    snapshot = staging / ("snapshot.sqlite" if report.database == "sqlite" else "export.jsonl")
    try:
        hashes = (_sqlite_snapshot(store, snapshot) if report.database == "sqlite"
                  else _logical_snapshot(store, snapshot))
        report.vault_items = len(hashes)
        entries: list[dict[str, Any]] = []
        fd = os.open(partial, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
        with ExitStack() as stack:
            raw = stack.enter_context(os.fdopen(fd, "wb"))
            sink: Any = raw
            if recipient is not None:
                sink = SealingWriter(raw, recipient)
                stack.callback(sink.close)
            gz = stack.enter_context(gzip.GzipFile(fileobj=sink, mode="wb", compresslevel=3,
                                                   mtime=0))
            tar = stack.enter_context(tarfile.open(fileobj=gz, mode="w|",
                                                   format=tarfile.PAX_FORMAT))
            _add(tar, snapshot, f"database/{snapshot.name}", 0o600, entries)
            for path, rel in _workspace_files(store.root, {out, partial}, report.warnings):
                _add(tar, path, f"workspace/{rel}", 0o600, entries)
            for sha in sorted(hashes):
                path = blobs.path_for(sha)
                rel = path.relative_to(store.root).as_posix()
                if not path.is_file():
                    report.warnings.append(f"vault item {sha} is missing from the vault: not "
                                           "in the backup (`sabt verify` names it)")
                    continue
                if _add(tar, path, f"workspace/{rel}", READ_ONLY, entries) != sha:
                    report.warnings.append(f"vault item {sha} was altered on disk: backed up "
                                           "as it is (`sabt verify` names it)")
            manifest = {"format": FORMAT, "version": VERSION, "sabt_version": __version__,
                        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                        "database": report.database, "source_database": dialect,
                        "vault_items": len(hashes), "files": entries}
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(data), 0o600, int(datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
        _fsync(partial)
        partial.replace(out)
        _fsync(out.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        snapshot.unlink(missing_ok=True)
    report.files = len(entries)
    report.bytes = sum(int(e["size"]) for e in entries)
    return report


def _sqlite_snapshot(store: Store, snapshot: Path) -> list[str]:
    """The database as of one moment (``VACUUM INTO``: a read transaction, writers carry on)
    and the hashes of the vault items it holds."""
    database = store.engine.url.database
    assert database is not None
    snapshot.unlink(missing_ok=True)
    source = sqlite3.connect(database, timeout=60)
    try:
        source.execute("VACUUM INTO ?", (str(snapshot),))
    except sqlite3.Error as exc:
        raise SabtError(f"cannot snapshot the database {database}: {exc}") from exc
    finally:
        source.close()
    os.chmod(snapshot, 0o600)
    copy = sqlite3.connect(snapshot)
    try:
        return [row[0] for row in copy.execute("SELECT sha256 FROM vault_item")]
    finally:
        copy.close()


def _logical_snapshot(store: Store, export: Path) -> list[str]:
    """A lossless JSON Lines export read in one REPEATABLE READ, read-only transaction, and the
    vault hashes seen by that same transaction."""
    from sabt.vault.tables import vault_item

    with store.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            conn.execute(text("SET TRANSACTION READ ONLY"))
            fd = os.open(export, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                jsonl.export_jsonl(conn, out)
            return list(conn.execute(select(vault_item.c.sha256)).scalars())


def _workspace_files(root: Path, skip: set[Path], warnings: list[str],
                     ) -> Iterator[tuple[Path, str]]:
    """Every file of the workspace folder a backup carries, besides the database and blobs."""
    for dirpath, dirs, files in os.walk(root):
        here = Path(dirpath)
        rel_dir = here.relative_to(root)
        dirs[:] = sorted(d for d in dirs if d != "tmp" and not (
            rel_dir == Path("vault") and d == "sha256"))
        for name in sorted(files):
            path = here / name
            rel = (rel_dir / name).as_posix()
            if rel_dir == Path(".") and (name in DATABASE_FILES or name.endswith(".lock")):
                continue
            if path.resolve() in skip:
                continue
            if path.is_symlink() or not path.is_file():
                warnings.append(f"{rel}: not a regular file (a link?): not in the backup")
                continue
            yield path, rel
        for name in dirs:
            if (here / name).is_symlink():
                warnings.append(f"{(rel_dir / name).as_posix()}: a link to a folder: "
                                "not in the backup")


def _add(tar: tarfile.TarFile, path: Path, name: str, mode: int,
         entries: list[dict[str, Any]]) -> str:
    """Stream one file into the archive; returns its SHA-256 (recorded in the manifest)."""
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = size, mode, int(os.fstat(fh.fileno()).st_mtime)
        hashing = _Hashing(fh)
        tar.addfile(info, hashing)
    sha = hashing.digest.hexdigest()
    entries.append({"path": name, "size": size, "sha256": sha})
    return sha


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- restore ----------------------------------------------------------------------------------

def restore_backup(path: Path, to: Path, *, key: Path | None = None,
                   database_url: str | None = None) -> RestoreReport:
    """Rebuild a workspace in the new folder `to` (and, with `database_url`, in that empty
    PostgreSQL database) from a backup; all of it or, on any problem, nothing (the folder is
    removed again)."""
    if to.exists() and (not to.is_dir() or any(to.iterdir())):
        raise SabtError(f"{to} exists and is not empty: restore into a new folder "
                        "(a restore never overwrites a workspace)")
    if not path.is_file():
        raise SabtError(f"{path}: no such file")
    made = not to.exists()
    to.mkdir(parents=True, exist_ok=True)
    os.chmod(to, 0o700)
    try:
        return _restore(path, to, key, database_url)
    except BaseException:
        if made:
            shutil.rmtree(to, ignore_errors=True)
        else:
            for child in to.iterdir():
                _remove(child)
        raise


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        for child in path.rglob("*"):
            if child.is_file():
                os.chmod(child, 0o600)
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


@contextmanager
def _plain_stream(path: Path, key: Path | None) -> Iterator[gzip.GzipFile]:
    """The backup's gzip stream, opened (and checked chunk by chunk) if it is sealed."""
    with open(path, "rb") as raw:
        sealed = raw.read(len(MAGIC)) == MAGIC
        raw.seek(0)
        if sealed and key is None:
            raise SabtError(f"{path} is encrypted: pass the private key with --key")
        source: Any = OpeningReader(raw, key, str(path)) if sealed and key else raw
        with gzip.GzipFile(fileobj=source, mode="rb") as gz:
            yield gz


def _restore(path: Path, to: Path, key: Path | None,
             database_url: str | None) -> RestoreReport:
    seen: dict[str, tuple[int, str]] = {}
    manifest: dict[str, Any] | None = None
    marker: bytes | None = None
    database: Path | None = None
    try:
        with _plain_stream(path, key) as gz:
            with tarfile.open(fileobj=gz, mode="r|") as tar:
                for member in tar:
                    if manifest is not None:
                        raise SabtError(f"{path}: a member after the manifest ({member.name})")
                    if not member.isfile():
                        raise SabtError(f"{path}: {member.name!r} is not a regular file")
                    stream = tar.extractfile(member)
                    assert stream is not None
                    if member.name == MANIFEST:
                        if member.size > MAX_MANIFEST:
                            raise SabtError(f"{path}: the manifest is too large")
                        manifest = json.loads(stream.read())
                        continue
                    target, mode = _target(path, to, member.name)
                    if member.name == f"workspace/{MARKER}":
                        data = stream.read(1 << 20)
                        seen[member.name] = (len(data), hashlib.sha256(data).hexdigest())
                        marker = data
                        continue
                    seen[member.name] = _write(stream, target, mode)
                    if member.name.startswith("database/"):
                        database = target
            while gz.read(CHUNK):   # to the end: the last sealed chunk and gzip's CRC checked
                pass
    except (tarfile.TarError, EOFError, gzip.BadGzipFile, ValueError, OSError) as exc:
        if isinstance(exc, SabtError):
            raise
        raise SabtError(f"{path}: not a readable Sabt backup ({type(exc).__name__}: "
                        f"{str(exc)[:200]})") from exc
    _check_manifest(path, manifest, seen)
    assert manifest is not None
    if database is None or marker is None:
        raise SabtError(f"{path}: no database or no workspace marker in the backup")
    kind = str(manifest["database"])
    if kind == "sqlite" and database_url is None:
        database.replace(to / SQLITE_FILE)
    else:
        export = database
        if kind == "sqlite":   # to PostgreSQL: through the lossless export
            export = to / "restore-export.jsonl"
            engine = make_engine(to, f"sqlite:///{database}")
            try:
                with engine.connect() as conn, export.open("w", encoding="utf-8") as out:
                    jsonl.export_jsonl(conn, out)
            finally:
                engine.dispose()
            database.unlink()
        store = Store.create(to, database_url)
        try:
            store.import_jsonl(export)
        finally:
            store.close()
            export.unlink(missing_ok=True)
    fields = json.loads(marker)
    fields["database"] = "sqlite" if database_url is None else "external"
    fd = os.open(to / MARKER, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out_marker:
        out_marker.write(json.dumps(fields, indent=2) + "\n")
    if database.parent.exists() and database.parent != to:
        shutil.rmtree(database.parent, ignore_errors=True)
    return RestoreReport(to, kind, str(manifest.get("created_at", "")), len(seen),
                         sum(size for size, _ in seen.values()))


def _target(path: Path, to: Path, name: str) -> tuple[Path, int]:
    """Where a member goes inside `to` and its mode; a name that could leave `to` is refused."""
    parts = PurePosixPath(name).parts
    if (not parts or PurePosixPath(name).is_absolute() or ".." in parts or "\\" in name
            or parts[0] not in ("database", "workspace") or len(parts) < 2):
        raise SabtError(f"{path}: refused member name {name!r}")
    if parts[0] == "database":
        return to / "restore-database" / parts[-1], 0o600
    rel = Path(*parts[1:])
    blob = parts[1] == "vault" and len(parts) > 2 and parts[2] == "sha256"
    return to / rel, READ_ONLY if blob else 0o600


def _write(stream: IO[bytes], target: Path, mode: int) -> tuple[int, str]:
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    digest = hashlib.sha256()
    size = 0
    fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "wb") as out:
        while block := stream.read(CHUNK):
            digest.update(block)
            size += len(block)
            out.write(block)
        out.flush()
        os.fsync(out.fileno())
    os.chmod(target, mode)
    return size, digest.hexdigest()


def _check_manifest(path: Path, manifest: dict[str, Any] | None,
                    seen: dict[str, tuple[int, str]]) -> None:
    """Every member listed, with its size and hash, and nothing else."""
    if manifest is None:
        raise SabtError(f"{path}: no manifest at the end: the backup is cut short")
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise SabtError(f"{path}: not a {FORMAT} v{VERSION} file")
    listed = {str(e["path"]): (int(e["size"]), str(e["sha256"])) for e in manifest["files"]}
    for name in sorted(set(listed) | set(seen)):
        if name not in seen:
            raise SabtError(f"{path}: {name} is listed in the manifest but missing")
        if name not in listed:
            raise SabtError(f"{path}: {name} is not listed in the manifest")
        if listed[name] != seen[name]:
            raise SabtError(f"{path}: {name} does not match its size or SHA-256 in the manifest")
