"""Integrity commands: verify everything, write signed checkpoints, export the public key."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sabt.cli.app import DEFAULT_WS, DatabaseUrlOpt, JsonOpt, WorkspaceOpt, app, console, session
from sabt.safety import shown

if TYPE_CHECKING:
    from sabt.service.integrity import IntegrityReport

key_app = typer.Typer(help="The workspace's signing key (Ed25519): export its public half.",
                      no_args_is_help=True)
app.add_typer(key_app, name="key")

TSA_ENV = "SABT_TSA_URLS"


def _report_json(report: IntegrityReport) -> dict[str, object]:
    return {"ok": report.ok, "items": report.items, "bytes": report.bytes,
            "log_entries": report.custody_entries, "chain_head": report.custody_head,
            "registry_entries": report.registry_entries, "registry_head": report.registry_head,
            "rows_checked": report.rows_checked,
            "checkpoint": str(report.checkpoint) if report.checkpoint else None,
            "problems": [p.__dict__ for p in report.problems], "warnings": report.warnings}


@app.command()
def verify(
    checkpoint: Annotated[Path | None, typer.Option(
        "--checkpoint", help="Also check that the logs extend this checkpoint.json (signed by "
        "the workspace's key; nothing cut or rewritten since).")] = None,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Re-hash every stored item, check the custody chain and the registry log row by row.

    Exits 1 on any problem, each named (what, which row or entry)."""
    with session(workspace, database_url) as (ws, me):
        report = ws.integrity.verify(me)
        if checkpoint is not None:
            pinned = ws.integrity.verify_checkpoint(me, checkpoint)
            report.problems += pinned.problems
            report.warnings += pinned.warnings
            report.checkpoint = checkpoint
    if as_json:
        console.print_json(json.dumps(_report_json(report)))
    else:
        for problem in report.problems:
            console.print(f"[bold red]{problem.kind}[/] {shown(problem.message)}",
                          highlight=False)
        for warning in report.warnings:
            console.print(f"[yellow]warning[/] {shown(warning)}", highlight=False)
        status = "[green]OK[/]" if report.ok else f"[bold red]{len(report.problems)} problem(s)[/]"
        console.print(f"{status}: {report.items} items ({report.bytes:,} bytes) re-hashed, "
                      f"{report.custody_entries} custody entries checked; chain head "
                      f"{report.custody_head or '-'}", highlight=False)
        console.print(f"registry: {report.registry_entries} entries, {report.rows_checked:,} "
                      f"rows checked; head {report.registry_head or '-'}"
                      + (f"; extends {shown(checkpoint)}"
                         if checkpoint is not None and report.ok else ""), highlight=False)
    if not report.ok:
        raise typer.Exit(1)


@app.command(name="checkpoint")
def checkpoint_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write into.")
                   ] = Path("sabt-checkpoint"),
    tsa: Annotated[list[str] | None, typer.Option(
        "--tsa", help="RFC 3161 time-stamping authority URL; repeat for several (default: "
        f"${TSA_ENV}, space-separated).")] = None,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Write the signed (and time-stamped) heads of the registry and custody logs.

    Publish it: `sabt verify --checkpoint` later proves the logs only grew since."""
    urls = tsa if tsa else os.environ.get(TSA_ENV, "").split()
    with session(workspace, database_url) as (ws, me):
        written = ws.integrity.checkpoint(me, out, urls)
    for warning in written.warnings:
        console.print(f"[yellow]warning[/] {shown(warning)}", highlight=False)
    for path in written.files:
        console.print(f"wrote {shown(path)}", highlight=False)
    heads = written.heads
    console.print(f"checkpoint: registry {heads['registry'].seq} entries, custody "
                  f"{heads['custody'].seq} entries; "
                  + ("time-stamped" if written.timestamped else "untimestamped"),
                  highlight=False)


@key_app.command("export")
def key_export(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the public key here "
                                             "(default: print it).")] = None,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Print or write the workspace's public key (PEM); the private key never leaves."""
    with session(workspace, database_url) as (ws, _me):
        pem = ws.integrity.public_key_pem()
    if out is None:
        console.print(pem.decode("ascii"), end="", highlight=False)
        return
    out.write_bytes(pem)
    console.print(f"wrote {shown(out)}", highlight=False)
