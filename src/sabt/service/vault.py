"""`ws.vault`: evidence files kept byte for byte with their custody chain, on behalf of an actor.
An item is seen through its own mark and its source's."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sabt.errors import InvalidValue, NotFound, SabtError
from sabt.policy import DEFAULT_MARK, Action, Actor, Marks, sees
from sabt.service.guard import Guard
from sabt.store import access
from sabt.store.change import Change
from sabt.store.workspace import Store
from sabt.vault.chain import Entry
from sabt.vault.vault import AddReport, Provenance, Vault, VerifyReport

CAPTURE_MEDIA = ("application/warc", "application/wacz", "text/html", "application/pdf",
                 "image/")


class VaultService:
    def __init__(self, store: Store, guard: Guard) -> None:
        self.store = store
        self.guard = guard
        self.vault = Vault(store)

    def add(self, actor: Actor, paths: Sequence[Path], provenance: Provenance, *,
            max_bytes: int | None = None, suggest: bool = True,
            progress: Callable[[int], None] | None = None) -> tuple[AddReport, int]:
        """Store files and folders (with custody entries by `actor`); with `suggest`, queue
        extraction suggestions for new texts, in the same transaction (all or nothing).
        Returns the report and the suggestions queued."""
        from sabt.extract.suggestions import suggest_within, workspace_gazetteer

        self.guard.require(actor, Action.EDIT)
        queued: list[int] = []

        def queue(ch: Change, report: AddReport) -> None:
            texts = [item["sha256"] for item in report.added
                     if item["text_sha256"] or item["media_type"] == "text/plain"]
            if texts:
                queued.extend(suggest_within(ch.conn, self.vault, texts, actor.id,
                                             workspace_gazetteer(self.store)))

        report = self.vault.add(paths, provenance, max_bytes=max_bytes, progress=progress,
                                actor=actor.id, within=queue if suggest else None)
        return report, len(queued)

    def add_capture(self, actor: Actor, source_id: str, path: Path, *,
                    captured_at: str | None = None, url: str | None = None,
                    notes: str | None = None) -> dict[str, Any]:
        """Preserve a cited web page: store `path` (a WARC or WACZ made by another tool, or the
        page saved as HTML, PDF or an image) byte for byte, linked to the source `source_id`,
        with its custody entry. `url` defaults to the source's address. Returns the item."""
        from sabt.vault.readers import sniff

        self.guard.require(actor, Action.EDIT)
        with self.store.connect() as conn:
            mark = access.mark_of(conn, "entity", source_id)
        missing = f"no source with id {source_id!r}"
        try:
            details = self.store.source_details(source_id)
        except NotFound:
            self.guard.record(actor, "edit", source_id, "denied", "no such source")
            raise NotFound(missing) from None
        self.guard.require(actor, Action.EDIT, (mark or DEFAULT_MARK,), item=source_id,
                           missing=missing)
        if not path.is_file():
            raise SabtError(f"{path}: no such file")
        with path.open("rb") as fh:
            media_type = sniff(fh.read(8192))
        if media_type == "application/zip" and path.suffix.lower() == ".wacz":
            media_type = "application/wacz"
        if not media_type.startswith(CAPTURE_MEDIA):
            raise InvalidValue(f"{path.name} is {media_type}: a capture is a WARC or WACZ file, "
                               "or a page saved as HTML, PDF or an image", field="FILE")
        provenance = Provenance(actor.id, captured_at, url or details.get("url"),
                                f"web capture ({media_type.split('/')[-1]})", notes)
        with self.vault.ingest_within(path, author=actor.id,
                                      reason=f"capture of {source_id}") as job:
            if job.existing is not None and job.existing["source_id"] != source_id:
                raise SabtError(f"{path.name} is already vault item "
                                f"{job.existing['sha256'][:16]} of another source: a capture "
                                "belongs to one source")
            job.keep(path.name, provenance, media_type=media_type, source_id=source_id)
        return self.vault.item(job.staged.sha256)

    def marks(self, row: dict[str, Any]) -> Marks:
        """The item's own mark (or the default) and its source's."""
        with self.store.connect() as conn:
            own = access.mark_of(conn, "vault", row["sha256"]) or DEFAULT_MARK
            source = (access.mark_of(conn, "entity", row["source_id"]) or DEFAULT_MARK
                      if row["source_id"] else None)
        return (own,) if source is None else (own, source)

    def marks_by_hash(self, sha256: str) -> Marks:
        """The marks of the item with this full hash (NotFound when there is none)."""
        return self.marks(self.vault.item(sha256))

    def item(self, actor: Actor, sha256: str) -> dict[str, Any]:
        """One item's record (a unique hash prefix of 8+ characters is enough)."""
        try:
            row = self.vault.item(sha256)
        except NotFound:
            self.guard.record(actor, "view", sha256, "denied", "no such item")
            raise
        marks = self.marks(row)
        self.guard.require(actor, Action.VIEW, marks, item=sha256,
                           missing=f"no single vault item with hash {sha256!r}")
        self.guard.read(actor, row["sha256"], marks)
        return row

    def of_source(self, actor: Actor, source_id: str) -> list[dict[str, Any]]:
        """The vault items of a source that the actor may see, in hash order."""
        from sqlalchemy import select

        from sabt.vault.tables import vault_item

        self.guard.require(actor, Action.VIEW)
        with self.store.connect() as conn:
            rows = conn.execute(select(vault_item).where(vault_item.c.source_id == source_id)
                                .order_by(vault_item.c.sha256)).mappings().all()
        shown = []
        for row in map(dict, rows):
            marks = self.marks(row)
            if sees(actor, marks):
                self.guard.read(actor, row["sha256"], marks)
                shown.append(row)
        return shown

    def custody(self, actor: Actor, sha256: str) -> list[Entry]:
        """The custody entries of one item the actor may see, in order."""
        return self.vault.entries_of(self.item(actor, sha256)["sha256"])

    def text(self, actor: Actor, sha256: str) -> str:
        self.item(actor, sha256)
        return self.vault.text(sha256)[0]

    def verify(self, actor: Actor) -> VerifyReport:
        """Re-hash every item and check the custody chain (editors and admins)."""
        self.guard.require(actor, Action.EDIT)
        return self.vault.verify()

    def manifest(self, actor: Actor, out: Path) -> dict[str, Path]:
        """manifest.csv/.json, SHA256SUMS and custody.jsonl of every item: a whole-vault export,
        for admins; logged in the custody chain and the audit."""
        self.guard.require(actor, Action.EXPORT)
        self.guard.record(actor, "export", None, "export", f"vault manifest to {out}")
        return self.vault.write_manifest(out, actor.id)
