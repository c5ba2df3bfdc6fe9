"""`ws.exports`: whole-workspace exports (lossless JSON Lines, for admins: it holds everything)
and the Popolo export of persons and posts (what the reader may see). Every export is audited.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from sabt.claims.popolo import popolo
from sabt.policy import Action, Actor
from sabt.service.guard import Guard
from sabt.service.sight import Sight
from sabt.store.workspace import Store


def write_atomically(out: Path, text_writer: Any) -> Any:
    """Write a file through a `.partial` sibling renamed at the end: never half a file."""
    tmp = out.with_name(out.name + ".partial")
    try:
        with tmp.open("w", encoding="utf-8") as handle:
            result = text_writer(handle)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return result


class Exports:
    def __init__(self, store: Store, guard: Guard) -> None:
        self.store = store
        self.guard = guard

    def jsonl(self, actor: Actor, out: Path | None) -> int:
        """The whole workspace as JSON Lines (`import-jsonl` reads it back); to stdout without
        `out`. Returns the number of rows."""
        self.guard.require(actor, Action.EXPORT)
        self.guard.record(actor, "export", None, "export", f"jsonl to {out or 'stdout'}")
        if out is None:
            return self.store.export_jsonl(sys.stdout)
        n: int = write_atomically(out, self.store.export_jsonl)
        return n

    def popolo(self, actor: Actor) -> tuple[dict[str, Any], int]:
        """Persons, organisations and memberships the actor may see, as Popolo; and how many
        entities and statements were withheld."""
        self.guard.require(actor, Action.VIEW)
        sight = Sight(actor, self.store)
        document = popolo(self.store, sight)
        self.guard.record(actor, "export", None, "export",
                          f"popolo, {sight.withheld} item(s) withheld")
        return document, sight.withheld

    def popolo_text(self, actor: Actor) -> tuple[str, int]:
        document, withheld = self.popolo(actor)
        return json.dumps(document, ensure_ascii=False, indent=2), withheld
