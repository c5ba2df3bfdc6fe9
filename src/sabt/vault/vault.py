"""The vault of a workspace: ingest files, log custody, verify everything, export a manifest.

Ingest is two-phase so that a failed ingest leaves nothing behind. First each file is streamed
into a temporary file inside the vault while it is hashed, and read (media type, text, archive
records); a file that cannot be read is skipped with its reason and its temporary file removed.
Then, batch by batch inside one workspace change (one database transaction for the whole
`add`), the item rows, source entities and custody entries are inserted and the temporary files
renamed into their addresses (journalled first); the change commits at the end. If anything
fails, the blobs placed are removed and the transaction rolls back; if the process is killed,
the next open removes them (`Vault.clean_leftovers`). Extracted text is stored as a *derived*
item (relation ``text``) linked to its original, never replacing it.
"""

from __future__ import annotations

import itertools
import json
import mimetypes
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Connection, func, insert, select

from sabt.errors import NotFound, SabtError
from sabt.safety import csv_cell
from sabt.store import locks
from sabt.store.change import Change
from sabt.store.workspace import Store
from sabt.vault import readers
from sabt.vault.blobs import BlobStore, Staged, sha256_file
from sabt.vault.chain import ChainProblem, Entry, append, canonical_json, check_chain
from sabt.vault.tables import custody_log, vault_item

SOURCE_MEDIA = ("text/", "application/pdf", "application/vnd.openxmlformats", "image/", "audio/",
                "video/", "application/warc", "application/wacz")
# Fields of an item that its "ingested" custody entry records; verify compares them.
STAGING_THREADS = 8
RECORDED_FIELDS = ("size", "media_type", "original_name", "collected_at", "collected_by",
                   "origin_url", "capture_method", "notes", "parent_sha256", "relation",
                   "source_id", "text_sha256")


def now_iso() -> str:
    """A UTC timestamp with microseconds, as hashed into custody entries."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass
class Provenance:
    """Who collected a file, when, from where and how (applies to every file of one `add`)."""

    collected_by: str
    collected_at: str | None = None
    origin_url: str | None = None
    capture_method: str = "file"
    notes: str | None = None


@dataclass
class _Pending:
    """A staged file waiting for its batch to commit."""

    staged: Staged
    name: str
    reading: readers.Reading
    provenance: Provenance
    parent: str | None = None
    relation: str | None = None
    text_staged: Staged | None = None
    chars: int = 0


@dataclass
class AddReport:
    """What an `add` did: items stored (new), duplicates seen, files skipped and why."""

    added: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class FileIngest:
    """One file being stored inside a caller's workspace change (see `Vault.ingest_within`).

    ``existing`` is the item row when the vault already holds these bytes; the caller may reuse
    its source. Calling `keep` records the item (or a repeat) with the caller's source.
    """

    change: Change
    staged: Staged
    existing: dict[str, Any] | None
    kept: dict[str, Any] | None = None

    def keep(self, name: str, provenance: Provenance, *, media_type: str,
             source_id: str | None, language: str | None = None,
             meta: dict[str, Any] | None = None) -> None:
        """Store the file as an item citing ``source_id`` when the change commits."""
        self.kept = {"name": name, "provenance": provenance, "media_type": media_type,
                     "source_id": source_id, "language": language, "meta": meta or {}}


@dataclass(frozen=True)
class Problem:
    """One thing `verify` found wrong: kind (altered, missing, inserted …), what, and a sentence."""

    kind: str
    subject: str
    message: str


@dataclass
class VerifyReport:
    """The outcome of `verify`; ``ok`` only when there is no problem at all."""

    items: int = 0
    bytes: int = 0
    log_entries: int = 0
    chain_head: str | None = None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


FoundFile = tuple[Path, str, str | None]
"""A file found under the paths given to `add`: (path, display name, why it is refused)."""


def iter_files(paths: Iterable[Path]) -> Iterator[FoundFile]:
    """Every file under the given files and folders, sorted: (path, display name, refusal).

    Paths given are taken as they are. Inside a folder, symbolic links are not followed out of
    it: a link to a file or folder outside the folder (or to nothing) is yielded with its
    refusal, naming the link and its target; a link to a file inside the folder yields that
    file; a link to a folder is not entered (its files are reached by their own path, or not
    at all) and is reported.
    """
    for path in paths:
        if not path.is_dir():
            yield path, path.name, None
            continue
        top = path.resolve()
        for dirpath, dirs, files in os.walk(path):
            dirs.sort()
            for name in sorted(files + [d for d in dirs if (Path(dirpath) / d).is_symlink()]):
                full = Path(dirpath) / name
                shown_name = str(full.relative_to(path.parent))
                if not full.is_symlink():
                    yield full, shown_name, None
                    continue
                target = full.resolve()
                if not target.is_relative_to(top):
                    yield full, shown_name, (f"a symbolic link to {target}, outside the folder "
                                             f"{path}: not followed")
                elif target.is_dir():
                    yield full, shown_name, "a symbolic link to a folder: not followed"
                elif not target.exists():
                    yield full, shown_name, f"a symbolic link to {target}, which does not exist"
                else:
                    yield target, shown_name, None
            dirs[:] = [d for d in dirs if not (Path(dirpath) / d).is_symlink()]


@contextmanager
def open_regular(path: Path) -> Iterator[BinaryIO]:
    """Open a regular file for reading without following a final symbolic link or blocking on
    a FIFO or device swapped in after it was listed (one line otherwise)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise SabtError(f"cannot read: {exc.strerror or exc}", file=str(path)) from exc
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise SabtError("not a regular file", file=str(path))
    with os.fdopen(fd, "rb") as fh:
        yield fh


