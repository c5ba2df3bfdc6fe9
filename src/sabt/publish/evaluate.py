"""Search recall of the memorial on SYNTHETIC lists (shared by the tests and
``benchmarks/bench_publish.py``, so both measure the same thing).

Protocol: simulated persons appear on several lists, each written in its own script and
spelling. For every person on at least two lists, the appearance on the last of their lists is
held out: the index holds each person's names as every other list writes them, and the query
is the name as the held-out list writes it ("a query written as another list spells the name").
Persons on one list only stay in the index as distractors. Recall@k is the share of queries
whose person is among the first k hits. Persons with the same name can rank exactly alike (same
score and tie-breaker): the ranking then orders them by id, which says nothing about the query,
so `fair_recall` also counts such a tie by its expected share — a person tied with `t` others
for the last `s` places of the top k counts `s / t`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sabt.publish.search import Entry, SearchIndex

if TYPE_CHECKING:
    import pandas as pd

    from sabt.simulate.core import Simulation


@dataclass(frozen=True)
class Query:
    text: str
    person: str
    list: str


def row_names(frame: pd.DataFrame) -> list[str]:
    """The name each row of a list gives, as its columns are detected on import (a full name,
    else given and family names)."""
    from sabt.ingest.headers import detect_columns

    fields = {f: h for h, f in detect_columns([str(c) for c in frame.columns]).items()}
    out = []
    for row in frame.to_dict("records"):
        full = str(row.get(fields.get("full_name", ""), "") or "").strip()
        parts = [str(row.get(fields.get(f, ""), "") or "").strip()
                 for f in ("given_name", "family_name")]
        out.append(full or " ".join(p for p in parts if p))
    return out


def linked_queries(sim: Simulation) -> tuple[list[Entry], list[Query]]:
    """The index entries and the held-out queries of a simulation (see the module doc)."""
    from sabt.text import detect_script

    names: dict[str, list[tuple[str, str]]] = {}
    for list_name in sorted(sim.lists):
        people = sim.rows[list_name]["person_id"].astype(str).tolist()
        for person, name in zip(people, row_names(sim.lists[list_name]), strict=True):
            if name:
                names.setdefault(f"P{person}", []).append((list_name, name))
    entries, queries = [], []
    for person in sorted(names):
        seen = names[person]
        lists = sorted({ln for ln, _ in seen})
        held = lists[-1] if len(lists) > 1 else None
        kept = tuple(dict.fromkeys(n for ln, n in seen if ln != held))
        latin = next((n for n in kept if detect_script(n) == "latin"), "")
        persian = next((n for n in kept if detect_script(n) == "persian"), "")
        entries.append(Entry(person, latin, persian, kept))
        if held is not None:
            queries.append(Query(next(n for ln, n in seen if ln == held), person, held))
    return entries, queries


def recall(index: SearchIndex, queries: Sequence[Query], ks: Sequence[int] = (1, 5),
           ) -> dict[int, float]:
    """Share of queries whose person is in the first k hits, for each k."""
    found = {k: 0 for k in ks}
    top = max(ks)
    for q in queries:
        ids = [h.id for h in index.rank(q.text, top)]
        for k in ks:
            found[k] += q.person in ids[:k]
    return {k: found[k] / len(queries) if queries else 0.0 for k in ks}


@dataclass(frozen=True)
class Recall:
    """Recall@k as ranked and with ties counted fairly, and why the misses at the largest k
    are misses."""

    raw: dict[int, float]
    fair: dict[int, float]
    tied: int          # as good a match as the last hit shown (same score and tie-breaker)
    lower: int         # ranked lower
    missing: int       # not a hit at all


def fair_recall(index: SearchIndex, queries: Sequence[Query], ks: Sequence[int] = (1, 5),
                depth: int = 500) -> Recall:
    """Recall@k raw and with ties counted by their expected share (see the module doc); the
    first `depth` hits of each query are ranked."""
    raw = {k: 0.0 for k in ks}
    fair = {k: 0.0 for k in ks}
    top = max(ks)
    tied = lower = missing = 0
    for q in queries:
        hits = index.rank(q.text, depth)
        ids = [h.id for h in hits]
        if q.person not in ids:
            missing += 1
            continue
        mine = hits[ids.index(q.person)]
        key = (mine.score, mine.tie)
        above = sum(1 for h in hits if (h.score, h.tie) > key)
        same = sum(1 for h in hits if (h.score, h.tie) == key)
        for k in ks:
            raw[k] += q.person in ids[:k]
            fair[k] += min(max(k - above, 0), same) / same
        if q.person not in ids[:top]:
            if above < top:
                tied += 1
            else:
                lower += 1
    n = len(queries) or 1
    return Recall({k: raw[k] / n for k in ks}, {k: fair[k] / n for k in ks}, tied, lower,
                  missing)
