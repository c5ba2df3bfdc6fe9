"""The custody hash chain: pure functions, tamper detection, third-party re-check."""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import replace

from sabt.vault.chain import GENESIS, Entry, append, canonical_json, check_chain


def _chain(n: int) -> list[Entry]:
    entries: list[Entry] = []
    for i in range(n):
        entries.append(append(entries[-1] if entries else None, at=f"2026-01-01T00:00:0{i}Z",
                              actor="tester", action="ingested", item=f"{i:064x}",
                              details={"original_name": f"f{i}.txt", "size": i}))
    return entries


def test_a_fresh_chain_holds() -> None:
    entries = _chain(5)
    assert entries[0].prev == GENESIS
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert all(e.prev == p.hash for p, e in itertools.pairwise(entries))
    assert check_chain(entries) == []


def test_hash_is_sha256_of_canonical_json_as_documented() -> None:
    entry = _chain(1)[0]
    body = {k: v for k, v in entry.to_json().items() if k != "hash"}
    # Written out independently of canonical_json: sorted keys, no spaces, UTF-8.
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == entry.hash
    assert canonical_json({"b": 1, "a": "ثبت"}) == '{"a":"ثبت","b":1}'.encode()


def test_editing_one_entry_is_named() -> None:
    entries = _chain(5)
    entries[2] = replace(entries[2], details={"original_name": "other.txt", "size": 2})
    problems = check_chain(entries)
    assert [(p.seq, p.kind) for p in problems] == [(3, "altered")]


def test_rehashing_an_edited_entry_breaks_the_next_link() -> None:
    entries = _chain(5)
    forged = replace(entries[2], actor="someone else")
    entries[2] = replace(forged, hash=forged.computed_hash())
    problems = check_chain(entries)
    assert [(p.seq, p.kind) for p in problems] == [(4, "broken_link")]


def test_removed_and_inserted_entries_are_found() -> None:
    entries = _chain(5)
    removed = entries[:2] + entries[3:]
    kinds = {(p.seq, p.kind) for p in check_chain(removed)}
    assert (4, "missing") in kinds and (4, "broken_link") in kinds
    duplicated = [*entries[:3], entries[2], *entries[3:]]
    assert (3, "inserted") in {(p.seq, p.kind) for p in check_chain(duplicated)}


def test_json_round_trip_keeps_the_hash() -> None:
    entries = _chain(3)
    lines = [canonical_json(e.to_json()).decode() for e in entries]
    back = [Entry.from_json(json.loads(line)) for line in lines]
    assert check_chain(back) == []
