"""Users of a workspace: who they are, their roles, clearance and access groups.

A user's name is the actor id recorded as the author of revisions, custody entries and review
decisions. Only admins manage users; a disabled user is kept (their history names them) but can
no longer act.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from sabt.errors import InvalidValue, NotFound, SabtError, Unauthenticated
from sabt.policy import PUBLIC, Action, Actor, Level, Role
from sabt.policy.levels import check_group
from sabt.service.guard import Guard
from sabt.store import access
from sabt.store.workspace import Store

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")


def check_user_name(name: str) -> str:
    if not _NAME.match(name) or name == PUBLIC.id:
        raise InvalidValue(f"invalid user name {name!r}: a letter or digit, then up to 63 "
                           "letters, digits or _ . @ - ('public' is reserved)", field="user")
    return name


def new_actor(name: str, roles: Iterable[str | Role], *, clearance: str | Level = Level.INTERNAL,
              groups: Iterable[str] = (), display_name: str = "") -> Actor:
    """A user as given on the command line or a form, checked."""
    parsed = frozenset(r if isinstance(r, Role) else Role.parse(r) for r in roles)
    if not parsed:
        raise InvalidValue("a user needs at least one role", field="role")
    if Role.PUBLIC in parsed:
        raise InvalidValue("'public' is the anonymous visitor, not a role to give", field="role")
    level = clearance if isinstance(clearance, Level) else Level.parse(clearance)
    return Actor(check_user_name(name), parsed, level,
                 frozenset(check_group(g) for g in groups), True, display_name.strip())


class Users:
    """`ws.users`: add, change, disable and list users; resolve a name into an actor."""

    def __init__(self, store: Store, guard: Guard) -> None:
        self.store = store
        self.guard = guard

    def resolve(self, name: str) -> Actor:
        """The actor for a user name; unknown and disabled users are refused (and audited)."""
        with self.store.connect() as conn:
            row = access.user_row(conn, name)
        if row is None or not row.active:
            self.guard.record(name, "login", None, "failed",
                              "unknown user" if row is None else "disabled user")
            raise Unauthenticated(f"no active user {name!r} in this workspace"
                                  + ("" if row is None else " (disabled)")
                                  + "; an admin adds users with `sabt user add`")
        return access.actor_from_row(row)

    def add(self, actor: Actor, user: Actor, *, reason: str = "") -> Actor:
        self.guard.require(actor, Action.ADMIN)
        with self.store.change(actor.id, reason or f"add user {user.id}") as ch:
            if access.user_row(ch.conn, user.id) is not None:
                raise SabtError(f"user {user.id!r} already exists")
            access.insert_user(ch.conn, user, ch.revision_id)
            ch._log("user", detail=f"added user {user.id}: {_summary(user)}")
        return user

    def update(self, actor: Actor, name: str, *, roles: Iterable[str] | None = None,
               clearance: str | None = None, groups: Iterable[str] | None = None,
               active: bool | None = None, display_name: str | None = None,
               reason: str = "") -> Actor:
        """Change a user's roles, clearance, groups, display name or whether they may act."""
        self.guard.require(actor, Action.ADMIN)
        with self.store.change(actor.id, reason or f"change user {name}") as ch:
            row = access.user_row(ch.conn, name)
            if row is None:
                raise NotFound(f"no user {name!r}")
            old = access.actor_from_row(row)
            new = new_actor(name, roles if roles is not None else old.roles,
                            clearance=clearance if clearance is not None else old.clearance,
                            groups=groups if groups is not None else old.groups,
                            display_name=display_name if display_name is not None
                            else old.display_name)
            new = replace(new, active=old.active if active is None else active)
            if Role.ADMIN in old.roles and old.active and not (Role.ADMIN in new.roles
                                                                and new.active):
                admins = [u for u in access.all_users(ch.conn)
                          if Role.ADMIN in u.roles and u.active and u.id != name]
                if not admins:
                    raise SabtError(f"{name} is the last active admin: add another admin first")
            access.update_user(ch.conn, new)
            ch._log("user", detail=f"changed user {name}: {_summary(old)} → {_summary(new)}")
        return new

    def list(self, actor: Actor) -> list[Actor]:
        self.guard.require(actor, Action.ADMIN)
        with self.store.connect() as conn:
            return access.all_users(conn)


def _summary(user: Actor) -> str:
    groups = f", groups {', '.join(sorted(user.groups))}" if user.groups else ""
    state = "" if user.active else ", disabled"
    return (f"roles {', '.join(sorted(r.value for r in user.roles))}, cleared for "
            f"{user.clearance}{groups}{state}")
