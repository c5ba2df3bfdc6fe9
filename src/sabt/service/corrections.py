"""`ws.corrections`: corrections and missing names sent from the memorial, for editors.

Anyone may send one (the anonymous public included): it is stored `internal`, pending, and is
never shown on the memorial; editors cleared for `internal` list them and accept or reject each.
Accepting records the decision only: the editor then makes the change (a statement with its
source) like any other. Nothing identifying the sender is stored beyond what they wrote.

Each sender (the caller names them by `client`, e.g. the connection's address) may send at most
`LIMIT_EVENTS` messages an hour; the count is kept in memory only, for at most `LIMIT_CLIENTS`
senders, and never stored.
"""

from __future__ import annotations

import builtins
import threading
import time
import unicodedata
from collections import OrderedDict, deque
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, update

from sabt.errors import InvalidValue, NotFound, SabtError
from sabt.policy import Action, Actor, Level, Mark
from sabt.publish.tables import memorial_correction as mc
from sabt.service.guard import Guard
from sabt.store.ids import allocate
from sabt.store.workspace import Store

MAX_TEXT = 4000
MAX_CONTACT = 200
MAX_NAME = 200
MISSING = "Missing name: "     # how a missing name's message begins (editors see it so)
LIMIT_EVENTS = 5            # messages a sender may send …
LIMIT_SECONDS = 3600        # … per hour
LIMIT_CLIENTS = 10_000      # senders remembered at most (the oldest forgotten first)
LEVEL = Level.INTERNAL
STATUSES = ("pending", "accepted", "rejected")


@dataclass(frozen=True)
class Correction:
    id: int
    entity_id: str | None
    lang: str
    text: str
    contact: str
    status: str
    received_at: datetime
    decided_by: str | None
    note: str | None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["received_at"] = self.received_at.isoformat()
        return out


class RateLimited(SabtError):
    """A sender sent too many messages lately: try again later."""


class RateLimit:
    """At most `events` per `seconds` per client, in memory, for at most `clients` clients."""

    def __init__(self, events: int = LIMIT_EVENTS, seconds: float = LIMIT_SECONDS,
                 clients: int = LIMIT_CLIENTS) -> None:
        self.events, self.seconds, self.clients = events, seconds, clients
        self.seen: OrderedDict[str, deque[float]] = OrderedDict()
        self.lock = threading.Lock()

    def allow(self, client: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self.lock:
            times = self.seen.pop(client, deque())
            while times and now - times[0] >= self.seconds:
                times.popleft()
            allowed = len(times) < self.events
            if allowed:
                times.append(now)
            self.seen[client] = times
            while len(self.seen) > self.clients:
                self.seen.popitem(last=False)
        return allowed


def clean(text: str, limit: int, field: str, *, required: bool) -> str:
    """A visitor's text: control characters (but line breaks) removed, trimmed, within limit."""
    kept = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C"
                   or ch == "\u200c").strip()
    if required and not kept:
        raise InvalidValue("is empty", field=field)
    if len(kept) > limit:
        raise InvalidValue(f"at most {limit} characters", field=field)
    return kept


class Corrections:
    def __init__(self, store: Store, guard: Guard) -> None:
        self.store = store
        self.guard = guard
        self.limit = RateLimit()

    def _allow(self, client: str | None) -> None:
        if client is not None and not self.limit.allow(client):
            raise RateLimited("too many messages from this sender lately: try again later")

    def submit(self, actor: Actor, entity_id: str | None, text: str, *, contact: str = "",
               lang: str = "en", client: str | None = None) -> int:
        """Keep a visitor's correction as pending (`entity_id`: the memorial page it was sent
        from; the caller checks that the page is published). `client`: the sender, counted
        against the rate limit (every message counts, a refused one too)."""
        self.guard.require(actor, Action.VIEW)
        self._allow(client)
        body = clean(text, MAX_TEXT, "text", required=True)
        reach = clean(contact, MAX_CONTACT, "contact", required=False)
        return self._keep(actor, entity_id, body, reach, lang)

    def submit_missing(self, actor: Actor, name: str, *, details: str = "", contact: str = "",
                       lang: str = "en", client: str | None = None) -> int:
        """Keep a name missing from the memorial as a pending message for an editor (never
        published: an editor adds the person with a source). `name` is required and must hold
        a letter; `details` (dates, place, prison, how the sender knows) and `contact` are
        optional. Rate-limited like `submit`."""
        self.guard.require(actor, Action.VIEW)
        self._allow(client)
        who = " ".join(clean(name, MAX_NAME, "name", required=True).split())
        if not any(ch.isalpha() for ch in who):
            raise InvalidValue("must hold a name (letters)", field="name")
        more = clean(details, MAX_TEXT, "details", required=False)
        reach = clean(contact, MAX_CONTACT, "contact", required=False)
        body = f"{MISSING}{who}" + (f"\n\n{more}" if more else "")
        return self._keep(actor, None, body, reach, lang)

    def _keep(self, actor: Actor, entity_id: str | None, body: str, reach: str,
              lang: str) -> int:
        with self.store.engine.begin() as conn:
            self.store._begin_write(conn)   # a visitor's message is not a workspace revision
            new_id = allocate(conn, "memorial_correction")
            conn.execute(insert(mc).values(
                id=new_id, entity_id=entity_id, lang=lang if lang in ("en", "fa") else "en",
                text=body, contact=reach, level=str(LEVEL), status="pending",
                received_at=datetime.now(UTC)))
        self.guard.record(actor, "correction", entity_id, "received", f"correction {new_id}")
        return new_id

    def _require(self, actor: Actor) -> None:
        self.guard.require(actor, Action.EDIT, (Mark(LEVEL),), item="corrections",
                           missing="no corrections")

    def list(self, actor: Actor, status: str | None = "pending",
             ) -> builtins.list[Correction]:
        """Corrections with a status (all with None), oldest first; editors only."""
        self._require(actor)
        query = select(mc).order_by(mc.c.id)
        if status is not None:
            if status not in STATUSES:
                raise InvalidValue(f"status is one of {', '.join(STATUSES)}", field="status")
            query = query.where(mc.c.status == status)
        with self.store.connect() as conn:
            rows = conn.execute(query).all()
        return [Correction(r.id, r.entity_id, r.lang, r.text, r.contact, r.status,
                           r.received_at, r.decided_by, r.note) for r in rows]

    def pending_count(self, actor: Actor) -> int:
        self._require(actor)
        with self.store.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(mc).where(
                mc.c.status == "pending")).scalar_one())

    def decide(self, actor: Actor, correction_id: int, accept: bool, note: str = "") -> None:
        """Accept or reject a pending correction (the decision is a revision of its own)."""
        self._require(actor)
        with self.store.change(actor.id, f"correction {correction_id} "
                                         f"{'accepted' if accept else 'rejected'}") as ch:
            row = ch.conn.execute(select(mc.c.status).where(mc.c.id == correction_id)).first()
            if row is None:
                raise NotFound(f"no correction {correction_id}")
            if row.status != "pending":
                raise InvalidValue(f"correction {correction_id} is already {row.status}",
                                   field="id")
            ch.conn.execute(update(mc).where(mc.c.id == correction_id).values(
                status="accepted" if accept else "rejected", decided_by=actor.id,
                decided_at=datetime.now(UTC), note=note or None))
