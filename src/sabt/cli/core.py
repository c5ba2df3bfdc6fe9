"""Store commands: init, upgrade, entities, sources, statements, history, export/import."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from sabt import __version__
from sabt.claims.popolo import popolo
from sabt.cli.app import DEFAULT_WS, DatabaseUrlOpt, JsonOpt, WorkspaceOpt, app, console
from sabt.cli.render import entity_panel, history_table, view_json
from sabt.errors import InvalidValue, SabtError
from sabt.model.parse import parse_date_value, parse_value
from sabt.model.statements import Locator, Reference, Value
from sabt.safety import shown
from sabt.store.workspace import Store

ReasonOpt = Annotated[str, typer.Option("--reason", "-r", help="Why (kept in the revision).")]


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

    Add --debug anywhere to see a traceback instead of a one-line error.
    """


@app.command()
def init(
    path: Annotated[Path | None, typer.Argument(help="Folder to create (default: --workspace).")
                    ] = None,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Create a workspace (SQLite inside the folder, or the database given)."""
    target = path or workspace
    ws = Store.create(target, database_url)
    console.print(f"created workspace [bold]{target}[/] ({ws.engine.dialect.name})")
    ws.close()


@app.command()
def upgrade(workspace: WorkspaceOpt = DEFAULT_WS,
            database_url: DatabaseUrlOpt = None) -> None:
    """Migrate a workspace made by an older Sabt to this version."""
    before, after = Store.upgrade(workspace, database_url)
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
    reason: ReasonOpt = "",
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Add an entity (a person, organisation, place, event …); prints its id."""
    with Store.open(workspace, database_url) as ws, ws.change(reason=reason) as ch:
        new_id = ch.add_entity(kind, label, id)
    console.print(new_id)


@app.command("add-source")
def add_source(
    title: Annotated[str, typer.Argument(help="Title of the document.")],
    id: Annotated[str | None, typer.Option("--id")] = None,
    publisher: Annotated[str | None, typer.Option("--publisher")] = None,
    author: Annotated[str | None, typer.Option("--author")] = None,
    published: Annotated[str | None, typer.Option("--published", help="EDTF date.")] = None,
    url: Annotated[str | None, typer.Option("--url")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="Record this file's SHA-256.")
                    ] = None,
    language: Annotated[str | None, typer.Option("--language")] = None,
    notes: Annotated[str | None, typer.Option("--notes")] = None,
    reason: ReasonOpt = "",
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Add a source (a document statements can cite); prints its id."""
    sha256 = None
    if file is not None:
        if not file.is_file():
            raise SabtError(f"{file}: no such file")
        digest = hashlib.sha256()
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        sha256 = digest.hexdigest()
    date = parse_date_value(published) if published else None
    with Store.open(workspace, database_url) as ws, ws.change(reason=reason) as ch:
        new_id = ch.add_source(title, id=id, publisher=publisher, author=author,
                               published=date.edtf if date else None,
                               url=url, sha256=sha256, language=language, notes=notes)
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
    with Store.open(workspace, database_url) as ws, ws.change(reason=reason) as ch:
        new_id = ch.add_statement(entity, property, parsed, references=refs, qualifiers=quals,
                                  confidence=confidence, rank=rank)
    console.print(str(new_id))


@app.command()
def show(
    id: Annotated[str, typer.Argument(help="Entity id.")],
    json_out: JsonOpt = False,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """An entity with its statements and references; conflicts side by side."""
    with Store.open(workspace, database_url) as ws:
        view = ws.entity(id)
    if json_out:
        console.print_json(json.dumps(view_json(view), ensure_ascii=False))
    else:
        console.print(entity_panel(view))


@app.command()
def history(
    id: Annotated[str, typer.Argument(help="Entity id.")],
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Every revision that touched an entity: who, when, what, why."""
    with Store.open(workspace, database_url) as ws:
        console.print(history_table(id, ws.history(id)))


@app.command("list")
def list_entities(
    kind: Annotated[str | None, typer.Option("--kind", "-k")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 50,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """List entities (optionally of one kind)."""
    from rich.table import Table

    with Store.open(workspace, database_url) as ws:
        rows = ws.entities(kind, limit=limit)
        counts = ws.counts()
    table = Table(title=", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
    for name in ("id", "kind", "label", "status"):
        table.add_column(name)
    for e in rows:
        status = e.status + (f" → {e.merged_into}" if e.merged_into else "")
        table.add_row(e.id, shown(e.kind), shown(e.label), status)
    console.print(table)


def _is_statement_id(target: str) -> bool:
    return target.isdigit()


@app.command()
def retract(
    target: Annotated[str, typer.Argument(help="A statement id (number) or an entity id.")],
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why (required).")],
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Retract a statement or entity (kept, marked retracted, restorable)."""
    with Store.open(workspace, database_url) as ws, ws.change(reason=reason) as ch:
        if _is_statement_id(target):
            ch.retract_statement(int(target), reason)
        else:
            ch.retract_entity(target, reason)
    console.print(f"retracted {target}")


@app.command()
def restore(
    target: Annotated[str, typer.Argument(help="A statement id (number) or an entity id.")],
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why (required).")],
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Restore a retracted statement or entity."""
    with Store.open(workspace, database_url) as ws, ws.change(reason=reason) as ch:
        if _is_statement_id(target):
            ch.restore_statement(int(target), reason)
        else:
            ch.restore_entity(target, reason)
    console.print(f"restored {target}")


@app.command()
def merge(
    from_id: Annotated[str, typer.Argument(help="Entity merged away.")],
    into_id: Annotated[str, typer.Argument(help="Entity it becomes part of.")],
    reason: ReasonOpt = "",
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Record that two entities are the same (reversible with unmerge)."""
    with Store.open(workspace, database_url) as ws, ws.change(reason=reason) as ch:
        ch.merge(from_id, into_id, reason)
    console.print(f"merged {from_id} into {into_id}")


@app.command()
def unmerge(
    from_id: Annotated[str, typer.Argument(help="Entity to split off again.")],
    reason: ReasonOpt = "",
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Undo a merge."""
    with Store.open(workspace, database_url) as ws, ws.change(reason=reason) as ch:
        ch.unmerge(from_id, reason)
    console.print(f"split {from_id} off")


@app.command()
def export(
    format: Annotated[str, typer.Option(
        "--format", "-f", help="jsonl (the whole workspace, lossless) or popolo (persons, "
        "organizations, memberships with sources)")] = "jsonl",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File (default: stdout).")
                   ] = None,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Export the workspace: lossless JSON Lines (`import-jsonl` reads it back) or Popolo."""
    if format not in ("jsonl", "popolo"):
        raise InvalidValue(f"unknown export format {format!r} (jsonl, popolo)", field="format")
    with Store.open(workspace, database_url) as ws:
        if format == "popolo":
            document = json.dumps(popolo(ws), ensure_ascii=False, indent=2)
            if out is None:
                print(document)
            else:
                out.write_text(document + "\n", encoding="utf-8")
                console.print(f"wrote Popolo JSON to {out}")
            return
        if out is None:
            ws.export_jsonl(sys.stdout)
            return
        tmp = out.with_name(out.name + ".partial")
        with tmp.open("w", encoding="utf-8") as handle:
            n = ws.export_jsonl(handle)
        tmp.replace(out)
    console.print(f"exported {n} rows to {out}")


@app.command("import-jsonl")
def import_jsonl(
    file: Annotated[Path, typer.Argument(help="A file written by `sabt export --format jsonl`.")],
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Load an export into an empty workspace (all or nothing)."""
    total = max(sum(1 for _ in file.open("rb")) - 1, 0) if file.is_file() else 0
    with Store.open(workspace, database_url) as ws, Progress(
        TextColumn("importing"), BarColumn(), MofNCompleteColumn(), console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("rows", total=total)
        counts = ws.import_jsonl(file, progress=lambda n: bar.advance(task, n))
    console.print("imported " + ", ".join(f"{v} {k}" for k, v in counts.items()))
