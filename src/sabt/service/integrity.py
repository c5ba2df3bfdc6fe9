"""`ws.integrity`: check the whole workspace, and pin it outside itself.

* `verify`: the vault (every blob re-hashed, the custody chain) and the registry log (its chain,
  and every watched row against the hash its last entry pinned), each problem named.
* `checkpoint`: the heads of both chains with counts and time, signed with the workspace's
  Ed25519 key and, when authorities are given, time-stamped (RFC 3161). Kept by someone else, a
  checkpoint catches what no check inside the workspace can: the tail of a log cut, or a whole
  log rewritten with every hash recomputed (`verify_checkpoint`).
* `sign`, `timestamp`, `public_key_pem`, `entries_about`: what a case file needs.

Signing and checkpoints need `sign` (editors, admins); checking needs `verify` (any signed-in
user). Both are recorded in the audit.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from sabt import __version__
from sabt.errors import SabtError
from sabt.integrity import keys
from sabt.integrity.checkpoint import ChainHead, document, extension_problem, parse
from sabt.integrity.tsa import TimestampResult
from sabt.policy import Action, Actor, can
from sabt.service.guard import Guard
from sabt.store import registry
from sabt.store.registry import Problem, now_iso
from sabt.store.workspace import Store

__all__ = ["Checkpoint", "Integrity", "IntegrityReport", "Problem", "TimestampResult"]

CHECKPOINTS_DIR = "checkpoints"


@dataclass
class IntegrityReport:
    """What `verify` or `verify_checkpoint` found; ``ok`` only when there is no problem."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    items: int = 0                     # vault items re-hashed
    bytes: int = 0
    custody_entries: int = 0
    custody_head: str | None = None
    registry_entries: int = 0
    registry_head: str | None = None
    rows_checked: int = 0              # watched rows compared with their pins
    checkpoint: Path | None = None     # the checkpoint checked, if any

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Checkpoint:
    """A written checkpoint: its files, whether any authority time-stamped it, and warnings
    (one line per authority that could not)."""

    path: Path
    files: list[Path]
    timestamped: bool
    warnings: list[str]
    heads: dict[str, ChainHead]
    kept: Path                         # the copy inside the workspace


