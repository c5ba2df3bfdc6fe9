"""`sabt.Workspace`: the one way into a workspace. Every user-facing operation is a method of one
of its services, takes the acting user, and goes through the policy (`sabt.policy`) and the
audit; the CLI and the web application only parse, call and render.

    ws = Workspace.open("case")
    me = ws.users.resolve("maryam")
    view = ws.entities.get(me, "P12")        # redacted for maryam, the read audited
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from sabt.errors import SabtError
from sabt.policy import Actor, Level, Role
from sabt.service.audit import Audit
from sabt.service.backup import Backups
from sabt.service.claims import Claims, Estimates, Reports
from sabt.service.corrections import Corrections
from sabt.service.dossiers import Dossiers
from sabt.service.entities import Entities
from sabt.service.exchange import Exports
from sabt.service.guard import Guard
from sabt.service.integrity import Integrity
from sabt.service.jobs import Jobs
from sabt.service.lists import Linkage, Lists
from sabt.service.publish import Publisher
from sabt.service.review import Review
from sabt.service.runners import runners
from sabt.service.search import Search
from sabt.service.signin import SignIn
from sabt.service.suggestions import Suggestions
from sabt.service.tokens import Tokens
from sabt.service.users import Users, new_actor
from sabt.service.vault import VaultService
from sabt.store import access
from sabt.store.backup import RestoreReport
from sabt.store.workspace import MARKER, Store
from sabt.vault.blobs import BlobStore


class Workspace:
    """A workspace's services over one store (engine and blobs made once, so a server reuses
    them). Open with `Workspace.open`, make one with `Workspace.create`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.guard = Guard(store)
        self.users = Users(store, self.guard)
        self.exports = Exports(store, self.guard)
        self.audit = Audit(store, self.guard)
        self.lists = Lists(store, self.guard)
        self.linkage = Linkage(store, self.guard)
        self.review = Review(store, self.guard, self.linkage)
        self.vault = VaultService(store, self.guard)
        self.backups = Backups(store, self.guard, self.vault.vault)
        self.entities = Entities(store, self.guard, self.vault.marks_by_hash)
        self.suggestions = Suggestions(store, self.guard, self.vault)
        self.claims = Claims(store, self.guard)
        self.reports = Reports(store, self.guard)
        self.estimates = Estimates(store, self.guard)
        self.signin = SignIn(store, self.guard)
        self.tokens = Tokens(store, self.guard)
        self.search = Search(store, self.guard, self.entities)
        self.jobs = Jobs(store, self.guard, self.users.resolve, runners(self))
        self.integrity = Integrity(store, self.guard)
        self.dossiers = Dossiers(store, self.guard, self.entities, self.integrity)
        self.publish = Publisher(store, self.guard)
        self.corrections = Corrections(store, self.guard)

    @property
    def root(self) -> Path:
        return self.store.root

    @classmethod
    def create(cls, root: Path | str, database_url: str | None = None, *, admin: str,
               display_name: str = "") -> Workspace:
        """A new workspace whose first user, `admin`, is an admin cleared for everything."""
        first = new_actor(admin, [Role.ADMIN], clearance=Level.CONFIDENTIAL,
                          display_name=display_name)

        def add_admin(store: Store) -> None:
            with store.change(first.id, "workspace created") as ch:
                access.insert_user(ch.conn, first, ch.revision_id)
                ch._log("user", detail=f"added user {first.id}: first admin")

        return cls(Store.create(root, database_url, setup=add_admin))

    @classmethod
    def open(cls, root: Path | str, database_url: str | None = None, *,
             engine: Engine | None = None, blobs: BlobStore | None = None) -> Workspace:
        """Open a workspace; a server passes its own `engine` (one pool for every request) and
        may pass the blob store the vault keeps files in."""
        return cls(Store.open(root, database_url, engine=engine, blobs=blobs))

    @classmethod
    def upgrade(cls, root: Path | str, database_url: str | None = None, *,
                admin: str) -> tuple[set[str], set[str]]:
        """Migrate an older workspace: its authors become users, everything stays `internal`,
        and `admin` (the person upgrading) becomes an admin cleared for everything."""
        before, after = Store.upgrade(root, database_url)
        with Store.open(root, database_url) as store:
            _ensure_admin(store, admin, "sabt upgrade")
        return before, after

    @classmethod
    def create_from_export(cls, root: Path | str, path: Path, database_url: str | None = None,
                           *, admin: str, progress: Callable[[int], None] | None = None,
                           ) -> tuple[Workspace, dict[str, int]]:
        """A new workspace holding a JSON Lines export (users, marks and audit included); the
        person importing becomes an admin, as they hold the whole file anyway. `root` is a new
        folder (or a workspace that holds nothing yet)."""
        if not path.is_file():
            raise SabtError(f"{path}: no such file")
        root = Path(root)
        store = (Store.open(root, database_url) if (root / MARKER).is_file()
                 else Store.create(root, database_url))
        try:
            counts = store.import_jsonl(path, progress)
            _ensure_admin(store, admin, f"import-jsonl {path.name}")
        except BaseException:
            store.close()
            raise
        return cls(store), counts

    @classmethod
    def restore(cls, path: Path, to: Path, *, key: Path | None = None,
                database_url: str | None = None) -> tuple[Workspace, RestoreReport]:
        """Rebuild a workspace from a backup in the new folder `to` (refused if it exists and is
        not empty) and, with `database_url`, an empty PostgreSQL database; `key` is the private
        key of an encrypted backup. Its users, roles and audit are the backup's. The restored
        vault is re-hashed and its custody chain checked (`report.verify`)."""
        from sabt.store.backup import restore_backup

        report = restore_backup(path, to, key=key, database_url=database_url)
        ws = cls.open(to, database_url)
        report.verify = ws.vault.vault.verify()
        return ws, report

    def actor(self, name: str) -> Actor:
        """The active user called `name` (see `Users.resolve`)."""
        return self.users.resolve(name)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _ensure_admin(store: Store, name: str, reason: str) -> None:
    """Make `name` an active admin cleared for everything (added if not a user yet)."""
    first = new_actor(name, [Role.ADMIN], clearance=Level.CONFIDENTIAL)
    with store.connect() as conn:
        row = access.user_row(conn, name)
    if row is not None:
        known = access.actor_from_row(row)
        if Role.ADMIN in known.roles and known.active and known.clearance == Level.CONFIDENTIAL:
            return
    with store.change(name, reason) as ch:
        if row is None:
            access.insert_user(ch.conn, first, ch.revision_id)
        else:
            access.update_user(ch.conn, first)
        ch._log("user", detail=f"{name} is an admin ({reason})")
