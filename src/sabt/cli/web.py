"""Web commands: `sabt serve`, `sabt search`, and the sign-in credentials `sabt user passwd` and
`sabt user totp`. FastAPI and uvicorn are imported inside `serve` only."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from sabt.cli.access import user_app
from sabt.cli.app import DEFAULT_WS, DatabaseUrlOpt, JsonOpt, WorkspaceOpt, app, console, session
from sabt.errors import InvalidValue


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    insecure_cookies: Annotated[bool, typer.Option(
        "--insecure-cookies", help="Send the session cookie over plain HTTP too (only for a "
        "server reached on this machine without TLS; see docs/web.md).")] = False,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Start the web application and REST API (/api/v1) on HOST:PORT (see docs/web.md)."""
    import uvicorn

    from sabt.service import Workspace
    from sabt.web import create_app

    with Workspace.open(workspace, database_url) as ws:
        web = create_app(ws, secure_cookies=not insecure_cookies)
        console.print(f"Sabt at http://{host}:{port}/ (Ctrl+C stops)")
        uvicorn.run(web, host=host, port=port, log_level="warning", server_header=False,
                    proxy_headers=True, forwarded_allow_ips="127.0.0.1")


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="A name in Persian or Latin script, any spelling.")],
    kind: Annotated[str | None, typer.Option("--kind", help="Only entities of this kind.")
                    ] = None,
    limit: Annotated[int, typer.Option("--limit")] = 20,
    offset: Annotated[int, typer.Option("--offset")] = 0,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Find entities by name in either script and any spelling, best match first."""
    import json
    from dataclasses import asdict

    with session(workspace, database_url) as (ws, me):
        page = ws.search.names(me, query, kind=kind, limit=limit, offset=offset)
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
