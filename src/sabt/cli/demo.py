"""`sabt demo`: build the demo case and show what it holds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sabt.cli.app import app, console
from sabt.cli.render import entity_panel
from sabt.demo import build_demo
from sabt.store.workspace import Workspace


@app.command()
def demo(
    workspace: Annotated[Path, typer.Option("--workspace", "-w",
                                            help="Where to build the demo workspace.")
                         ] = Path("sabt-demo"),
    fresh: Annotated[bool, typer.Option("--fresh", help="Rebuild from scratch.")] = False,
) -> None:
    """Build the 1988 demo case in an embedded workspace and show the results."""
    with console.status("building the demo workspace…"):
        result = build_demo(workspace, fresh=fresh)
    state = "built" if result.rebuilt else "already built (use --fresh to rebuild)"
    console.rule(f"[bold]Sabt demo[/] — workspace {result.workspace} {state}")
    with Workspace.open(result.workspace) as ws:
        table = Table(title="sources")
        for name in ("id", "title", "sha256"):
            table.add_column(name, overflow="fold")
        for source_id in result.sources:
            details = ws.source_details(source_id)
            table.add_row(source_id, details["title"], (details["sha256"] or "")[:16] + "…")
        console.print(table)
        for entity_id in result.featured:
            console.print(entity_panel(ws.entity(entity_id)))
    console.print(f"Explore: [bold]sabt show ID -w {result.workspace}[/], "
                  f"[bold]sabt history ID -w {result.workspace}[/]")
