"""What one actor may see of a bulk read (exports, the claims board, the report): the readers
load entities and statements in pages and pass them through `Sight.filter`, which loads their
marks in a few queries and keeps only what the policy lets the actor see."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sabt.model.statements import EntityRef, Statement
from sabt.policy import Actor, sees
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
        named = set(ids)
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
        with self.store.connect() as conn:
            index = access.mark_index(conn, entities=named, records=records,
                                      statements=[st.id for st in statements],
                                      properties_of={st.entity_id for st in statements})
        seen = {e for e in ids if sees(self.actor, index.entity(e))}
        kept, withheld = visible_statements(self.actor, statements, index)
        self.withheld += len(ids - seen) + sum(withheld.values())
        return seen, kept

    def sees_entity(self, entity_id: str) -> bool:
        return entity_id in self.filter([entity_id], [])[0]