class Integrity:
    def __init__(self, store: Store, guard: Guard) -> None:
        self.store = store
        self.guard = guard

    # --- the key ---------------------------------------------------------------------------------

    def public_key_pem(self) -> bytes:
        """The workspace's public key (PEM), for anyone checking its signatures."""
        return keys.public_key_pem(self.store.root)

    def sign(self, actor: Actor, data: bytes) -> bytes:
        """A raw 64-byte Ed25519 signature of `data` by the workspace's key (audited)."""
        self.guard.require(actor, Action.SIGN)
        signature = keys.sign(self.store.root, data)
        self.guard.record(actor, "sign", None, "done",
                          f"sha256 {hashlib.sha256(data).hexdigest()}")
        return signature

    def timestamp(self, actor: Actor, data: bytes, tsa_urls: Sequence[str],
                  ) -> list[TimestampResult]:
        """RFC 3161 tokens over SHA-256(`data`), one result per authority (token or error)."""
        from sabt.integrity import tsa

        self.guard.require(actor, Action.SIGN)
        return tsa.timestamp(data, tsa_urls)

    # --- checkpoints -----------------------------------------------------------------------------

    def heads(self) -> dict[str, ChainHead]:
        """Where the registry log and the custody log end now."""
        from sabt.vault.tables import custody_log

        with self.store.connect() as conn:
            reg = registry.head(conn)
            last = conn.execute(select(custody_log.c.seq, custody_log.c.entry_hash).order_by(
                custody_log.c.seq.desc()).limit(1)).first()
        return {"registry": ChainHead(reg.seq, reg.hash),
                "custody": ChainHead(int(last[0]), str(last[1])) if last else ChainHead(0, None)}

    def checkpoint(self, actor: Actor, out_dir: Path, tsa_urls: Sequence[str] = (),
                   ) -> Checkpoint:
        """Write checkpoint.json, its signature (.sig), public_key.pem and one .tsr per
        authority that answered into `out_dir`, and keep a copy under the workspace's
        checkpoints/ folder. An authority that cannot be reached is a warning; the checkpoint is
        then written all the same, untimestamped."""
        from sabt.integrity import tsa

        self.guard.require(actor, Action.SIGN)
        public = self.public_key_pem()
        heads = self.heads()
        created = now_iso()
        data = document(created, heads, keys.fingerprint(public), __version__)
        results = tsa.timestamp(data, tsa_urls) if tsa_urls else []
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / "checkpoint.json"
        contents: list[tuple[str, bytes]] = [
            ("checkpoint.json", data),
            ("checkpoint.json.sig", keys.sign(self.store.root, data)),
            ("public_key.pem", public),
        ]
        warnings = []
        n = 0
        for result in results:
            if result.token is None:
                warnings.append(f"time-stamping authority {result.url}: {result.error}")
                continue
            n += 1
            contents.append((f"checkpoint.json.{n}.tsr", result.token))
        if tsa_urls and n == 0:
            warnings.append("the checkpoint is untimestamped: no authority answered")
        files = [_write(out_dir / name, body) for name, body in contents]
        kept = self.store.root / CHECKPOINTS_DIR / created.replace(":", "").replace("-", "")
        kept.mkdir(parents=True, exist_ok=True)
        for file in files:
            shutil.copyfile(file, kept / file.name)
        self.guard.record(actor, "checkpoint", None, "done",
                          f"registry {heads['registry'].seq}, custody {heads['custody'].seq}, "
                          f"{n} time-stamp(s), to {out_dir}")
        return Checkpoint(path, files, n > 0, warnings, heads, kept)

    # --- checking --------------------------------------------------------------------------------

    def verify(self, actor: Actor, workers: int = 4) -> IntegrityReport:
        """Check the vault (blobs, item rows, custody chain) and the registry log (chain and
        every watched row); each problem names what is wrong."""
        from sabt.vault.vault import Vault

        self.guard.require(actor, Action.VERIFY)
        vault_report = Vault(self.store).verify(workers)
        with self.store.connect() as conn:
            problems, head, checked = registry.verify(conn)
        named = can(actor, Action.EDIT)   # vault messages name files: for those who may edit
        report = IntegrityReport(
            problems=[Problem(p.kind, p.subject, p.message if named
                              else f"vault: {p.subject}: {p.kind}")
                      for p in vault_report.problems] + problems,
            warnings=list(vault_report.warnings), items=vault_report.items,
            bytes=vault_report.bytes, custody_entries=vault_report.log_entries,
            custody_head=vault_report.chain_head, registry_entries=head.seq,
            registry_head=head.hash, rows_checked=checked)
        if not keys.key_path(self.store.root).is_file():
            report.warnings.append("the workspace has no signing key: run `sabt upgrade`")
        self.guard.record(actor, "verify", None, "done",
                          f"{len(report.problems)} problem(s)")
        return report

    def verify_checkpoint(self, actor: Actor, file: Path) -> IntegrityReport:
        """Check a checkpoint against the workspace: its signature (file + ".sig") by the
        workspace's key, the time-stamp tokens beside it cover it, and each log *extends* it
        (the entry at each checkpointed sequence number still has the checkpointed hash).
        Only these checks: `verify` checks the logs themselves."""
        self.guard.require(actor, Action.VERIFY)
        report = IntegrityReport(checkpoint=file)
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise SabtError(f"{file}: cannot read the checkpoint ({exc.strerror})") from None
        try:
            pinned = parse(data)
        except ValueError as exc:
            raise SabtError(f"{file}: {exc}") from None
        public = self.public_key_pem()
        problems = report.problems
        signature = Path(f"{file}.sig")
        if not signature.is_file():
            problems.append(Problem("checkpoint_unsigned", str(file),
                                    f"{signature.name} is missing: the checkpoint is unsigned"))
        elif not keys.signature_holds(public, data, signature.read_bytes()):
            problems.append(Problem("checkpoint_signature", str(file),
                                    f"the signature {signature.name} does not match the "
                                    "checkpoint and the workspace's key: the checkpoint was "
                                    "altered, or signed by another key"))
        if f'"public_key_sha256": "{keys.fingerprint(public)}"' not in data.decode("utf-8",
                                                                                  "replace"):
            problems.append(Problem("checkpoint_key", str(file),
                                    "the checkpoint names another signing key than the "
                                    "workspace's: the key was replaced, or this is another "
                                    "workspace's checkpoint"))
        digest = hashlib.sha256(data).digest()
        tokens = sorted(file.parent.glob(f"{file.name}.*.tsr"))
        for token in tokens:
            if digest not in token.read_bytes():
                problems.append(Problem("checkpoint_timestamp", str(token),
                                        f"time-stamp token {token.name} does not cover this "
                                        "checkpoint"))
        if not tokens:
            report.warnings.append("the checkpoint has no time-stamp tokens beside it: its time "
                                   "is the workspace's own clock")
        from sabt.vault.tables import custody_log

        tables = {"registry": registry.registry_log, "custody": custody_log}
        with self.store.connect() as conn:
            for name, head in pinned.items():
                table = tables[name]
                last = int(conn.execute(select(func.max(table.c.seq))).scalar() or 0)
                at = registry.entry_at(conn, table, head.seq) if head.seq else None
                problem = extension_problem(name, head, last, at.hash if at else None)
                if problem:
                    problems.append(Problem(f"{name}_log_not_extended", str(file), problem))
                if name == "registry":
                    report.registry_entries = last
                else:
                    report.custody_entries = last
        self.guard.record(actor, "verify", str(file)[:200], "done",
                          f"checkpoint: {len(problems)} problem(s)")
        return report

    def entries_about(self, actor: Actor, keys_: Iterable[str]) -> list[dict[str, Any]]:
        """The registry log entries that pin rows about the given entity ids (``P12``: the
        entity, its source record, its marks, its vault items) or statement ids (``345`` or
        ``statement:345``: the statement and its references), as exported entries (the hashed
        fields plus ``"hash"``), in order."""
        from sabt.store import schema as t
        from sabt.vault.tables import vault_item

        self.guard.require(actor, Action.VERIFY)
        sep = registry.KEY_SEPARATOR
        wanted: set[tuple[str, str]] = set()
        statements: list[int] = []
        entities: list[str] = []
        for key in keys_:
            bare = key.removeprefix("statement:")
            if bare.isdigit():
                statements.append(int(bare))
                wanted |= {("statement", bare), ("sensitivity", f"statement{sep}{bare}")}
            else:
                entities.append(key)
                wanted |= {("entity", key), ("source", key), ("list_import", key),
                           ("sensitivity", f"entity{sep}{key}")}
        with self.store.connect() as conn:
            for start in range(0, len(statements), 900):
                wanted |= {("reference", str(r)) for r in conn.execute(
                    select(t.reference.c.id).where(t.reference.c.statement_id.in_(
                        statements[start:start + 900]))).scalars()}
            for start in range(0, len(entities), 900):
                wanted |= {("vault_item", str(s)) for s in conn.execute(
                    select(vault_item.c.sha256).where(vault_item.c.source_id.in_(
                        entities[start:start + 900]))).scalars()}
            found = registry.entries_about(conn, wanted)
        return [entry.to_json() for entry in found]


def _write(path: Path, data: bytes) -> Path:
    """Write a file whole (a temporary name, then renamed), readable by its owner and group."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)
    return path
