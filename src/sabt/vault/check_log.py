"""A standalone checker for an exported custody log (custody.jsonl), for third parties.

It uses only the Python standard library and the documented hashing (docs/vault.md), so a
court or a UN mechanism can run it without Sabt: ``python check_log.py custody.jsonl [HEAD]``.
It prints one line per problem and exits 1 if there is any. HEAD, if given, is a chain head
published earlier (in a manifest or a checkpoint): the log must still hold an entry with that
hash, so that it *extends* the published log. A log that grew since passes; one cut before that
entry, or rewritten up to it, fails.

A line with ``"elided": true`` (as a case file writes for entries about other items) keeps only
its ``seq``, ``prev`` and ``hash``: its contents cannot be re-hashed, but its place in the chain
is still checked.
"""

from __future__ import annotations

import hashlib
import json
import sys


def check(lines: list[str], head: str | None = None) -> list[str]:
    """Problems found in the log lines (an empty list means the chain holds)."""
    problems: list[str] = []
    prev, seq = "0" * 64, 0
    seen_head = False
    for number, line in enumerate(lines, 1):
        entry = json.loads(line)
        stored = entry.pop("hash", "")
        elided = entry.get("elided") is True
        body = json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        if not elided and hashlib.sha256(body.encode("utf-8")).hexdigest() != stored:
            problems.append(f"line {number} (entry {entry.get('seq')}): contents altered")
        if entry.get("prev") != prev:
            problems.append(f"line {number} (entry {entry.get('seq')}): does not follow the "
                            "entry before it")
        if entry.get("seq") != seq + 1:
            problems.append(f"line {number}: sequence jumps from {seq} to {entry.get('seq')}")
        prev, seq = stored, int(entry.get("seq", seq + 1))
        seen_head = seen_head or stored == head
    if head is not None and not seen_head:
        problems.append(f"the published head {head} is not in the log: the log was cut before "
                        "it, or rewritten up to it")
    return problems


def main() -> None:
    """Command-line entry: check a file, print problems, exit 1 on any."""
    with open(sys.argv[1], encoding="utf-8") as fh:
        lines = [line for line in fh if line.strip()]
    problems = check(lines, sys.argv[2] if len(sys.argv) > 2 else None)
    for problem in problems:
        print(problem)
    print("OK" if not problems else f"{len(problems)} problem(s)")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
