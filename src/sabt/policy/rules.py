"""The one place that decides who may do what to which item (`can`), and what a reader sees of an
entity (`redact`). Nothing else in Sabt checks permissions: services ask here.

A decision is the conjunction of four rules, each a named function in `RULES`, default deny:
the user is active; one of their roles grants the action; their clearance reaches the level of
every layer the item is seen through; and every layer limited to access groups shares a group
with them. The anonymous public is cleared for `public` only, whatever else it is given.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from sabt.model.statements import (
    EntityRef,
    EntityView,
    Reference,
    Statement,
    Withheld,
    current_view,
)
from sabt.policy.actor import Actor
from sabt.policy.levels import DEFAULT_MARK, Level, Mark, Marks
from sabt.policy.roles import GRANTS, Action

Rule = Callable[[Actor, Action, Marks], bool]


def _active(actor: Actor, _action: Action, _marks: Marks) -> bool:
    return actor.active


def _role_grants(actor: Actor, action: Action, _marks: Marks) -> bool:
    return any(action in GRANTS[role] for role in actor.roles)


def _clearance(actor: Actor, _action: Action, marks: Marks) -> bool:
    limit = Level.PUBLIC if actor.is_public else actor.clearance
    return all(mark.level <= limit for mark in marks)


def _groups(actor: Actor, _action: Action, marks: Marks) -> bool:
    return all(not mark.groups or (mark.groups & actor.groups and not actor.is_public)
               for mark in marks)


RULES: tuple[tuple[str, Rule], ...] = (
    ("active", _active),
    ("role", _role_grants),
    ("clearance", _clearance),
    ("groups", _groups),
)
SIGHT = ("active", "clearance", "groups")   # the rules that decide whether an item is seen at all


def can(actor: Actor, action: Action, marks: Marks = ()) -> bool:
    """Whether `actor` may take `action` on an item seen through `marks` (no marks: no item)."""
    return all(rule(actor, action, marks) for _, rule in RULES)


def sees(actor: Actor, marks: Marks) -> bool:
    """Whether the item exists for `actor` at all (a hidden item answers as a missing one)."""
    return all(rule(actor, Action.VIEW, marks) for name, rule in RULES if name in SIGHT)


def denial(actor: Actor, action: Action, marks: Marks = ()) -> str | None:
    """The name of the first rule that refuses, or None when the action is allowed."""
    return next((name for name, rule in RULES if not rule(actor, action, marks)), None)


@dataclass(frozen=True)
class MarkIndex:
    """The marks that concern one read, loaded by the store in a few queries (pure lookups)."""

    entities: Mapping[str, Mark] = field(default_factory=dict)
    statements: Mapping[int, Mark] = field(default_factory=dict)
    properties: Mapping[tuple[str, str], Mark] = field(default_factory=dict)
    records: Mapping[tuple[str, int], Mark] = field(default_factory=dict)

    def entity(self, entity_id: str) -> Marks:
        return (self.entities.get(entity_id, DEFAULT_MARK),)

    def statement(self, st: Statement, shown_as: str | None = None) -> Marks:
        """Every layer a statement is seen through: its entity (and the one it is shown on, after
        a merge), its own mark, its property's mark, and any entity its value or qualifiers name.
        """
        layers = [*self.entity(st.entity_id), self.statements.get(st.id, DEFAULT_MARK)]
        for owner in {st.entity_id, shown_as or st.entity_id}:
            if (owner, st.property) in self.properties:
                layers.append(self.properties[(owner, st.property)])
        for value in (st.value, *st.qualifiers.values()):
            if isinstance(value, EntityRef):
                layers.extend(self.entity(value.entity_id))
        return tuple(layers)

    def reference(self, ref: Reference) -> Marks:
        """A reference is seen through its source and, for a list, the row it cites."""
        layers = list(self.entity(ref.source_id))
        if ref.locator.row is not None and (ref.source_id, ref.locator.row) in self.records:
            layers.append(self.records[(ref.source_id, ref.locator.row)])
        return tuple(layers)


def visible_statements(actor: Actor, statements: Iterable[Statement], index: MarkIndex,
                       shown_as: str | None = None) -> tuple[list[Statement], Counter[str]]:
    """The statements `actor` may see (references to secret sources or rows removed and counted
    on their statement), and how many of each property were withheld."""
    kept: list[Statement] = []
    withheld: Counter[str] = Counter()
    for st in statements:
        if not sees(actor, index.statement(st, shown_as=shown_as)):
            withheld[st.property] += 1
            continue
        refs = tuple(r for r in st.references if sees(actor, index.reference(r)))
        hidden = len(st.references) - len(refs)
        kept.append(replace(st, references=refs, withheld_references=hidden) if hidden else st)
    return kept, withheld


def redact(actor: Actor, view: EntityView, index: MarkIndex) -> EntityView:
    """What `actor` may see of an entity: statements they may not see are counted per property as
    withheld, references to secret sources or rows are counted on their statement, and the current
    view is derived again from what is left (so no withheld value wins a property)."""
    kept, withheld = visible_statements(actor, view.statements, index, shown_as=view.id)
    merged_from = tuple(m for m in view.merged_from if sees(actor, index.entity(m)))
    return replace(view, statements=tuple(kept), view=current_view(kept), merged_from=merged_from,
                   withheld=tuple(Withheld(p, n) for p, n in sorted(withheld.items())))


class BulkFilter(Protocol):
    """What bulk readers (exports, claims board, report) call to keep what one actor may see."""

    def filter(self, entity_ids: Iterable[str], statements: Sequence[Statement],
               ) -> tuple[set[str], list[Statement]]: ...

    def views(self, views: Sequence[EntityView]) -> list[EntityView]: ...
