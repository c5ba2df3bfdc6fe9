"""The typer application and the options every command shares; commands live beside it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

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
