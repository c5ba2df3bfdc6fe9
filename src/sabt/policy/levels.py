"""Sensitivity levels and marks: how secret an item is, and which access groups may see it.

Every entity, statement, source, vault item and list record has a level; an item without a mark
of its own has the workspace's default level (`internal`), so nothing is public until someone
marks it so. A mark may also name access groups: then only members of one of them see the item.
An item is seen through several layers (a statement sits in an entity; a record in a list), and
it is visible only when every layer is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from sabt.errors import InvalidValue


class Level(IntEnum):
    """Ordered: a user cleared for one level sees that level and every level below it."""

    PUBLIC = 0
    INTERNAL = 1
    RESTRICTED = 2
    CONFIDENTIAL = 3

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Level:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(str(level) for level in cls)
            raise InvalidValue(f"unknown sensitivity level {text!r} ({names})",
                               field="level") from None


DEFAULT_LEVEL = Level.INTERNAL


@dataclass(frozen=True)
class Mark:
    """One layer's sensitivity: its level and the access groups it is limited to (if any)."""

    level: Level = DEFAULT_LEVEL
    groups: frozenset[str] = frozenset()

    def __str__(self) -> str:
        return str(self.level) + (f" [{', '.join(sorted(self.groups))}]" if self.groups else "")


DEFAULT_MARK = Mark()
Marks = tuple[Mark, ...]


def strictest(marks: Iterable[Mark]) -> Level:
    """The highest level among an item's layers (what it is shown as)."""
    return max((m.level for m in marks), default=DEFAULT_LEVEL)


def check_group(name: str) -> str:
    """Group names are short words: letters, digits, `_ . -`."""
    cleaned = name.strip()
    if not cleaned or len(cleaned) > 64 or not all(c.isalnum() or c in "_.-" for c in cleaned):
        raise InvalidValue(f"invalid group name {name!r}: letters, digits, _ . - (up to 64)",
                           field="group")
    return cleaned
