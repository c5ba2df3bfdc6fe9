"""Every direct edit of the database or the files is caught: by `verify`, or — when the edit
leaves the workspace consistent with itself (a cut tail, a rewrite with every hash recomputed)
— by `verify --checkpoint` against a checkpoint taken before. Each case is its own test, on
SQLite and on PostgreSQL. Expected problems are written from docs/integrity.md."""

from __future__ import annotations

import json
import os
from pathlib import Path

from sqlalchemy import delete, insert, select, text

from sabt.integrity import keys
from sabt.model.statements import Text
from sabt.store import registry
from sabt.vault.chain import Entry, append, canonical_json
from sabt.vault.tables import custody_log
from tests.integrity.conftest import Case


def _last_revision(case: Case) -> int:
    with case.ws.store.connect() as conn:
        return int(conn.execute(text("SELECT max(id) FROM revision")).scalar_one())


def test_untouched_workspace_passes_verify_and_its_checkpoint(case: Case) -> None:
    cp = case.ws.integrity.checkpoint(case.me, case.tmp / "cp")
    case.ws.entities.add_statement(case.me, case.person, "alias", Text("SYNTHETIC A. R."))
    report = case.ws.integrity.verify(case.me)
    assert report.ok, report.problems
    assert report.rows_checked > 10 and report.registry_entries > 3
    # the log grew since the checkpoint: it still extends it
    assert case.ws.integrity.verify_checkpoint(case.me, cp.path).ok


def test_a_byte_of_a_blob(case: Case) -> None:
    blob = case.ws.vault.vault.blobs.path_for(case.item)
    os.chmod(blob, 0o644)
    data = bytearray(blob.read_bytes())
    data[0] ^= 1
    blob.write_bytes(bytes(data))
    assert case.kinds() == {("altered", case.item)}


def test_a_statement_value(case: Case) -> None:
    case.sql("UPDATE statement SET value_text = 'SYNTHETIC someone else' WHERE id = :id",
             id=case.statement)
    assert case.kinds() == {("row_altered", f"statement {case.statement}")}
    problem = case.ws.integrity.verify(case.me).problems[0]
    assert f"statement {case.statement} (of {case.person}) was altered" in problem.message


def test_a_source_title(case: Case) -> None:
    case.sql("UPDATE source SET title = 'SYNTHETIC forged title' WHERE entity_id = :id",
             id=case.source)
    assert case.kinds() == {("row_altered", f"source {case.source}")}


def test_a_revision_author(case: Case) -> None:
    revision = _last_revision(case)
    case.sql("UPDATE revision SET author = 'mallory' WHERE id = :id", id=revision)
    assert case.kinds() == {("row_altered", f"revision {revision}")}


def test_a_deleted_row(case: Case) -> None:
    with case.ws.store.connect() as conn:
        ref = conn.execute(text("SELECT id FROM reference WHERE statement_id = :s"),
                           {"s": case.statement}).scalar_one()
    case.sql("DELETE FROM reference WHERE id = :id", id=ref)
    assert case.kinds() == {("row_deleted", f"reference {ref}")}


def test_an_inserted_row(case: Case) -> None:
    case.sql("INSERT INTO entity (id, kind, label, status, revision_id) VALUES "
             "('P999', 'person', 'SYNTHETIC planted', 'active', 1)")
    assert case.kinds() == {("row_inserted", "entity P999")}


def test_a_deleted_log_entry(case: Case) -> None:
    case.sql("DELETE FROM registry_log WHERE seq = 2")
    kinds = {k for k, _ in case.kinds()}
    assert "registry_log_missing" in kinds and "registry_log_broken_link" in kinds


def test_an_altered_log_entry(case: Case) -> None:
    case.sql("UPDATE registry_log SET actor = 'mallory' WHERE seq = 2")
    assert case.kinds() == {("registry_log_altered", "registry entry 2")}


def test_reordered_log_entries(case: Case) -> None:
    case.sql("UPDATE registry_log SET seq = -2 WHERE seq = 2")
    case.sql("UPDATE registry_log SET seq = 2 WHERE seq = 3")
    case.sql("UPDATE registry_log SET seq = 3 WHERE seq = -2")
    kinds = case.kinds()
    assert ("registry_log_broken_link", "registry entry 2") in kinds
    assert ("registry_log_broken_link", "registry entry 3") in kinds


def test_a_dropped_trigger(case: Case) -> None:
    if case.ws.store.engine.dialect.name == "postgresql":
        case.sql('DROP TRIGGER registry_statement_upd ON "statement"')
    else:
        case.sql("DROP TRIGGER registry_statement_upd")
    assert case.kinds() == {("unwatched", "statement")}


def test_the_last_registry_entry_cut(case: Case) -> None:
    """A change, a checkpoint, then the change undone with its log entry: the workspace is
    consistent with itself (plain verify passes), only the checkpoint shows the cut."""
    added = case.ws.entities.add_statement(case.me, case.person, "alias",
                                           Text("SYNTHETIC A. R."))
    revision = _last_revision(case)
    cp = case.ws.integrity.checkpoint(case.me, case.tmp / "cp")
    case.sql("DELETE FROM statement WHERE id = :id", id=added)
    case.sql("DELETE FROM revision WHERE id = :id", id=revision)
    case.sql("DELETE FROM registry_log WHERE seq = (SELECT max(seq) FROM registry_log)")
    assert case.ws.integrity.verify(case.me).ok
    pinned = case.ws.integrity.verify_checkpoint(case.me, cp.path)
    assert [p.kind for p in pinned.problems] == ["registry_log_not_extended"]
    assert "the registry log was cut" in pinned.problems[0].message


