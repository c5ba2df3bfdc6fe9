"""What one actor may see of a bulk read (exports, the claims board, the report): the readers
load entities and statements in pages and pass them through `Sight.filter`, which loads their
marks in a few queries and keeps only what the policy lets the actor see."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sabt.model.statements import EntityRef, EntityView, Statement
from sabt.policy import Actor, MarkIndex, redact, sees
from sabt.policy.rules import visible_statements
from sabt.store import access
from sabt.store.workspace import Store


class Sight:
    """An actor's view of bulk reads (see module doc); `withheld` counts what was left out."""

    def __init__(self, actor: Actor, store: Store) -> None:
        self.actor = actor
        self.store = store
        self.withheld = 0

    def filter(self, entity_ids: Iterable[str], statements: Sequence[Statement],
               ) -> tuple[set[str], list[Statement]]:
        """The entity ids and the statements (their secret references removed) the actor sees."""
        ids = set(entity_ids)
        index = _index(self.store, ids, statements, {(st.entity_id, st.property)
                                                     for st in statements})
        seen = {e for e in ids if sees(self.actor, index.entity(e))}
        kept, withheld = visible_statements(self.actor, statements, index)
        self.withheld += len(ids - seen) + sum(withheld.values())
        return seen, kept

    def views(self, views: Sequence[EntityView]) -> list[EntityView]:
        """The views the actor may see, each redacted (as `ws.entities.get` would show it)."""
        index = mark_index_for(self.store, views)
        shown = [redact(self.actor, v, index) for v in views
                 if sees(self.actor, index.entity(v.id))]
        self.withheld += len(views) - len(shown) + sum(
            w.count for v in shown for w in v.withheld)
        return shown


def mark_index_for(store: Store, views: Sequence[EntityView]) -> MarkIndex:
    """The marks of everything these views show, in a few queries."""
    owners = {e for v in views for e in (v.id, *v.merged_from)}
    properties = {(owner, st.property) for v in views for st in v.statements
                  for owner in (st.entity_id, v.id)}
    return _index(store, owners, [st for v in views for st in v.statements], properties)


def _index(store: Store, entities: Iterable[str], statements: Sequence[Statement],
           properties: Iterable[tuple[str, str]]) -> MarkIndex:
    """The marks of these entities, statements and of everything the statements name: their
    entities, the entities in their values and qualifiers, their sources and list rows; and the
    marks of the (entity, property) pairs the statements are seen through."""
    named = set(entities)
    records: set[tuple[str, int]] = set()
    for st in statements:
        named.add(st.entity_id)
        for value in (st.value, *st.qualifiers.values()):
            if isinstance(value, EntityRef):
                named.add(value.entity_id)
        for ref in st.references:
            named.add(ref.source_id)
            if ref.locator.row is not None:
                records.add((ref.source_id, ref.locator.row))
    with store.connect() as conn:
        return access.mark_index(conn, entities=named, records=records,
                                 statements=[st.id for st in statements],
                                 properties=properties)
