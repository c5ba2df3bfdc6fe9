"""Extraction commands: extract spans from a file, review the suggestion queue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sabt.cli.app import DEFAULT_WS, DatabaseUrlOpt, JsonOpt, WorkspaceOpt, app, console, session
from sabt.errors import SabtError
from sabt.extract import extract as run_extract
from sabt.extract.mentions import Gazetteer
from sabt.store.workspace import MARKER
from sabt.vault import readers


def _gazetteer(workspace: Path, database_url: str | None) -> Gazetteer | None:
    """The workspace's known entities, when there is a workspace to read."""
    if not (workspace / MARKER).exists():
        return None
    with session(workspace, database_url) as (ws, me):
        return ws.suggestions.gazetteer(me)


@app.command()
def extract(
    file: Annotated[Path, typer.Argument(help="A text, HTML, PDF or DOCX file.")],
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Print toll claims, quotes, dates and entity mentions in a file (offsets into its text)."""
    if not file.is_file():
        raise SabtError("no such file", file=str(file))
    reading = readers.read(file, str(file))
    if reading.text is None:
        raise SabtError(f"no text in a {reading.media_type} file", file=str(file))
    result = run_extract(reading.text, _gazetteer(workspace, database_url))
    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
        return
    table = Table("kind", "span", "text", "details")
    for kind, spans in result.to_json().items():
        for span in spans:
            details = {k: v for k, v in span.items() if k not in ("text", "start", "end")}
            table.add_row(kind[:-1], f"{span['start']}–{span['end']}", str(span["text"])[:60],
                          json.dumps(details, ensure_ascii=False))
    console.print(table)


@app.command()
def suggestions(
    accept: Annotated[int | None, typer.Option("--accept", help="Accept this suggestion id.")
                      ] = None,
    reject: Annotated[int | None, typer.Option("--reject", help="Reject this suggestion id.")
                      ] = None,
    subject: Annotated[str | None, typer.Option(
        "--subject", help="Entity the statement is about (needed for toll claims).")] = None,
    claimant: Annotated[str | None, typer.Option("--claimant", help="Who makes the claim.")
                        ] = None,
    kind: Annotated[str, typer.Option("--kind", help="Kind of a new entity from a candidate "
                                      "mention.")] = "person",
    note: Annotated[str | None, typer.Option("--note", help="Why (for --reject).")] = None,
    status: Annotated[str, typer.Option("--status", help="pending, accepted or rejected.")
                      ] = "pending",
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List pending suggestions, or accept/reject one (accepting makes a sourced statement)."""
    with session(workspace, database_url) as (ws, me):
        if accept is not None:
            statement_id = ws.suggestions.accept(me, accept, subject=subject, claimant=claimant,
                                                 kind=kind)
            console.print(f"accepted suggestion {accept}: statement {statement_id}")
            return
        if reject is not None:
            ws.suggestions.reject(me, reject, note)
            console.print(f"rejected suggestion {reject}")
            return
        items = ws.suggestions.pending(me, status)
    if as_json:
        print(json.dumps([s.__dict__ for s in items], ensure_ascii=False, indent=1))
        return
    table = Table("id", "kind", "source", "span", "text", "details")
    for s in items:
        details = {k: v for k, v in s.payload.items() if k not in ("text", "start", "end")}
        table.add_row(str(s.id), s.kind, s.source_id or "", f"{s.start}–{s.end}", s.text[:60],
                      json.dumps(details, ensure_ascii=False))
    console.print(table)
    console.print(f"{len(items)} {status} suggestion(s)")
