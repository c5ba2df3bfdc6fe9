"""What the memorial shows: published persons with their sourced lines, the prisons and places
they are grouped by, and the published claims. Built by `ws.publish` from what the policy lets
the public see; pure data, ready to render."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from sabt.model.statements import Value

if TYPE_CHECKING:
    from sabt.claims.board import Board

PROPERTY_ORDER = ("name", "given name", "family name", "father name", "sex", "date of birth",
                  "year of birth", "age at death", "date of death", "place of death", "prison",
                  "province", "affiliation")
GROUPS = {"prison": "prison", "place of death": "place"}


@dataclass(frozen=True)
class Citation:
    """A public source a line is according to (and where in it: a list's row and column)."""

    source_id: str
    title: str
    publisher: str = ""
    url: str = ""
    row: int | None = None
    column: str = ""


@dataclass(frozen=True)
class Line:
    """One published statement: its property, value and the sources it is according to."""

    property: str
    value: Value
    citations: tuple[Citation, ...]
    label: str = ""          # the name of an entity the value refers to


@dataclass(frozen=True)
class Group:
    """A prison or place: its page and the persons linked to it."""

    kind: str                # "prison" or "place"
    slug: str
    label: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class Victim:
    id: str
    name_en: str
    name_fa: str
    names: tuple[str, ...]               # every published name (for the search index)
    lines: tuple[Line, ...]
    groups: tuple[tuple[str, str], ...]  # (kind, slug) of the prisons and places

    @property
    def display(self) -> str:
        return self.name_en or self.name_fa


@dataclass(frozen=True)
class Memorial:
    title: str
    synthetic: bool
    victims: tuple[Victim, ...]
    groups: tuple[Group, ...]
    boards: tuple[Board, ...] = ()
    contact: str = ""
    withheld_persons: int = 0
    sources: tuple[Citation, ...] = field(default=())

    @cached_property
    def _victims(self) -> dict[str, Victim]:
        return {v.id: v for v in self.victims}

    @cached_property
    def _groups(self) -> dict[tuple[str, str], Group]:
        return {(g.kind, g.slug): g for g in self.groups}

    def victim(self, victim_id: str) -> Victim | None:
        return self._victims.get(victim_id)

    def group(self, kind: str, slug: str) -> Group | None:
        return self._groups.get((kind, slug))


def group_slug(key: str) -> str:
    """A page name for a prison or place from its normalised key (stable across runs)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]
