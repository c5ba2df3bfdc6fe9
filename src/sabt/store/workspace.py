"""A workspace: a folder holding the database (SQLite by default) and, later, the evidence vault.

`Store` is the storage layer under the service API (`sabt.service`): reads go through its
methods; every write goes through a `Change` (one transaction, one revision: who, when, why), so
that a failed write leaves the workspace exactly as it was and every change can be traced.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, func, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from sabt import __version__
from sabt.errors import NeedsUpgrade, NotAWorkspace, NotFound, SabtError
from sabt.integrity import keys
from sabt.model.statements import (
    EntityView,
    Statement,
    Status,
    check_entity_id,
    current_view,
)
from sabt.store import access, jsonl, locks, migrate, registry
from sabt.store import schema as t
from sabt.store.change import Change
from sabt.store.lookup import one_of
from sabt.store.rows import statement_from_rows

if TYPE_CHECKING:
    from sabt.vault.blobs import BlobStore

MARKER = "sabt-workspace.json"
SQLITE_FILE = "sabt.sqlite"


def safe_url(url: str) -> str:
    """A database URL with any password hidden (also ``?password=`` and other secret-looking
    query parameters), for messages and logs."""
    try:
        parsed = make_url(url)
        query = {k: "***" if _SECRET.search(k) else v for k, v in parsed.query.items()}
        return parsed.set(query=query).render_as_string(hide_password=True)
    except (ArgumentError, ValueError, TypeError):
        return "<unparseable database URL>"


_SECRET = re.compile(r"pass|pwd|secret|token|key|auth", re.IGNORECASE)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={int(locks.SQLITE_BUSY_MS)}")
    cursor.close()


def _binary_lists(dbapi_connection: Any, _record: Any) -> None:
    """PostgreSQL: send list parameters (`one_of`'s arrays) in binary. psycopg sends them as
    text by default, quoting every element in Python, which costs a page of hundreds of ids
    about three times as much client CPU as packing them."""
    from psycopg.types.array import ListBinaryDumper

    dbapi_connection.adapters.register_dumper(list, ListBinaryDumper)


def make_engine(root: Path, database_url: str | None) -> Engine:
    """SQLite in the workspace folder unless a database URL is given (PostgreSQL)."""
    url = database_url or f"sqlite:///{(root / SQLITE_FILE).resolve()}"
    try:  # hide_parameters: SQL errors and --debug never print victims' data
        engine = create_engine(url, future=True, hide_parameters=True)
    except (ArgumentError, ModuleNotFoundError, ValueError, TypeError) as exc:
        reason = str(exc).replace(url, safe_url(url))
        raise SabtError(f"cannot use database {safe_url(url)}: {reason}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _binary_lists)
    return engine


@dataclass(frozen=True)
class HistoryEntry:
    """One line of an entity's history: a revision and what it did to the entity."""

    revision_id: int
    created_at: datetime
    author: str
    reason: str
    action: str
    detail: str
    statements: tuple[tuple[int, str], ...] = ()   # (id, property) of the statements it touched


def added_detail(properties: list[str]) -> str:
    """How a history line describes statements added in one revision."""
    return f"{len(properties)} statement(s), e.g. {min(properties)!r}"


@dataclass(frozen=True)
class EntitySummary:
    """An entity as listed (no statements)."""

    id: str
    kind: str
    label: str
    status: str
    merged_into: str | None


class Store:
    """A Sabt workspace; open with `Store.open(path)` or make one with `Store.create`."""

    def __init__(self, root: Path, engine: Engine, blobs: BlobStore | None = None) -> None:
        self.root = root
        self.engine = engine
        #: where the vault keeps its files: given (a server injects one), or the workspace
        #: folder's `vault/`, made on first use by `sabt.vault.vault.Vault`
        self.blobs = blobs
        self._blobs_given = blobs is not None
        #: SQLite: how long a write waits for another writer to finish (seconds).
        self.lock_wait = locks.lock_wait()

    # --- lifecycle ---------------------------------------------------------------------------

    @classmethod
    def create(cls, root: Path | str, database_url: str | None = None,
               setup: Callable[[Store], None] | None = None) -> Store:
        """Make a new workspace folder (and database schema); refuse to overwrite one.

        `setup` writes the first rows (the first admin) before the marker file that makes the
        folder a workspace is written: a process killed before then leaves no workspace."""
        root = Path(root)
        if (root / MARKER).exists():
            raise SabtError(f"{root} is already a Sabt workspace")
        if root.exists() and not root.is_dir():
            raise SabtError(f"{root} exists and is not a folder")
        root.mkdir(parents=True, exist_ok=True)
        os.chmod(root, 0o700)  # victims' data: the owner only (files inside are 0600)
        if database_url is None:
            os.close(os.open(root / SQLITE_FILE, os.O_CREAT | os.O_WRONLY, 0o600))
        engine = make_engine(root, database_url)
        with _reachable(engine):
            with engine.connect() as conn:
                if inspect(conn).has_table("revision"):
                    raise SabtError(
                        f"database {safe_url(str(engine.url))} already holds a Sabt workspace"
                    )
            migrate.upgrade(engine)
            with engine.begin() as conn:
                conn.execute(t.meta.insert(), [
                    {"key": "created_with", "value": __version__},
                    {"key": "created_at", "value": datetime.now().astimezone().isoformat()},
                ])
        store = cls(root, engine)
        if setup is not None:
            setup(store)
        keys.ensure_key(root)
        marker = {"sabt_workspace": 1, "created_with": __version__,
                  "database": "sqlite" if database_url is None else "external"}
        with os.fdopen(os.open(root / MARKER, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600),
                       "w", encoding="utf-8") as fh:
            fh.write(json.dumps(marker, indent=2) + "\n")
        return store

    @classmethod
    def open(cls, root: Path | str, database_url: str | None = None,
             *, check_version: bool = True, engine: Engine | None = None,
             blobs: BlobStore | None = None) -> Store:
        """Open an existing workspace; say clearly when it is not one or needs `sabt upgrade`."""
        root = Path(root)
        marker_path = root / MARKER
        if not marker_path.is_file():
            raise NotAWorkspace(
                f"{root} is not a Sabt workspace (no {MARKER}); create one with `sabt init {root}`"
            )
        try:
            marker = json.loads(marker_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise NotAWorkspace(f"{marker_path} is unreadable: {exc}") from exc
        if marker.get("database") == "external" and not database_url:
            raise SabtError(
                f"workspace {root} keeps its data in an external database: pass --database-url "
                "or set SABT_DATABASE_URL"
            )
        ws = cls(root, engine or make_engine(root, database_url), blobs)
        if check_version:
            ws.check_version()
        return ws

    def check_version(self) -> None:
        """Raise NeedsUpgrade for an older schema, SabtError for a newer or foreign one."""
        with _reachable(self.engine), self.engine.connect() as conn:
            if not inspect(conn).has_table("sabt_meta"):
                raise NotAWorkspace(
                    f"database {safe_url(str(self.engine.url))} holds no Sabt workspace"
                )
            have = migrate.database_heads(conn)
        want = migrate.code_heads()
        if have == want:
            return
        unknown = sorted(rev for rev in have if not migrate.is_known_revision(rev))
        if unknown:
            raise SabtError(
                f"workspace {self.root} was made by a newer Sabt (schema {', '.join(unknown)}); "
                f"this is Sabt {__version__}: upgrade Sabt"
            )
        raise NeedsUpgrade(f"workspace {self.root} was made by an older Sabt: run `sabt upgrade`")

    @classmethod
    def upgrade(cls, root: Path | str, database_url: str | None = None,
                ) -> tuple[set[str], set[str]]:
        """Migrate a workspace to this version's schema; returns (heads before, heads after)."""
        ws = cls.open(root, database_url, check_version=False)
        with _reachable(ws.engine):
            with ws.engine.connect() as conn:
                before = migrate.database_heads(conn)
            migrate.upgrade(ws.engine)
            with ws.engine.connect() as conn:
                after = migrate.database_heads(conn)
        keys.ensure_key(ws.root)
        ws.close()
        return before, after

    def close(self) -> None:
        """Release the database and, unless a server gave the blob store, its staging folder."""
        if self.blobs is not None and not self._blobs_given:
            self.blobs.close()
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- writes --------------------------------------------------------------------------------

    @contextmanager
    def change(self, author: str, reason: str = "") -> Iterator[Change]:
        """One transaction and one revision by `author` (a user's name: the services pass the
        acting user); all of it is written, or none of it.

        On SQLite the change takes the write lock first, waiting (up to `lock_wait`) while
        another writer holds it; on PostgreSQL changes run side by side. Just before commit,
        every row the change wrote is pinned in the registry log (`sabt.store.registry`).
        """
        with _reachable(self.engine), self.engine.begin() as conn:
            self._begin_write(conn)
            registry.start(conn)
            change = Change.begin(conn, author, reason)
            yield change
            registry.seal(conn, author, item=str(change.revision_id))

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A read connection (driver failures become one clear line)."""
        with _reachable(self.engine), self.engine.connect() as conn:
            yield conn

    def write_audit(self, row: dict[str, Any]) -> None:
        """Append one audit row in its own short transaction (see `sabt.store.access`); on
        SQLite it waits, like any write, for a write in progress."""
        with _reachable(self.engine), self.engine.begin() as conn:
            self._begin_write(conn)
            access.write_audit(conn, [row])

    @contextmanager
    def working(self) -> Iterator[Connection]:
        """A short write transaction for working state that is not part of the case record —
        sign-in sessions, API tokens, review claims: no revision, never exported."""
        with _reachable(self.engine), self.engine.begin() as conn:
            self._begin_write(conn)
            yield conn

    @contextmanager
    def exclusive(self, task: str, busy: str) -> Iterator[None]:
        """Run `task` (e.g. "link") in one process at a time; another gets SabtError(`busy`)."""
        with _reachable(self.engine), locks.exclusive(self.engine, self.root, task, busy):
            yield

    def _begin_write(self, conn: Connection) -> None:
        if conn.dialect.name == "sqlite":
            locks.begin_write(conn, self.lock_wait)

    # --- reads ---------------------------------------------------------------------------------

    def entity(self, entity_id: str) -> EntityView:
        """An entity with every statement (its own and those of entities merged into it)."""
        check_entity_id(entity_id)
        return self.entities_with_statements([entity_id])[entity_id]

    def entities_with_statements(self, ids: Sequence[str]) -> dict[str, EntityView]:
        """Many entities' views (as `entity` gives one), by id, in a bounded number of queries:
        one per table per 900 ids, plus one per level of merges. Raises NotFound for an
        unknown id. Callers page through large sets (a page's views are held in memory)."""
        wanted = list(dict.fromkeys(ids))
        with _reachable(self.engine), self.engine.connect() as conn:
            rows = {r.id: r for chunk in _chunks(wanted) for r in conn.execute(
                select(t.entity).where(one_of(conn, t.entity.c.id, chunk)))}
            missing = [i for i in wanted if i not in rows]
            if missing:
                raise NotFound(f"no entity with id {missing[0]!r}")
            children: dict[str, list[str]] = {}
            frontier, asked = wanted, set(wanted)
            while frontier:
                found = [(r.id, r.merged_into) for chunk in _chunks(frontier)
                         for r in conn.execute(select(t.entity.c.id, t.entity.c.merged_into).where(
                             one_of(conn, t.entity.c.merged_into, chunk)))]
                for child, parent in sorted(found):
                    children.setdefault(parent, []).append(child)
                frontier = sorted({child for child, _p in found} - asked)
                asked.update(frontier)
            members = {eid: _members(eid, children) for eid in wanted}
            everyone = sorted({m for group in members.values() for m in group})
            by_entity: dict[str, list[Statement]] = {}
            for chunk in _chunks(everyone):
                for st in load_statements(conn, select(t.statement).where(
                        one_of(conn, t.statement.c.entity_id, chunk))):
                    by_entity.setdefault(st.entity_id, []).append(st)
        views = {}
        for eid in wanted:
            row = rows[eid]
            statements = sorted((st for m in members[eid] for st in by_entity.get(m, [])),
                                key=lambda st: st.id)
            views[eid] = EntityView(
                id=row.id, kind=row.kind, label=row.label, status=Status(row.status),
                merged_into=row.merged_into, merged_from=tuple(members[eid][1:]),
                statements=tuple(statements), view=current_view(statements))
        return views

    def entity_kind(self, entity_id: str) -> str:
        """An entity's kind (NotFound when there is no such entity)."""
        with _reachable(self.engine), self.engine.connect() as conn:
            kind = conn.execute(select(t.entity.c.kind).where(t.entity.c.id == entity_id)
                                ).scalar()
        if kind is None:
            raise NotFound(f"no entity with id {entity_id!r}")
        return str(kind)

    def statement(self, statement_id: int) -> Statement:
        with _reachable(self.engine), self.engine.connect() as conn:
            found = load_statements(conn, select(t.statement).where(
                t.statement.c.id == statement_id))
        if not found:
            raise NotFound(f"no statement with id {statement_id}")
        return found[0]

    def entities(self, kind: str | None = None, *, limit: int | None = None,
                 offset: int = 0, where: Any = None) -> list[EntitySummary]:
        """Entities in id order, optionally of one kind and meeting a condition (`where`, e.g.
        what a reader may see) before paging."""
        query = select(t.entity).order_by(t.entity.c.id).offset(offset)
        if kind:
            query = query.where(t.entity.c.kind == kind)
        if where is not None:
            query = query.where(where)
        if limit is not None:
            query = query.limit(limit)
        with _reachable(self.engine), self.engine.connect() as conn:
            return [EntitySummary(r.id, r.kind, r.label, r.status, r.merged_into)
                    for r in conn.execute(query)]

    def standing_ids(self, kind: str, *, by_label: bool = False) -> list[str]:
        """Ids of the entities of a kind that stand for themselves (not merged into another),
        in id order or, `by_label`, in the order of their case-folded labels (then id). Reads
        two columns in batches, so a million persons cost their ids, not their rows."""
        query = (select(t.entity.c.id, t.entity.c.label)
                 .where(t.entity.c.kind == kind, t.entity.c.merged_into.is_(None))
                 .order_by(t.entity.c.id))
        with _reachable(self.engine), self.engine.connect() as conn:
            rows = conn.execution_options(yield_per=10_000).execute(query)
            if not by_label:
                return [r.id for r in rows]
            keyed = [(r.label.casefold(), r.id) for r in rows]
        keyed.sort()
        return [entity_id for _, entity_id in keyed]

    def source_details(self, source_id: str) -> dict[str, Any]:
        """A source's bibliographic record (title, publisher, url, sha256 …)."""
        with _reachable(self.engine), self.engine.connect() as conn:
            row = conn.execute(select(t.source).where(t.source.c.entity_id == source_id)).first()
        if row is None:
            raise NotFound(f"no source with id {source_id!r}")
        return dict(row._mapping)

    def counts(self, where: Any = None) -> dict[str, int]:
        """How many entities of each kind (meeting `where`, if given), statements and references
        the workspace holds."""
        by_kind = select(t.entity.c.kind, func.count()).group_by(t.entity.c.kind)
        if where is not None:
            by_kind = by_kind.where(where)
        with _reachable(self.engine), self.engine.connect() as conn:
            kinds = dict(conn.execute(by_kind).tuples().all())
            kinds["statements"] = conn.execute(select(func.count()).select_from(
                t.statement)).scalar_one()
            kinds["references"] = conn.execute(select(func.count()).select_from(
                t.reference)).scalar_one()
        return kinds

    def history(self, entity_id: str) -> list[HistoryEntry]:
        """Every revision that touched an entity or its statements, oldest first."""
        check_entity_id(entity_id)
        r, e, s, c = t.revision, t.entity, t.statement, t.change_log
        with _reachable(self.engine), self.engine.connect() as conn:
            created = conn.execute(select(r, e.c.kind, e.c.label).join(
                e, e.c.revision_id == r.c.id).where(e.c.id == entity_id)).first()
            if created is None:
                raise NotFound(f"no entity with id {entity_id!r}")
            entries = [HistoryEntry(created.id, created.created_at, created.author,
                                    created.reason, "created",
                                    f"{created.kind} {created.label!r}")]
            added: dict[int, tuple[Any, list[tuple[int, str]]]] = {}
            for a in conn.execute(select(r, s.c.id.label("sid"), s.c.property)
                                  .join(s, s.c.revision_id == r.c.id)
                                  .where(s.c.entity_id == entity_id).order_by(s.c.id)):
                added.setdefault(a.id, (a, []))[1].append((a.sid, a.property))
            entries += [HistoryEntry(a.id, a.created_at, a.author, a.reason, "added statements",
                                     added_detail([p for _, p in sts]), tuple(sts))
                        for a, sts in added.values()]
            own_statements = select(s.c.id).where(s.c.entity_id == entity_id)
            logged = conn.execute(
                select(r, c.c.action, c.c.detail, c.c.statement_id)
                .join(c, c.c.revision_id == r.c.id)
                .where((c.c.entity_id == entity_id) | c.c.statement_id.in_(own_statements))
            ).all()
            entries += [HistoryEntry(g.id, g.created_at, g.author, g.reason, g.action,
                                     (f"statement {g.statement_id}: " if g.statement_id else "")
                                     + g.detail,
                                     ((g.statement_id, ""),) if g.statement_id else ())
                        for g in logged]
        return sorted(entries, key=lambda h: (h.revision_id, h.action != "created"))


    # --- exchange ------------------------------------------------------------------------------

    def export_jsonl(self, out: IO[str]) -> int:
        """Write the whole workspace as JSON lines (see `sabt.store.jsonl`); returns row count."""
        with _reachable(self.engine), self.engine.connect() as conn:
            return jsonl.export_jsonl(conn, out)

    def import_jsonl(self, path: Path, progress: Callable[[int], None] | None = None,
                     ) -> dict[str, int]:
        """Load an export into this (empty) workspace, all or nothing."""
        if not path.is_file():
            raise SabtError(f"{path}: no such file")
        with _reachable(self.engine), self.engine.begin() as conn:
            self._begin_write(conn)
            registry.start(conn)
            counts = jsonl.import_jsonl(conn, path, progress)
            registry.seal(conn, "sabt import-jsonl", action="import",
                          details={"file": path.name})
            return counts


def merge_parents(conn: Connection) -> dict[str, str]:
    """Every merged entity's id → the entity it is merged into."""
    e = t.entity
    return {str(a): str(b) for a, b in conn.execute(select(e.c.id, e.c.merged_into).where(
        e.c.merged_into.is_not(None))).tuples()}


def merge_root(parent: dict[str, str], entity_id: str) -> str:
    """The entity `entity_id` finally resolves to, following `merge_parents`."""
    seen = {entity_id}
    while entity_id in parent and parent[entity_id] not in seen:   # merges refuse cycles
        entity_id = parent[entity_id]
        seen.add(entity_id)
    return entity_id


def merge_roots(conn: Connection) -> dict[str, str]:
    """Every merged entity's id → the entity it resolves to (its `merged_into`, followed)."""
    parent = merge_parents(conn)
    return {eid: merge_root(parent, eid) for eid in parent}


def _chunks(ids: Sequence[str]) -> Iterator[list[str]]:
    """Ids in pieces small enough for one IN list on every database."""
    for start in range(0, len(ids), 900):
        yield list(ids[start:start + 900])


def _members(entity_id: str, children: dict[str, list[str]]) -> list[str]:
    """An entity, then every entity merged into it (level by level)."""
    out, level = [entity_id], [entity_id]
    while level:
        level = [c for p in level for c in children.get(p, []) if c not in out]
        out.extend(level)
    return out


def load_statements(conn: Connection, query: Any, *, references: bool = True,
                    ) -> list[Statement]:
    """Statements selected by `query`, with their references (or with none, for a reader that
    only needs the values: whether a statement may be seen does not depend on them)."""
    rows = conn.execute(query).all()
    if not rows or not references:
        return [statement_from_rows(row, []) for row in rows]
    ids = [row.id for row in rows]
    refs: dict[int, list[Any]] = {}
    for start in range(0, len(ids), 900):
        for ref in conn.execute(select(t.reference).where(
                one_of(conn, t.reference.c.statement_id, ids[start:start + 900])).order_by(
                t.reference.c.id)):
            refs.setdefault(ref.statement_id, []).append(ref)
    return [statement_from_rows(row, refs.get(row.id, [])) for row in rows]


@contextmanager
def _reachable(engine: Engine) -> Iterator[None]:
    """Turn driver connection failures into one clear line (password hidden)."""
    try:
        yield
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise SabtError(f"database {safe_url(str(engine.url))} is unreachable or failed: "
                        f"{reason}") from exc
    except SQLAlchemyError as exc:
        if isinstance(exc, SabtError):
            raise
        raise SabtError(f"database error: {str(exc).splitlines()[0]}") from exc
