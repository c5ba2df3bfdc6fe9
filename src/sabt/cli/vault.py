"""Vault commands: add files (with custody), export a checkable manifest (`sabt verify` is in
`sabt.cli.integrity`)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sabt.cli.app import DEFAULT_WS, DatabaseUrlOpt, JsonOpt, WorkspaceOpt, app, console, session
from sabt.errors import InvalidValue
from sabt.safety import shown
from sabt.vault.vault import Provenance


@app.command()
def add(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to store.")],
    by: Annotated[str | None, typer.Option("--by", help="Who collected them "
                                           "(default: you).")] = None,
    collected_at: Annotated[str | None, typer.Option("--collected-at",
                                                     help="When (ISO 8601; default now).")] = None,
    url: Annotated[str | None, typer.Option("--url", help="Where they came from.")] = None,
    method: Annotated[str, typer.Option("--method", help="How they were captured "
                                        "(file, download, screenshot, scan …).")] = "file",
    notes: Annotated[str | None, typer.Option("--notes")] = None,
    max_size: Annotated[int | None, typer.Option("--max-size",
                                                 help="Refuse files larger than this many bytes.")
                        ] = None,
    suggest: Annotated[bool, typer.Option("--suggest/--no-suggest",
                                          help="Queue extraction suggestions for new texts.")
                       ] = True,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Store files byte for byte under their SHA-256, with provenance and a custody entry."""
    if collected_at is not None:
        try:
            datetime.fromisoformat(collected_at.replace("Z", "+00:00"))
        except ValueError as exc:
            raise InvalidValue(f"not an ISO 8601 date or time: {collected_at!r}",
                               field="--collected-at") from exc
    with session(workspace, database_url) as (ws, me):
        report, queued = ws.vault.add(
            me, paths, Provenance(by or me.id, collected_at, url, method, notes),
            max_bytes=max_size, suggest=suggest)
    if as_json:
        console.print_json(json.dumps({"added": report.added, "duplicates": report.duplicates,
                                       "skipped": report.skipped, "warnings": report.warnings,
                                       "suggestions": queued}))
        return
    table = Table("sha256", "name", "type", "bytes", "source")
    for item in report.added:
        table.add_row(item["sha256"][:16], shown(item["name"]), shown(item["media_type"]),
                      str(item["size"]), item["source_id"] or "")
    if report.added:
        console.print(table)
    console.print(f"stored {len(report.added)} new item(s); {len(report.duplicates)} already "
                  f"in the vault; {len(report.skipped)} skipped; {queued} suggestion(s) queued")
    for skipped in report.skipped:
        console.print(f"[yellow]skipped[/] {shown(skipped['file'])}: "
                      f"{shown(skipped['reason'])}", highlight=False)
    for warning in report.warnings:
        console.print(f"[yellow]warning[/] {shown(warning)}", highlight=False)


@app.command()
def manifest(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write into.")
                   ] = Path("sabt-manifest"),
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Write manifest.csv/.json, SHA256SUMS and custody.jsonl for checking with standard tools."""
    with session(workspace, database_url) as (ws, me):
        paths = ws.vault.manifest(me, out)
        vault_dir = ws.root / "vault"
    for path in paths.values():
        console.print(f"wrote {path}")
    console.print(f"check the blobs with: cd {vault_dir} && sha256sum -c "
                  f"{paths['sums'].resolve()}", highlight=False)