class Vault:
    """The vault of one workspace (blobs under ``<root>/vault``, rows in its database)."""

    def __init__(self, ws: Store) -> None:
        self.ws = ws
        if ws.blobs is None:   # made once per store, then shared by every use of the vault
            ws.blobs = BlobStore(ws.root / "vault")
        self.blobs = ws.blobs
        #: (staged copies, orphan blobs) a killed process left, removed when this vault opened
        self.removed_at_open = (0, 0)
        if not self.blobs.cleaned:
            self.blobs.cleaned = True
            self.removed_at_open = self.clean_leftovers()

    def clean_leftovers(self) -> tuple[int, int]:
        """Remove what killed processes left in ``vault/tmp``: staged copies, and blobs they
        placed for a transaction that never committed (journalled hashes with no item row).
        Returns (staged copies, orphan blobs) removed. Runs when a workspace is opened."""
        found = self.blobs.leftovers()
        orphans: set[str] = set()
        if found.placing:
            with self.ws.connect() as conn:
                orphans = found.placing - self._existing(conn, found.placing)
            for sha in sorted(orphans):
                self.blobs.remove_new(sha)
        self.blobs.remove_leftovers(found)
        return found.staged, len(orphans)

    # --- ingest -------------------------------------------------------------------------------

    def add(self, paths: Sequence[Path], provenance: Provenance, *, batch: int = 500,
            max_bytes: int | None = None, fsync: bool = True,
            progress: Callable[[int], None] | None = None,
            actor: str | None = None,
            within: Callable[[Change, AddReport], None] | None = None) -> AddReport:
        """Ingest files and folders in one transaction: every readable file, or none of them.

        A file that cannot be read (or a link out of its folder) is skipped with a reason and
        the rest is stored. Files are staged and written ``batch`` at a time, so memory stays
        bounded whatever the folder's size; the rows of all batches commit together. The blobs of
        a batch are placed before the commit, after their hashes are journalled
        (`BlobStore.journal`): if the process dies first, the next open removes them.

        `actor` is the user recorded on the revision and custody entries (by default the
        collector named in the provenance). `within` writes more in the same transaction once
        every file is in (e.g. the extraction suggestions of the new texts), so that is all or
        nothing too. ``fsync=False`` skips flushing blobs to disk before commit (only for
        benchmark setup).
        """
        report = AddReport()
        seen = 0
        files = iter_files(paths)
        author = actor or provenance.collected_by
        placed: list[str] = []
        journal: list[Path] = []
        names = ", ".join(p.name for p in paths)
        pending: list[_Pending] = []
        try:
            # Staging (copy, hash, read) overlaps file-system latency in threads; the database
            # writes stay in this thread, in one transaction.
            with ThreadPoolExecutor(max_workers=STAGING_THREADS) as pool, \
                    self.ws.change(author=author, reason=f"vault add {names}"[:200]) as ch:
                log = LogWriter(ch.conn, ch.author)
                while chunk := list(itertools.islice(files, batch)):
                    pending = []
                    for staged, local in pool.map(
                            lambda f: self._stage_one(f, provenance, max_bytes), chunk):
                        pending.extend(staged)
                        report.skipped.extend(local.skipped)
                        report.warnings.extend(local.warnings)
                    if pending:
                        self._write_batch(ch, log, pending, report, fsync, placed, journal)
                    seen += len(chunk)
                    if progress:
                        progress(seen)
                if not seen:
                    raise SabtError("no files found", file=", ".join(str(p) for p in paths))
                if within is not None:
                    within(ch, report)
        except BaseException:
            for item in pending:
                self._discard(item)
            for sha in placed:
                self.blobs.remove_new(sha)
            report.added.clear()
            raise
        finally:
            for path in journal:
                path.unlink(missing_ok=True)
        return report

    def _stage_one(self, found: FoundFile, provenance: Provenance,
                   max_bytes: int | None) -> tuple[list[_Pending], AddReport]:
        """Stage one file; its skips and warnings go to a report of its own (thread-safe)."""
        local = AddReport()
        path, name, refused = found
        if refused is not None:
            local.skipped.append({"file": name, "reason": refused})
            return [], local
        try:
            return self._stage(path, name, provenance, max_bytes, local), local
        except SabtError as exc:
            local.skipped.append({"file": name, "reason": exc.message})
            return [], local

    def _stage(self, path: Path, name: str, provenance: Provenance, max_bytes: int | None,
               report: AddReport) -> list[_Pending]:
        if not path.exists():
            raise SabtError("no such file", file=name)
        if not path.is_file():
            raise SabtError("not a regular file", file=name)
        try:
            with open_regular(path) as fh:
                if os.fstat(fh.fileno()).st_size == 0:
                    raise SabtError("empty file (zero bytes): nothing to store", file=name)
                staged = self.blobs.stage(fh, max_bytes=max_bytes)
        except OSError as exc:
            raise SabtError(f"cannot read: {exc.strerror or exc}", file=name) from exc
        except SabtError as exc:
            raise SabtError(exc.message, file=name) from exc
        try:
            return self._read_staged(staged, name, provenance, None, None, report, max_bytes)
        except BaseException:
            self.blobs.discard(staged)
            raise

    def _read_staged(self, staged: Staged, name: str, provenance: Provenance,
                     parent: str | None, relation: str | None,
                     report: AddReport, max_bytes: int | None = None) -> list[_Pending]:
        reading = readers.read(staged.tmp, name, max_bytes=max_bytes)
        if parent is not None and reading.members is not None:  # no archive bombs in archives
            reading.members = None
            reading.skipped.append("an archive inside an archive: stored, not expanded")
        by_name = mimetypes.guess_type(name.split("#")[0])[0]
        kind_by_name = by_name.split("/")[0] if by_name else None
        if by_name and parent is None and kind_by_name != reading.media_type.split("/")[0]:
            reading.meta["name_suggests"] = by_name
            report.warnings.append(f"{name}: the name suggests {by_name} but the bytes are "
                                   f"{reading.media_type}; stored as {reading.media_type}")
        pending = [_Pending(staged, name, reading, provenance, parent, relation)]
        for reason in reading.skipped:
            report.skipped.append({"file": name, "reason": reason})
        if reading.text is not None:
            data = reading.text.encode("utf-8")
            pending[0].chars = len(reading.text)
            reading.text = None  # kept on disk from here: a large archive stays small in memory
            if data and (staged.size != len(data) or reading.media_type != "text/plain"):
                pending[0].text_staged = self.blobs.stage_bytes(data)
        if reading.members is not None:
            try:
                for member in reading.members():
                    member_staged = self.blobs.stage(member.stream)
                    if member_staged.size == 0:
                        self.blobs.discard(member_staged)
                        continue
                    member_prov = Provenance(
                        provenance.collected_by, member.captured_at or provenance.collected_at,
                        member.origin_url, member.capture_method, provenance.notes)
                    try:
                        pending.extend(self._read_staged(member_staged, member.name, member_prov,
                                                         staged.sha256, "archive_record", report))
                    except SabtError as exc:
                        self.blobs.discard(member_staged)
                        report.skipped.append({"file": member.name, "reason": exc.message})
            except BaseException:
                for item in pending:
                    self._discard(item)
                raise
        return pending

    def _discard(self, item: _Pending) -> None:
        self.blobs.discard(item.staged)
        if item.text_staged:
            self.blobs.discard(item.text_staged)

    def _write_batch(self, ch: Change, log: LogWriter, pending: list[_Pending],
                     report: AddReport, fsync: bool, placed: list[str],
                     journal: list[Path]) -> None:
        """Write one batch's rows and custody entries in the add's transaction, then place its
        blobs (journalled first); the staged copies are gone when this returns or raises."""
        try:
            known = self._existing(ch.conn, {p.staged.sha256 for p in pending}
                                   | {p.text_staged.sha256 for p in pending if p.text_staged})
            rows: list[dict[str, Any]] = []
            for item in pending:
                row = self._row(item, ch, known)
                if row is None:
                    log.add("ingested_again", item.staged.sha256, self._details(item))
                    report.duplicates.append({"sha256": item.staged.sha256, "name": item.name})
                    continue
                text_sha = None
                if item.text_staged is not None:
                    text_sha = item.text_staged.sha256
                    if text_sha not in known:
                        text_row = self._text_row(item, text_sha)
                        rows.append(text_row)
                        known.add(text_sha)
                        log.add("derived_copy_made", text_sha, _recorded(text_row))
                row["text_sha256"] = text_sha
                rows.append(row)
                known.add(row["sha256"])
                log.add("ingested", row["sha256"], _recorded(row))
                if text_sha:
                    log.add("text_extracted", row["sha256"],
                            {"text_sha256": text_sha, "chars": item.chars,
                             "pages": len(item.reading.pages or [])})
                report.added.append({"sha256": row["sha256"], "name": item.name,
                                     "media_type": row["media_type"], "size": row["size"],
                                     "source_id": row["source_id"], "text_sha256": text_sha})
            if rows:
                ch.conn.execute(insert(vault_item), rows)
            log.flush()
            staged_all = [s for item in pending for s in (item.staged, item.text_staged)
                          if s is not None]
            if fsync:  # bytes on disk before the rows that name them commit
                self.blobs.sync(s.tmp for s in staged_all)
            new = sorted({s.sha256 for s in staged_all if not self.blobs.has(s.sha256)})
            if new:
                journal[:] = [self.blobs.journal(new, journal[0] if journal else None)]
            for staged in staged_all:
                if self.blobs.place(staged):
                    placed.append(staged.sha256)
            if fsync:
                self.blobs.sync({self.blobs.path_for(sha).parent for sha in new})
        finally:
            for item in pending:
                self._discard(item)

    @contextmanager
    def ingest_within(self, path: Path, *, author: str,
                      reason: str) -> Iterator[FileIngest]:
        """A workspace change that also stores ``path`` in the vault, all or nothing.

        The file is staged (hashed) first; the caller writes its rows through ``.change`` and
        calls ``.keep``; the item row and custody entry join the caller's transaction and the
        blob is placed just before commit. If anything fails, the blob (if new) and the staged
        copy are removed and the transaction rolls back: nothing remains.
        """
        try:
            with open_regular(path) as fh:
                staged = self.blobs.stage(fh)
        except OSError as exc:
            raise SabtError(f"cannot read: {exc.strerror or exc}", file=str(path)) from exc
        placing = False   # set before the blob may be placed: a failure then removes it
        journal: Path | None = None
        try:
            with self.ws.change(author=author, reason=reason) as ch:
                found = ch.conn.execute(select(vault_item).where(
                    vault_item.c.sha256 == staged.sha256)).mappings().first()
                job = FileIngest(ch, staged, dict(found) if found is not None else None)
                yield job
                if job.kept is not None:
                    placing = found is None and not self.blobs.has(staged.sha256)
                    if placing:
                        journal = self.blobs.journal([staged.sha256])
                    self._keep(job)
        except BaseException:
            if placing:
                self.blobs.remove_new(staged.sha256)
            self.blobs.discard(staged)
            raise
        finally:
            if journal is not None:
                journal.unlink(missing_ok=True)
        self.blobs.discard(staged)   # a no-op once placed; drops it when nothing was kept

    def _keep(self, job: FileIngest) -> None:
        """Write the item row and custody entry of a `FileIngest`, then place its blob."""
        kept, staged = job.kept, job.staged
        assert kept is not None
        prov: Provenance = kept["provenance"]
        log = LogWriter(job.change.conn, job.change.author)
        pending = _Pending(staged, kept["name"], readers.Reading(kept["media_type"]), prov)
        if job.existing is not None:
            details = {**self._details(pending), "source_id": kept["source_id"]}
            log.add("ingested_again", staged.sha256, details)
            log.flush()
            return
        row = {"sha256": staged.sha256, "size": staged.size, "media_type": kept["media_type"],
               "original_name": kept["name"],
               "collected_at": prov.collected_at or now_iso(), "collected_by": prov.collected_by,
               "origin_url": prov.origin_url, "capture_method": prov.capture_method,
               "notes": prov.notes, "parent_sha256": None, "relation": None,
               "language": kept["language"], "source_id": kept["source_id"],
               "text_sha256": None, "meta": _jsonable(kept["meta"]),
               "ingested_at": datetime.now(UTC)}
        job.change.conn.execute(insert(vault_item), [row])
        log.add("ingested", staged.sha256, _recorded(row))
        log.flush()
        self.blobs.sync([staged.tmp])
        if self.blobs.place(staged):
            self.blobs.sync([self.blobs.path_for(staged.sha256).parent])

    def _existing(self, conn: Connection, hashes: set[str]) -> set[str]:
        found: set[str] = set()
        ordered = sorted(hashes)
        for i in range(0, len(ordered), 500):
            found.update(conn.execute(select(vault_item.c.sha256).where(
                vault_item.c.sha256.in_(ordered[i:i + 500]))).scalars())
        return found

    def _row(self, item: _Pending, ch: Any, known: set[str]) -> dict[str, Any] | None:
        sha = item.staged.sha256
        if sha in known:
            return None
        reading = item.reading
        source_id = None
        if reading.media_type.startswith(SOURCE_MEDIA):
            source_id = ch.add_source(
                reading.title or item.name, author=reading.author, url=item.provenance.origin_url,
                sha256=sha, media_type=reading.media_type, language=reading.language,
                notes=item.provenance.notes)
        meta: dict[str, Any] = dict(reading.meta)
        for key in ("title", "author", "date"):
            if getattr(reading, key):
                meta[key] = getattr(reading, key)
        if reading.pages is not None:
            meta["pages"] = reading.pages
        return {
            "sha256": sha,
            "size": item.staged.size,
            "media_type": reading.media_type,
            "original_name": item.name,
            "collected_at": item.provenance.collected_at or now_iso(),
            "collected_by": item.provenance.collected_by,
            "origin_url": item.provenance.origin_url,
            "capture_method": item.provenance.capture_method,
            "notes": item.provenance.notes,
            "parent_sha256": item.parent,
            "relation": item.relation,
            "language": reading.language,
            "source_id": source_id,
            "meta": _jsonable(meta),
            "ingested_at": datetime.now(UTC),
        }

    def _text_row(self, item: _Pending, text_sha: str) -> dict[str, Any]:
        assert item.text_staged is not None
        meta: dict[str, Any] = {}
        if item.reading.pages is not None:
            meta["pages"] = item.reading.pages
        return {
            "sha256": text_sha,
            "size": item.text_staged.size,
            "media_type": "text/plain; charset=utf-8",
            "original_name": f"{item.name} (extracted text)",
            "collected_at": now_iso(),
            "collected_by": item.provenance.collected_by,
            "origin_url": None,
            "capture_method": "derived:text",
            "notes": None,
            "parent_sha256": item.staged.sha256,
            "relation": "text",
            "language": item.reading.language,
            "source_id": None,
            "text_sha256": None,
            "meta": meta,
            "ingested_at": datetime.now(UTC),
        }

    def _details(self, item: _Pending) -> dict[str, Any]:
        return {"original_name": item.name, "size": item.staged.size,
                "collected_by": item.provenance.collected_by,
                "collected_at": item.provenance.collected_at,
                "origin_url": item.provenance.origin_url,
                "capture_method": item.provenance.capture_method, "notes": item.provenance.notes}

    # --- reading back -------------------------------------------------------------------------

    def item(self, sha256: str, conn: Connection | None = None) -> dict[str, Any]:
        """The row of one item (a unique hash prefix of 8+ characters is enough); read through
        `conn` when given (a transaction that may not have committed yet)."""
        key = sha256.lower()
        match = vault_item.c.sha256 == key if len(key) == 64 else \
            vault_item.c.sha256.like(f"{key}%")
        if conn is not None:
            rows = conn.execute(select(vault_item).where(match)).mappings().all()
        else:
            with self.ws.connect() as own:
                rows = own.execute(select(vault_item).where(match)).mappings().all()
        if len(sha256) < 8 or len(rows) != 1:
            raise NotFound(f"no single vault item with hash {sha256!r}")
        return dict(rows[0])

    def text(self, sha256: str, conn: Connection | None = None) -> tuple[str, dict[str, Any]]:
        """The text of an item (its derived text, or itself if plain text) and that text's row
        (read through `conn` when given, as `item`)."""
        row = self.item(sha256, conn)
        text_sha = row["text_sha256"] or (row["sha256"] if row["media_type"].startswith(
            "text/plain") else None)
        if text_sha is None:
            raise SabtError(f"item {row['sha256'][:12]} ({row['media_type']}) has no text")
        with self.blobs.open(text_sha) as fh:
            data = fh.read()
        text = readers.decode_text(data)
        if text is None:
            raise SabtError(f"text of item {row['sha256'][:12]} is not UTF-8")
        return text, self.item(text_sha, conn)

    def log(self, actor: str, action: str, item: str | None, details: dict[str, Any]) -> Entry:
        """Append one custody entry in its own transaction (e.g. "exported", "viewed")."""
        with self.ws.change(author=actor, reason=f"custody: {action}") as ch:
            writer = LogWriter(ch.conn, actor)
            entry = writer.add(action, item, details)
            writer.flush()
        return entry

    def export(self, sha256: str, dest: Path, actor: str) -> Path:
        """Copy an item's bytes out of the vault (streamed) and log the export."""
        row = self.item(sha256)
        target = dest / Path(row["original_name"]).name if dest.is_dir() else dest
        with self.blobs.open(row["sha256"]) as src, open(target, "wb") as out:
            while block := src.read(1 << 20):
                out.write(block)
        self.log(actor, "exported", row["sha256"], {"to": str(target)})
        return target

    def entries(self, conn: Connection | None = None) -> list[Entry]:
        """The whole custody log, in order."""
        def load(c: Connection) -> list[Entry]:
            rows = c.execute(select(custody_log).order_by(custody_log.c.seq)).mappings()
            return [_entry_of(r) for r in rows]

        if conn is not None:
            return load(conn)
        with self.ws.connect() as c:
            return load(c)

    def entries_of(self, sha256: str) -> list[Entry]:
        """The custody entries about one item (full hash), in order."""
        with self.ws.connect() as conn:
            rows = conn.execute(select(custody_log).where(custody_log.c.item_sha256 == sha256)
                                .order_by(custody_log.c.seq)).mappings()
            return [_entry_of(r) for r in rows]

    def items(self) -> list[dict[str, Any]]:
        """Every item row, in hash order."""
        with self.ws.connect() as conn:
            return [dict(r) for r in conn.execute(
                select(vault_item).order_by(vault_item.c.sha256)).mappings()]

    # --- verify -------------------------------------------------------------------------------

    def verify(self, workers: int = 4) -> VerifyReport:
        """Re-hash every blob, check every row against its custody entry and the chain itself."""
        report = VerifyReport()
        items = self.items()
        entries = self.entries()
        report.items, report.log_entries = len(items), len(entries)
        report.chain_head = entries[-1].hash if entries else None
        report.problems.extend(_chain_problems(check_chain(entries)))
        report.problems.extend(_rows_vs_log(items, entries))
        report.problems.extend(self._blob_problems(items, report, workers))
        return report

    def _blob_problems(self, items: list[dict[str, Any]], report: VerifyReport,
                       workers: int) -> list[Problem]:
        problems: list[Problem] = []
        expected = {row["sha256"]: row for row in items}

        def check(row: dict[str, Any]) -> tuple[dict[str, Any], str | None, int, int | None]:
            path = self.blobs.path_for(row["sha256"])
            try:
                mode = path.stat().st_mode
                digest, size = sha256_file(path)
            except FileNotFoundError:
                return row, None, 0, None
            return row, digest, size, stat.S_IMODE(mode)

        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            for row, digest, size, mode in pool.map(check, items):
                sha = row["sha256"]
                if digest is None:
                    problems.append(Problem("missing", sha, f"item {sha} "
                                            f"({row['original_name']}) is missing from the vault"))
                    continue
                report.bytes += size
                if digest != sha or size != row["size"]:
                    problems.append(Problem("altered", sha, f"item {sha} ({row['original_name']})"
                                            f" was altered: its bytes now hash to {digest}"))
                elif mode is not None and mode & 0o222:
                    report.warnings.append(f"item {sha} is writable (mode {oct(mode)})")
        for path in self.blobs.iter_files():
            if path.name not in expected or self.blobs.path_for(path.name) != path:
                rel = path.relative_to(self.blobs.root)
                problems.append(Problem("inserted", str(rel),
                                        f"file {rel} is in the vault but is no recorded item"))
        if any(self.removed_at_open):
            staged, orphans = self.removed_at_open
            report.warnings.append(
                f"removed {staged} staged copies and {orphans} blob(s) with no record that an "
                "interrupted ingest had left in the vault (when the workspace was opened)")
        found = self.blobs.leftovers()
        if found.folders:
            report.warnings.append(
                f"{found.staged} staged copies and {len(found.placing)} journalled blob(s) from "
                f"an interrupted ingest in {self.blobs.tmp_dir} (not items; removed when the "
                "workspace is next opened)")
        return problems

    # --- manifest -----------------------------------------------------------------------------

    def write_manifest(self, out_dir: Path, actor: str) -> dict[str, Path]:
        """Write manifest.csv, manifest.json, SHA256SUMS and custody.jsonl into ``out_dir``.

        ``cd <workspace>/vault && sha256sum -c <out_dir>/SHA256SUMS`` checks every blob; the
        chain in custody.jsonl can be re-checked with the script in docs/vault.md.
        """
        import csv

        out_dir.mkdir(parents=True, exist_ok=True)
        items = self.items()
        entries = self.entries()
        columns = ["sha256", "size", "media_type", "original_name", "collected_at",
                   "collected_by", "origin_url", "capture_method", "notes", "parent_sha256",
                   "relation", "language", "source_id", "text_sha256", "path"]
        paths = {
            "csv": out_dir / "manifest.csv",
            "json": out_dir / "manifest.json",
            "sums": out_dir / "SHA256SUMS",
            "log": out_dir / "custody.jsonl",
        }
        records = []
        for row in items:
            record = {c: row.get(c) for c in columns if c != "path"}
            record["path"] = str(self.blobs.path_for(row["sha256"]).relative_to(self.blobs.root))
            records.append(record)
        with open(paths["csv"], "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows({k: csv_cell(v) for k, v in r.items()} for r in records)
        with open(paths["sums"], "w", encoding="utf-8") as fh:
            for record in records:
                fh.write(f"{record['sha256']}  {record['path']}\n")
        with open(paths["log"], "w", encoding="utf-8") as fh:
            for entry in entries:
                fh.write(canonical_json(entry.to_json()).decode("utf-8") + "\n")
        head = entries[-1].hash if entries else None
        manifest = {"generated_at": now_iso(), "items": records, "custody_entries": len(entries),
                    "chain_head": head, "hashing": "sha256 of canonical JSON, see docs/vault.md"}
        paths["json"].write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n",
                                 encoding="utf-8")
        self.log(actor, "manifest_exported", None, {"items": len(records), "chain_head": head})
        return paths


