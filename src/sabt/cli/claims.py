"""Case data and the claims board: `sabt import-case`, `sabt claims`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sabt.claims.board import Board, claim_order
from sabt.cli.app import DEFAULT_WS, DatabaseUrlOpt, JsonOpt, WorkspaceOpt, app, console, session
from sabt.safety import shown


@app.command("import-case")
def import_case(
    folder: Annotated[Path, typer.Argument(help="Folder with sources.csv, claims.csv, persons.csv"
                                                ", organizations.csv, posts.csv, places.csv, "
                                                "events.csv")],
    title: Annotated[str, typer.Option("--title", help="Name of the dataset (cited for what "
                                                       "its compilers supplied).")],
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Import a curated case dataset: every row becomes statements citing its sources."""
    with session(workspace, database_url) as (ws, me):
        counts, warnings = ws.claims.import_case(me, folder, title)
    for warning in warnings:
        console.print(f"[yellow]warning:[/] {shown(warning)}", highlight=False)
    console.print("imported " + ", ".join(f"{v} {k}" for k, v in counts.items()))


def board_table(board: Board) -> Table:
    """One subject's claims side by side, oldest claim first."""
    table = Table(title=f"{shown(board.subject)}  {shown(f'[{board.subject_id}]')}",
                  show_lines=True,
                  title_justify="left")
    for name, width in (("claim", 6), ("figure", 14), ("claimant", 18), ("date", 10),
                        ("source", 26), ("quote", 40), ("flags", 10)):
        table.add_column(name, max_width=width, overflow="fold")
    for c in sorted(board.claims, key=claim_order):
        claimant = c.claimant + (f"\n({c.claimant_type})" if c.claimant_type else "")
        if c.attributed_to:
            claimant += f"\ncredits: {c.attributed_to}"
        source = (shown(f"{c.source_id}: {c.source_title}" + (f" — {c.source_publisher}"
                                                               if c.source_publisher else ""))
                  if c.source_id else "[bold yellow]unsourced[/]")
        flags = ", ".join(("⚠ " if f == "disputed" else "") + f for f in c.flags)
        table.add_row(shown(c.claim_id), shown(c.figure), shown(claimant),
                      c.date.edtf if c.date else "—", source, shown(c.quote), shown(flags))
    return table


@app.command()
def claims(
    subject: Annotated[str | None, typer.Argument(help="Subject id or words in its label.")
                       ] = None,
    json_out: JsonOpt = False,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Every published figure on a subject side by side, with Sabt's estimates beside them."""
    with session(workspace, database_url) as (ws, me):
        boards = ws.claims.board(me, subject)
    if json_out:
        from dataclasses import asdict

        console.print_json(json.dumps([asdict(b) for b in boards], ensure_ascii=False,
                                      default=str))
        return
    for board in boards:
        console.print(board_table(board))
        if board.estimates:
            est = Table(title="Sabt's estimates for this subject")
            for name in ("method", "model", "estimate", "95% interval", "inputs"):
                est.add_column(name)
            for e in board.estimates:
                est.add_row(e.method, e.model, f"{e.estimate:,.0f}" if e.estimate else "—",
                            f"{e.lower:,.0f} – {e.upper:,.0f}" if e.lower and e.upper else "—",
                            json.dumps(e.inputs, ensure_ascii=False)[:80])
            console.print(est)
        else:
            console.print("[dim]No estimate computed by Sabt for this subject.[/]\n")


@app.command()
def report(
    out: Annotated[Path, typer.Option("--out", "-o", help="The HTML file to write.")
                   ] = Path("report.html"),
    title: Annotated[str, typer.Option("--title")] = "Sabt case report",
    persons: Annotated[int | None, typer.Option(
        "--persons", help="List at most this many persons by name in the person index (the "
                          "rest are counted; default 5,000).", show_default=False)] = None,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Write the case report: claims board, estimates, persons, officials, places, timeline,
    vault and sources — what you may see, in one HTML file that works offline."""
    with session(workspace, database_url) as (ws, me):
        withheld = ws.reports.write(me, out, title, index_limit=persons)
    console.print(f"wrote {out}" + (f" ({withheld} items you may not see left out)"
                                    if withheld else ""))
