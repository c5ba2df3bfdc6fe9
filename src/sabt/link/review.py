"""The review queue's order, its claims, and what a reviewer sees of one pair.

* Order: pairs that share records belong to one person in the making, so the queue serves them
  together — whole groups of connected pairs, the group with the strongest pair first, each
  group's pairs strongest first — and skipped pairs after everything else, in the same order.
* Claims: a pair served to a reviewer is claimed for `CLAIM_FOR`; no other reviewer is served
  it meanwhile, and a decision on a pair another reviewer has already decided is refused, so
  several reviewers at once never decide the same pair twice.
* The card: the two records, which fields differ, the other records of their group, and why
  the model scored the pair as it did (`sabt.link.explain`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from sabt.link import tables as lt
from sabt.link.options import LinkSettings
from sabt.link.workspace import ReviewItem, latest_run
from sabt.store.schema import as_utc

CLAIM_FOR = timedelta(minutes=10)


def order_for_review(items: Iterable[ReviewItem]) -> list[ReviewItem]:
    """Pairs grouped by the records they share (connected components), strongest group first;
    skipped pairs after all others. Deterministic: ties break on record ids."""
    items = list(items)
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for it in items:
        a, b = root(it.record_l), root(it.record_r)
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[int, list[ReviewItem]] = defaultdict(list)
    for it in items:
        groups[root(it.record_l)].append(it)

    def strength(it: ReviewItem) -> tuple[float, int, int]:
        return (-it.probability, it.record_l, it.record_r)

    ordered: list[ReviewItem] = []
    for skipped in (False, True):
        chosen = [sorted((it for it in g if it.skipped == skipped), key=strength)
                  for g in groups.values()]
        for group in sorted((g for g in chosen if g), key=lambda g: strength(g[0])):
            ordered.extend(group)
    return ordered


def group_of(items: list[ReviewItem], item: ReviewItem) -> list[int]:
    """The record ids connected to `item` through pairs waiting in the queue (sorted)."""
    seen = {item.record_l, item.record_r}
    grew = True
    while grew:
        grew = False
        for it in items:
            if (it.record_l in seen) != (it.record_r in seen):
                seen |= {it.record_l, it.record_r}
                grew = True
    return sorted(seen)


def claimed_by_others(conn: Connection, reviewer: str) -> set[tuple[int, int]]:
    """Pairs another reviewer holds a live claim on."""
    c = lt.review_claim
    now = datetime.now(UTC)
    rows = conn.execute(select(c.c.record_l, c.c.record_r, c.c.until)
                        .where(c.c.reviewer != reviewer))
    return {(r.record_l, r.record_r) for r in rows if as_utc(r.until) > now}


def claim(conn: Connection, pair: tuple[int, int], reviewer: str) -> bool:
    """Claim `pair` for `reviewer` (renewing their own claim, taking over an expired one);
    False when another reviewer holds it. Expired claims are cleared on the way."""
    c = lt.review_claim
    now = datetime.now(UTC)
    conn.execute(delete(c).where(c.c.until < now))
    where = (c.c.record_l == pair[0]) & (c.c.record_r == pair[1])
    holder = conn.execute(select(c.c.reviewer).where(where)).scalar()
    if holder is None:
        conn.execute(insert(c).values(record_l=pair[0], record_r=pair[1], reviewer=reviewer,
                                      until=now + CLAIM_FOR))
        return True
    if holder != reviewer:
        return False
    conn.execute(update(c).where(where).values(until=now + CLAIM_FOR))
    return True


def release(conn: Connection, pair: tuple[int, int]) -> None:
    """End the claim on a decided pair."""
    c = lt.review_claim
    conn.execute(delete(c).where((c.c.record_l == pair[0]) & (c.c.record_r == pair[1])))


def decided_by(conn: Connection, pair: tuple[int, int]) -> tuple[str, str] | None:
    """The active match / non-match decision on a pair and its reviewer, if any."""
    d = lt.review_decision
    row = conn.execute(select(d.c.decision, d.c.reviewer).where(
        d.c.record_l == pair[0], d.c.record_r == pair[1], d.c.undone_at.is_(None),
        d.c.decision != "skip").order_by(d.c.id.desc())).first()
    return (row.decision, row.reviewer) if row is not None else None


def run_model(conn: Connection) -> tuple[LinkSettings, dict[str, Any]] | None:
    """The latest run's settings and trained model (None before the first run)."""
    run_id = latest_run(conn)
    if run_id is None:
        return None
    row = conn.execute(select(lt.link_run.c.settings, lt.link_run.c.model)
                       .where(lt.link_run.c.id == run_id)).one()
    settings, model = (v if isinstance(v, dict) else json.loads(v)
                       for v in (row.settings, row.model))
    known = LinkSettings.__dataclass_fields__
    values: dict[str, Any] = {k: (tuple(v) if isinstance(v, list) else v)
                              for k, v in settings.items() if k in known}
    return LinkSettings(**values), model


@dataclass(frozen=True)
class FieldDiff:
    """One field of the two records side by side, and whether they say the same."""

    field: str
    left: str
    right: str
    same: bool
    left_latin: str = ""      # a name or place in Persian script, in Latin letters
    right_latin: str = ""


_ROMANISED = ("name", "prison", "province", "place", "city")


def _latin(field: str, value: str) -> str:
    """The best Latin spelling of a Persian-script name or place (else "")."""
    from sabt.text import detect_script, romanize

    if not value or not any(k in field for k in _ROMANISED) or \
            detect_script(value) != "persian":
        return ""
    spellings = romanize(value)
    return spellings[0] if spellings else ""


def differences(left: dict[str, Any], right: dict[str, Any]) -> list[FieldDiff]:
    """The canonical fields either record has, compared after trimming (a field only one
    side has is a difference), with names and places in Persian script also in Latin letters,
    so a reviewer reads both scripts side by side."""
    out = []
    for name in sorted(set(left) | set(right)):
        if name.endswith("_fd") or name.endswith("_num"):
            continue
        a, b = (str(v).strip() if v not in (None, "") else "" for v in
                (left.get(name), right.get(name)))
        if a or b:
            out.append(FieldDiff(name, a, b, a == b, _latin(name, a), _latin(name, b)))
    return out
