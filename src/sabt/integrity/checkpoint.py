"""Checkpoints: the heads of the registry log and the custody log, with counts and time, signed
by the workspace's key (and time-stamped when authorities are configured). Held by someone
outside the workspace, a checkpoint lets anyone later check that the logs only grew since:
the entry at each checkpointed sequence number must still have the checkpointed hash.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

FORMAT = "sabt-checkpoint"
CHAINS = ("registry", "custody")


@dataclass(frozen=True)
class ChainHead:
    """A chain's end as checkpointed: its last entry's sequence number and hash."""

    seq: int
    hash: str | None


def document(created_at: str, heads: Mapping[str, ChainHead], key_fingerprint: str,
             version: str) -> bytes:
    """The checkpoint file's bytes (what is signed and time-stamped)."""
    body = {
        "format": FORMAT,
        "version": 1,
        "created_at": created_at,
        "sabt_version": version,
        "public_key_sha256": key_fingerprint,
        "chains": {name: {"entries": head.seq, "head": head.hash}
                   for name, head in heads.items()},
        "hashing": "each chain entry: sha256 of its canonical JSON (docs/vault.md); head: the "
                   "hash of entry number `entries`",
    }
    return (json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def parse(data: bytes) -> dict[str, ChainHead]:
    """The chain heads a checkpoint file pins (ValueError when it is not a checkpoint)."""
    try:
        body: Any = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"not JSON ({exc})") from None
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise ValueError("not a Sabt checkpoint")
    chains = body.get("chains")
    if not isinstance(chains, dict):
        raise ValueError("no chains")
    heads = {}
    for name in CHAINS:
        head = chains.get(name)
        if not isinstance(head, dict) or not isinstance(head.get("entries"), int):
            raise ValueError(f"no {name} chain")
        digest = head.get("head")
        heads[name] = ChainHead(int(head["entries"]), str(digest) if digest else None)
    return heads


def extension_problem(name: str, pinned: ChainHead, now_last: int,
                      hash_at_pinned: str | None) -> str | None:
    """Why today's chain does not extend the checkpointed one (None when it does).

    `now_last` is today's last sequence number; `hash_at_pinned` the hash today's log holds at
    the checkpointed sequence number (None when there is no such entry)."""
    if pinned.seq == 0:
        return None
    if now_last < pinned.seq or hash_at_pinned is None:
        return (f"the {name} log was cut: the checkpoint pinned entry {pinned.seq}, the log now "
                f"ends at entry {now_last}" if now_last < pinned.seq else
                f"the {name} log has no entry {pinned.seq} any more (the checkpoint pinned it)")
    if hash_at_pinned != pinned.hash:
        return (f"the {name} log was rewritten: entry {pinned.seq} is not the one the checkpoint "
                "pinned (its hash differs), so entries up to it were changed and re-hashed")
    return None
