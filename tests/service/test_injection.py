"""A server opens a workspace once, with its own engine and blob store, and every service uses
them."""

from __future__ import annotations

from pathlib import Path

from sabt.service import Workspace
from sabt.store.workspace import make_engine
from sabt.vault.blobs import BlobStore
from sabt.vault.vault import Provenance


def test_engine_and_blob_store_are_injected(tmp_path: Path) -> None:
    Workspace.create(tmp_path / "ws", admin="boss").close()
    engine = make_engine(tmp_path / "ws", None)
    blobs = BlobStore(tmp_path / "elsewhere")
    with Workspace.open(tmp_path / "ws", engine=engine, blobs=blobs) as ws:
        assert ws.store.engine is engine
        evidence = tmp_path / "SYNTHETIC note.txt"
        evidence.write_text("SYNTHETIC evidence\n", encoding="utf-8")
        report, _ = ws.vault.add(ws.actor("boss"), [evidence], Provenance("boss"),
                                 suggest=False)
        sha = report.added[0]["sha256"]
        assert blobs.path_for(sha).is_file()
        assert not (tmp_path / "ws" / "vault").exists()
        assert ws.vault.verify(ws.actor("boss")).ok