def test_the_last_custody_entry_cut(case: Case) -> None:
    case.ws.vault.vault.export(case.item, case.tmp, "alice")   # logs "exported"
    cp = case.ws.integrity.checkpoint(case.me, case.tmp / "cp")
    case.sql("DELETE FROM custody_log WHERE seq = (SELECT max(seq) FROM custody_log)")
    assert case.ws.integrity.verify(case.me).ok
    pinned = case.ws.integrity.verify_checkpoint(case.me, cp.path)
    assert [p.kind for p in pinned.problems] == ["custody_log_not_extended"]
    assert "the custody log was cut" in pinned.problems[0].message


def test_a_whole_item_erased(case: Case) -> None:
    """Blob, item row and every custody entry of the item (the last ones) removed: the custody
    chain still holds, but the registry log pinned the item's row."""
    blob = case.ws.vault.vault.blobs.path_for(case.item)
    os.chmod(blob.parent, 0o755)
    blob.unlink()
    case.sql("DELETE FROM custody_log WHERE item_sha256 = :sha", sha=case.item)
    case.sql("DELETE FROM vault_item WHERE sha256 = :sha", sha=case.item)
    kinds = case.kinds()
    assert ("row_deleted", f"vault_item {case.item}") in kinds
    assert not any(k.startswith("log_") for k, _ in kinds)   # the custody chain itself holds


def _rewrite_registry(case: Case, table: str, key: str) -> None:
    """What a forger with database access does: re-pin the altered row and re-chain every entry
    from there on, recomputing each hash."""
    with case.ws.store.engine.begin() as conn:
        tbl = registry.registry_log
        rows = conn.execute(select(tbl).order_by(tbl.c.seq)).mappings().all()
        chain = [registry.entry_of(r) for r in rows]
        digest = dict(registry.raw_rows(conn, registry._table(table)))[key]
        first = next(e.seq for e in chain if any(p[:2] == [table, key]
                                                  for p in e.details.get("rows", [])))
        rebuilt: list[Entry] = []
        last: Entry | None = chain[first - 2] if first > 1 else None
        for entry in chain[first - 1:]:
            details = dict(entry.details)
            details["rows"] = [[t, k, digest if [t, k] == [table, key] else h]
                               for t, k, h in details.get("rows", [])]
            last = append(last, at=entry.at, actor=entry.actor, action=entry.action,
                          item=entry.item, details=details)
            rebuilt.append(last)
        conn.execute(delete(tbl).where(tbl.c.seq >= first))
        conn.execute(insert(tbl), [{
            "seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action, "item": e.item,
            "details": canonical_json(dict(e.details)).decode(), "prev_hash": e.prev,
            "entry_hash": e.hash} for e in rebuilt])


def test_a_rewrite_with_every_hash_recomputed(case: Case) -> None:
    cp = case.ws.integrity.checkpoint(case.me, case.tmp / "cp")
    case.sql("UPDATE statement SET value_text = 'SYNTHETIC someone else' WHERE id = :id",
             id=case.statement)
    _rewrite_registry(case, "statement", str(case.statement))
    assert case.ws.integrity.verify(case.me).ok          # consistent with itself
    pinned = case.ws.integrity.verify_checkpoint(case.me, cp.path)
    assert [p.kind for p in pinned.problems] == ["registry_log_not_extended"]
    assert "rewritten" in pinned.problems[0].message


def test_a_custody_rewrite_with_every_hash_recomputed(case: Case) -> None:
    cp = case.ws.integrity.checkpoint(case.me, case.tmp / "cp")
    with case.ws.store.engine.begin() as conn:
        rows = conn.execute(select(custody_log).order_by(custody_log.c.seq)).mappings().all()
        last: Entry | None = None
        rebuilt = []
        for row in rows:
            actor = "mallory" if row["seq"] == 1 else row["actor"]
            last = append(last, at=row["at"], actor=actor, action=row["action"],
                          item=row["item_sha256"], details=json.loads(
                              row["details"]))
            rebuilt.append(last)
        conn.execute(delete(custody_log))
        conn.execute(insert(custody_log), [{
            "seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action,
            "item_sha256": e.item, "details": canonical_json(dict(e.details)).decode(),
            "prev_hash": e.prev, "entry_hash": e.hash} for e in rebuilt])
    assert case.ws.integrity.verify(case.me).ok
    pinned = case.ws.integrity.verify_checkpoint(case.me, cp.path)
    assert [p.kind for p in pinned.problems] == ["custody_log_not_extended"]


def test_a_signature_that_does_not_match(case: Case) -> None:
    cp = case.ws.integrity.checkpoint(case.me, case.tmp / "cp")
    forged = cp.path.read_bytes().replace(b'"entries": ', b'"entries": 1', 1)
    cp.path.write_bytes(forged)
    problems = case.ws.integrity.verify_checkpoint(case.me, cp.path).problems
    assert "checkpoint_signature" in {p.kind for p in problems}


def test_a_checkpoint_signed_by_another_key(case: Case, tmp_path: Path) -> None:
    cp = case.ws.integrity.checkpoint(case.me, case.tmp / "cp")
    other = tmp_path / "other"
    other.mkdir()
    keys.ensure_key(other)
    Path(f"{cp.path}.sig").write_bytes(keys.sign(other, cp.path.read_bytes()))
    problems = case.ws.integrity.verify_checkpoint(case.me, cp.path).problems
    assert [p.kind for p in problems] == ["checkpoint_signature"]


def test_a_replaced_workspace_key(case: Case) -> None:
    cp = case.ws.integrity.checkpoint(case.me, case.tmp / "cp")
    keys.key_path(case.ws.root).unlink()
    keys.ensure_key(case.ws.root)
    kinds = [p.kind for p in case.ws.integrity.verify_checkpoint(case.me, cp.path).problems]
    assert kinds == ["checkpoint_signature", "checkpoint_key"]
