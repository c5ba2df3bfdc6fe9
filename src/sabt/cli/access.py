"""Access commands: users (`sabt user …`), sensitivity marks (`sabt mark`), the audit log."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sabt.cli.app import DEFAULT_WS, DatabaseUrlOpt, JsonOpt, WorkspaceOpt, app, console, session
from sabt.errors import InvalidValue
from sabt.safety import shown

user_app = typer.Typer(help="Users: add, list, change, disable, enable; passwords and second "
                       "factors.", no_args_is_help=True)
app.add_typer(user_app, name="user")

RoleOpt = Annotated[list[str] | None, typer.Option(
    "--role", help="admin, editor, reviewer, analyst or viewer; repeat for several.")]
ClearanceOpt = Annotated[str | None, typer.Option(
    "--clearance", help="Highest level the user sees: public, internal, restricted, "
    "confidential.")]
GroupsOpt = Annotated[list[str] | None, typer.Option(
    "--group", help="An access group the user belongs to; repeat for several.")]
ReasonOpt = Annotated[str, typer.Option("--reason", "-r", help="Why (kept in the revision).")]


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="User name (their id in every record).")],
    role: RoleOpt = None,
    clearance: ClearanceOpt = None,
    group: GroupsOpt = None,
    display_name: Annotated[str, typer.Option("--display-name")] = "",
    reason: ReasonOpt = "",
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Add a user (admins only); clearance defaults to internal."""
    from sabt.service.users import new_actor

    user = new_actor(name, role or [], clearance=clearance or "internal", groups=group or [],
                     display_name=display_name)
    with session(workspace, database_url) as (ws, me):
        ws.users.add(me, user, reason=reason)
    console.print(f"added user {shown(user.describe())}")


@user_app.command("set")
def user_set(
    name: Annotated[str, typer.Argument(help="User name.")],
    role: RoleOpt = None,
    clearance: ClearanceOpt = None,
    group: GroupsOpt = None,
    no_groups: Annotated[bool, typer.Option("--no-groups", help="Take every group away.")
                         ] = False,
    display_name: Annotated[str | None, typer.Option("--display-name")] = None,
    reason: ReasonOpt = "",
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Change a user's roles, clearance, groups or display name (admins only)."""
    if no_groups and group:
        raise InvalidValue("--group and --no-groups together", field="group")
    with session(workspace, database_url) as (ws, me):
        user = ws.users.update(me, name, roles=role or None, clearance=clearance,
                               groups=[] if no_groups else (group or None),
                               display_name=display_name, reason=reason)
    console.print(f"changed user {shown(user.describe())}")


@user_app.command("disable")
def user_disable(
    name: Annotated[str, typer.Argument(help="User name.")],
    reason: ReasonOpt = "",
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Stop a user from acting (kept: their history still names them)."""
    _set_active(name, False, reason, workspace, database_url)


@user_app.command("enable")
def user_enable(
    name: Annotated[str, typer.Argument(help="User name.")],
    reason: ReasonOpt = "",
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Let a disabled user act again."""
    _set_active(name, True, reason, workspace, database_url)


def _set_active(name: str, active: bool, reason: str, workspace: Path,
                database_url: str | None) -> None:
    with session(workspace, database_url) as (ws, me):
        ws.users.update(me, name, active=active, reason=reason)
    console.print(f"{'enabled' if active else 'disabled'} user {shown(name)}")


@user_app.command("list")
def user_list(
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Every user with roles, clearance, groups and state (admins only)."""
    import json

    with session(workspace, database_url) as (ws, me):
        users = ws.users.list(me)
    if as_json:
        console.print_json(json.dumps([
            {"name": u.id, "display_name": u.display_name,
             "roles": sorted(r.value for r in u.roles), "clearance": str(u.clearance),
             "groups": sorted(u.groups), "active": u.active} for u in users],
            ensure_ascii=False))
        return
    table = Table(title=f"{len(users)} users")
    for column in ("name", "display name", "roles", "clearance", "groups", "state"):
        table.add_column(column)
    for u in users:
        table.add_row(shown(u.id), shown(u.display_name), ", ".join(sorted(u.roles)),
                      str(u.clearance), shown(", ".join(sorted(u.groups))),
                      "active" if u.active else "disabled")
    console.print(table)


@app.command()
def mark(
    target: Annotated[str, typer.Argument(
        help="An entity, source or list id; a statement number; a list record SOURCE#ROW; "
        "or a vault item's SHA-256. In bulk (--list, or --property alone), just the level.")],
    level: Annotated[str | None, typer.Argument(
        help="public, internal, restricted or confidential.", show_default=False)] = None,
    property: Annotated[str | None, typer.Option(
        "--property", "-p", help="With a target: mark one property of that entity. In bulk: "
        "every statement of this property (e.g. 'date of death').")
    ] = None,
    list_id: Annotated[str | None, typer.Option(
        "--list", "-l", help="In bulk: every statement citing this list or source.")] = None,
    kind: Annotated[str, typer.Option(
        "--kind", help="In bulk: statements of entities of this kind only.")] = "person",
    persons: Annotated[bool, typer.Option(
        "--persons", help="In bulk: mark the entities the chosen statements are about (e.g. "
        "make the persons a list names publishable), not the statements.")] = False,
    group: Annotated[list[str] | None, typer.Option(
        "--group", help="Only members of this access group may see it; repeat for several.")
    ] = None,
    reason: ReasonOpt = "",
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Set how sensitive an item is (who may see it), or many at once: `sabt mark --list S3
    public`, `sabt mark --property 'date of death' public`, `sabt mark --list S3 --persons
    public`. Recorded in each item's history."""
    if level is None:
        if list_id is None and property is None:
            raise InvalidValue("give a target and a level, or --list / --property and a level",
                               field="level")
        with session(workspace, database_url) as (ws, me):
            done = ws.entities.mark_many(me, target, source=list_id, property=property,
                                         kind=kind or None, entities=persons,
                                         groups=group or [], reason=reason)
        console.print(f"marked {done.marked} {done.what} {target}"
                      + (f"; {done.skipped} left alone (you may not mark them)"
                         if done.skipped else ""))
        return
    if list_id is not None or persons:
        raise InvalidValue("--list and --persons mark in bulk: give only the level",
                           field="list")
    with session(workspace, database_url) as (ws, me):
        old = ws.entities.mark(me, target, level, property=property, groups=group or [],
                               reason=reason)
    what = f"{target} {property!r}" if property else target
    console.print(f"marked {shown(what)} {level} (was {old or 'unmarked: internal'})")


@app.command()
def audit(
    user: Annotated[str | None, typer.Option("--user", help="Only this user's entries.")] = None,
    item: Annotated[str | None, typer.Option("--item", help="Only entries about this item.")
                    ] = None,
    since: Annotated[datetime | None, typer.Option(
        "--since", help="Only entries from this date or time on (ISO).")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 200,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """The read audit: reads of restricted items, exports, logins, refused actions (admins)."""
    import json

    with session(workspace, database_url) as (ws, me):
        entries = ws.audit.entries(me, user=user, item=item, since=since, limit=limit)
    if as_json:
        console.print_json(json.dumps([e.to_dict() for e in entries], ensure_ascii=False))
        return
    table = Table(title=f"audit: {len(entries)} entries, newest first")
    for column in ("at", "user", "action", "item", "outcome", "detail"):
        table.add_column(column)
    for e in entries:
        table.add_row(e.at.isoformat(timespec="seconds"), shown(e.actor), e.action,
                      shown(e.item or ""), e.outcome, shown(e.detail))
    console.print(table)