class LogWriter:
    """Appends custody entries inside one transaction, chaining from the last stored entry.

    The chain has its own lock, taken before the last entry is read and held until commit, so
    two writers never chain from the same entry (PostgreSQL: an advisory lock; SQLite: the
    write lock `Store.change` holds). Writers that do not touch the chain do not wait for it.
    """

    def __init__(self, conn: Connection, actor: str) -> None:
        self.conn = conn
        self.actor = actor
        locks.transaction_lock(conn, locks.CUSTODY_CHAIN)
        last_seq = conn.execute(select(func.max(custody_log.c.seq))).scalar()
        self.last: Entry | None = None
        if last_seq is not None:
            row = conn.execute(select(custody_log).where(custody_log.c.seq == last_seq)).mappings()
            self.last = _entry_of(next(iter(row)))
        self.rows: list[dict[str, Any]] = []

    def add(self, action: str, item: str | None, details: dict[str, Any]) -> Entry:
        entry = append(self.last, at=now_iso(), actor=self.actor, action=action, item=item,
                       details=_jsonable(details))
        self.rows.append({"seq": entry.seq, "at": entry.at, "actor": entry.actor,
                          "action": entry.action, "item_sha256": entry.item,
                          "details": canonical_json(dict(entry.details)).decode("utf-8"),
                          "prev_hash": entry.prev, "entry_hash": entry.hash})
        self.last = entry
        return entry

    def flush(self) -> None:
        if self.rows:
            self.conn.execute(insert(custody_log), self.rows)
            self.rows = []


