"""Case files: write one person's sealed dossier, check one, preserve a cited web page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sabt.cli.app import DEFAULT_WS, DatabaseUrlOpt, WorkspaceOpt, app, console, session
from sabt.safety import shown


@app.command()
def dossier(
    entity: Annotated[str, typer.Argument(help="The person's id (e.g. PER06).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="New folder to write the case "
                                      "file into.")],
    tsa: Annotated[list[str] | None, typer.Option(
        "--tsa", help="URL of an RFC 3161 time-stamping authority (repeatable).")] = None,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Write a person's case file: HTML and PDF, evidence with custody, a signed manifest and
    VERIFY.md (only what you may see; the rest is counted as withheld)."""
    with session(workspace, database_url) as (ws, me):
        result = ws.dossiers.write(me, entity, out, tsa_urls=tsa or ())
    console.print(f"wrote the case file of {shown(result.entity_id)} to {shown(result.folder)}: "
                  f"{result.files} files, {result.evidence_files} evidence file(s), "
                  f"{result.withheld} item(s) withheld", highlight=False)
    console.print(("signed" if result.signed else "[yellow]not signed[/]") + ", "
                  + ("timestamped" if result.timestamped else "[yellow]untimestamped[/]"))
    for warning in result.warnings:
        console.print(f"[yellow]warning[/] {shown(warning)}", highlight=False)
    console.print(f"a recipient checks it as {shown(result.folder / 'VERIFY.md')} says",
                  highlight=False)


@app.command("verify-dossier")
def verify_dossier(
    folder: Annotated[Path, typer.Argument(help="The case-file folder.")],
    fingerprint: Annotated[str | None, typer.Option(
        "--fingerprint", help="The signing key's SHA-256 fingerprint, obtained from the sender "
        "by another channel.")] = None,
    tsa_ca: Annotated[Path | None, typer.Option(
        "--tsa-ca", help="The time-stamping authority's CA certificate (PEM), to check the "
        "tokens.")] = None,
) -> None:
    """Check a case file as VERIFY.md does (hashes, no added files, signatures, time-stamps);
    needs no workspace. Exit 1 and name each failure if anything is wrong."""
    from sabt.dossier.seal import check

    report = check(folder, fingerprint=fingerprint, tsa_ca=tsa_ca)
    for problem in report.problems:
        console.print(f"[bold red]FAILED[/] {shown(problem)}", highlight=False)
    for note in report.notes:
        console.print(f"[yellow]note[/] {shown(note)}", highlight=False)
    if not report.ok:
        console.print(f"[bold red]{len(report.problems)} problem(s)[/] in {shown(folder)}",
                      highlight=False)
        raise typer.Exit(1)
    console.print(f"[green]OK[/]: {report.files} files match the manifest; signature "
                  f"{'verified' if report.signed else 'absent'}; "
                  f"{report.timestamps_checked} time-stamp token(s) verified", highlight=False)


@app.command("add-capture")
def add_capture(
    source: Annotated[str, typer.Argument(help="The source's id.")],
    file: Annotated[Path, typer.Argument(help="The capture: a WARC or WACZ file, or the page "
                                         "saved as HTML, PDF or an image.")],
    captured_at: Annotated[str | None, typer.Option(
        "--captured-at", help="When the page was captured (ISO 8601).")] = None,
    url: Annotated[str | None, typer.Option(
        "--url", help="The address captured (default: the source's).")] = None,
    notes: Annotated[str | None, typer.Option("--notes")] = None,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Preserve a cited web page: store its capture in the vault, linked to the source."""
    with session(workspace, database_url) as (ws, me):
        item = ws.vault.add_capture(me, source, file, captured_at=captured_at, url=url,
                                    notes=notes)
    console.print(f"stored the capture of {shown(source)} as {item['sha256']} "
                  f"({shown(item['media_type'])}, {item['size']} bytes)", highlight=False)
