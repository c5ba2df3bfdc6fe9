"""`ws.integrity` beyond tampering: the key, signatures, time-stamps, permissions, upgrades,
concurrent writers, the CLI and the standalone log checker."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from alembic.command import downgrade
from sqlalchemy import select

from sabt.cli import main
from sabt.errors import Forbidden, NotFound
from sabt.integrity import keys
from sabt.model.statements import Text
from sabt.policy import PUBLIC, Level, Role
from sabt.service import Workspace
from sabt.service.users import new_actor
from sabt.store import migrate, registry
from sabt.store.workspace import Store
from sabt.vault.chain import Entry
from tests.conftest import LocalTsa
from tests.integrity.conftest import Case

CHECKER = Path(__file__).parents[2] / "src" / "sabt" / "vault" / "check_log.py"


def test_the_key_is_private_to_the_folder_and_never_in_the_database(case: Case) -> None:
    path = keys.key_path(case.ws.root)
    assert path.stat().st_mode & 0o777 == 0o600
    assert b"PRIVATE KEY" in path.read_bytes()
    if case.ws.store.engine.dialect.name == "sqlite":
        for file in case.ws.root.glob("sabt.sqlite*"):
            assert path.read_bytes()[30:60] not in file.read_bytes()
    assert b"PRIVATE" not in case.ws.integrity.public_key_pem()


def test_a_signature_verifies_with_openssl(case: Case) -> None:
    data = "SYNTHETIC case file ثبت\n".encode()
    (case.tmp / "file").write_bytes(data)
    (case.tmp / "file.sig").write_bytes(case.ws.integrity.sign(case.me, data))
    (case.tmp / "public_key.pem").write_bytes(case.ws.integrity.public_key_pem())
    done = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey",
                           str(case.tmp / "public_key.pem"), "-rawin", "-in",
                           str(case.tmp / "file"), "-sigfile", str(case.tmp / "file.sig")],
                          capture_output=True, text=True)
    assert done.returncode == 0 and "Verified Successfully" in done.stdout
    (case.tmp / "file").write_bytes(data + b"x")
    done = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey",
                           str(case.tmp / "public_key.pem"), "-rawin", "-in",
                           str(case.tmp / "file"), "-sigfile", str(case.tmp / "file.sig")],
                          capture_output=True, text=True)
    assert done.returncode != 0


def test_an_unreachable_authority_is_one_warning_and_the_checkpoint_is_written(
        case: Case, tsa_server: LocalTsa) -> None:
    cp = case.ws.integrity.checkpoint(case.me, case.tmp / "cp",
                                      ["http://127.0.0.1:9/tsa", tsa_server.url])
    assert cp.timestamped   # the second authority answered
    assert len(cp.warnings) == 1 and "127.0.0.1:9" in cp.warnings[0]
    assert "\n" not in cp.warnings[0]
    none = case.ws.integrity.checkpoint(case.me, case.tmp / "cp2", ["http://127.0.0.1:9/tsa"])
    assert not none.timestamped
    assert [f.name for f in none.files] == ["checkpoint.json", "checkpoint.json.sig",
                                            "public_key.pem"]
    assert any("untimestamped" in w for w in none.warnings)
    assert case.ws.integrity.verify_checkpoint(case.me, none.path).ok


def test_who_may_sign_and_verify(case: Case) -> None:
    viewer = new_actor("vera", [Role.VIEWER], clearance=Level.INTERNAL)
    case.ws.users.add(case.me, viewer)
    vera = case.ws.actor("vera")
    assert case.ws.integrity.verify(vera).ok
    with pytest.raises(Forbidden, match="may not sign"):
        case.ws.integrity.checkpoint(vera, case.tmp / "cp")
    with pytest.raises(Forbidden):
        case.ws.integrity.sign(vera, b"x")
    with pytest.raises(Forbidden):
        case.ws.integrity.verify(PUBLIC)
    audit = case.ws.audit.entries(case.me, limit=50)
    assert any(a.action == "sign" and a.outcome == "denied" for a in audit)


def test_entries_about_an_entity_and_a_statement(case: Case) -> None:
    found = case.ws.integrity.entries_about(case.me, [case.person, str(case.statement)])
    pinned = {(t, k) for e in found for t, k, _h in e["details"]["rows"]}
    assert ("entity", case.person) in pinned and ("statement", str(case.statement)) in pinned
    assert any(t == "reference" for t, _k in pinned)
    for exported in found:   # each entry checks on its own: its hash is over its fields
        assert Entry.from_json(exported).computed_hash() == exported["hash"]
    assert case.ws.integrity.entries_about(case.me, ["P404"]) == []


def test_concurrent_writers_keep_one_chain(case: Case) -> None:
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(4):
                case.ws.entities.add_statement(case.me, case.person, "alias",
                                               Text(f"SYNTHETIC alias {n}.{i}"))
        except BaseException as exc:   # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = case.ws.integrity.verify(case.me)
    assert report.ok, report.problems
    with case.ws.store.connect() as conn:
        seqs = list(conn.execute(select(registry.registry_log.c.seq).order_by(
            registry.registry_log.c.seq)).scalars())
        assert conn.execute(select(registry.registry_dirty)).first() is None
    assert seqs == list(range(1, len(seqs) + 1))


def test_an_upgraded_workspace_verifies(tmp_path: Path, database_url: str | None) -> None:
    old = Store.create(tmp_path / "ws", database_url)
    with old.change("alice", "written before the registry log") as ch:
        person = ch.add_entity("person", "SYNTHETIC person")
        ch.add_statement(person, "name", Text("SYNTHETIC name"))
    with old.engine.begin() as conn:   # as if made by the Sabt before the registry log
        downgrade(migrate._config(conn), "0009_registry@-1")
        assert registry.triggers_present(conn) == set()
    old.close()
    keys.key_path(tmp_path / "ws").unlink()

    Workspace.upgrade(tmp_path / "ws", database_url, admin="carol")
    assert keys.key_path(tmp_path / "ws").stat().st_mode & 0o777 == 0o600
    with Workspace.open(tmp_path / "ws", database_url) as ws:
        carol = ws.actor("carol")
        report = ws.integrity.verify(carol)
        assert report.ok, report.problems
        with ws.store.connect() as conn:
            actions = [e.action for e in registry.entries(conn)]
        assert "genesis" in actions and actions[-1] == "change"   # carol made an admin
        ws.entities.add_statement(carol, person, "alias", Text("SYNTHETIC alias"))
        assert ws.integrity.verify(carol).ok
    # upgrading again pins nothing twice
    Workspace.upgrade(tmp_path / "ws", database_url, admin="carol")
    with Store.open(tmp_path / "ws", database_url) as store, store.connect() as conn:
        assert [e.action for e in registry.entries(conn)].count("genesis") == actions.count(
            "genesis")


def test_an_imported_export_verifies(case: Case) -> None:
    out = case.tmp / "all.jsonl"
    case.ws.exports.jsonl(case.me, out)
    ws, _ = Workspace.create_from_export(case.tmp / "copy", out, admin="alice")
    with ws:
        with ws.store.connect() as conn:
            assert next(e.action for e in registry.entries(conn)) == "import"
        ws.vault.vault.blobs.root.mkdir(parents=True, exist_ok=True)
        problems = ws.integrity.verify(ws.actor("alice")).problems
        # the vault's files are not in a JSON Lines export: only they are missing
        assert {p.kind for p in problems} == {"missing"}


def _cli(*args: str) -> int:
    try:
        main(list(args))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_cli_checkpoint_verify_and_key_export(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SABT_TSA_URLS", raising=False)
    ws = tmp_path / "ws"
    Workspace.create(ws, admin="alice").close()
    common = ["-w", str(ws), "--as", "alice"]
    assert _cli("checkpoint", "--out", str(tmp_path / "cp"), *common) == 0
    assert "untimestamped" in capsys.readouterr().out
    assert _cli("key", "export", "--out", str(tmp_path / "key.pem"), *common) == 0
    assert (tmp_path / "key.pem").read_bytes() == (tmp_path / "cp" / "public_key.pem").read_bytes()
    assert _cli("verify", "--checkpoint", str(tmp_path / "cp" / "checkpoint.json"), *common) == 0
    out = capsys.readouterr().out
    assert "OK" in out and "registry:" in out
    sig = tmp_path / "cp" / "checkpoint.json.sig"
    sig.write_bytes(bytes(64))
    assert _cli("verify", "--checkpoint", str(tmp_path / "cp" / "checkpoint.json"), *common) == 1
    assert "checkpoint_signature" in capsys.readouterr().out
    assert _cli("checkpoint", "--out", str(tmp_path / "cp2"), "--as", "nobody", "-w",
                str(ws)) == 1
    assert "nobody" in capsys.readouterr().err


def test_check_log_accepts_a_log_that_grew_and_rejects_a_cut_one(case: Case) -> None:
    paths = case.ws.vault.manifest(case.me, case.tmp / "m1")
    lines = paths["log"].read_text(encoding="utf-8").splitlines()
    published = json.loads(lines[0])["hash"]   # an early head, published
    grown = subprocess.run([sys.executable, str(CHECKER), str(paths["log"]), published],
                           capture_output=True, text=True)
    assert grown.returncode == 0, grown.stdout
    last = json.loads(lines[-1])["hash"]
    paths["log"].write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    cut = subprocess.run([sys.executable, str(CHECKER), str(paths["log"]), last],
                         capture_output=True, text=True)
    assert cut.returncode == 1 and "is not in the log" in cut.stdout


def test_an_unknown_entity_in_entries_about_is_not_an_error(case: Case) -> None:
    with pytest.raises(NotFound):
        case.ws.entities.get(case.me, "P404")
    assert case.ws.integrity.entries_about(case.me, ["statement:999999"]) == []
