"""The demo build's steps, in order; each writes through the public API in its own revision."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from sabt.demo.articles import add_seed_articles
from sabt.demo.synthetic import build_synthetic
from sabt.ingest.case import plan_case, write_plan
from sabt.report.data import collect, vault_summary
from sabt.report.html import render
from sabt.store.workspace import Store

CASE_TITLE = "Case 1988 demo dataset (curated citations of public sources)"
REPORT_TITLE = "Sabt — the 1988 prison killings in Iran (demo case)"
AUTHOR = "sabt demo"


@dataclass
class DemoState:
    """What the steps share: the workspace being built and a summary for the terminal."""

    ws: Store
    summary: dict[str, Any] = field(default_factory=dict)
    report_extra: dict[str, Any] = field(default_factory=dict)


def case_data(state: DemoState) -> None:
    """The curated 1988 case: sources, claims, persons, organisations, posts, places, events."""
    folder = Path(str(files("sabt.data").joinpath("case1988")))
    plan = plan_case(folder, CASE_TITLE)
    with state.ws.change(author=AUTHOR, reason="demo: import the curated 1988 case data") as ch:
        state.summary["case data"] = write_plan(ch, plan)


def seed_articles(state: DemoState) -> None:
    """The seed articles into the vault; extraction; toll claims matching curated ones accepted."""
    outcome = add_seed_articles(state.ws)
    state.summary["seed articles"] = (f"{len(outcome.items)} vault items, "
                                      f"{outcome.suggestions} suggestions, "
                                      f"{len(outcome.accepted)} toll claims accepted")


def synthetic_lists(state: DemoState) -> None:
    """SYNTHETIC lists: simulated, imported, linked, a few reviews, estimated by every method."""
    outcome = build_synthetic(state.ws, state.ws.root / "synthetic")
    state.summary["SYNTHETIC lists"] = outcome.linkage
    state.report_extra["synthetic_truth"] = {"true_n": outcome.true_n, "scenario": "1988-like"}
    state.report_extra["linkage"] = outcome.linkage


def vault_check(state: DemoState) -> None:
    """Verify the vault (every item re-hashed, the custody chain checked) for the report."""
    summary = vault_summary(state.ws)
    state.report_extra.update(summary)
    state.summary["vault"] = "verified" if summary["vault_verify"]["ok"] else "VERIFY FAILED"


def report(state: DemoState) -> None:
    """The static HTML report, one file in the workspace."""
    data = collect(state.ws, REPORT_TITLE, **state.report_extra)
    (state.ws.root / "report.html").write_text(render(data), encoding="utf-8")
    state.summary["report claims"] = sum(len(b.claims) for b in data.boards)


STEPS: list[tuple[str, Callable[[DemoState], None]]] = [
    ("sourced facts of the 1988 case", case_data),
    ("seed articles: vault and extraction", seed_articles),
    ("SYNTHETIC lists: simulate, link, estimate", synthetic_lists),
    ("vault verification", vault_check),
    ("HTML report", report),
]
