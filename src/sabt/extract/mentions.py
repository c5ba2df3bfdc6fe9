"""Mentions of known entities (names and aliases, both scripts) and candidate new ones.

Matching is on a folded copy of the text that keeps every offset: lower case, Arabic ي/ك as
Persian ی/ک, Persian/Arabic digits as ASCII, and hyphen, ZWNJ and apostrophes as spaces; a match
must start and end on word boundaries. Longer names win over shorter ones that overlap them.
A person's family name alone ("Khomeini") also matches when no other known person shares it;
a family name shared by several ("Montazeri") goes to the one already named in full earlier in
the same text, else it is left unmatched. A prison or cemetery also matches by its proper name
alone ("Evin" for "Evin Prison", "اوین" for "زندان اوین"; the place when an organisation
shares the name). Runs of two or more capitalised words that match no
known entity are reported as candidates (``entity_id`` None), English only.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

_FOLD = str.maketrans({
    "ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "أ": "ا", "إ": "ا", "آ": "ا",
    "\u200c": " ", "-": " ", "‐": " ", "’": " ", "'": " ", "‘": " ",
    **{chr(0x06F0 + i): str(i) for i in range(10)},
    **{chr(0x0660 + i): str(i) for i in range(10)},
})


def fold(text: str) -> str:
    """A same-length folded copy for matching (see the module docstring)."""
    folded = text.translate(_FOLD).lower()
    return folded if len(folded) == len(text) else text.lower()


@dataclass(frozen=True)
class Mention:
    """A name found in a text; ``entity_id`` None for a candidate new entity."""

    text: str
    start: int
    end: int
    entity_id: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Gazetteer:
    """Known entities: id → kind and every name or alias in either script."""

    names: dict[str, list[str]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)

    def add(self, entity_id: str, kind: str, names: Iterable[str]) -> None:
        """Register an entity's names (blank ones ignored)."""
        self.kinds[entity_id] = kind
        bucket = self.names.setdefault(entity_id, [])
        for name in names:
            cleaned = re.sub(r"\s*\([^)]*\)\s*", " ", name).strip()
            if len(cleaned) >= 2 and cleaned not in bucket:
                bucket.append(cleaned)


_WORD_CHAR = re.compile(r"[\w\u0600-\u06FF]")
_CANDIDATE = re.compile(r"\b(?:[A-Z][\w’'.-]*[a-z]\w*"
                        r"(?:[ \xa0](?:of|for|the|al|el|ud)[ \xa0]|[ \xa0])){1,5}"
                        r"[A-Z][\w’'-]*[a-z]\w*")
_CANDIDATE_STOP = {"The", "This", "That", "It", "He", "She", "They", "In", "On", "For", "However",
                   "Current", "Former", "Read", "More", "A", "An", "When", "While", "Although",
                   "Even", "As", "After", "Before", "His", "Her", "All", "Part", "Ayatollah",
                   "Dr", "Mr", "Mrs"}


def _bounded(folded: str, start: int, end: int) -> bool:
    before = folded[start - 1] if start > 0 else " "
    after = folded[end] if end < len(folded) else " "
    return not _WORD_CHAR.match(before) and not _WORD_CHAR.match(after)


_GENERIC_HEAD = re.compile(r"^(?P<a>.+?)\s+(?:prison|cemetery)$|^(?:زندان|گورستان)\s+(?P<b>.+)$")


def _short_names(gazetteer: Gazetteer, full: set[str]) -> dict[str, str]:
    """"Evin" for "Evin Prison", "اوین" for "زندان اوین": one entity each, places preferred.

    A short name shared by several entities goes to the only place among them, else nowhere.
    """
    owners: dict[str, set[str]] = defaultdict(set)
    for entity_id, names in gazetteer.names.items():
        if gazetteer.kinds.get(entity_id) not in ("place", "organization"):
            continue
        for name in names:
            head = _GENERIC_HEAD.match(fold(name))
            short = head and (head["a"] or head["b"])
            if short and len(short) > 3 and short not in full:
                owners[short].add(entity_id)
    chosen: dict[str, str] = {}
    for short, ids in owners.items():
        places = [i for i in ids if gazetteer.kinds.get(i) == "place"]
        if len(ids) == 1 or len(places) == 1:
            chosen[short] = places[0] if places else next(iter(ids))
    return dict(sorted(chosen.items(), key=lambda kv: len(kv[0]), reverse=True))


def extract_mentions(text: str, gazetteer: Gazetteer | None = None,
                     candidates: bool = True) -> list[Mention]:
    """Known-entity mentions (longest match first) and, optionally, candidate new names."""
    folded = fold(text)
    gazetteer = gazetteer or Gazetteer()
    patterns: list[tuple[str, str]] = []
    surnames: dict[str, set[str]] = defaultdict(set)
    for entity_id, names in gazetteer.names.items():
        for name in names:
            patterns.append((fold(name), entity_id))
            if gazetteer.kinds.get(entity_id) == "person":
                last = fold(name).split()[-1] if fold(name).split() else ""
                if len(last) > 3:
                    surnames[last].add(entity_id)
    full = {p for p, _ in patterns}
    patterns.sort(key=lambda p: len(p[0]), reverse=True)
    taken: list[tuple[int, int]] = []
    found: list[Mention] = []

    def claim(start: int, end: int, entity_id: str | None) -> None:
        taken.append((start, end))
        found.append(Mention(text[start:end], start, end, entity_id))

    def free(start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in taken)

    for needle, entity_id in patterns:
        for match in re.finditer(re.escape(needle), folded):
            start, end = match.span()
            if _bounded(folded, start, end) and free(start, end):
                claim(start, end, entity_id)
    named_in_full = [(m.start, m.entity_id) for m in found]
    for surname, ids in surnames.items():
        if surname in full:
            continue
        for match in re.finditer(re.escape(surname), folded):
            start, end = match.span()
            if not (_bounded(folded, start, end) and free(start, end)):
                continue
            if len(ids) == 1:
                claim(start, end, next(iter(ids)))
                continue
            earlier = [eid for pos, eid in named_in_full if pos < start and eid in ids]
            if earlier:
                claim(start, end, earlier[-1])
    for short, entity_id in _short_names(gazetteer, full).items():
        for match in re.finditer(re.escape(short), folded):
            start, end = match.span()
            if _bounded(folded, start, end) and free(start, end):
                claim(start, end, entity_id)
    if candidates:
        for match in _CANDIDATE.finditer(text):
            start, end = match.span()
            for word in re.finditer(r"\S+", match.group(0)):
                if word.group(0).strip(".") not in _CANDIDATE_STOP:
                    break
                start = match.start() + word.end() + 1
            if len(text[start:end].split()) >= 2 and free(start, end):
                claim(start, end, None)
    found.sort(key=lambda m: m.start)
    return found
