"""The demo build's steps, in order; each acts through the service API as the demo's user."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from sabt.demo.articles import add_seed_articles
from sabt.demo.synthetic import build_synthetic
from sabt.policy import Actor
from sabt.service import Workspace

CASE_TITLE = "Case 1988 demo dataset (curated citations of public sources)"
CASE_FILE_PERSON = "PER06"   # Ebrahim Raisi: posts over time, events, dates in both calendars
CASE_FILE = f"case-file-{CASE_FILE_PERSON}"
REPORT_TITLE = "Sabt — the 1988 prison killings in Iran (demo case)"
MEMORIAL = "memorial"
MEMORIAL_TITLE = "Sabt demo memorial (SYNTHETIC)"
MEMORIAL_LISTS = ("A", "B")   # the persons on list A, with the names list B gives them


@dataclass
class DemoState:
    """What the steps share: the workspace being built, the demo's user (who does the work)
    and admin (who writes the report with its vault section), and a summary for the terminal."""

    ws: Workspace
    actor: Actor
    admin: Actor
    summary: dict[str, Any] = field(default_factory=dict)
    report_extra: dict[str, Any] = field(default_factory=dict)


def case_data(state: DemoState) -> None:
    """The curated 1988 case: sources, claims, persons, organisations, posts, places, events."""
    folder = Path(str(files("sabt.data").joinpath("case1988")))
    state.summary["case data"], _ = state.ws.claims.import_case(state.actor, folder, CASE_TITLE)


def seed_articles(state: DemoState) -> None:
    """The seed articles into the vault; extraction; toll claims matching curated ones accepted."""
    outcome = add_seed_articles(state.ws, state.actor)
    state.summary["seed articles"] = (f"{len(outcome.items)} vault items, "
                                      f"{outcome.suggestions} suggestions, "
                                      f"{len(outcome.accepted)} toll claims accepted")


def synthetic_lists(state: DemoState) -> None:
    """SYNTHETIC lists: simulated, imported, linked, a few reviews, estimated by every method."""
    outcome = build_synthetic(state.ws, state.actor, state.ws.root / "synthetic")
    state.summary["SYNTHETIC lists"] = outcome.linkage
    state.report_extra["synthetic_truth"] = {"true_n": outcome.true_n, "scenario": "1988-like",
                                             "note": "not a finding about 1988"}
    state.report_extra["linkage"] = outcome.linkage


def vault_check(state: DemoState) -> None:
    """Verify the vault (every item re-hashed, the custody chain checked) for the report."""
    result = state.ws.vault.verify(state.actor)
    state.summary["vault"] = "verified" if result.ok else "VERIFY FAILED"


def memorial(state: DemoState) -> None:
    """The SYNTHETIC memorial of the persons on SYNTHETIC list A: what list A says made public
    in bulk (but political affiliation, kept internal: publishing it could expose families),
    the names list B writes in Persian script, the persons on list A made publishable; the
    static site written beside the report. (One list keeps the demo quick: a real memorial
    publishes every list its documentalists mark.)"""
    ws, actor = state.ws, state.actor
    lists = {e.label: e.id for e in ws.entities.list(actor, "source", limit=None)
             if e.label.startswith("SYNTHETIC")}
    first, second = lists[f"SYNTHETIC {MEMORIAL_LISTS[0]}"], lists[f"SYNTHETIC {MEMORIAL_LISTS[1]}"]
    why = "demo memorial (SYNTHETIC)"
    for source in (first, second):
        ws.entities.mark(actor, source, "public", reason=why)
    ws.entities.mark_many(actor, "public", source=first, reason=why)
    for prop in ("name", "given name", "family name"):
        ws.entities.mark_many(actor, "public", source=second, property=prop, reason=why)
    ws.entities.mark_many(actor, "internal", source=first, property="affiliation",
                          reason="demo memorial: affiliation is not published")
    ws.entities.mark_many(actor, "public", source=first, entities=True, reason=why)
    done = ws.publish.site(actor, ws.root / MEMORIAL, title=MEMORIAL_TITLE, synthetic=True)
    state.summary["SYNTHETIC memorial"] = (f"{done.persons} persons published to "
                                           f"{MEMORIAL}/index.html")


def report(state: DemoState) -> None:
    """The static HTML report, one file in the workspace."""
    state.ws.reports.write(state.admin, state.ws.root / "report.html", REPORT_TITLE,
                           **state.report_extra)
    state.summary["report claims"] = sum(len(b.claims) for b in state.ws.claims.board(state.admin))


def case_file(state: DemoState) -> None:
    """One official's sealed case file (dossier), in the workspace folder."""
    result = state.ws.dossiers.write(state.admin, CASE_FILE_PERSON, state.ws.root / CASE_FILE)
    state.summary["case file"] = (f"{CASE_FILE}/ ({result.files} files; "
                                  f"{'signed' if result.signed else 'not signed'}, "
                                  f"{'timestamped' if result.timestamped else 'untimestamped'})")


STEPS: list[tuple[str, Callable[[DemoState], None]]] = [
    ("sourced facts of the 1988 case", case_data),
    ("seed articles: vault and extraction", seed_articles),
    ("SYNTHETIC lists: simulate, link, estimate", synthetic_lists),
    ("vault verification", vault_check),
    ("SYNTHETIC memorial", memorial),
    ("HTML report", report),
    ("case file of an official", case_file),
]
