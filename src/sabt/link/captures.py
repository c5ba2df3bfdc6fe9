"""Capture histories and members of the latest link run, read while the rows stream past.

A workspace with millions of list records cannot load them all to count who is on which list.
`capture_table` reads the run's (person, list, stratum value) rows ordered by person, a page at
a time, and holds one person's rows at a time; persons joined by a merge since the run
(`merge_persons`) are held until all their rows are in, then counted as the one person they
resolve to. Memory grows with the number of capture patterns and merged persons, not records.
`run_members` reads the few columns that linkage draws and the band sample need, not every
record with its fields.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Connection, func, select

from sabt.errors import InvalidValue, NotFound
from sabt.ingest.lists import RECORD_COLUMNS
from sabt.link import tables as lt
from sabt.link.runstore import clusters_of
from sabt.store.workspace import Store, merge_roots

PAGE = 20_000  # rows fetched per round trip
STRATA = tuple(c for c in RECORD_COLUMNS if c not in ("raw", "row"))

Values = tuple[tuple[str, int], ...]  # a person's stratum spellings and how often each occurs
Tally = Counter[tuple[frozenset[str], Values]]


def capture_table(ws: Store, strata: str | None = None) -> pd.DataFrame:
    """The capture-pattern table of the latest run: 0/1 column per list, ``count``, strata.

    A person is on a list if any of its records is; persons merged since the run count as the
    one person they were merged into. With `strata` (a canonical field such as ``province`` or
    ``sex_code``), each person's stratum is the most frequent value among its records (ties:
    alphabetical; none: ``unknown``), spellings of one place counted as one
    (`sabt.estimate.strata.labels_of_counts`: Tehran = تهران).
    """
    with ws.connect() as conn:
        roots, rows = _run_rows(conn, strata, by_person=True)
        tally = tally_captures(((person, name, value) for _, name, person, value in rows),
                               roots)
    return capture_frame(tally, strata)


def run_members(ws: Store, strata: str | None = None) -> pd.DataFrame:
    """The latest run's records by record id: ``record_id``, ``source`` (the list's name),
    ``person`` (the run's person followed through merges made since) and, with `strata`, that
    field's stripped value (None when missing). Only these columns are read, a page at a time,
    so linkage draws and the band sample need not load every record with its fields."""
    ids: list[int] = []
    sources: list[str] = []
    persons: list[str] = []
    values: list[str | None] = []
    with ws.connect() as conn:
        roots, rows = _run_rows(conn, strata, by_person=False)
        for record, name, person, value in rows:
            ids.append(record)
            sources.append(name)
            persons.append(roots.get(person, person))
            if strata is not None:
                values.append(value or None)
    frame = pd.DataFrame({"record_id": ids, "source": sources, "person": persons})
    if strata is not None:
        frame[strata] = values
    return frame


def _run_rows(conn: Connection, strata: str | None, *, by_person: bool,
              ) -> tuple[dict[str, str], Iterator[tuple[int, str, str, str]]]:
    """The merges (person → the person it resolves to) and the latest run's (record id, list
    name, person of the run, stratum value or "") rows, ordered by person or by record id and
    fetched a page at a time."""
    if strata is not None and strata not in STRATA:
        raise InvalidValue(f"unknown stratum column {strata!r}; use one of {', '.join(STRATA)}",
                           field="strata")
    run_id = conn.execute(select(func.max(lt.link_run.c.id))).scalar()
    if run_id is None:
        raise NotFound("no link run yet; use `sabt link` first")
    roots = merge_roots(conn)
    run = clusters_of(conn, int(run_id))
    rec, imp = lt.list_record, lt.list_import
    query = (select(run.c.record_id, imp.c.name, run.c.person_id,
                    *([rec.c.fields] if strata is not None else []))
             .select_from(run.join(rec, rec.c.id == run.c.record_id)
                          .join(imp, imp.c.source_id == rec.c.source_id))
             .order_by(run.c.person_id if by_person else run.c.record_id))
    result = conn.execute(query, execution_options={"yield_per": PAGE})
    rows = ((int(r[0]), str(r[1]), str(r[2]),
             _value(r[3], strata) if strata is not None else "") for r in result)
    return roots, rows


def _value(fields: Any, column: str) -> str:
    """A record's stripped text value of `column` ("" when it has none)."""
    data = fields if isinstance(fields, dict) else json.loads(fields or "{}")
    value = data.get(column)
    return value.strip() if isinstance(value, str) else ""


def tally_captures(rows: Iterable[tuple[str, str, str]], roots: Mapping[str, str]) -> Tally:
    """Persons counted by (lists they are on, their stratum spellings), from (person, list,
    value) rows ordered by person (pure). `roots` maps each merged person to the person it
    resolves to; those persons' rows are gathered under the root before they are counted."""
    merged = set(roots) | set(roots.values())
    tally: Tally = Counter()
    held: dict[str, tuple[set[str], Counter[str]]] = {}
    for person, rows_of in _by_person(rows):
        lists = {name for name, _ in rows_of}
        values = Counter(v for _, v in rows_of if v)
        if person in merged:
            root = roots.get(person, person)
            had = held.setdefault(root, (set(), Counter()))
            had[0].update(lists)
            had[1].update(values)
        else:
            tally[frozenset(lists), tuple(sorted(values.items()))] += 1
    for lists, values in held.values():
        tally[frozenset(lists), tuple(sorted(values.items()))] += 1
    return tally


def _by_person(rows: Iterable[tuple[str, str, str]]) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """Consecutive rows of one person, one person at a time."""
    person: str | None = None
    group: list[tuple[str, str]] = []
    for who, name, value in rows:
        if who != person:
            if person is not None:
                yield person, group
            person, group = who, []
        group.append((name, value))
    if person is not None:
        yield person, group


def capture_frame(tally: Tally, strata: str | None) -> pd.DataFrame:
    """The tally as the capture table: lists in alphabetical order, then the stratum (its
    label), then ``count``, one row per pattern, sorted as `pandas.DataFrame.groupby` sorts."""
    from sabt.estimate.strata import UNKNOWN, labels_of_counts

    lists = sorted({name for pattern, _ in tally for name in pattern})
    label: dict[str, str] = {}
    if strata is not None:
        spelled: Counter[str] = Counter()
        for (_, values), n in tally.items():
            for v, k in values:
                spelled[v] += k * n
        label = labels_of_counts(spelled)[0]
    counts: Counter[tuple[Any, ...]] = Counter()
    for (pattern, values), n in tally.items():
        row: tuple[Any, ...] = tuple(int(name in pattern) for name in lists)
        if strata is not None:
            row = (_pick(values, label, UNKNOWN), *row)
        counts[row] += n
    keys = [*([strata] if strata else []), *lists]
    frame = pd.DataFrame([(*row, n) for row, n in sorted(counts.items())],
                         columns=[*keys, "count"])
    for name in lists:
        frame[name] = frame[name].astype("int64")
    frame["count"] = frame["count"].astype("int64")
    return frame[[*lists, *([strata] if strata else []), "count"]]


def _pick(values: Values, label: Mapping[str, str], unknown: str) -> str:
    """A person's stratum: the label most of its records' values carry (ties: alphabetical;
    no value: `unknown`)."""
    by_label: Counter[str] = Counter()
    for v, k in values:
        by_label[label[v]] += k
    if not by_label:
        return unknown
    return sorted(by_label.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
