"""User administration in the browser (admins): the users with their roles, clearance, groups
and state; add a user, change one, disable or enable. Every change asks for the admin's own
password (and code) again. The calls are `ws.users` and `ws.signin`'s; the services decide who
may."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import HTMLResponse

from sabt.policy import Level, Role
from sabt.service.users import new_actor
from sabt.web.app import Visitor, check_csrf, redirect, render, visitor, workspace_of

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["users"])
Who = Annotated[Visitor, Depends(visitor)]
ROLES = [r.value for r in Role if r is not Role.PUBLIC]
LEVELS = [str(level) for level in Level]
Text = Annotated[str, Form(max_length=200)]


def _groups(text: str) -> list[str]:
    return [g.strip() for g in text.split(",") if g.strip()]


def _confirm(request: Request, who: Visitor, csrf: str, password: str, code: str) -> None:
    check_csrf(who, csrf)
    workspace_of(request).signin.reauthenticate(who.actor, password, code)


@pages.get("/users", response_class=HTMLResponse)
def users(request: Request, who: Who, done: Annotated[str, Query(max_length=200)] = "",
          ) -> Response:
    listed = workspace_of(request).users.list(who.actor)
    return render(request, "users.html", {"users": listed, "roles": ROLES, "levels": LEVELS,
                                          "done": done}, who=who)


@pages.post("/users")
def add_user(request: Request, who: Who, name: Annotated[str, Form(max_length=64)],
             my_password: Annotated[str, Form(max_length=1024)],
             roles: Annotated[list[str], Form()], clearance: Annotated[str, Form(max_length=16)],
             csrf: Annotated[str, Form(max_length=128)] = "", my_code: Text = "",
             display_name: Text = "", groups: Text = "", reason: Text = "") -> Response:
    _confirm(request, who, csrf, my_password, my_code)
    user = new_actor(name, roles, clearance=clearance, groups=_groups(groups),
                     display_name=display_name)
    workspace_of(request).users.add(who.actor, user, reason=reason)
    return redirect(f"/users?done=added+{user.id}")


@pages.post("/users/{name}")
def change_user(request: Request, who: Who, name: str,
                my_password: Annotated[str, Form(max_length=1024)],
                roles: Annotated[list[str], Form()],
                clearance: Annotated[str, Form(max_length=16)],
                csrf: Annotated[str, Form(max_length=128)] = "", my_code: Text = "",
                display_name: Text = "", groups: Text = "", reason: Text = "",
                active: Annotated[str, Form(pattern="^(yes|no)$")] = "yes") -> Response:
    _confirm(request, who, csrf, my_password, my_code)
    workspace_of(request).users.update(
        who.actor, name, roles=roles, clearance=clearance, groups=_groups(groups),
        display_name=display_name, active=active == "yes", reason=reason)
    return redirect(f"/users?done=changed+{name}")


@api.get("/users")
def api_users(request: Request, who: Who) -> list[dict[str, Any]]:
    """Every user with roles, clearance, groups and state (admins)."""
    return [{"name": u.id, "display_name": u.display_name,
             "roles": sorted(r.value for r in u.roles), "clearance": str(u.clearance),
             "groups": sorted(u.groups), "active": u.active}
            for u in workspace_of(request).users.list(who.actor)]
