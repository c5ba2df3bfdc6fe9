"""`ws.tokens`: tokens for the REST API (``Authorization: Bearer sabt_…``).

A token acts as its user, with the user's roles, clearance and groups as they are when it is
used (a disabled user's tokens stop working at once). The token is shown once when it is made;
the database keeps only its SHA-256, a label, the expiry and when it was revoked. Users make
and revoke their own tokens; admins anyone's. Making, revoking and refusing a token are in the
audit.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update

from sabt.errors import InvalidValue, NotFound
from sabt.policy import Action, Actor
from sabt.service.guard import Guard
from sabt.store import access
from sabt.store.credentials import api_token, secret_digest
from sabt.store.schema import as_utc
from sabt.store.workspace import Store

PREFIX = "sabt_"
MAX_LIFETIME = timedelta(days=366)


@dataclass(frozen=True)
class TokenInfo:
    """A token as listed: its id (the first 12 hex digits of its SHA-256), never the token."""

    id: str
    user: str
    label: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.expires_at > datetime.now(UTC)


class Tokens:
    def __init__(self, store: Store, guard: Guard) -> None:
        self.store = store
        self.guard = guard

    def _target(self, actor: Actor, name: str) -> None:
        """Users manage their own tokens; admins anyone's (a missing user: NotFound)."""
        if actor.id != name:
            self.guard.require(actor, Action.ADMIN)
        else:
            self.guard.require(actor, Action.VIEW)
        with self.store.connect() as conn:
            if access.user_row(conn, name) is None:
                raise NotFound(f"no user {name!r}")

    def create(self, actor: Actor, name: str, *, expires_in: timedelta,
               label: str = "") -> tuple[str, TokenInfo]:
        """A new token for user `name`, valid for `expires_in`; returns the token (shown once)
        and what is stored about it."""
        self._target(actor, name)
        if not timedelta(minutes=1) <= expires_in <= MAX_LIFETIME:
            raise InvalidValue("a token lasts between one minute and 366 days",
                               field="expires")
        token = PREFIX + secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        row = {"token_sha256": secret_digest(token), "name": name, "label": label[:200],
               "created_at": now, "expires_at": now + expires_in, "revoked_at": None}
        with self.store.working() as conn:
            conn.execute(insert(api_token).values(**row))
        info = _info(row)
        self.guard.record(actor, "token", name, "done",
                          f"token {info.id} made, expires {info.expires_at:%Y-%m-%d %H:%M} UTC")
        return token, info

    def list(self, actor: Actor, name: str) -> list[TokenInfo]:
        """A user's tokens, newest first (revoked and expired ones too)."""
        self._target(actor, name)
        with self.store.connect() as conn:
            rows = conn.execute(select(api_token).where(api_token.c.name == name)
                                .order_by(api_token.c.created_at.desc())).mappings().all()
        return [_info(r) for r in rows]

    def revoke(self, actor: Actor, name: str, token_id: str) -> None:
        """Revoke user `name`'s token whose id is `token_id` (from `list`)."""
        self._target(actor, name)
        if len(token_id) < 8 or not all(c in "0123456789abcdef" for c in token_id):
            raise InvalidValue("a token id is at least 8 hex digits (from `sabt token list`)",
                               field="id")
        mine = (api_token.c.name == name) & api_token.c.token_sha256.startswith(token_id) \
            & api_token.c.revoked_at.is_(None)
        with self.store.working() as conn:
            hits = conn.execute(select(api_token.c.token_sha256).where(mine)).scalars().all()
            if len(hits) != 1:
                raise NotFound(f"no active token {token_id} of {name}" if not hits
                               else f"token id {token_id} is ambiguous: give more digits")
            conn.execute(update(api_token).where(api_token.c.token_sha256 == hits[0])
                         .values(revoked_at=datetime.now(UTC)))
        self.guard.record(actor, "token", name, "done", f"token {token_id} revoked")

    def actor(self, token: str) -> Actor | None:
        """Who a bearer token acts as: none when unknown, expired, revoked or the user is
        disabled (each refusal is audited, without the token)."""
        if not token.startswith(PREFIX) or len(token) > 100:
            return None
        with self.store.connect() as conn:
            row = conn.execute(select(api_token).where(
                api_token.c.token_sha256 == secret_digest(token))).first()
            user = access.user_row(conn, row.name) if row is not None else None
        if row is None:
            return None
        info = _info(row._mapping)
        if not info.active or user is None or not user.active:
            why = ("revoked" if info.revoked_at else "expired" if not info.active
                   else "user disabled")
            self.guard.record(row.name, "token", row.name, "failed",
                              f"token {info.id} refused ({why})")
            return None
        return access.actor_from_row(user)


def _info(row: Mapping[Any, Any]) -> TokenInfo:
    return TokenInfo(id=str(row["token_sha256"])[:12], user=str(row["name"]),
                     label=str(row["label"]), created_at=as_utc(row["created_at"]),
                     expires_at=as_utc(row["expires_at"]),
                     revoked_at=as_utc(row["revoked_at"]) if row["revoked_at"] else None)
