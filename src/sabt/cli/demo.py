"""`sabt demo`: build the demo case and show what it holds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sabt.cli.app import acting_user, app, console, session


@app.command()
def demo(
    workspace: Annotated[Path, typer.Option("--workspace", "-w",
                                            help="Where to build the demo workspace.")
                         ] = Path("sabt-demo"),
    fresh: Annotated[bool, typer.Option("--fresh", help="Rebuild from scratch.")] = False,
) -> None:
    """Build the 1988 demo case in an embedded workspace and show the results."""
    from sabt.demo import build_demo

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task("demo", total=1)

        def step(name: str, done: int, total: int) -> None:
            bar.update(task, description=name, completed=done, total=total)

        result = build_demo(workspace, admin=acting_user(), fresh=fresh, progress=step)
    state = "built" if result.rebuilt else "already built (--fresh rebuilds it)"
    console.rule(f"[bold]Sabt demo[/] — {result.workspace} {state}")
    with session(result.workspace, None) as (ws, me):
        counts = ws.entities.counts(me)
        boards = ws.claims.board(me)
        synthetic = ws.estimates.stored(me, synthetic=True)
    console.print("workspace: " + ", ".join(f"{v:,} {k}" for k, v in sorted(counts.items())))
    table = Table(title="Published figures by subject (each claim cites its source)")
    for name in ("subject", "claims", "lowest", "highest"):
        table.add_column(name)
    for board in boards:
        values = [v for c in board.claims for v in (c.low, c.high) if v is not None]
        table.add_row(board.subject, str(len(board.claims)),
                      f"{min(values):,.0f}" if values else "—",
                      f"{max(values):,.0f}" if values else "—")
    console.print(table)
    if synthetic:
        est = Table(title="[bold]SYNTHETIC[/] lists: estimates (not a finding about 1988)",
                    caption="true N of the synthetic population: "
                            f"{int(synthetic[0].inputs.get('true N', 0)):,}")
        for name in ("method", "model", "estimate", "95% interval"):
            est.add_column(name)
        for e in synthetic:
            est.add_row(e.method, e.model[:40], f"{e.estimate:,.0f}" if e.estimate else "—",
                        f"{e.lower:,.0f} – {e.upper:,.0f}" if e.lower and e.upper else "—")
        console.print(est)
    for key, value in result.summary.items():
        if isinstance(value, dict):
            console.print(f"  {key}:")
            for name, figure in value.items():
                console.print(f"    {name}: {figure:,}" if isinstance(figure, int)
                              else f"    {name}: {figure}")
        else:
            console.print(f"  {key}: {value}")
    console.print(f"\nReport: [bold]{result.report}[/] (open it in a browser; works offline)")
    console.print(f"Case file of an official: [bold]{result.case_file}[/] (dossier.pdf, "
                  f"dossier.html; VERIFY.md says how to check it)")
    console.print(f"Explore: sabt claims -w {result.workspace} · sabt show PER02 -w "
                  f"{result.workspace} · sabt export --format popolo -w {result.workspace}")
