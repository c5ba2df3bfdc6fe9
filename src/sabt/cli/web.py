"""Web commands: `sabt serve`, `sabt search`, the sign-in credentials `sabt user passwd` and
`sabt user totp`, and API tokens (`sabt token …`). FastAPI and uvicorn are imported inside
`serve` only."""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from sabt.cli.access import user_app
from sabt.cli.app import (
    DEFAULT_WS,
    DatabaseUrlOpt,
    JsonOpt,
    WorkspaceOpt,
    app,
    console,
    err_console,
    session,
)
from sabt.errors import InvalidValue


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    insecure_cookies: Annotated[bool, typer.Option(
        "--insecure-cookies", help="Send the session cookie over plain HTTP too (only for a "
        "server reached on this machine without TLS; see docs/web.md).")] = False,
    workers: Annotated[int, typer.Option(
        "--workers", min=1, max=64, help="Processes serving requests (on a server of its "
        "own, two per core; see docs/web.md).")] = 1,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Start the web application and REST API (/api/v1) on HOST:PORT (see docs/web.md)."""
    import os

    import uvicorn

    from sabt.service import Workspace
    from sabt.web import create_app, served

    options: dict[str, Any] = {
        "host": host, "port": port, "log_level": "warning", "server_header": False,
        "proxy_headers": True, "forwarded_allow_ips": "127.0.0.1"}
    with Workspace.open(workspace, database_url) as ws:
        console.print(f"Sabt at http://{host}:{port}/ (Ctrl+C stops)")
        if workers == 1:
            uvicorn.run(create_app(ws, secure_cookies=not insecure_cookies), **options)
            return
    # each worker process opens the workspace itself (`sabt.web.served`)
    os.environ.update(served.environment(str(workspace.resolve()), database_url,
                                         not insecure_cookies, workers))
    uvicorn.run("sabt.web.served:app", factory=True, workers=workers, **options)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="A name in Persian or Latin script, any spelling.")],
    kind: Annotated[str | None, typer.Option("--kind", help="Only entities of this kind.")
                    ] = None,
    role: Annotated[str, typer.Option(help="Only those with this role (a `role` statement: "
                                           "witness, survivor …; or official: has a post).")
                    ] = "",
    named_on: Annotated[str, typer.Option("--list", help="Only those a statement citing this "
                                                         "source (a list's id) names.")] = "",
    prison: Annotated[str, typer.Option(help="Only those held in this prison (any script or "
                                             "spelling).")] = "",
    province: Annotated[str, typer.Option(help="Only those of this province (any script or "
                                               "spelling).")] = "",
    died_from: Annotated[str, typer.Option(help="Only those who died on or after this day "
                                                "(YYYY-MM-DD).")] = "",
    died_to: Annotated[str, typer.Option(help="Only those who died on or before this day "
                                              "(YYYY-MM-DD).")] = "",
    sensitivity: Annotated[str, typer.Option(help="Only entities marked at this level.")] = "",
    limit: Annotated[int, typer.Option("--limit")] = 20,
    offset: Annotated[int, typer.Option("--offset")] = 0,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Find entities by name in either script and any spelling, best match first; the filters
    narrow the matches by what the statements you may see say."""
    import json
    from dataclasses import asdict

    from sabt.service.search import Filters

    filters = Filters.parse(role=role, list=named_on, prison=prison, province=province,
                            died_from=died_from, died_to=died_to, sensitivity=sensitivity)
    with session(workspace, database_url) as (ws, me):
        page = ws.search.names(me, query, kind=kind, filters=filters, limit=limit,
                               offset=offset)
    if as_json:
        console.print_json(json.dumps(asdict(page), ensure_ascii=False))
        return
    table = Table(title=f"{page.total} match(es) for {escape(query)}")
    for column in ("id", "kind", "label", "matched", "score", "level"):
        table.add_column(column)
    for hit in page.hits:
        table.add_row(hit.id, hit.kind, escape(hit.label),
                      "" if hit.matched == hit.label else escape(hit.matched),
                      f"{hit.score:.2f}", hit.level)
    console.print(table)
    if page.capped:
        err_console.print("many names share a word with this search: only the closest "
                          "candidates were compared; add a word or a filter",
                          highlight=False)


