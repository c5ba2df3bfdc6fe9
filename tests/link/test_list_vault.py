"""Imported list files are kept byte for byte in the vault, in the import's own transaction."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from sabt.errors import SabtError
from sabt.link import tables as lt
from sabt.link import workspace as lw
from sabt.store.workspace import Store
from sabt.vault.blobs import BlobStore
from sabt.vault.tables import custody_log, vault_item
from sabt.vault.vault import Provenance, Vault

# SYNTHETIC: fictional people; a Persian header and a Persian name make the bytes non-ASCII.
LIST_BYTES = ("# SYNTHETIC list\nنام,Surname,Year of birth\nعلی,Ahmadi,1340\nReza,Karimi,1960\n"
              ).encode()


def _counts(ws: Store) -> tuple[int, ...]:
    tables = (lt.list_import, lt.list_record, vault_item, custody_log)
    with ws.engine.connect() as conn:
        return (*(int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                  for t in tables), len(ws.entities("source")))


def _files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_import_stores_the_file_in_the_vault(workspace: Store, tmp_path: Path) -> None:
    path = tmp_path / "SYNTHETIC_list.csv"
    path.write_bytes(LIST_BYTES)
    report = lw.import_list(workspace, path, name="Org A", author="tester")
    vault = Vault(workspace)
    (item,) = vault.items()
    assert item["source_id"] == report.source_id
    assert item["original_name"] == path.name and item["collected_by"] == "tester"
    with vault.blobs.open(item["sha256"]) as fh:
        assert fh.read() == LIST_BYTES
    assert [e.action for e in vault.entries()] == ["ingested"]
    assert vault.verify().ok
    out = vault.export(item["sha256"], tmp_path / "copy.csv", actor="tester")
    assert out.read_bytes() == LIST_BYTES

    before = _counts(workspace)
    again = lw.import_list(workspace, path, name="other name", author="tester")   # a no-op
    assert again.already_imported and _counts(workspace) == before


def test_a_file_already_in_the_vault_keeps_its_source(workspace: Store,
                                                     tmp_path: Path) -> None:
    path = tmp_path / "SYNTHETIC_list.csv"
    path.write_bytes(LIST_BYTES)
    added = Vault(workspace).add([path], Provenance("collector")).added[0]
    report = lw.import_list(workspace, path, name="Org A", author="tester")
    assert report.source_id == added["source_id"]
    vault = Vault(workspace)
    assert [e.action for e in vault.entries()] == ["ingested", "ingested_again"]
    assert len(vault.items()) == 1 and vault.verify().ok


@pytest.mark.parametrize("where", ["rows", "blob"])
def test_a_failed_import_leaves_workspace_and_vault_as_they_were(
        workspace: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        where: str) -> None:
    first = tmp_path / "SYNTHETIC_first.csv"
    first.write_text("Name,Surname\nHasan,Rahimi\n", encoding="utf-8")
    lw.import_list(workspace, first, name="first", author="tester")
    before, files = _counts(workspace), _files_under(workspace.root / "vault")
    path = tmp_path / "SYNTHETIC_list.csv"
    path.write_bytes(LIST_BYTES)
    if where == "rows":   # a record fails while rows are written
        def bad_fields(_rec: object) -> None:
            raise SabtError("bad row", row=2)
        monkeypatch.setattr(lw, "_fields", bad_fields)
    else:                 # the blob is in place, then the last step before commit fails
        place = BlobStore.place

        def place_then_fail(self: BlobStore, staged: object) -> bool:
            place(self, staged)  # type: ignore[arg-type]
            raise OSError("disk full")
        monkeypatch.setattr(BlobStore, "place", place_then_fail)
    with pytest.raises((SabtError, OSError)):
        lw.import_list(workspace, path, name="Org A", author="tester")
    assert _counts(workspace) == before
    assert _files_under(workspace.root / "vault") == files   # no blob, no temporary file
    assert Vault(workspace).verify().ok
