"""Backups: consistent, encrypted to a public key, restored identical in content; hostile or
damaged backup files are refused with one line and leave nothing behind."""

from __future__ import annotations

import gzip
import io
import os
import stat
import tarfile
import threading
from pathlib import Path

import pytest

from sabt.errors import Forbidden, SabtError
from sabt.policy import Level, Role
from sabt.service import Workspace
from sabt.service.users import new_actor
from sabt.store.sealed import new_key_pair
from sabt.vault.vault import Provenance

PROV = Provenance("tester", "2026-11-22T10:00:00Z", None, "file")


def _content(ws: Workspace) -> tuple[str, list[dict[str, object]]]:
    """The lossless export and the vault's items (what a restore must reproduce)."""
    out = io.StringIO()
    ws.store.export_jsonl(out)
    lines = out.getvalue().splitlines()
    items = [{k: v for k, v in row.items() if k != "ingested_at"}
             for row in ws.vault.vault.items()]
    return "\n".join(lines[1:]), items   # the header line says when the export was made


def _filled(root: Path, tmp_path: Path, database_url: str | None) -> Workspace:
    ws = Workspace.create(root, database_url, admin="admin")
    me = ws.actor("admin")
    person = ws.entities.add(me, "person", "SYNTHETIC Sara Ahmadi")
    ws.entities.add(me, "person", "SYNTHETIC سارا احمدی")
    assert person
    files = tmp_path / "evidence"
    files.mkdir()
    (files / "a.txt").write_text("SYNTHETIC testimony: over 30,000 killed", encoding="utf-8")
    (files / "b.bin").write_bytes(os.urandom(300_000))   # incompressible, spans many chunks
    ws.vault.add(me, [files], PROV, suggest=False)
    keys = root / "keys"
    keys.mkdir()
    (keys / "signing.key").write_bytes(b"SYNTHETIC key material\n")
    return ws


def test_encrypted_backup_restores_identical_content(tmp_path: Path,
                                                     database_url: str | None,
                                                     request: pytest.FixtureRequest) -> None:
    ws = _filled(tmp_path / "ws", tmp_path, database_url)
    me = ws.actor("admin")
    private, public = new_key_pair(tmp_path / "backup")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    report = ws.backups.write(me, tmp_path / "ws.bak", public)
    assert report.encrypted and report.vault_items == 2 and not report.warnings
    assert report.database == ("sqlite" if database_url is None else "jsonl")
    before = _content(ws)
    raw = (tmp_path / "ws.bak").read_bytes()
    assert b"SYNTHETIC" not in raw and b"sqlite" not in raw.lower()
    target_url = None
    if database_url is not None:
        target_url = request.getfixturevalue("pg_server").new_database()
    restored, back = Workspace.restore(tmp_path / "ws.bak", tmp_path / "again", key=private,
                                       database_url=target_url)
    assert back.verify is not None and back.verify.ok, back.verify.problems
    assert _content(restored) == before
    assert (tmp_path / "again" / "keys" / "signing.key").read_bytes() == \
        b"SYNTHETIC key material\n"
    assert stat.S_IMODE((tmp_path / "again").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "again" / "keys" / "signing.key").stat().st_mode) == 0o600
    assert not list((tmp_path / "again").glob("restore-*"))
    assert restored.vault.verify(restored.actor("admin")).ok
    restored.close()
    ws.close()


def test_sqlite_backup_restores_into_postgresql(tmp_path: Path, pg_server: object) -> None:
    ws = _filled(tmp_path / "ws", tmp_path, None)
    ws.backups.write(ws.actor("admin"), tmp_path / "ws.bak")
    before = _content(ws)
    url = pg_server.new_database()   # type: ignore[attr-defined]
    restored, back = Workspace.restore(tmp_path / "ws.bak", tmp_path / "pg", database_url=url)
    assert back.verify is not None and back.verify.ok
    # SQLite stores UTC times without an offset, PostgreSQL with one: the same instants
    assert _content(restored)[0].replace("+00:00\"", "\"") == before[0]
    assert _content(restored)[1] == before[1]
    restored.close()
    ws.close()


