"""The vault in a workspace: ingest, dedupe, custody, tamper detection, atomicity, manifest."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, update

from sabt.errors import SabtError
from sabt.store.schema import revision
from sabt.store.workspace import Store
from sabt.vault.tables import custody_log, vault_item
from sabt.vault.vault import Provenance, Vault

PROV = Provenance("tester", "2026-11-22T10:00:00Z", "https://example.org/a", "download")


def _files(folder: Path) -> Path:
    folder.mkdir()
    (folder / "a.txt").write_text("Over 30,000 people were killed.\n", encoding="utf-8")
    (folder / "b.txt").write_text("از ۶۵۸ نفر تا بیش از دوازده هزار نفر\n", encoding="utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / "c.txt").write_text("Over 30,000 people were killed.\n", encoding="utf-8")
    return folder


def _writable(path: Path) -> None:
    os.chmod(path, 0o644)


def test_add_verify_and_dedupe(workspace: Store, tmp_path: Path) -> None:
    vault = Vault(workspace)
    report = vault.add([_files(tmp_path / "in")], PROV)
    assert len(report.added) == 2 and len(report.duplicates) == 1  # c.txt == a.txt
    names = {row["original_name"] for row in vault.items()}
    assert names == {"in/a.txt", "in/b.txt"}
    row = vault.items()[0]
    assert row["collected_by"] == "tester" and row["origin_url"] == "https://example.org/a"
    assert row["source_id"] and workspace.source_details(row["source_id"])["sha256"] == \
        row["sha256"]
    actions = [e.action for e in vault.entries()]
    assert actions.count("ingested") == 2 and actions.count("ingested_again") == 1
    result = vault.verify()
    assert result.ok, result.problems
    assert result.items == 2 and result.log_entries == 3


def test_flipping_one_byte_is_named(workspace: Store, tmp_path: Path) -> None:
    vault = Vault(workspace)
    vault.add([_files(tmp_path / "in")], PROV)
    victim = vault.items()[1]
    path = vault.blobs.path_for(victim["sha256"])
    _writable(path)
    data = bytearray(path.read_bytes())
    data[3] ^= 0x01
    path.write_bytes(bytes(data))
    problems = vault.verify().problems
    assert [(p.kind, p.subject) for p in problems] == [("altered", victim["sha256"])]
    assert victim["original_name"] in problems[0].message


def test_editing_one_log_entry_is_named(workspace: Store, tmp_path: Path) -> None:
    vault = Vault(workspace)
    vault.add([_files(tmp_path / "in")], PROV)
    with workspace.engine.begin() as conn:
        conn.execute(update(custody_log).where(custody_log.c.seq == 2).values(actor="mallory"))
    problems = vault.verify().problems
    assert [(p.kind, p.subject) for p in problems] == [("log_altered", "log entry 2")]


def test_missing_inserted_and_edited_records(workspace: Store, tmp_path: Path) -> None:
    vault = Vault(workspace)
    vault.add([_files(tmp_path / "in")], PROV)
    first, second = vault.items()
    gone = vault.blobs.path_for(first["sha256"])
    _writable(gone)
    gone.unlink()
    stray = vault.blobs.path_for("f" * 64)
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"planted")
    with workspace.engine.begin() as conn:
        conn.execute(update(vault_item).where(vault_item.c.sha256 == second["sha256"]).values(
            collected_by="mallory"))
    found = {(p.kind, p.subject) for p in vault.verify().problems}
    assert found == {("missing", first["sha256"]), ("inserted", "sha256/ff/ff/" + "f" * 64),
                     ("altered", second["sha256"])}


def test_a_failed_ingest_leaves_nothing(workspace: Store, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    vault = Vault(workspace)
    folder = _files(tmp_path / "in")

    def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full while writing rows")

    monkeypatch.setattr(vault.blobs, "place", explode)
    with pytest.raises(RuntimeError):
        vault.add([folder], PROV)
    assert vault.items() == [] and vault.entries() == []
    assert list(vault.blobs.iter_files()) == []
    assert vault.blobs.staged_files() == []
    assert workspace.entities("source") == []


def test_bad_files_are_skipped_with_a_reason(workspace: Store, tmp_path: Path) -> None:
    vault = Vault(workspace)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\nnot really a pdf")
    (folder / "big.txt").write_bytes(b"x" * 10_000)
    (folder / "ok.txt").write_text("fine", encoding="utf-8")
    report = vault.add([folder], PROV, max_bytes=5_000)
    reasons = {s["file"]: s["reason"] for s in report.skipped}
    assert set(reasons) == {"in/empty.txt", "in/broken.pdf", "in/big.txt"}
    assert "zero bytes" in reasons["in/empty.txt"]
    assert "unreadable PDF" in reasons["in/broken.pdf"]
    assert "larger than" in reasons["in/big.txt"]
    assert [a["name"] for a in report.added] == ["in/ok.txt"]
    assert vault.blobs.staged_files() == []
    assert vault.verify().ok


def test_wrong_extension_is_stored_by_content(workspace: Store, tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_text("plain words, not a PDF", encoding="utf-8")
    report = Vault(workspace).add([path], PROV)
    assert report.added[0]["media_type"] == "text/plain"
    assert "suggests application/pdf" in report.warnings[0]


def test_nothing_to_add_is_an_error(workspace: Store, tmp_path: Path) -> None:
    (tmp_path / "empty-dir").mkdir()
    with pytest.raises(SabtError, match="no files"):
        Vault(workspace).add([tmp_path / "empty-dir"], PROV)


def test_manifest_checks_with_standard_tools(tmp_path: Path) -> None:
    ws = Store.create(tmp_path / "ws")
    vault = Vault(ws)
    vault.add([_files(tmp_path / "in")], PROV)
    paths = vault.write_manifest(tmp_path / "out", "tester")
    if shutil.which("sha256sum"):
        ok = subprocess.run(["sha256sum", "-c", str(paths["sums"])], cwd=vault.blobs.root,
                            capture_output=True, text=True)
        assert ok.returncode == 0, ok.stdout + ok.stderr
    checker = Path(__file__).parents[2] / "src" / "sabt" / "vault" / "check_log.py"
    head = vault.entries()[-2].hash  # the manifest export itself is logged after writing
    good = subprocess.run([sys.executable, str(checker), str(paths["log"]), head],
                          capture_output=True, text=True)
    assert good.returncode == 0, good.stdout
    lines = paths["log"].read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace('"tester"', '"mallory"')
    paths["log"].write_text("\n".join(lines) + "\n", encoding="utf-8")
    bad = subprocess.run([sys.executable, str(checker), str(paths["log"])],
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "entry 2" in bad.stdout
    assert vault.verify().ok
    ws.close()


def test_export_is_logged(tmp_path: Path) -> None:
    ws = Store.create(tmp_path / "ws")
    vault = Vault(ws)
    report = vault.add([_files(tmp_path / "in")], PROV)
    out = vault.export(report.added[0]["sha256"], tmp_path, "tester")
    assert out.read_text(encoding="utf-8").startswith("Over 30,000")
    last = vault.entries()[-1]
    assert last.action == "exported" and last.item == report.added[0]["sha256"]
    rows = select(custody_log.c.action)
    with ws.engine.connect() as conn:
        assert "exported" in conn.execute(rows).scalars().all()
    ws.close()


def test_symlinks_out_of_the_folder_are_refused_and_named(workspace: Store,
                                                          tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0 SYNTHETIC password database", encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "hidden.txt").write_text("SYNTHETIC outside", encoding="utf-8")
    folder = _files(tmp_path / "in")
    (folder / "passwd").symlink_to(secret)
    (folder / "outdir").symlink_to(tmp_path / "elsewhere")
    (folder / "dangling").symlink_to(tmp_path / "nothing-here")
    (folder / "alias.txt").symlink_to(folder / "b.txt")
    (folder / "subdir-link").symlink_to(folder / "sub")
    os.mkfifo(folder / "pipe")
    vault = Vault(workspace)
    report = vault.add([folder], PROV)
    reasons = {s["file"]: s["reason"] for s in report.skipped}
    assert set(reasons) == {"in/passwd", "in/outdir", "in/dangling", "in/subdir-link", "in/pipe"}
    assert str(secret) in reasons["in/passwd"] and "outside the folder" in reasons["in/passwd"]
    assert "outside the folder" in reasons["in/outdir"]
    assert "not followed" in reasons["in/subdir-link"]
    assert "regular file" in reasons["in/pipe"]
    stored = {row["original_name"] for row in vault.items()}
    assert stored == {"in/a.txt", "in/alias.txt"}   # b.txt (after alias.txt) is a duplicate
    assert {d["name"] for d in report.duplicates} == {"in/b.txt", "in/sub/c.txt"}
    assert all(b"SYNTHETIC" not in vault.blobs.path_for(r["sha256"]).read_bytes()
               for r in vault.items())


def test_a_failure_in_a_later_batch_stores_nothing(workspace: Store, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(12):
        (folder / f"f{i:02}.txt").write_text(f"SYNTHETIC statement {i}", encoding="utf-8")
    vault = Vault(workspace)
    calls = []
    real = vault._write_batch

    def third_fails(*args: object) -> None:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full in the third batch")
        real(*args)   # type: ignore[arg-type]

    monkeypatch.setattr(vault, "_write_batch", third_fails)
    with pytest.raises(RuntimeError):
        vault.add([folder], PROV, batch=5)
    assert vault.items() == [] and vault.entries() == []
    assert list(vault.blobs.iter_files()) == [] and vault.blobs.staged_files() == []
    monkeypatch.undo()
    report = vault.add([folder], PROV, batch=5)
    assert len(report.added) == 12 and vault.verify().ok
    with workspace.connect() as conn:   # one revision for the whole folder
        reasons = conn.execute(select(revision.c.reason)).scalars().all()
    assert [r for r in reasons if r.startswith("vault add")] == ["vault add many"]


def test_what_a_killed_add_left_is_cleaned_when_the_workspace_is_opened(tmp_path: Path) -> None:
    ws = Store.create(tmp_path / "ws")
    vault = Vault(ws)
    kept = vault.add([_files(tmp_path / "in")], PROV).added[0]["sha256"]
    orphan = vault.blobs.path_for("e" * 64)   # placed by a transaction that never committed
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"SYNTHETIC orphan")
    dead = vault.blobs.tmp_dir / "s99999-dead"   # a session folder whose process died
    dead.mkdir()
    (dead / "lock").write_bytes(b"")
    (dead / "ingest-abc").write_bytes(b"SYNTHETIC staged copy")
    (dead / "placing-1.txt").write_text(f"{'e' * 64}\n{kept}\n", encoding="ascii")
    live = vault.blobs.session_dir()   # this process's own folder is left alone
    (live / "ingest-live").write_bytes(b"SYNTHETIC being staged")
    other = Vault(Store.open(tmp_path / "ws"))
    assert not dead.exists() and not orphan.exists()
    assert (live / "ingest-live").exists() and other.blobs.has(kept)
    checked = other.verify()
    assert checked.ok and "removed 1 staged copies and 1 blob(s)" in checked.warnings[0]
    other.ws.close()
    (live / "ingest-live").unlink()
    ws.close()
    assert not live.exists()
