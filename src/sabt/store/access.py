"""The tables behind access control, and the queries the services need: users, sensitivity marks
and the read audit.

* ``sabt_user``: one row per user; the name is the actor id recorded as author everywhere.
* ``sensitivity``: an item's mark when it has one of its own (no row: the default, `internal`).
  Items are named by kind and key: ``entity`` P12, ``statement`` 345, ``property`` P12/date of
  death, ``record`` S3#17 (row 17 of the list whose source is S3), ``vault`` <sha256>.
  Groups are stored as ``,a,b,`` so a query can test membership with LIKE.
* ``audit_log``: append-only, its own identity column, written in its own short transaction so
  that the high-volume read audit never waits on a revision or on the custody chain.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    insert,
    or_,
    select,
    update,
)

from sabt.policy.actor import Actor
from sabt.policy.levels import Level, Mark
from sabt.policy.roles import Role
from sabt.policy.rules import MarkIndex
from sabt.store.lookup import one_of
from sabt.store.schema import BigId, metadata

sabt_user = Table(
    "sabt_user",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("display_name", Text, nullable=False),
    Column("roles", Text, nullable=False),          # comma-separated role names
    Column("clearance", String(16), nullable=False),
    Column("groups", Text, nullable=False),         # ",a,b," (empty: "")
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # the revision that added the user; none for authors of an older workspace made users by
    # `sabt upgrade`
    Column("revision_id", BigId, ForeignKey("revision.id")),
)

sensitivity = Table(
    "sensitivity",
    metadata,
    Column("kind", String(16), primary_key=True),
    Column("item", String(200), primary_key=True),
    Column("level", Integer, nullable=False),
    Column("groups", Text, nullable=False),
    Column("revision_id", BigId, ForeignKey("revision.id"), nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True,
           autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("actor", String(64), nullable=False, index=True),
    Column("action", String(32), nullable=False),
    Column("item", String(200), index=True),
    Column("outcome", String(16), nullable=False),
    Column("detail", Text, nullable=False),
)

MARK_KINDS = ("entity", "statement", "property", "record", "vault")


def _like_literal(text: str) -> str:
    """Text matched literally inside a LIKE pattern (escape character: backslash)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def pack_groups(groups: Iterable[str]) -> str:
    names = sorted(set(groups))
    return f",{','.join(names)}," if names else ""


def unpack_groups(text: str | None) -> frozenset[str]:
    return frozenset(g for g in (text or "").split(",") if g)


def actor_from_row(row: Any) -> Actor:
    return Actor(id=row.name, roles=frozenset(Role(r) for r in row.roles.split(",") if r),
                 clearance=Level.parse(row.clearance), groups=unpack_groups(row.groups),
                 active=bool(row.active), display_name=row.display_name)


def user_row(conn: Connection, name: str) -> Any:
    return conn.execute(select(sabt_user).where(sabt_user.c.name == name)).first()


def insert_user(conn: Connection, actor: Actor, revision_id: int) -> None:
    conn.execute(insert(sabt_user).values(
        name=actor.id, display_name=actor.display_name or actor.id,
        roles=",".join(sorted(r.value for r in actor.roles)), clearance=str(actor.clearance),
        groups=pack_groups(actor.groups), active=actor.active, created_at=datetime.now(UTC),
        revision_id=revision_id))


def update_user(conn: Connection, actor: Actor) -> None:
    conn.execute(update(sabt_user).where(sabt_user.c.name == actor.id).values(
        display_name=actor.display_name or actor.id,
        roles=",".join(sorted(r.value for r in actor.roles)), clearance=str(actor.clearance),
        groups=pack_groups(actor.groups), active=actor.active))


def all_users(conn: Connection) -> list[Actor]:
    return [actor_from_row(r) for r in conn.execute(select(sabt_user).order_by(sabt_user.c.name))]


# --- marks -------------------------------------------------------------------------------------

def property_key(entity_id: str, prop: str) -> str:
    return f"{entity_id}/{prop}"


def record_key(source_id: str, row: int) -> str:
    return f"{source_id}#{row}"


def set_mark(conn: Connection, kind: str, item: str, mark: Mark, revision_id: int) -> Mark | None:
    """Give an item its own mark (replacing the one it had); returns the previous mark."""
    s = sensitivity
    old = conn.execute(select(s.c.level, s.c.groups).where(s.c.kind == kind, s.c.item == item)
                       ).first()
    values = {"level": int(mark.level), "groups": pack_groups(mark.groups),
              "revision_id": revision_id}
    if old is None:
        conn.execute(insert(s).values(kind=kind, item=item, **values))
        return None
    conn.execute(update(s).where(s.c.kind == kind, s.c.item == item).values(**values))
    return Mark(Level(old.level), unpack_groups(old.groups))


