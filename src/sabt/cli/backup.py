"""Backup commands: a consistent, optionally encrypted backup; its restore; a key pair."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sabt.cli.app import (
    DEFAULT_WS,
    DatabaseUrlOpt,
    WorkspaceOpt,
    app,
    console,
    err_console,
    session,
)
from sabt.safety import shown


@app.command()
def backup(
    out: Annotated[Path, typer.Option("--out", "-o", help="The backup file to write.")],
    encrypt_to: Annotated[Path | None, typer.Option(
        "--encrypt-to", help="Public key (from `sabt backup-key`) to encrypt the backup to.")
                          ] = None,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Back up the whole workspace (database, vault, keys) while others keep working (admins)."""
    with session(workspace, database_url) as (ws, me):
        report = ws.backups.write(me, out, encrypt_to)
    sealed = "encrypted" if report.encrypted else "NOT encrypted"
    console.print(f"wrote {shown(report.out)} ({sealed}): {report.files} files, "
                  f"{report.bytes:,} bytes before compression, {report.vault_items} vault "
                  f"item(s), database as {report.database}", highlight=False)
    for warning in report.warnings:
        err_console.print(f"[yellow]warning[/] {shown(warning)}", highlight=False)
    if not report.encrypted:
        err_console.print("note: the backup holds everything in clear; keep it as safe as the "
                          "workspace, or use --encrypt-to")


@app.command("restore-backup")
def restore_backup(
    file: Annotated[Path, typer.Argument(help="A file written by `sabt backup`.")],
    to: Annotated[Path, typer.Option("--to", help="A new folder for the restored workspace.")],
    key: Annotated[Path | None, typer.Option(
        "--key", help="Private key of an encrypted backup.")] = None,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Rebuild a workspace from a backup in a new folder, then re-hash its vault."""
    from sabt.service import Workspace

    ws, report = Workspace.restore(file, to, key=key, database_url=database_url)
    ws.close()
    console.print(f"restored {report.files} files ({report.bytes:,} bytes) of the backup made "
                  f"{report.created_at} into {shown(report.root)}", highlight=False)
    checked = report.verify
    if checked is not None:
        for problem in checked.problems:
            console.print(f"[bold red]{problem.kind}[/] {shown(problem.message)}",
                          highlight=False)
        status = ("[green]OK[/]" if checked.ok
                  else f"[bold red]{len(checked.problems)} problem(s)[/]")
        console.print(f"verify {status}: {checked.items} items re-hashed, "
                      f"{checked.log_entries} custody entries checked")
        if not checked.ok:
            raise typer.Exit(1)


@app.command("backup-key")
def backup_key(
    prefix: Annotated[Path, typer.Argument(help="Writes PREFIX.key (private) and PREFIX.pub.")],
) -> None:
    """Make a key pair for encrypted backups: the server keeps only the .pub file."""
    from sabt.store.sealed import new_key_pair

    private, public = new_key_pair(prefix)
    console.print(f"wrote {shown(public)} (give it to `sabt backup --encrypt-to`) and "
                  f"{shown(private)} (mode 0600: keep it off the server, in two places; without "
                  "it no backup can be restored)", highlight=False)
