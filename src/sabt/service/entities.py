"""`ws.entities`: entities of every kind (persons, officials, places, events, sources), their
statements with references, their history, merges, and sensitivity marks — each call checked by
the policy, redacted for the reader and audited.
"""

from __future__ import annotations

import builtins
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sabt.errors import InvalidValue, NotFound, SabtError
from sabt.model.dates import FuzzyDate
from sabt.model.statements import (
    Confidence,
    EntityRef,
    EntityView,
    Rank,
    Reference,
    Statement,
    Value,
    check_entity_id,
)
from sabt.policy import DEFAULT_MARK, Action, Actor, Level, Mark, MarkIndex, Marks, redact, sees
from sabt.policy.levels import check_group
from sabt.policy.roles import Role
from sabt.service.guard import Guard
from sabt.service.sight import mark_index_for
from sabt.store import access
from sabt.store.workspace import EntitySummary, HistoryEntry, Store, added_detail

if TYPE_CHECKING:
    from sabt.link.workspace import PersonMerge

_SHA256 = 64
MAX_INCOMING = 500   # statements naming an entity shown on its page (a prison is named by many)


@dataclass(frozen=True)
class BulkMark:
    """What a bulk mark changed: `marked` items of `what` (statements or entities), and how
    many it left alone because the actor may not mark them."""

    what: str
    marked: int
    skipped: int


