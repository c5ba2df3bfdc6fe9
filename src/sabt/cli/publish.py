"""`sabt publish` (the static memorial, or its dry run) and `sabt corrections` (what visitors
sent from the memorial)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sabt.cli.app import DEFAULT_WS, DatabaseUrlOpt, JsonOpt, WorkspaceOpt, app, console, session
from sabt.errors import InvalidValue
from sabt.safety import shown


@app.command()
def publish(
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Folder of the static site (new, or a memorial written before).")
    ] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Write nothing: list what would be published and what is withheld, "
        "and why, with counts per field.")] = False,
    contact: Annotated[str, typer.Option(
        "--contact", help="E-mail address or web form (https://…) where visitors send "
        "corrections; shown on every page.")] = "",
    title: Annotated[str, typer.Option("--title", help="The memorial's title.")] = "Memorial",
    synthetic: Annotated[bool, typer.Option(
        "--synthetic", help="Label every page SYNTHETIC (demo or test data).")] = False,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Publish the memorial as a static site (works offline, from a USB stick): only persons
    marked publishable and statements marked public with a public source (docs/publish.md)."""
    if not dry_run and out is None:
        raise InvalidValue("give --out FOLDER, or --dry-run", field="out")
    with session(workspace, database_url) as (ws, me):
        if dry_run:
            plan = ws.publish.plan(me, title=title, synthetic=synthetic, contact=contact)
            if as_json:
                console.print_json(json.dumps(plan.to_dict(), ensure_ascii=False))
                return
            _print_plan(plan.to_dict())
            return
        assert out is not None
        report = ws.publish.site(me, out, title=title, synthetic=synthetic, contact=contact)
    console.print(f"published {report.persons} persons to {shown(str(report.out))} "
                  f"({report.withheld_persons} withheld; {report.files} files, "
                  f"{report.changed} new or changed, {report.removed} removed)")


def _print_plan(plan: dict[str, object]) -> None:
    persons = plan["persons"]
    assert isinstance(persons, list)
    for p in persons:
        state = "publish" if p["published"] else f"withhold ({p['reason']})"
        console.print(f"{shown(p['id'])}: {state}")
        for f in p.get("fields", []):
            console.print(f"  + {shown(f['property'])}: {shown(f['value'])} "
                          f"(according to {', '.join(f['according_to'])})", highlight=False)
        for w in p["withheld"]:
            console.print(f"  - {shown(w['property'])} #{w['statement']}: {w['reason']}",
                          highlight=False)
    fields = plan["fields"]
    assert isinstance(fields, dict)
    reasons = sorted({r for counts in fields.values() for r in counts} - {"published"})
    table = Table(title="statements per field")
    for column in ("field", "published", *reasons):
        table.add_column(column, justify="left" if column == "field" else "right")
    for prop, counts in fields.items():
        table.add_row(shown(prop), str(counts.get("published", 0)),
                      *(str(counts.get(r, 0)) for r in reasons))
    console.print(table)
    withheld = plan["persons_withheld"]
    assert isinstance(withheld, dict)
    console.print(f"persons published: {plan['persons_published']}; withheld: "
                  + (", ".join(f"{n} {r}" for r, n in withheld.items()) or "none")
                  + f"; claims published: {plan['claims_published']}")


corrections_app = typer.Typer(help="Corrections and missing names sent from the memorial: list, "
                              "accept, reject (editors).", no_args_is_help=True)
app.add_typer(corrections_app, name="corrections")


@corrections_app.command("list")
def corrections_list(
    status: Annotated[str, typer.Option(
        "--status", help="pending, accepted, rejected or all.")] = "pending",
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """The corrections with a status, oldest first."""
    with session(workspace, database_url) as (ws, me):
        found = ws.corrections.list(me, None if status == "all" else status)
    if as_json:
        console.print_json(json.dumps([c.to_dict() for c in found], ensure_ascii=False))
        return
    table = Table(title=f"{len(found)} corrections ({status})")
    for column in ("id", "page", "received", "status", "text", "contact"):
        table.add_column(column)
    for c in found:
        table.add_row(str(c.id), shown(c.entity_id or ""), c.received_at.isoformat()[:16],
                      c.status, shown(c.text), shown(c.contact))
    console.print(table)


@corrections_app.command("accept")
def corrections_accept(
    correction_id: Annotated[int, typer.Argument(help="The correction's number.")],
    note: Annotated[str, typer.Option("--note", help="What you did about it.")] = "",
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Record that a correction is accepted (then make the change with its source)."""
    with session(workspace, database_url) as (ws, me):
        ws.corrections.decide(me, correction_id, True, note)
    console.print(f"correction {correction_id} accepted")


@corrections_app.command("reject")
def corrections_reject(
    correction_id: Annotated[int, typer.Argument(help="The correction's number.")],
    note: Annotated[str, typer.Option("--note", help="Why.")] = "",
    workspace: WorkspaceOpt = DEFAULT_WS,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Record that a correction is rejected."""
    with session(workspace, database_url) as (ws, me):
        ws.corrections.decide(me, correction_id, False, note)
    console.print(f"correction {correction_id} rejected")
