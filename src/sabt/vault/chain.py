"""The custody log as a hash chain: pure functions over entries, checkable by anyone.

Each entry is the JSON object ``{"seq", "at", "actor", "action", "item", "details", "prev"}``
and its hash is ``sha256(canonical_json(entry))`` in lowercase hex, where ``canonical_json`` is
``json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))`` encoded as
UTF-8 (no NaN, no floats in practice: details hold strings, integers, booleans, null, lists and
objects). ``prev`` is the previous entry's hash, or 64 zeros for the first entry; ``seq`` counts
from 1 without gaps. Exported as JSON Lines (each line the entry plus ``"hash"``), the log can be
re-checked with a few lines of any language; docs/vault.md gives a standalone script.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

GENESIS = "0" * 64

JsonValue = Any


def canonical_json(obj: Mapping[str, JsonValue]) -> bytes:
    """The byte form that is hashed: sorted keys, no spaces, UTF-8, no NaN."""
    return json.dumps(
        obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


@dataclass(frozen=True)
class Entry:
    """One custody event on one item (or on the vault as a whole when ``item`` is None)."""

    seq: int
    at: str
    actor: str
    action: str
    item: str | None
    details: Mapping[str, JsonValue] = field(default_factory=dict)
    prev: str = GENESIS
    hash: str = ""

    def body(self) -> dict[str, JsonValue]:
        """The hashed fields, as a JSON object."""
        return {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "item": self.item,
            "details": dict(self.details),
            "prev": self.prev,
        }

    def computed_hash(self) -> str:
        """What ``hash`` must be for this entry's fields."""
        return hashlib.sha256(canonical_json(self.body())).hexdigest()

    def to_json(self) -> dict[str, JsonValue]:
        """The exported form: the body plus its hash."""
        return {**self.body(), "hash": self.hash}

    @classmethod
    def from_json(cls, data: Mapping[str, JsonValue]) -> Entry:
        """Read an exported entry back (missing fields become empty, so checks then fail)."""
        return cls(
            seq=int(data.get("seq", 0)),
            at=str(data.get("at", "")),
            actor=str(data.get("actor", "")),
            action=str(data.get("action", "")),
            item=data.get("item"),
            details=dict(data.get("details") or {}),
            prev=str(data.get("prev", "")),
            hash=str(data.get("hash", "")),
        )


def append(
    last: Entry | None,
    *,
    at: str,
    actor: str,
    action: str,
    item: str | None,
    details: Mapping[str, JsonValue] | None = None,
) -> Entry:
    """The entry that follows ``last`` (or starts the chain), with its hash filled in."""
    draft = Entry(
        seq=(last.seq + 1) if last else 1,
        at=at,
        actor=actor,
        action=action,
        item=item,
        details=dict(details or {}),
        prev=last.hash if last else GENESIS,
    )
    return Entry(**{**draft.body(), "hash": draft.computed_hash()})


@dataclass(frozen=True)
class ChainProblem:
    """One break in the chain: which entry, what kind, and a sentence saying what is wrong."""

    seq: int
    kind: str  # "altered" | "broken_link" | "inserted" | "missing"
    message: str


def check_chain(entries: Iterable[Entry]) -> list[ChainProblem]:
    """Every break in a log read in ``seq`` order; an empty list means the chain holds.

    An entry whose stored hash does not match its fields was *altered*; one whose ``prev`` does
    not name the entry before it was *inserted* or follows a removal; a gap in ``seq`` means
    entries are *missing*.
    """
    problems: list[ChainProblem] = []
    previous: Entry | None = None
    for entry in entries:
        expected_seq = previous.seq + 1 if previous else 1
        if entry.computed_hash() != entry.hash:
            problems.append(ChainProblem(entry.seq, "altered",
                                         f"log entry {entry.seq} ({entry.action}) was altered: "
                                         "its hash does not match its contents"))
        if entry.seq > expected_seq:
            problems.append(ChainProblem(
                entry.seq, "missing", f"log entries {expected_seq}..{entry.seq - 1} are missing"))
        elif entry.seq < expected_seq:
            problems.append(ChainProblem(entry.seq, "inserted",
                                         f"log entry {entry.seq} appears out of order or twice"))
        expected_prev = previous.hash if previous else GENESIS
        if entry.prev != expected_prev:
            problems.append(ChainProblem(entry.seq, "broken_link",
                                         f"log entry {entry.seq} does not follow the entry before "
                                         "it (inserted, or an earlier entry was changed/removed)"))
        previous = entry
    return problems