def _marks(conn: Connection, kind: str, items: Sequence[str]) -> dict[str, Mark]:
    s = sensitivity
    found: dict[str, Mark] = {}
    unique = sorted(set(items))
    for start in range(0, len(unique), 900):
        for row in conn.execute(select(s.c.item, s.c.level, s.c.groups).where(
                s.c.kind == kind, one_of(conn, s.c.item, unique[start:start + 900]))):
            found[row.item] = Mark(Level(row.level), unpack_groups(row.groups))
    return found


def marks_of(conn: Connection, kind: str, items: Sequence[str]) -> dict[str, Mark]:
    """The own marks of many items of one kind (items without a mark are absent)."""
    return _marks(conn, kind, items)


def mark_of(conn: Connection, kind: str, item: str) -> Mark | None:
    return _marks(conn, kind, [item]).get(item)


def _marks_by_kind(conn: Connection, wanted: dict[str, list[str]]) -> dict[str, dict[str, Mark]]:
    """The own marks of items of several kinds (kind → items), in one query on PostgreSQL (kinds
    and items as two array parameters, index lookups on the primary key) and one per 900 keys
    on SQLite; a row of a kind and item not asked together is left out."""
    s = sensitivity
    found: dict[str, dict[str, Mark]] = {kind: {} for kind in wanted}
    keys = sorted({(kind, item) for kind, items in wanted.items() for item in items})
    step = (len(keys) or 1) if conn.dialect.name == "postgresql" else 900
    for start in range(0, len(keys), step):
        chunk = keys[start:start + step]
        asked = set(chunk)
        for row in conn.execute(select(s.c.kind, s.c.item, s.c.level, s.c.groups).where(
                one_of(conn, s.c.kind, sorted({k for k, _ in chunk})),
                one_of(conn, s.c.item, sorted({i for _, i in chunk})))):
            if (row.kind, row.item) in asked:
                found[row.kind][row.item] = Mark(Level(row.level), unpack_groups(row.groups))
    return found


def mark_index(conn: Connection, *, entities: Iterable[str] = (), statements: Iterable[int] = (),
               properties: Iterable[tuple[str, str]] = (), records: Iterable[tuple[str, int]] = (),
               ) -> MarkIndex:
    """The marks of the named items (properties as (entity id, property) pairs), read together
    (`_marks_by_kind`): a page asks for the marks of four kinds of item in one round trip."""
    marks = _marks_by_kind(conn, {
        "property": [property_key(e, p) for e, p in properties],
        "record": [record_key(s, r) for s, r in records],
        "entity": list(entities),
        "statement": [str(i) for i in statements]})
    property_marks, record_marks = marks["property"], marks["record"]
    return MarkIndex(
        entities=marks["entity"],
        statements={int(k): m for k, m in marks["statement"].items()},
        properties={(k.partition("/")[0], k.partition("/")[2]): m
                    for k, m in property_marks.items()},
        records={(k.partition("#")[0], int(k.partition("#")[2])): m
                 for k, m in record_marks.items()},
    )


def visible_clause(kind: str, key: Any, actor: Actor, default: Level) -> Any:
    """A SQL condition that holds for items (named by the column `key`) the actor may see by their
    own mark: no mark and the default reaches their clearance, or a mark that does and whose
    groups (if any) include one of theirs. Used to filter lists before paging."""
    s = sensitivity
    limit = Level.PUBLIC if actor.is_public else actor.clearance
    own = select(s.c.item).where(s.c.kind == kind, s.c.item == key)
    group_ok = [s.c.groups == ""]
    if not actor.is_public:
        group_ok += [s.c.groups.like(f"%,{_like_literal(g)},%", escape="\\")
                     for g in sorted(actor.groups)]
    allowed = select(s.c.item).where(s.c.kind == kind, s.c.item == key,
                                     s.c.level <= int(limit), or_(*group_ok))
    if default > limit:
        return allowed.exists()
    return or_(~own.exists(), allowed.exists())


# --- audit -------------------------------------------------------------------------------------

def write_audit(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    now = datetime.now(UTC)
    conn.execute(insert(audit_log), [{"at": now, **row} for row in rows])


def read_audit(conn: Connection, *, user: str | None = None, item: str | None = None,
               since: datetime | None = None, limit: int = 200, offset: int = 0) -> list[Any]:
    a = audit_log
    query = select(a).order_by(a.c.id.desc()).limit(limit).offset(offset)
    if user:
        query = query.where(a.c.actor == user)
    if item:
        query = query.where(a.c.item == item)
    if since:
        query = query.where(a.c.at >= since)
    return list(conn.execute(query))

