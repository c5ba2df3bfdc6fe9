"""The typer application and the options every command shares; commands live beside it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from sabt.policy import Actor
    from sabt.service import Workspace

app = typer.Typer(
    name="sabt",
    help="Sabt (ثبت): sourced documentation, cross-script record linkage and estimation.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()
err_console = Console(stderr=True, soft_wrap=True)

DEFAULT_WORKSPACE = "sabt-workspace"


WorkspaceOpt = Annotated[
    Path,
    typer.Option(
        "--workspace",
        "-w",
        envvar="SABT_WORKSPACE",
        help="Workspace folder (env SABT_WORKSPACE, else ./sabt-workspace).",
        show_default=False,
    ),
]
DEFAULT_WS = Path(DEFAULT_WORKSPACE)  # use as `workspace: WorkspaceOpt = DEFAULT_WS`
DatabaseUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="SABT_DATABASE_URL",
        help="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db "
        "(default: SQLite in the workspace).",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


class _Acting:
    """The user named by a global `--as NAME` (taken out of the arguments by `main`)."""

    name: str | None = None


def acting_user() -> str:
    """Who the CLI acts as: `--as NAME`, else $SABT_USER, else the login name."""
    import getpass
    import os

    if _Acting.name:
        return _Acting.name
    try:
        return os.environ.get("SABT_USER") or getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "unknown"


@contextmanager
def session(workspace: Path, database_url: str | None) -> Iterator[tuple[Workspace, Actor]]:
    """The workspace's services and the acting user (refused when unknown or disabled)."""
    from sabt.service import Workspace

    with Workspace.open(workspace, database_url) as ws:
        yield ws, ws.actor(acting_user())
