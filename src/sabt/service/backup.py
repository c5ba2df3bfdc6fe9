"""`ws.backups`: whole-workspace backups (database, vault and every workspace file) for admins,
taken while others keep working; restoring one is `Workspace.restore`."""

from __future__ import annotations

from pathlib import Path

from sabt.policy import Action, Actor
from sabt.service.guard import Guard
from sabt.store.backup import BackupReport, write_backup
from sabt.store.workspace import Store
from sabt.vault.vault import Vault


class Backups:
    def __init__(self, store: Store, guard: Guard, vault: Vault) -> None:
        self.store = store
        self.guard = guard
        self.vault = vault

    def write(self, actor: Actor, out: Path, recipient: Path | None = None) -> BackupReport:
        """A consistent backup of the whole workspace in the file `out`, sealed to the X25519
        public key in `recipient` if given (admins only: it holds everything); audited."""
        self.guard.require(actor, Action.ADMIN)
        sealed = f", encrypted to {recipient.name}" if recipient else ", not encrypted"
        self.guard.record(actor, "backup", None, "export", f"backup to {out}{sealed}")
        return write_backup(self.store, self.vault.blobs, out, recipient)
