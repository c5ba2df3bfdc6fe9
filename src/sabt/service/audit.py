"""`ws.audit`: the read audit as admins read it (who read which restricted item, exports,
logins, refused actions), newest first."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sabt.policy import Action, Actor
from sabt.service.guard import Guard
from sabt.store import access
from sabt.store.workspace import Store


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    item: str | None
    outcome: str
    detail: str

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["at"] = self.at.isoformat()
        return out


class Audit:
    def __init__(self, store: Store, guard: Guard) -> None:
        self.store = store
        self.guard = guard

    def entries(self, actor: Actor, *, user: str | None = None, item: str | None = None,
                since: datetime | None = None, limit: int = 200,
                offset: int = 0) -> list[AuditEntry]:
        self.guard.require(actor, Action.ADMIN)
        with self.store.connect() as conn:
            rows = access.read_audit(conn, user=user, item=item, since=since, limit=limit,
                                     offset=offset)
        return [AuditEntry(r.id, r.at, r.actor, r.action, r.item, r.outcome, r.detail)
                for r in rows]
