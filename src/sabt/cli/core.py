"""Store commands: init, upgrade, entities, sources, statements, history, export/import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from sabt import __version__
from sabt.cli.app import (
    DEFAULT_WS,
    DatabaseUrlOpt,
    JsonOpt,
    WorkspaceOpt,
    acting_user,
    app,
    console,
    err_console,
    session,
)
from sabt.cli.render import entity_panel, history_table
from sabt.errors import InvalidValue
from sabt.model.jsonview import entity_json
from sabt.model.parse import parse_date_value, parse_value
from sabt.model.statements import Locator, Reference, Value
from sabt.policy import Mark
from sabt.safety import shown
from sabt.service import Workspace
from sabt.service.exchange import write_atomically

ReasonOpt = Annotated[str, typer.Option("--reason", "-r", help="Why (kept in the revision).")]
LevelOpt = Annotated[str | None, typer.Option(
    "--level", help="Sensitivity from the start: public, internal (default), restricted, "
    "confidential.")]
GroupOpt = Annotated[list[str] | None, typer.Option(
    "--group", help="Only members of this access group may see it; repeat for several.")]


def _mark(level: str | None, groups: list[str] | None) -> Mark | None:
    from sabt.policy import Level

    if level is None and not groups:
        return None
    return Mark(Level.parse(level or "internal"), frozenset(groups or ()))


def _version(value: bool) -> None:
    if value:
        console.print(f"sabt {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Sabt (ثبت): sourced documentation, cross-script record linkage and estimation.

    Add --debug anywhere to see a traceback instead of a one-line error, and --as USER (or set
    SABT_USER) to act as a user other than your login name.
    """


