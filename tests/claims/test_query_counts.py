"""The report, claims board and Popolo export read in a bounded number of SQL statements.

Each builds a SYNTHETIC workspace of n officials (a name and a post each, sourced), n places,
n events and n subjects (a claim and a stored estimate each); the number of statements sent to
the database must be the same for n = 10 and n = 100 (no per-entity queries).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from sabt.claims.board import claims_board, record_estimates
from sabt.claims.popolo import popolo
from sabt.model.dates import FuzzyDate
from sabt.model.statements import EntityRef, Locator, Quantity, Reference, Text
from sabt.report.data import collect
from sabt.store.workspace import Store


def _fill(space: Store, n: int) -> None:
    with space.change(author="tester", reason=f"SYNTHETIC: {n} of each") as ch:
        src = ch.add_source("SYNTHETIC source")
        org = ch.add_entity("organization", "SYNTHETIC court")
        for i in range(n):
            ref = (Reference(src, Locator(page=str(i + 1)), quote=f"SYNTHETIC line {i}"),)
            person = ch.add_entity("person", f"SYNTHETIC official {i}")
            ch.add_statement(person, "name", Text(f"Official {i}", lang="en"), references=ref)
            ch.add_statement(person, "held post", EntityRef(org), references=ref,
                             qualifiers={"role": Text("judge"),
                                         "start": FuzzyDate("1988-07")})
            place = ch.add_entity("place", f"SYNTHETIC place {i}")
            ch.add_statement(place, "latitude", Quantity(35.0 + i / 1000), references=ref)
            happening = ch.add_entity("event", f"SYNTHETIC event {i}")
            ch.add_statement(happening, "date", FuzzyDate("1988-08"), references=ref)
            subject = ch.add_entity("subject", f"SYNTHETIC subject {i}")
            ch.add_statement(subject, "figure", Quantity(100 + i), references=ref,
                             qualifiers={"claimant": Text("SYNTHETIC group")})
            record_estimates(ch, {"estimates": [{"method": "loglinear", "estimate": 150.0}],
                                  "n_observed": 100}, label=f"SYNTHETIC {i}",
                             synthetic=False, subject_id=subject, inputs={"lists": 3})
        # one person merged into another: shown once, with both persons' posts
        extra = ch.add_entity("person", "SYNTHETIC alias")
        ch.add_statement(extra, "held post", EntityRef(org), qualifiers={"role": Text("clerk")})
        ch.merge(extra, person)


@contextmanager
def _counting(space: Store) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    event.listen(space.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(space.engine, "before_cursor_execute", count)


def _report(space: Store) -> Any:
    return collect(space, "SYNTHETIC report")


READS: dict[str, Callable[[Store], Any]] = {
    "report": _report, "claims_board": claims_board, "popolo": popolo}


def statement_counts(root: Path, url: str | None, n: int) -> tuple[dict[str, int], dict[str, Any]]:
    """SQL statements each read sends over a workspace of `n` of each, and what it read."""
    space = Store.create(root, url)
    try:
        _fill(space, n)
        counts, results = {}, {}
        for name, read in READS.items():
            with _counting(space) as seen:
                results[name] = read(space)
            counts[name] = len(seen)
        return counts, results
    finally:
        space.close()


def test_reads_do_not_grow_with_the_number_of_entities(
        tmp_path: Path, database_url: str | None, request: pytest.FixtureRequest) -> None:
    small, result = statement_counts(tmp_path / "ws10", database_url, 10)
    other = None if database_url is None else request.getfixturevalue("pg_server").new_database()
    large, _ = statement_counts(tmp_path / "ws100", other, 100)
    assert small == large, (small, large)
    report = result["report"]
    officials = {o.name: o for o in report.officials}
    assert len(officials) == 10 and len(report.places) == 10 and len(report.timeline) == 10
    assert [p.role for p in officials["SYNTHETIC official 9"].posts] == ["judge", "clerk"]
    assert all(len(b.claims) == 1 and len(b.estimates) == 1 for b in report.boards)
    assert len(result["claims_board"]) == 10
    assert all(len(b.claims) == 1 and len(b.estimates) == 1 for b in result["claims_board"])
    assert len(result["popolo"]["persons"]) == 10
    assert len(result["popolo"]["memberships"]) == 11