def _entry_of(row: Any) -> Entry:
    try:
        details = json.loads(row["details"])
    except ValueError:
        details = {"unparseable": row["details"]}
    return Entry(seq=int(row["seq"]), at=row["at"], actor=row["actor"], action=row["action"],
                 item=row["item_sha256"], details=details, prev=row["prev_hash"],
                 hash=row["entry_hash"])


def _jsonable(value: Any) -> Any:
    """Make metadata JSON-safe and hashable as canonical JSON (no floats, no bytes)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def _recorded(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row.get(k) for k in RECORDED_FIELDS}


def _chain_problems(problems: list[ChainProblem]) -> list[Problem]:
    return [Problem(f"log_{p.kind}", f"log entry {p.seq}", p.message) for p in problems]


def _rows_vs_log(items: list[dict[str, Any]], entries: list[Entry]) -> list[Problem]:
    """Each item row must match the details its "ingested" (or derived) entry recorded."""
    recorded: dict[str, Entry] = {}
    for entry in entries:
        if entry.action in ("ingested", "derived_copy_made") and entry.item:
            recorded.setdefault(entry.item, entry)
    problems: list[Problem] = []
    rows = {row["sha256"]: row for row in items}
    for sha, row in rows.items():
        found = recorded.get(sha)
        if found is None:
            problems.append(Problem("inserted", sha, f"item {sha} ({row['original_name']}) has "
                                    "no custody entry: it was inserted outside Sabt"))
            continue
        changed = [k for k in RECORDED_FIELDS
                   if k in found.details and found.details[k] != row.get(k)]
        if changed:
            problems.append(Problem("altered", sha, f"item {sha} record was altered "
                                    f"({', '.join(changed)} differ from custody entry "
                                    f"{found.seq})"))
    for sha, entry in recorded.items():
        if sha not in rows:
            problems.append(Problem("missing", sha, f"item {sha} (custody entry {entry.seq}) "
                                    "has no record any more: it was removed"))
    return problems