@pytest.fixture
def backed_up(tmp_path: Path) -> tuple[Workspace, Path, Path, Path]:
    ws = _filled(tmp_path / "ws", tmp_path, None)
    private, public = new_key_pair(tmp_path / "k")
    ws.backups.write(ws.actor("admin"), tmp_path / "sealed.bak", public)
    ws.backups.write(ws.actor("admin"), tmp_path / "plain.bak")
    return ws, tmp_path / "sealed.bak", tmp_path / "plain.bak", private


def test_plain_backup_is_a_tar_gz_with_a_manifest(backed_up: tuple[Workspace, Path, Path, Path],
                                                  ) -> None:
    ws, _sealed, plain, _key = backed_up
    with tarfile.open(plain, "r:gz") as tar:
        names = tar.getnames()
    assert names[0] == "database/snapshot.sqlite" and names[-1] == "MANIFEST.json"
    assert "workspace/sabt-workspace.json" in names and "workspace/keys/signing.key" in names
    assert sum(n.startswith("workspace/vault/sha256/") for n in names) == 2
    assert not any("tmp" in n.split("/") or n.endswith(".lock") for n in names)
    ws.close()


def test_refusals_name_the_problem_and_leave_nothing(
        tmp_path: Path, backed_up: tuple[Workspace, Path, Path, Path]) -> None:
    ws, sealed, plain, key = backed_up
    target = tmp_path / "target"
    with pytest.raises(SabtError, match="encrypted: pass the private key"):
        Workspace.restore(sealed, target)
    other, _pub = new_key_pair(tmp_path / "other")
    with pytest.raises(SabtError, match="encrypted to another key"):
        Workspace.restore(sealed, target, key=other)
    data = bytearray(sealed.read_bytes())
    data[len(data) // 2] ^= 0x01
    (tmp_path / "flipped.bak").write_bytes(bytes(data))
    with pytest.raises(SabtError, match="fails authentication"):
        Workspace.restore(tmp_path / "flipped.bak", target, key=key)
    assert not target.exists()
    for name, source in (("cut-sealed.bak", sealed), ("cut-plain.bak", plain)):
        whole = source.read_bytes()
        (tmp_path / name).write_bytes(whole[:len(whole) - 70_000])
        with pytest.raises(SabtError):
            Workspace.restore(tmp_path / name, target, key=key)
        assert not target.exists()
    target.mkdir()
    (target / "precious.txt").write_text("SYNTHETIC", encoding="utf-8")
    with pytest.raises(SabtError, match="not empty"):
        Workspace.restore(plain, target)
    assert (target / "precious.txt").exists()
    ws.close()


@pytest.mark.parametrize("name", ["../escape.txt", "/etc/evil", "workspace/../../x",
                                  "elsewhere/file"])
def test_hostile_member_names_are_refused(tmp_path: Path, name: str) -> None:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb") as gz, \
            tarfile.open(fileobj=gz, mode="w|") as tar:
        info = tarfile.TarInfo(name)
        info.size = 9
        tar.addfile(info, io.BytesIO(b"SYNTHETIC"))
    (tmp_path / "evil.bak").write_bytes(buffer.getvalue())
    with pytest.raises(SabtError, match="refused member name"):
        Workspace.restore(tmp_path / "evil.bak", tmp_path / "to")
    assert not (tmp_path / "to").exists() and not (tmp_path / "escape.txt").exists()


def test_only_admins_back_up(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws", admin="admin")
    admin = ws.actor("admin")
    ws.users.add(admin, new_actor("ed", [Role.EDITOR], clearance=Level.CONFIDENTIAL))
    with pytest.raises(Forbidden):
        ws.backups.write(ws.actor("ed"), tmp_path / "x.bak")
    assert not (tmp_path / "x.bak").exists()
    ws.close()


def test_backup_while_another_thread_writes_is_consistent(tmp_path: Path) -> None:
    ws = _filled(tmp_path / "ws", tmp_path, None)
    me = ws.actor("admin")
    stop = threading.Event()

    def writer() -> None:
        i = 0
        while not stop.is_set():
            ws.entities.add(me, "person", f"SYNTHETIC writer {i}")
            i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for n in range(3):
            ws.backups.write(me, tmp_path / f"b{n}.bak")
    finally:
        stop.set()
        thread.join()
    for n in range(3):
        restored, back = Workspace.restore(tmp_path / f"b{n}.bak", tmp_path / f"r{n}")
        assert back.verify is not None and back.verify.ok
        restored.close()
    ws.close()