@user_app.command("passwd")
def user_passwd(
    name: Annotated[str, typer.Argument(help="User name.")],
    stdin: Annotated[bool, typer.Option(
        "--stdin", help="Read the password from the first line of standard input (scripts).")
    ] = False,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Set a user's password for signing in to `sabt serve` (yours, or anyone's as an admin)."""
    import getpass

    if stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"new password for {name}: ")
        if getpass.getpass("again: ") != password:
            raise InvalidValue("the two passwords differ", field="password")
    with session(workspace, database_url) as (ws, me):
        ws.signin.set_password(me, name, password)
    console.print(f"password set for {escape(name)}; their open sessions are ended")


@user_app.command("totp")
def user_totp(
    name: Annotated[str, typer.Argument(help="User name.")],
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Give a user a TOTP second factor: prints the otpauth URI and one-time recovery codes."""
    with session(workspace, database_url) as (ws, me):
        factor = ws.signin.enable_totp(me, name)
    console.print("Add this to an authenticator app (it is shown once):")
    console.print(escape(factor.uri), soft_wrap=True, highlight=False)
    console.print("Recovery codes, each usable once instead of a code (keep them offline):")
    for code in factor.recovery_codes:
        console.print(f"  {code}", highlight=False)


@user_app.command("second-factor")
def user_second_factor(
    rule: Annotated[str | None, typer.Argument(
        help="off, admins or everyone; without it, show the rule in force.")] = None,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Who must have a second factor to sign in to the web application (admins set it)."""
    with session(workspace, database_url) as (ws, me):
        if rule is not None:
            ws.signin.require_second_factor(me, rule)
        current = ws.signin.second_factor_rule()
    console.print(f"second factor required for: {current}")


token_app = typer.Typer(help="Tokens for the REST API: create, list, revoke.",
                        no_args_is_help=True)
app.add_typer(token_app, name="token")
_UNITS = {"m": 60, "h": 3600, "d": 86400}


def _duration(text: str) -> timedelta:
    """`30d`, `12h`, `90m` as a timedelta (one line naming the option when it is not one)."""
    number, unit = text[:-1], text[-1:]
    if unit not in _UNITS or not number.isdigit():
        raise InvalidValue(f"--expires {text!r}: write a number and m, h or d (e.g. 30d)",
                           field="expires")
    return timedelta(seconds=int(number) * _UNITS[unit])


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="The user the token acts as.")],
    expires: Annotated[str, typer.Option("--expires", help="How long it lasts: 90m, 12h, 30d "
                                         "(at most 366d).")] = "30d",
    label: Annotated[str, typer.Option("--label", help="What the token is for.")] = "",
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Make an API token (your own, or anyone's as an admin); it is printed once."""
    with session(workspace, database_url) as (ws, me):
        token, info = ws.tokens.create(me, name, expires_in=_duration(expires), label=label)
    console.print(f"token {info.id} for {escape(name)}, expires "
                  f"{info.expires_at:%Y-%m-%d %H:%M} UTC (shown once; send it as "
                  "`Authorization: Bearer TOKEN`):")
    console.print(token, highlight=False, soft_wrap=True)


@token_app.command("list")
def token_list(
    name: Annotated[str, typer.Argument(help="User name.")],
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """A user's tokens (ids, labels, expiry, state; never the tokens themselves)."""
    import json

    with session(workspace, database_url) as (ws, me):
        infos = ws.tokens.list(me, name)
    if as_json:
        console.print_json(json.dumps([
            {"id": i.id, "label": i.label, "created_at": i.created_at.isoformat(),
             "expires_at": i.expires_at.isoformat(), "active": i.active,
             "revoked_at": i.revoked_at.isoformat() if i.revoked_at else None}
            for i in infos], ensure_ascii=False))
        return
    table = Table(title=f"{len(infos)} tokens of {escape(name)}")
    for column in ("id", "label", "created", "expires", "state"):
        table.add_column(column)
    for i in infos:
        state = "revoked" if i.revoked_at else "active" if i.active else "expired"
        table.add_row(i.id, escape(i.label), f"{i.created_at:%Y-%m-%d %H:%M}",
                      f"{i.expires_at:%Y-%m-%d %H:%M}", state)
    console.print(table)


@token_app.command("revoke")
def token_revoke(
    name: Annotated[str, typer.Argument(help="User name.")],
    token_id: Annotated[str, typer.Argument(help="The token's id from `sabt token list`.")],
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Revoke a token at once."""
    with session(workspace, database_url) as (ws, me):
        ws.tokens.revoke(me, name, token_id)
    console.print(f"revoked token {escape(token_id)} of {escape(name)}")