@app.command()
def init(
    path: Annotated[Path | None, typer.Argument(help="Folder to create (default: --workspace).")
                    ] = None,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Create a workspace (SQLite inside the folder, or the database given); you are its admin."""
    target = path or workspace
    with Workspace.create(target, database_url, admin=acting_user()) as ws:
        console.print(f"created workspace [bold]{target}[/] ({ws.store.engine.dialect.name}); "
                      f"{acting_user()} is its first admin")


@app.command()
def upgrade(workspace: WorkspaceOpt = DEFAULT_WS,
            database_url: DatabaseUrlOpt = None) -> None:
    """Migrate a workspace made by an older Sabt (its authors become users; you, an admin)."""
    before, after = Workspace.upgrade(workspace, database_url, admin=acting_user())
    if before == after:
        console.print(f"{workspace} is up to date")
    else:
        console.print(f"upgraded {workspace}: {', '.join(sorted(before)) or 'empty'} → "
                      f"{', '.join(sorted(after))}")


@app.command("add-entity")
def add_entity(
    kind: Annotated[str, typer.Argument(help="person, organization, place, event, … ")],
    label: Annotated[str, typer.Argument(help="A readable label (any script).")],
    id: Annotated[str | None, typer.Option("--id", help="Explicit id (default: generated).")
                  ] = None,
    level: LevelOpt = None,
    group: GroupOpt = None,
    reason: ReasonOpt = "",
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Add an entity (a person, organisation, place, event …); prints its id."""
    with session(workspace, database_url) as (ws, me):
        new_id = ws.entities.add(me, kind, label, id=id, mark=_mark(level, group), reason=reason)
    console.print(new_id)


@app.command("add-source")
def add_source(
    title: Annotated[str, typer.Argument(help="Title of the document.")],
    id: Annotated[str | None, typer.Option("--id")] = None,
    publisher: Annotated[str | None, typer.Option("--publisher")] = None,
    author: Annotated[str | None, typer.Option("--author", help="Who wrote the document.")
                      ] = None,
    published: Annotated[str | None, typer.Option("--published", help="EDTF date.")] = None,
    url: Annotated[str | None, typer.Option("--url")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="Record this file's SHA-256.")
                    ] = None,
    language: Annotated[str | None, typer.Option("--language")] = None,
    notes: Annotated[str | None, typer.Option("--notes")] = None,
    level: LevelOpt = None,
    group: GroupOpt = None,
    reason: ReasonOpt = "",
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Add a source (a document statements can cite); prints its id."""
    date = parse_date_value(published) if published else None
    with session(workspace, database_url) as (ws, me):
        new_id = ws.entities.add_source(
            me, title, file=file, mark=_mark(level, group), reason=reason, id=id,
            publisher=publisher, author=author, published=date.edtf if date else None, url=url,
            language=language, notes=notes)
    console.print(new_id)


def _qualifier(text: str) -> tuple[str, Value]:
    key, sep, rest = text.partition("=")
    if not sep or not key.strip():
        raise InvalidValue(f"qualifier {text!r} is not KEY=VALUE (or KEY=TYPE:VALUE)",
                           field="qualifier")
    kind, sep, value = rest.partition(":")
    if not sep or kind not in ("text", "quantity", "date", "entity"):
        kind, value = "text", rest
    return key.strip(), parse_value(kind, value)


@app.command("add-statement")
def add_statement(
    entity: Annotated[str, typer.Argument(help="Entity id.")],
    property: Annotated[str, typer.Argument(help="Property, e.g. 'name', 'date of death'.")],
    value: Annotated[str, typer.Argument(help="The value, read according to --type.")],
    type: Annotated[str, typer.Option(
        "--type", "-t", help="text | quantity (30000, 2800-5000, 2800|3800, >=4000, ~5000) | "
        "date (EDTF or free text, Solar Hijri too) | entity (an id)")] = "text",
    lang: Annotated[str | None, typer.Option("--lang", help="Language of a text value.")] = None,
    source: Annotated[str | None, typer.Option("--source", "-s", help="Source id cited.")
                      ] = None,
    page: Annotated[str | None, typer.Option("--page")] = None,
    row: Annotated[int | None, typer.Option("--row")] = None,
    start: Annotated[int | None, typer.Option("--start", help="Character offset.")] = None,
    end: Annotated[int | None, typer.Option("--end")] = None,
    time: Annotated[float | None, typer.Option("--time", help="Seconds into audio/video.")
                    ] = None,
    quote: Annotated[str, typer.Option("--quote", "-q")] = "",
    qualifier: Annotated[list[str] | None, typer.Option(
        "--qualifier", help="KEY=VALUE or KEY=TYPE:VALUE, e.g. start=date:1988-07; repeat."),
    ] = None,
    confidence: Annotated[str, typer.Option("--confidence", help="high | medium | low")
                          ] = "medium",
    rank: Annotated[str, typer.Option("--rank", help="preferred | normal | deprecated")
                    ] = "normal",
    reason: ReasonOpt = "",
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Add a statement, citing a source (unsourced statements are allowed and shown so)."""
    parsed = parse_value(type, value, lang)
    refs = []
    if source:
        refs.append(Reference(source, Locator(page, start, end, time, row), quote))
    elif any(x is not None for x in (page, row, start, end, time)) or quote:
        raise InvalidValue("a locator or quote needs --source", field="source")
    quals = dict(_qualifier(q) for q in qualifier or [])
    with session(workspace, database_url) as (ws, me):
        new_id = ws.entities.add_statement(me, entity, property, parsed, references=refs,
                                           qualifiers=quals, confidence=confidence, rank=rank,
                                           reason=reason)
    console.print(str(new_id))


@app.command()
def show(
    id: Annotated[str, typer.Argument(help="Entity id.")],
    json_out: JsonOpt = False,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """An entity with its statements and references; conflicts side by side."""
    with session(workspace, database_url) as (ws, me):
        view = ws.entities.get(me, id)
    if json_out:
        console.print_json(json.dumps(entity_json(view), ensure_ascii=False))
    else:
        console.print(entity_panel(view))


@app.command()
def history(
    id: Annotated[str, typer.Argument(help="Entity id.")],
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Every revision that touched an entity: who, when, what, why."""
    with session(workspace, database_url) as (ws, me):
        console.print(history_table(id, ws.entities.history(me, id)))


@app.command("list")
def list_entities(
    kind: Annotated[str | None, typer.Option("--kind", "-k")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 50,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """List entities (optionally of one kind)."""
    from rich.table import Table

    with session(workspace, database_url) as (ws, me):
        rows = ws.entities.list(me, kind, limit=limit)
        counts = ws.entities.counts(me)
    table = Table(title=", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
    for name in ("id", "kind", "label", "status"):
        table.add_column(name)
    for e in rows:
        status = e.status + (f" → {e.merged_into}" if e.merged_into else "")
        table.add_row(e.id, shown(e.kind), shown(e.label), status)
    console.print(table)


@app.command()
def retract(
    target: Annotated[str, typer.Argument(help="A statement id (number) or an entity id.")],
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why (required).")],
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Retract a statement or entity (kept, marked retracted, restorable)."""
    with session(workspace, database_url) as (ws, me):
        ws.entities.retract(me, target, reason)
    console.print(f"retracted {target}")


@app.command()
def restore(
    target: Annotated[str, typer.Argument(help="A statement id (number) or an entity id.")],
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why (required).")],
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Restore a retracted statement or entity."""
    with session(workspace, database_url) as (ws, me):
        ws.entities.restore(me, target, reason)
    console.print(f"restored {target}")


@app.command()
def merge(
    from_id: Annotated[str, typer.Argument(help="Entity merged away.")],
    into_id: Annotated[str, typer.Argument(help="Entity it becomes part of.")],
    reason: ReasonOpt = "",
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Record that two entities are the same (reversible with unmerge).

    For persons drawn from lists this is a linkage decision: the captures count them as one
    at once, and the next `sabt link` puts their records in one cluster.
    """
    with session(workspace, database_url) as (ws, me):
        done = ws.entities.merge(me, from_id, into_id, reason)
    console.print(f"merged {from_id} into {into_id}"
                  + (f" ({done.matches} match decisions recorded)" if done.matches else ""))


@app.command()
def unmerge(
    from_id: Annotated[str, typer.Argument(help="Entity to split off again.")],
    reason: ReasonOpt = "",
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Undo a merge (for persons drawn from lists, also the linkage decisions joining them)."""
    with session(workspace, database_url) as (ws, me):
        done = ws.entities.unmerge(me, from_id, reason)
    console.print(f"split {from_id} off {done.into_id}"
                  + (f" ({done.undone} decisions undone, {done.non_matches} non-match recorded)"
                     if done.undone or done.non_matches else ""))


@app.command()
def export(
    format: Annotated[str, typer.Option(
        "--format", "-f", help="jsonl (the whole workspace, lossless; admins) or popolo "
        "(persons, organizations, memberships with sources; what you may see)")] = "jsonl",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File (default: stdout).")
                   ] = None,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Export the workspace: lossless JSON Lines (`import-jsonl` reads it back) or Popolo."""
    if format not in ("jsonl", "popolo"):
        raise InvalidValue(f"unknown export format {format!r} (jsonl, popolo)", field="format")
    with session(workspace, database_url) as (ws, me):
        if format == "jsonl":
            n = ws.exports.jsonl(me, out)
            if out is not None:
                console.print(f"exported {n} rows to {out}")
            return
        document, withheld = ws.exports.popolo_text(me)
    if out is None:
        print(document)
    else:
        write_atomically(out, lambda handle: handle.write(document + "\n"))
        console.print(f"wrote Popolo JSON to {out}")
    if withheld:
        err_console.print(f"note: {withheld} entities or statements you may not see were left out")


@app.command("import-jsonl")
def import_jsonl(
    file: Annotated[Path, typer.Argument(help="A file written by `sabt export --format jsonl`.")],
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Make a new workspace from an export (all or nothing); you become its admin."""
    total = max(sum(1 for _ in file.open(encoding="utf-8")) - 1, 0) if file.is_file() else 0
    with Progress(TextColumn("importing"), BarColumn(), MofNCompleteColumn(), console=console,
                  transient=True) as bar:
        task = bar.add_task("rows", total=total)
        ws, counts = Workspace.create_from_export(
            workspace, file, database_url, admin=acting_user(),
            progress=lambda n: bar.advance(task, n))
    ws.close()
    console.print("imported " + ", ".join(f"{v} {k}" for k, v in counts.items()))