def _missing(entity_id: str) -> str:
    return f"no entity with id {entity_id!r}"


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in blocks."""
    if not path.is_file():
        raise SabtError(f"{path}: no such file")
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Related:
    """See `Entities.related`: labels by entity id, and the statements naming the entity."""

    labels: dict[str, str]
    incoming: list[Statement]
    more: bool = False          # more than `MAX_INCOMING` statements name it: the first shown


class Entities:
    """Reads and writes of entities and statements on behalf of an actor (`vault_marks`: the
    marks of a vault item by hash, for marking one)."""

    def __init__(self, store: Store, guard: Guard, vault_marks: Callable[[str], Marks]) -> None:
        self.store = store
        self.guard = guard
        self.vault_marks = vault_marks

    # --- reads ---------------------------------------------------------------------------------

    def index_for(self, views: Sequence[EntityView]) -> MarkIndex:
        """The marks of everything these views show, in a few queries."""
        return mark_index_for(self.store, views)

    def marks(self, entity_id: str) -> Marks:
        with self.store.connect() as conn:
            mark = access.mark_of(conn, "entity", entity_id)
        return (mark or DEFAULT_MARK,)

    def get(self, actor: Actor, entity_id: str) -> EntityView:
        """An entity as `actor` may see it: withheld statements counted, not shown."""
        check_entity_id(entity_id)
        try:
            view = self.store.entity(entity_id)
        except NotFound:
            self.guard.record(actor, "view", entity_id, "denied", "no such entity")
            raise
        index = self.index_for([view])
        marks = index.entity(view.id)
        self.guard.require(actor, Action.VIEW, marks, item=entity_id,
                           missing=_missing(entity_id))
        shown = redact(actor, view, index)
        seen = [*marks, *(m for st in shown.statements for m in index.statement(st, view.id))]
        self.guard.read(actor, entity_id, tuple(seen))
        return shown

    def require_visible(self, actor: Actor, entity_id: str, action: Action = Action.VIEW,
                        ) -> Marks:
        """Check that an entity exists for `actor` and that they may take `action` on it."""
        check_entity_id(entity_id)
        marks = self.marks(entity_id)
        try:
            self.store.entity_kind(entity_id)
        except NotFound:
            self.guard.record(actor, action.value, entity_id, "denied", "no such entity")
            raise
        self.guard.require(actor, action, marks, item=entity_id, missing=_missing(entity_id))
        return marks

    def related(self, actor: Actor, view: EntityView) -> Related:
        """What an entity's page links to and from, as `actor` may see it: the labels of the
        entities its statements name, and the active statements of other entities that name it
        (the events a person took part in, the posts held in an organisation)."""
        from sqlalchemy import select

        from sabt.service.sight import Sight
        from sabt.store import schema as t
        from sabt.store.workspace import load_statements

        self.guard.require(actor, Action.VIEW)
        owners = (view.id, *view.merged_from)
        query = select(t.statement).where(t.statement.c.value_entity.in_(owners),
                                          t.statement.c.status == "active",
                                          t.statement.c.entity_id.not_in(owners)) \
            .order_by(t.statement.c.id).limit(MAX_INCOMING + 1)
        with self.store.connect() as conn:
            incoming = load_statements(conn, query)
        more = len(incoming) > MAX_INCOMING
        incoming = incoming[:MAX_INCOMING]
        seen, kept = Sight(actor, self.store).filter({st.entity_id for st in incoming}, incoming)
        kept = [st for st in kept if st.entity_id in seen]
        named = {v.entity_id for st in view.statements
                 for v in (st.value, *st.qualifiers.values()) if isinstance(v, EntityRef)}
        ids = sorted(named | seen)
        labels = {e.id: e.label for e in self.store.entities(
            limit=None, where=t.entity.c.id.in_(ids) & self.visible_where(actor))} if ids else {}
        return Related(labels, sorted(kept, key=lambda st: (st.entity_id, st.property, st.id)),
                       more)

    def citing(self, actor: Actor, source_id: str) -> Related:
        """The active statements that cite a source, as `actor` may see them (at most
        `MAX_INCOMING`), with the labels of their entities."""
        from sqlalchemy import select

        from sabt.service.sight import Sight
        from sabt.store import schema as t
        from sabt.store.workspace import load_statements

        self.require_visible(actor, source_id)
        cited = select(t.reference.c.statement_id).where(t.reference.c.source_id == source_id)
        query = select(t.statement).where(t.statement.c.id.in_(cited),
                                          t.statement.c.status == "active") \
            .order_by(t.statement.c.id).limit(MAX_INCOMING + 1)
        with self.store.connect() as conn:
            found = load_statements(conn, query)
        seen, kept = Sight(actor, self.store).filter({st.entity_id for st in found},
                                                     found[:MAX_INCOMING])
        kept = [st for st in kept if st.entity_id in seen]
        labels = {e.id: e.label for e in self.store.entities(
            limit=None, where=t.entity.c.id.in_(sorted(seen)) & self.visible_where(actor))
        } if seen else {}
        return Related(labels, kept, len(found) > MAX_INCOMING)

    def source(self, actor: Actor, source_id: str) -> dict[str, Any]:
        """A source's bibliographic record."""
        marks = self.require_visible(actor, source_id)
        details = self.store.source_details(source_id)
        self.guard.read(actor, source_id, marks)
        return details

    def list(self, actor: Actor, kind: str | None = None, *, limit: int | None = 50,
             offset: int = 0) -> list[EntitySummary]:
        """Entities the actor may see, in id order, paged after filtering."""
        self.guard.require(actor, Action.VIEW)
        where = self.visible_where(actor)
        return self.store.entities(kind, limit=limit, offset=offset, where=where)

    def visible_where(self, actor: Actor) -> Any:
        from sabt.store import schema as t

        return access.visible_clause("entity", t.entity.c.id, actor, DEFAULT_MARK.level)

    def counts(self, actor: Actor) -> dict[str, int]:
        """Entities of each kind that the actor may see (statement totals for admins only)."""
        self.guard.require(actor, Action.VIEW)
        counts = self.store.counts(where=self.visible_where(actor))
        if Role.ADMIN not in actor.roles:
            counts.pop("statements", None)
            counts.pop("references", None)
        return counts

    def history(self, actor: Actor, entity_id: str) -> builtins.list[HistoryEntry]:
        """Every revision that touched the entity, less those about statements the actor may not
        see (counted in a last line)."""
        view = self.store.entity(entity_id) if self._exists(entity_id) else None
        if view is None:
            self.guard.record(actor, "history", entity_id, "denied", "no such entity")
            raise NotFound(_missing(entity_id))
        index = self.index_for([view])
        self.guard.require(actor, Action.VIEW, index.entity(entity_id), item=entity_id,
                           missing=_missing(entity_id))
        visible = {st.id for st in view.statements
                   if sees(actor, index.statement(st, entity_id))}
        hidden = {st.id for st in view.statements} - visible
        out: list[HistoryEntry] = []
        dropped = 0
        for entry in self.store.history(entity_id):
            if not entry.statements:
                out.append(entry)
                continue
            shown = [(i, p) for i, p in entry.statements if i not in hidden]
            if not shown:
                dropped += 1
            elif entry.action == "added statements":
                out.append(replace(entry, detail=added_detail([p for _, p in shown]),
                                   statements=tuple(shown)))
            else:
                out.append(entry)
        if dropped:
            last = out[-1]
            out.append(HistoryEntry(last.revision_id, last.created_at, "", "", "withheld",
                                    f"{dropped} change(s) to statements you may not see"))
        seen = [*index.entity(entity_id), *(m for st in view.statements if st.id in visible
                                             for m in index.statement(st, entity_id))]
        self.guard.read(actor, entity_id, tuple(seen), what="history")
        return out

    def _exists(self, entity_id: str) -> bool:
        check_entity_id(entity_id)
        try:
            self.store.entity_kind(entity_id)
        except NotFound:
            return False
        return True

    # --- writes --------------------------------------------------------------------------------

    def add(self, actor: Actor, kind: str, label: str, *, id: str | None = None,
            mark: Mark | None = None, reason: str = "") -> str:
        """A new entity; `mark` gives it a level (and groups) from the start."""
        self.guard.require(actor, Action.EDIT)
        if mark is not None:
            self._check_mark(actor, mark)
        with self.store.change(actor.id, reason) as ch:
            new_id = ch.add_entity(kind, label, id)
            if mark is not None:
                access.set_mark(ch.conn, "entity", new_id, mark, ch.revision_id)
        return new_id

    def add_source(self, actor: Actor, title: str, *, file: Path | None = None,
                   mark: Mark | None = None, reason: str = "", **details: Any) -> str:
        """A source (with `file`, its SHA-256 is recorded); details as `Change.add_source`."""
        self.guard.require(actor, Action.EDIT)
        if mark is not None:
            self._check_mark(actor, mark)
        sha256 = file_sha256(file) if file is not None else details.pop("sha256", None)
        published = details.pop("published", None)
        if isinstance(published, FuzzyDate):
            published = published.edtf
        with self.store.change(actor.id, reason) as ch:
            new_id = ch.add_source(title, sha256=sha256, published=published, **details)
            if mark is not None:
                access.set_mark(ch.conn, "entity", new_id, mark, ch.revision_id)
        return new_id

    def add_statement(self, actor: Actor, entity_id: str, property: str, value: Value, *,
                      references: Sequence[Reference] = (),
                      qualifiers: Mapping[str, Value] | None = None,
                      confidence: Confidence | str = Confidence.MEDIUM,
                      rank: Rank | str = Rank.NORMAL, reason: str = "") -> int:
        """One statement; the actor must see the entity, every cited source and named entity."""
        self.require_visible(actor, entity_id, Action.EDIT)
        named = {r.source_id for r in references} | {
            v.entity_id for v in [value, *(qualifiers or {}).values()]
            if isinstance(v, EntityRef)}
        for other in sorted(named):
            self.require_visible(actor, other)
        with self.store.change(actor.id, reason) as ch:
            return ch.add_statement(entity_id, property, value, references=references,
                                    qualifiers=qualifiers, confidence=confidence, rank=rank)

    def _statement_marks(self, actor: Actor, statement_id: int, action: Action) -> Statement:
        try:
            st = self.store.statement(statement_id)
        except NotFound:
            self.guard.record(actor, action.value, str(statement_id), "denied", "no such statement")
            raise
        with self.store.connect() as conn:
            index = access.mark_index(conn, entities=[st.entity_id], statements=[st.id],
                                      properties=[(st.entity_id, st.property)])
        self.guard.require(actor, action, index.statement(st), item=str(statement_id),
                           missing=f"no statement with id {statement_id}")
        return st

    def retract(self, actor: Actor, target: str, reason: str) -> None:
        """Retract a statement (a number) or an entity; kept, and restorable."""
        self._set_status(actor, target, reason, retract=True)

    def restore(self, actor: Actor, target: str, reason: str) -> None:
        self._set_status(actor, target, reason, retract=False)

    def _set_status(self, actor: Actor, target: str, reason: str, *, retract: bool) -> None:
        if target.isdigit():
            self._statement_marks(actor, int(target), Action.EDIT)
            with self.store.change(actor.id, reason) as ch:
                (ch.retract_statement if retract else ch.restore_statement)(int(target), reason)
            return
        self.require_visible(actor, target, Action.EDIT)
        with self.store.change(actor.id, reason) as ch:
            (ch.retract_entity if retract else ch.restore_entity)(target, reason)

    def set_rank(self, actor: Actor, statement_id: int, rank: Rank | str, reason: str) -> None:
        self._statement_marks(actor, statement_id, Action.EDIT)
        with self.store.change(actor.id, reason) as ch:
            ch.set_rank(statement_id, rank, reason)

    def merge(self, actor: Actor, from_id: str, into_id: str, reason: str = "") -> PersonMerge:
        """Record that two entities are one (reversible with `unmerge`); for persons drawn from
        lists, also the linkage decisions that make captures and the next run count one."""
        from sabt.link.workspace import merge_persons

        self.require_visible(actor, from_id, Action.EDIT)
        self.require_visible(actor, into_id, Action.EDIT)
        return merge_persons(self.store, from_id, into_id, author=actor.id, reason=reason)

    def unmerge(self, actor: Actor, from_id: str, reason: str = "") -> PersonMerge:
        """Split an entity off again (and undo the linkage decisions that joined it)."""
        from sabt.link.workspace import unmerge_persons

        self.require_visible(actor, from_id, Action.EDIT)
        return unmerge_persons(self.store, from_id, author=actor.id, reason=reason)

    # --- marks ---------------------------------------------------------------------------------

    def _check_mark(self, actor: Actor, mark: Mark) -> None:
        if mark.level > actor.clearance:
            raise InvalidValue(f"you cannot mark above your own clearance ({actor.clearance})",
                               field="level")
        outside = mark.groups - actor.groups
        if outside and Role.ADMIN not in actor.roles:
            raise InvalidValue(f"you are not in group {sorted(outside)[0]!r}", field="group")
        for group in mark.groups:
            check_group(group)

    def mark(self, actor: Actor, target: str, level: Level | str, *,
             property: str | None = None, groups: Sequence[str] = (),
             reason: str = "") -> Mark | None:
        """Set the sensitivity of an entity, a source or list, a statement (a number), a list
        record (`S3#17`), a vault item (its SHA-256) or one property of an entity; returns the
        mark it had. The actor must see the item and may not mark above their own clearance."""
        mark = Mark(level if isinstance(level, Level) else Level.parse(level),
                    frozenset(check_group(g) for g in groups))
        kind, item, entity_id, statement_id = self._mark_target(actor, target, property)
        self._check_mark(actor, mark)
        with self.store.change(actor.id, reason or f"mark {target} {mark}") as ch:
            old = access.set_mark(ch.conn, kind, item, mark, ch.revision_id)
            ch._log("mark", entity_id=entity_id, statement_id=statement_id,
                    detail=f"{kind} {item}: {old or 'unmarked'} → {mark}. {reason}".strip())
        return old

    def _mark_target(self, actor: Actor, target: str, property: str | None,
                     ) -> tuple[str, str, str | None, int | None]:
        """(kind, key, entity for the change log, statement for the change log)."""
        if property is not None:
            from sabt.model.statements import check_property

            self.require_visible(actor, target, Action.MARK)
            return "property", access.property_key(target, check_property(property)), target, None
        if target.isdigit():
            self._statement_marks(actor, int(target), Action.MARK)
            return "statement", target, None, int(target)
        if "#" in target:
            source_id, _, row = target.partition("#")
            if not row.isdigit():
                raise InvalidValue(f"a list record is SOURCE#ROW, not {target!r}", field="id")
            self.require_visible(actor, source_id, Action.MARK)
            return "record", access.record_key(source_id, int(row)), source_id, None
        if len(target) == _SHA256 and all(c in "0123456789abcdef" for c in target):
            self.guard.require(actor, Action.MARK, self.vault_marks(target), item=target,
                               missing=f"no single vault item with hash {target!r}")
            return "vault", target, None, None
        self.require_visible(actor, target, Action.MARK)
        return "entity", target, target, None

    def mark_many(self, actor: Actor, level: Level | str, *, source: str | None = None,
                  property: str | None = None, kind: str | None = "person",
                  entities: bool = False, groups: Sequence[str] = (),
                  reason: str = "") -> BulkMark:
        """Mark in bulk: every active statement (of entities of `kind`) citing the list or
        source `source` and/or of property `property` — or, with `entities`, the entities those
        statements are about (e.g. the persons a list names, to make them publishable). Items
        the actor may not mark are left as they were and counted; one revision for all."""
        from sqlalchemy import insert, select

        from sabt.policy import can
        from sabt.service.sight import _index as statement_index
        from sabt.store import schema as t
        from sabt.store.ids import allocate
        from sabt.store.workspace import load_statements

        if source is None and property is None:
            raise InvalidValue("say which statements: a list or source, a property, or both",
                               field="source")
        self.guard.require(actor, Action.MARK)
        mark = Mark(level if isinstance(level, Level) else Level.parse(level),
                    frozenset(check_group(g) for g in groups))
        self._check_mark(actor, mark)
        if source is not None:
            self.require_visible(actor, source)
        query = select(t.statement).where(t.statement.c.status == "active")
        if kind:
            query = query.where(t.statement.c.entity_id.in_(
                select(t.entity.c.id).where(t.entity.c.kind == kind)))
        if property is not None:
            from sabt.model.statements import check_property

            query = query.where(t.statement.c.property == check_property(property))
        if source is not None:
            query = query.where(t.statement.c.id.in_(select(t.reference.c.statement_id).where(
                t.reference.c.source_id == source)))
        with self.store.connect() as conn:
            statements = load_statements(conn, query.order_by(t.statement.c.id))
        owners = sorted({st.entity_id for st in statements})
        index = statement_index(self.store, owners, statements,
                                {(st.entity_id, st.property) for st in statements})
        items: list[tuple[str, str, str, int | None]]
        if entities:
            items = [("entity", e, e, None) for e in owners
                     if can(actor, Action.MARK, index.entity(e))]
            skipped = len(owners) - len(items)
        else:
            items = [("statement", str(st.id), st.entity_id, st.id) for st in statements
                     if can(actor, Action.MARK, index.statement(st))]
            skipped = len(statements) - len(items)
        what = ", ".join(f"{k} {v}" for k, v in (("list", source), ("property", property),
                                                 ("kind", kind)) if v)
        if items:
            with self.store.change(actor.id, reason or f"mark {what} {mark}") as ch:
                _set_marks(ch, [(k, item) for k, item, _e, _s in items], mark)
                per_entity: dict[str, int] = {}
                for _k, _item, entity_id, _s in items:
                    per_entity[entity_id] = per_entity.get(entity_id, 0) + 1
                first = allocate(ch.conn, "change_log", len(per_entity))
                ch.conn.execute(insert(t.change_log), [
                    {"id": first + n, "revision_id": ch.revision_id, "action": "mark",
                     "entity_id": entity_id, "statement_id": None,
                     "detail": (f"{count} {'entity' if entities else 'statement(s)'} → "
                                f"{mark} (bulk: {what}). {reason}").strip()}
                    for n, (entity_id, count) in enumerate(sorted(per_entity.items()))])
        return BulkMark("entities" if entities else "statements", len(items), skipped)


def _set_marks(ch: Any, items: Sequence[tuple[str, str]], mark: Mark) -> None:
    """Give many items one mark, a few statements per 500 items (`access.set_mark` does one)."""
    from sqlalchemy import and_, insert, select, update

    s = access.sensitivity
    values = {"level": int(mark.level), "groups": access.pack_groups(mark.groups),
              "revision_id": ch.revision_id}
    for start in range(0, len(items), 500):
        chunk = items[start:start + 500]
        kinds = {k for k, _ in chunk}
        have = {(r.kind, r.item) for kind in kinds for r in ch.conn.execute(
            select(s.c.kind, s.c.item).where(s.c.kind == kind, s.c.item.in_(
                [i for k, i in chunk if k == kind])))}
        new = [{"kind": k, "item": i, **values} for k, i in chunk if (k, i) not in have]
        if new:
            ch.conn.execute(insert(s), new)
        for kind in kinds:
            old = [i for k, i in chunk if k == kind and (k, i) in have]
            if old:
                ch.conn.execute(update(s).where(and_(s.c.kind == kind, s.c.item.in_(old)))
                                .values(**values))
