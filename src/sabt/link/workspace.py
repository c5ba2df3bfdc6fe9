"""Linkage inside a workspace: import lists, run and version linkages, persons, review, captures.

* `import_list` turns a list file into a source and one record per row, in one change;
  re-importing the same bytes is a no-op.
* `run_linkage` links every imported record, honouring reviewers' decisions, and writes the run
  (inputs, settings, trained model, software version), its pairs and clusters, and the persons,
  in one change: a run that fails leaves the previous one as it was.
* Persons are kept stable across runs: a cluster keeps the person most of its records already
  had; records that move take their statements with them (retracted on the old person, added
  on the new one). Every statement references its list and row, quoting the raw row.
* Review: pairs whose probability falls in the review band wait in a queue; decisions (match /
  non-match / skip) are stored by record, survive re-runs, can be undone, and travel as CSV.
* Merges: merging or splitting persons drawn from lists (`merge_persons`, `unmerge_persons`)
  records review decisions in the same change; captures follow merge pointers at once.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, func, insert, select, update

from sabt import __version__
from sabt.errors import InvalidValue, NotFound, SabtError
from sabt.ingest.headers import CANONICAL_FIELDS, Mapping
from sabt.ingest.lists import RECORD_COLUMNS, ParsedList, read_list
from sabt.link import incremental
from sabt.link import tables as lt
from sabt.link.engine import Progress, link
from sabt.link.incremental import ModelMismatch, Previous, link_incremental
from sabt.link.options import EXECUTION_ONLY, LinkSettings
from sabt.link.runstore import clusters_of, read_clusters, store_clusters
from sabt.model.dates import FuzzyDate
from sabt.model.statements import (
    Locator,
    NewStatement,
    Quantity,
    Reference,
    Text,
    Value,
)
from sabt.safety import csv_row, csv_uncell, reason
from sabt.store.change import Change, allocate, bulk_insert
from sabt.store.workspace import Store, merge_parents, merge_root, merge_roots
from sabt.text.normalize import detect_script
from sabt.vault.vault import FileIngest, Provenance, Vault

DECISIONS = ("match", "non-match", "skip")
# Records whose statements a link run writes at a time: a run over millions of records holds
# one part's statements in memory, not all of them.
RECORDS_PER_WRITE = 20_000
_TEXT_PROPERTIES = {
    "given_name": "given name", "family_name": "family name", "father_name": "father name",
    "full_name": "name", "prison": "prison", "place_of_death": "place of death",
    "province": "province", "affiliation": "affiliation",
}


@dataclass
class ImportReport:
    """What an import did (or, with ``dry_run``, would do)."""

    parsed: ParsedList
    source_id: str | None
    already_imported: bool = False


@dataclass
class RunReport:
    """A finished link run."""

    run_id: int
    records: int
    clusters: int
    persons_created: int
    persons_updated: int
    review_pairs: int
    timings: dict[str, float] = field(default_factory=dict)
    mode: str = "full"          # "incremental": only what new records touch was re-linked
    mode_reason: str = ""       # why this mode ran
    blocking: dict[str, int] = field(default_factory=dict)   # blocks left unscored (max_block)
    created_at: datetime | None = None
    software_version: str = __version__
    input_checksum: str = ""    # SHA-256 over the records and decisions the run read
    merges: int = 0             # persons merged into another person drawn from lists …
    merges_honoured: int = 0    # … whose merged records this run put in one cluster


# --- import ----------------------------------------------------------------------------------

def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as plain dicts (far cheaper to walk than `iterrows` or `.iloc`)."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _fields(rec: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {f: rec[f] for f in CANONICAL_FIELDS if isinstance(rec[f], str)}
    if isinstance(rec["sex_code"], str):
        out["sex_code"] = rec["sex_code"]
    for col in ("birth_year_num", "age_num"):
        if not pd.isna(rec[col]):
            out[col] = int(rec[col])
    for col in ("birth_date_fd", "death_date_fd"):
        if isinstance(rec[col], FuzzyDate):
            out[col] = rec[col].to_dict()
    if rec.get("compare"):   # the mapping's [compare] columns, {"kind:header": text}
        out["compare"] = rec["compare"]
    return out


def import_list(ws: Store, path: Path, *, name: str | None = None,
                mapping: Mapping | None = None, author: str,
                duplicate_free: bool = False, dry_run: bool = False) -> ImportReport:
    """Import a list file as a source with one record per row (all or nothing)."""
    parsed = read_list(path, name=name, mapping=mapping)
    with ws.connect() as conn:
        known = conn.execute(select(lt.list_import.c.source_id).where(
            lt.list_import.c.sha256 == parsed.sha256)).scalar()
        if known is not None:
            return ImportReport(parsed, str(known), already_imported=True)
        if conn.execute(select(lt.list_import.c.source_id).where(
                lt.list_import.c.name == parsed.name)).scalar() is not None:
            raise SabtError(f"a different list is already imported as {parsed.name!r}; "
                            "choose another --name", file=str(path))
    if dry_run:
        return ImportReport(parsed, None)
    with Vault(ws).ingest_within(path, author=author,
                                 reason=f"import list {parsed.name} ({path.name})") as job:
        ch = job.change
        if job.staged.sha256 != parsed.sha256:
            raise SabtError("the file changed while it was being imported; try again",
                            file=str(path))
        sid = _list_source(job, parsed, path)
        ch.conn.execute(insert(lt.list_import).values(
            source_id=sid, name=parsed.name, sha256=parsed.sha256, file_name=path.name,
            media_type=parsed.media_type, columns=parsed.columns,
            n_records=len(parsed.records), n_warnings=len(parsed.warnings),
            duplicate_free=duplicate_free, revision_id=ch.revision_id))
        first = allocate(ch.conn, "list_record", len(parsed.records))
        # straight to the driver (COPY on PostgreSQL), the fields as JSON text
        bulk_insert(ch.conn, lt.list_record, ("id", "source_id", "row_number", "raw", "fields"), [
            (first + i, sid, int(rec["row"]), rec["raw"],
             json.dumps(_fields(rec), ensure_ascii=False))
            for i, rec in enumerate(_rows(parsed.records))
        ])
        job.keep(path.name, Provenance(ch.author, capture_method="import-list"),
                 media_type=parsed.media_type, source_id=sid,
                 meta={"list": parsed.name, "records": len(parsed.records)})
    return ImportReport(parsed, sid)


def _list_source(job: FileIngest, parsed: ParsedList, path: Path) -> str:
    """The list's source: the vault's when these bytes are already stored there, else new."""
    if job.existing is not None and job.existing["source_id"] is not None:
        return str(job.existing["source_id"])
    return job.change.add_source(parsed.name, sha256=parsed.sha256, media_type=parsed.media_type,
                                 notes=f"list file {path.name}; {len(parsed.records)} records")


def load_records(conn: Connection, ids: list[int] | None = None) -> pd.DataFrame:
    """Every imported record (or those with the given ids) as a records table (ordered by
    record id) with ``source``."""
    query = select(lt.list_record.c.id, lt.list_record.c.source_id, lt.list_record.c.row_number,
                   lt.list_record.c.raw, lt.list_record.c.fields, lt.list_import.c.name) \
        .join(lt.list_import, lt.list_import.c.source_id == lt.list_record.c.source_id) \
        .order_by(lt.list_record.c.id)
    if ids is not None:
        query = query.where(lt.list_record.c.id.in_(ids))
    out = []
    for row in conn.execute(query):
        fields = row.fields if isinstance(row.fields, dict) else json.loads(row.fields)
        rec: dict[str, Any] = dict.fromkeys(RECORD_COLUMNS)
        rec.update({k: v for k, v in fields.items() if k in rec})
        for col in ("birth_date_fd", "death_date_fd"):
            if isinstance(rec[col], dict):
                rec[col] = FuzzyDate.from_dict(rec[col])
        rec.update(row=row.row_number, raw=row.raw, record_id=row.id,
                   source_id=row.source_id, source=row.name)
        out.append(rec)
    frame = pd.DataFrame(out, columns=[*RECORD_COLUMNS, "record_id", "source_id", "source"])
    for col in ("birth_year_num", "age_num"):
        frame[col] = frame[col].astype("Int64")
    return frame


# --- decisions -------------------------------------------------------------------------------

def _ordered(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def active_decisions(conn: Connection) -> dict[tuple[int, int], str]:
    """The latest not-undone decision per record pair."""
    d = lt.review_decision
    rows = conn.execute(select(d.c.record_l, d.c.record_r, d.c.decision)
                        .where(d.c.undone_at.is_(None)).order_by(d.c.id))
    return {_ordered(r.record_l, r.record_r): r.decision for r in rows}


def decide(ws: Store, record_l: int, record_r: int, decision: str, *, reviewer: str,
           note: str = "") -> int:
    """Record a reviewer's decision on a pair of records; returns the decision id."""
    if decision not in DECISIONS:
        raise InvalidValue(f"decision must be one of {', '.join(DECISIONS)}", field="decision")
    a, b = _ordered(record_l, record_r)
    with ws.change(author=reviewer, reason=f"review: {decision} {a}~{b}") as ch:
        for rid in (a, b):
            if ch.conn.execute(select(lt.list_record.c.id).where(
                    lt.list_record.c.id == rid)).scalar() is None:
                raise NotFound(f"no record {rid}")
        did = allocate(ch.conn, "review_decision")
        ch.conn.execute(insert(lt.review_decision).values(
            id=did, record_l=a, record_r=b, decision=decision, reviewer=reviewer,
            decided_at=datetime.now(UTC), note=note))
    return did


def undo_decision(ws: Store, decision_id: int, *, reviewer: str) -> None:
    """Undo a decision (it stays on record, stamped as undone)."""
    d = lt.review_decision
    with ws.change(author=reviewer, reason=f"review: undo decision {decision_id}") as ch:
        done = ch.conn.execute(update(d).where(d.c.id == decision_id, d.c.undone_at.is_(None))
                               .values(undone_at=datetime.now(UTC), undone_by=reviewer))
        if done.rowcount == 0:
            raise NotFound(f"no active decision {decision_id}")


def _record_ids_by_locator(conn: Connection) -> dict[tuple[str, int], int]:
    rows = conn.execute(select(lt.list_import.c.name, lt.list_record.c.row_number,
                               lt.list_record.c.id)
                        .join(lt.list_import,
                              lt.list_import.c.source_id == lt.list_record.c.source_id))
    return {(r.name, r.row_number): r.id for r in rows}


_CSV_FIELDS = ("list_l", "row_l", "list_r", "row_r", "probability", "decision", "reviewer",
               "decided_at", "note")


def export_decisions(ws: Store, out: Path) -> int:
    """Write the review queue and every active decision as CSV (blank decision = to do)."""
    with ws.connect() as conn:
        where = {v: k for k, v in _record_ids_by_locator(conn).items()}
        d = lt.review_decision
        done = conn.execute(select(d).where(d.c.undone_at.is_(None)).order_by(d.c.id)).all()
        queue = review_queue(ws, conn=conn)
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(_CSV_FIELDS)
        for item in (i for i in queue if not i.skipped):   # skipped ones are among `done`
            (la, ra), (lb, rb) = where[item.record_l], where[item.record_r]
            writer.writerow(csv_row([la, ra, lb, rb, f"{item.probability:.6f}", "", "", "", ""]))
        for r in done:
            (la, ra), (lb, rb) = where[r.record_l], where[r.record_r]
            writer.writerow(csv_row([la, ra, lb, rb, "", r.decision, r.reviewer,
                                     r.decided_at.isoformat(), r.note]))
    return sum(not i.skipped for i in queue) + len(done)


def import_decisions(ws: Store, path: Path, *, reviewer: str) -> int:
    """Read decisions from an offline reviewer's CSV (rows with a blank decision are skipped)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except (csv.Error, UnicodeDecodeError) as exc:
        raise InvalidValue(f"not a readable CSV ({reason(exc)})", file=str(path)) from exc
    with ws.connect() as conn:
        ids = _record_ids_by_locator(conn)
        current = active_decisions(conn)
    todo: list[tuple[int, int, str, str, str]] = []
    for n, row in enumerate(rows, start=2):
        decision = (row.get("decision") or "").strip().lower()
        if not decision:
            continue
        if decision not in DECISIONS:
            raise InvalidValue(f"decision {decision!r} is not one of {', '.join(DECISIONS)}",
                               file=str(path), row=n, field="decision")
        try:
            a = ids[(csv_uncell(row["list_l"]), int(row["row_l"]))]
            b = ids[(csv_uncell(row["list_r"]), int(row["row_r"]))]
        except (KeyError, ValueError) as exc:
            raise InvalidValue(f"no such record ({exc})", file=str(path), row=n) from exc
        if current.get(_ordered(a, b)) == decision:
            continue  # already recorded: importing twice changes nothing
        todo.append((a, b, decision, (row.get("reviewer") or reviewer).strip(),
                     csv_uncell(row.get("note") or "")))
    with ws.change(author=reviewer, reason=f"review: import {len(todo)} decisions") as ch:
        first = allocate(ch.conn, "review_decision", max(len(todo), 1))
        for i, (a, b, decision, who, note) in enumerate(todo):
            x, y = _ordered(a, b)
            ch.conn.execute(insert(lt.review_decision).values(
                id=first + i, record_l=x, record_r=y, decision=decision, reviewer=who,
                decided_at=datetime.now(UTC), note=note))
    return len(todo)


@dataclass(frozen=True)
class ReviewItem:
    """A pair of records waiting for a reviewer."""

    record_l: int
    record_r: int
    probability: float
    skipped: bool = False   # a reviewer skipped it: it comes back after every other pair


def latest_run(conn: Connection) -> int | None:
    """The id of the latest link run, if any."""
    value = conn.execute(select(func.max(lt.link_run.c.id))).scalar()
    return int(value) if value is not None else None


def review_queue(ws: Store, *, conn: Connection | None = None) -> list[ReviewItem]:
    """Pairs of the latest run in its review band that no match or non-match decision covers,
    in the order that resolves whole persons (`review.order_for_review`); skipped pairs last."""
    if conn is None:
        with ws.connect() as own:
            return review_queue(ws, conn=own)
    run_id = latest_run(conn)
    if run_id is None:
        return []
    settings = conn.execute(select(lt.link_run.c.settings).where(
        lt.link_run.c.id == run_id)).scalar_one()
    settings = settings if isinstance(settings, dict) else json.loads(settings)
    p = lt.link_pair
    rows = conn.execute(select(p.c.record_l, p.c.record_r, p.c.probability).where(
        p.c.run_id == run_id, p.c.probability >= settings["review_low"],
        p.c.probability < settings["review_high"]).order_by(p.c.probability.desc(),
                                                             p.c.record_l, p.c.record_r))
    from sabt.link.review import order_for_review

    decided = active_decisions(conn)
    return order_for_review([
        ReviewItem(r.record_l, r.record_r, r.probability,
                   skipped=decided.get(_ordered(r.record_l, r.record_r)) == "skip")
        for r in rows if decided.get(_ordered(r.record_l, r.record_r)) in (None, "skip")])


def records_by_id(ws: Store, ids: list[int]) -> dict[int, dict[str, Any]]:
    """Records (list name, row, raw row, canonical fields) for display."""
    with ws.connect() as conn:
        rows = conn.execute(select(lt.list_record.c.id, lt.list_record.c.row_number,
                                   lt.list_record.c.raw, lt.list_record.c.fields,
                                   lt.list_record.c.source_id, lt.list_import.c.name)
                            .join(lt.list_import,
                                  lt.list_import.c.source_id == lt.list_record.c.source_id)
                            .where(lt.list_record.c.id.in_(ids)))
        return {r.id: {"list": r.name, "source_id": r.source_id, "row": r.row_number,
                       "raw": json.loads(r.raw),
                       "fields": r.fields if isinstance(r.fields, dict) else json.loads(r.fields)}
                for r in rows}


# --- persons ---------------------------------------------------------------------------------

def _lang(text: str) -> str | None:
    script = detect_script(text)
    return "fa" if script == "persian" else ("en" if script == "latin" else None)


# The list columns (canonical fields) a statement's value is read from; names parsed out of a
# full name cite the full name's column.
_CITED_FIELDS: dict[str, tuple[str, ...]] = {
    "given name": ("given_name", "full_name"), "family name": ("family_name", "full_name"),
    "father name": ("father_name", "full_name"), "sex": ("sex",),
    "year of birth": ("birth_year", "birth_date"), "age at death": ("age",),
    "date of birth": ("birth_date",), "date of death": ("death_date",),
}


def _cell_reference(rec: dict[str, Any], prop: str, columns: dict[str, str]) -> Reference:
    """The list row and the column(s) a property was read from, quoting those cells only: a
    statement never carries the rest of the row, so a withheld cell cannot leak through the
    quote of another."""
    fields = _CITED_FIELDS.get(prop) or tuple(f for f, p in _TEXT_PROPERTIES.items() if p == prop)
    raw = json.loads(str(rec["raw"]))
    headers = []
    for fld in fields:   # the first field that has a column in this list
        headers = [h for h, f in columns.items() if f == fld and str(raw.get(h, "")).strip()]
        if headers:
            break
    return Reference(str(rec["source_id"]),
                     Locator(row=int(rec["row"]), column=", ".join(headers) or None),
                     quote=" | ".join(str(raw[h]).strip() for h in headers))


def record_statements(person_id: str, rec: dict[str, Any],
                      columns: dict[str, str]) -> list[NewStatement]:
    """The statements one record makes about its person, each citing its cell of the list row
    (`columns`: the list's header → field mapping)."""
    values: list[tuple[str, Value]] = []
    for fld, prop in _TEXT_PROPERTIES.items():
        if isinstance(rec[fld], str):
            values.append((prop, Text(rec[fld], lang=_lang(rec[fld]))))
    if isinstance(rec["sex_code"], str):
        values.append(("sex", Text({"m": "male", "f": "female"}[rec["sex_code"]])))
    if not pd.isna(rec["birth_year_num"]):
        values.append(("year of birth", Quantity(float(rec["birth_year_num"]))))
    if not pd.isna(rec["age_num"]):
        values.append(("age at death", Quantity(float(rec["age_num"]))))
    if isinstance(rec["birth_date_fd"], FuzzyDate):
        values.append(("date of birth", rec["birth_date_fd"]))
    if isinstance(rec["death_date_fd"], FuzzyDate):
        values.append(("date of death", rec["death_date_fd"]))
    elif isinstance(rec["death_date"], str):
        values.append(("date of death", FuzzyDate.unknown(rec["death_date"])))
    return [NewStatement(person_id, prop, value, (_cell_reference(rec, prop, columns),))
            for prop, value in values]


def _label(rec: dict[str, Any]) -> str:
    parts = [rec["given_name"], rec["family_name"]]
    text = " ".join(p for p in parts if isinstance(p, str)) or rec["full_name"]
    return str(text) if isinstance(text, str) and text else f"{rec['source']} row {rec['row']}"


def _assign_persons(ch: Change, records: pd.DataFrame, cluster: np.ndarray,
                    ) -> tuple[np.ndarray, int, int]:
    """Person id per record: stable across runs; statements move with their records.

    A record stays with its person when that person is merged with (resolves to the same
    person as) the person its cluster keeps, so merged persons keep their own records.
    """
    pr = lt.person_record
    old = {r.record_id: (r.person_id, r.statement_ids) for r in ch.conn.execute(select(pr))}
    root = merge_roots(ch.conn)
    record_ids = records["record_id"].to_numpy()
    # Each old person goes to the cluster holding most of its records (ties: lowest cluster).
    votes: dict[str, Counter[int]] = {}
    for rid, c in zip(record_ids, cluster, strict=True):
        if int(rid) in old:
            votes.setdefault(old[int(rid)][0], Counter())[int(c)] += 1
    owner: dict[int, str] = {}
    for pid in sorted(votes):
        best = sorted(votes[pid].items(), key=lambda kv: (-kv[1], kv[0]))
        for c, _n in best:
            if c not in owner:
                owner[c] = pid
                break
    rows = _rows(records)
    columns = {str(r.source_id): _json(r.columns) for r in ch.conn.execute(
        select(lt.list_import.c.source_id, lt.list_import.c.columns))}
    updated = 0
    person = np.empty(len(records), dtype=object)
    moved: list[tuple[int, str, int]] = []   # (row, person, record id) whose statements are new
    to_retract: list[int] = []
    members: dict[int, list[int]] = {}
    for i, c in enumerate(cluster):
        members.setdefault(int(c), []).append(i)
    new_clusters = [c for c in sorted(members) if c not in owner]
    fresh = dict(zip(new_clusters, ch.add_entities(
        "person", [_label(rows[members[c][0]]) for c in new_clusters]), strict=True))
    created = len(fresh)
    for c in sorted(members):
        idx = members[c]
        pid = owner.get(c) or fresh[c]
        changed = False
        for i in idx:
            rid = int(record_ids[i])
            person[i] = pid
            prev = old.get(rid)
            if prev is not None and root.get(prev[0], prev[0]) == root.get(pid, pid):
                person[i] = prev[0]
                continue
            if prev is not None:
                to_retract.extend(prev[1])
            moved.append((i, pid, rid))
            changed = True
        if changed and c in owner:
            updated += 1
    for sid in to_retract:
        ch.retract_statement(sid, "record linked to another person")
    for start in range(0, len(moved), RECORDS_PER_WRITE):
        part = moved[start:start + RECORDS_PER_WRITE]
        made = [record_statements(pid, rows[i], columns[str(rows[i]["source_id"])])
                for i, pid, _ in part]
        ids = ch.add_statements([st for stmts in made for st in stmts])
        pos = 0
        inserts = []
        for (_, pid, rid), stmts in zip(part, made, strict=True):
            values = {"person_id": pid, "statement_ids": ids[pos:pos + len(stmts)]}
            pos += len(stmts)
            if rid in old:
                ch.conn.execute(update(pr).where(pr.c.record_id == rid).values(**values))
            else:
                inserts.append({"record_id": rid, **values})
        for first in range(0, len(inserts), 5000):
            ch.conn.execute(insert(pr), inserts[first:first + 5000])
    kept = set(person)
    for pid in sorted(set(votes) - kept):
        ch.retract_entity(pid, "all its records now belong to other persons")
    return person, created, updated


# --- merges ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PersonMerge:
    """What merging or splitting two persons did to the linkage (decisions by record pair)."""

    from_id: str
    into_id: str
    matches: int = 0        # match decisions recorded
    non_matches: int = 0    # non-match decisions recorded
    undone: int = 0         # earlier decisions between the two persons' records undone


def _side(parent: dict[str, str], entity_id: str) -> set[str]:
    """An entity and every entity merged into it, directly or through others."""
    children: dict[str, list[str]] = {}
    for child, target in parent.items():
        children.setdefault(target, []).append(child)
    out, todo = {entity_id}, [entity_id]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out


def _records_of(conn: Connection, persons: set[str]) -> list[int]:
    """The list records that currently make up these persons, in id order."""
    if not persons:
        return []
    pr = lt.person_record
    return sorted(int(x) for x in conn.execute(select(pr.c.record_id).where(
        pr.c.person_id.in_(sorted(persons)))).scalars())


def _crossing(conn: Connection, left: list[int], right: list[int],
              ) -> list[tuple[int, int, int, str]]:
    """Not-undone decisions (id, record_l, record_r, decision) joining `left` with `right`."""
    d, lset, rset = lt.review_decision, set(left), set(right)
    both = sorted(lset | rset)
    rows = conn.execute(select(d.c.id, d.c.record_l, d.c.record_r, d.c.decision).where(
        d.c.undone_at.is_(None), d.c.record_l.in_(both), d.c.record_r.in_(both))
        .order_by(d.c.id)).tuples()
    return [(int(i), int(a), int(b), str(dec)) for i, a, b, dec in rows
            if (a in lset and b in rset) or (a in rset and b in lset)]


def _undo(ch: Change, ids: list[int]) -> int:
    if ids:
        d = lt.review_decision
        ch.conn.execute(update(d).where(d.c.id.in_(ids)).values(
            undone_at=datetime.now(UTC), undone_by=ch.author))
    return len(ids)


def _record_decisions(ch: Change, pairs: list[tuple[int, int]], decision: str,
                      note: str) -> int:
    if not pairs:
        return 0
    first = allocate(ch.conn, "review_decision", len(pairs))
    now = datetime.now(UTC)
    ch.conn.execute(insert(lt.review_decision), [
        {"id": first + i, "record_l": a, "record_r": b, "decision": decision,
         "reviewer": ch.author, "decided_at": now, "note": note}
        for i, (a, b) in enumerate(_ordered(x, y) for x, y in pairs)])
    return len(pairs)


def _linked_by_model(conn: Connection, left: list[int], right: list[int]) -> bool:
    """Whether the latest run's model joined a record of `left` with one of `right`: a chain of
    its pairs at or above the run's threshold, through records of their clusters."""
    run_id = latest_run(conn)
    if run_id is None:
        return False
    settings = _json(conn.execute(select(lt.link_run.c.settings).where(
        lt.link_run.c.id == run_id)).scalar_one())
    c, p = clusters_of(conn, run_id), lt.link_pair
    clusters = select(c.c.cluster).where(c.c.record_id.in_(left + right))
    members = sorted(int(x) for x in conn.execute(select(c.c.record_id).where(
        c.c.cluster.in_(clusters))).scalars())
    parent = {r: r for r in members}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in conn.execute(select(p.c.record_l, p.c.record_r).where(
            p.c.run_id == run_id, p.c.probability >= float(settings["threshold"]),
            p.c.record_l.in_(members), p.c.record_r.in_(members))).tuples():
        parent[find(int(a))] = find(int(b))
    linked = {find(r) for r in left if r in parent}
    return any(find(r) in linked for r in right if r in parent)


def _two_sides(conn: Connection, parent: dict[str, str], from_id: str,
               root: str) -> tuple[list[int], list[int]]:
    """The records of `from_id` (with what is merged into it) and those of the rest of the
    person rooted at `root`."""
    from_side = _side(parent, from_id)
    return (_records_of(conn, from_side),
            _records_of(conn, _side(parent, root) - from_side))


def merge_persons(ws: Store, from_id: str, into_id: str, *, author: str,
                  reason: str = "") -> PersonMerge:
    """Merge `from_id` into `into_id` and, for persons drawn from lists, make it a linkage
    decision: one change records the merge pointer and `match` decisions joining every record
    of `from_id` (and of what is merged into it) to a record of `into_id`, undoing earlier
    `non-match` decisions between them. The captures count the two as one at once
    (`capture_table` follows the pointer); the next `sabt link` puts their records in one
    cluster. Entities without list records merge as a pointer only.
    """
    with ws.change(author=author, reason=reason or f"merge {from_id} into {into_id}") as ch:
        ch.merge(from_id, into_id, reason)
        parent = merge_parents(ch.conn)
        left, right = _two_sides(ch.conn, parent, from_id, merge_root(parent, into_id))
        if not left or not right:
            return PersonMerge(from_id, into_id)
        crossing = _crossing(ch.conn, left, right)
        undone = _undo(ch, [i for i, _a, _b, dec in crossing if dec == "non-match"])
        matched = {_ordered(a, b) for _i, a, b, dec in crossing if dec == "match"}
        own = _records_of(ch.conn, {into_id})
        anchor = own[0] if own else right[0]
        todo = [(anchor, r) for r in left if _ordered(anchor, r) not in matched]
        note = f"merge {from_id} into {into_id}" + (f": {reason}" if reason else "")
        return PersonMerge(from_id, into_id, _record_decisions(ch, todo, "match", note),
                           undone=undone)


def unmerge_persons(ws: Store, from_id: str, *, author: str,
                    reason: str = "") -> PersonMerge:
    """Split `from_id` off the person it is merged into, as a linkage decision: one change
    clears the pointer, undoes the `match` decisions between the two persons' records (the
    merge's and any reviewer's), and, where the latest run's model linked the two, records
    `non-match` decisions between all their records so the next `sabt link` keeps them apart.
    """
    with ws.change(author=author, reason=reason or f"unmerge {from_id}") as ch:
        parent = merge_parents(ch.conn)
        ch.unmerge(from_id, reason)
        into_id = parent[from_id]
        left, right = _two_sides(ch.conn, parent, from_id, merge_root(parent, from_id))
        if not left or not right:
            return PersonMerge(from_id, into_id)
        crossing = _crossing(ch.conn, left, right)
        undone = _undo(ch, [i for i, _a, _b, dec in crossing if dec == "match"])
        non_matches = 0
        if _linked_by_model(ch.conn, left, right):
            apart = {_ordered(a, b) for _i, a, b, dec in crossing if dec == "non-match"}
            todo = [(a, b) for a in left for b in right if _ordered(a, b) not in apart]
            note = f"unmerge {from_id} from {into_id}" + (f": {reason}" if reason else "")
            non_matches = _record_decisions(ch, todo, "non-match", note)
        return PersonMerge(from_id, into_id, non_matches=non_matches, undone=undone)


def _merges_kept(roots: dict[str, str], person: np.ndarray,
                 cluster: np.ndarray) -> tuple[int, int]:
    """(merged persons with records, those whose merged person's records all share a cluster).

    Counted over persons merged into another person that also has records in this run.
    """
    if not roots:
        return 0, 0
    frame = pd.DataFrame({"person": person.astype(str), "cluster": cluster})
    frame["root"] = frame["person"].map(roots).fillna(frame["person"])
    groups = frame.groupby("root").agg(persons=("person", "nunique"),
                                       clusters=("cluster", "nunique"))
    merged = frame.loc[frame["person"].isin(roots.keys()), ["person", "root"]].drop_duplicates()
    merged = merged[groups.loc[merged["root"], "persons"].to_numpy() >= 2]
    kept = groups.loc[merged["root"], "clusters"].to_numpy() == 1
    return len(merged), int(kept.sum())


# --- runs ------------------------------------------------------------------------------------

def _previous(conn: Connection, records: pd.DataFrame, settings: LinkSettings,
              imports: list[Any]) -> tuple[Previous | None, int | None, str]:
    """The latest run, by record position, if the new run can build on it (else why not)."""
    run_id = latest_run(conn)
    if run_id is None:
        return None, None, "no previous run"
    run = conn.execute(select(lt.link_run).where(lt.link_run.c.id == run_id)).one()
    before, now = _json(run.settings), json.loads(json.dumps(settings.as_dict()))
    names = {i["name"] for i in _json(run.inputs)}
    skip = {"duplicate_free", *EXECUTION_ONLY}
    if ({k: v for k, v in before.items() if k not in skip}
            != {k: v for k, v in now.items() if k not in skip}
            or set(before.get("duplicate_free", ())) & names != set(now["duplicate_free"]) & names):
        return None, run_id, f"settings differ from run {run_id}"
    if run.software_version != __version__ or not _json(run.model):
        return None, run_id, f"run {run_id} has no model of this software version"
    current = {(r.source_id, r.sha256) for r in imports}
    if not {(i["source_id"], i["sha256"]) for i in _json(run.inputs)} <= current:
        return None, run_id, f"a list of run {run_id} is no longer imported as it was"
    position = pd.Series(np.arange(len(records)), index=records["record_id"].astype(np.int64))
    p = lt.link_pair
    clusters = read_clusters(conn, run_id)
    if not clusters["record_id"].isin(position.index).all():
        return None, run_id, f"records of run {run_id} are gone"
    linked, new = len(clusters), len(records) - len(clusters)
    if linked < incremental.MIN_RECORDS:
        return None, run_id, (f"run {run_id} linked only {linked:,} records: re-training on "
                              "all of them is quick and gives a better model")
    if new > incremental.MAX_NEW_SHARE * linked:
        return None, run_id, (f"{new:,} new records are more than "
                              f"{incremental.MAX_NEW_SHARE:.0%} of run {run_id}'s {linked:,}: "
                              "re-training on all of them")
    at = position[clusters["record_id"].astype(np.int64)].to_numpy()
    cluster, prob = np.zeros(len(records), np.int64), np.ones(len(records))
    cluster[at], prob[at] = clusters["cluster"].to_numpy(), clusters["probability"].to_numpy()
    pairs = pd.DataFrame(conn.execute(select(p.c.record_l, p.c.record_r, p.c.probability,
                                             p.c.match_weight).where(p.c.run_id == run_id)).all(),
                         columns=["l", "r", "p", "w"])
    prev = Previous(model=_json(run.model), cluster=cluster, probability=prob,
                    left=position[pairs["l"].astype(np.int64)].to_numpy(np.int64),
                    right=position[pairs["r"].astype(np.int64)].to_numpy(np.int64),
                    pair_probability=pairs["p"].to_numpy(np.float64),
                    match_weight=pairs["w"].to_numpy(np.float64))
    return prev, run_id, f"builds on run {run_id}"


def _json(value: Any) -> Any:
    """A JSON column's value (SQLite may hand back text)."""
    return json.loads(value) if isinstance(value, str) else value


def _reviewed_records(conn: Connection) -> set[int]:
    """Record ids named by any review decision, active or undone."""
    d = lt.review_decision
    return {int(x) for row in conn.execute(select(d.c.record_l, d.c.record_r)) for x in row}


def input_checksum(conn: Connection) -> str:
    """SHA-256 over what a link run reads: every record (id, list, row, raw row) in id order,
    then every active review decision in record-pair order. A record's fields are read from
    its raw row at import and never change, so the raw row stands for them. Equal checksums:
    equal inputs, whichever database holds them."""
    digest = hashlib.sha256()
    r = lt.list_record
    for rid, sid, row, raw in conn.execute(select(
            r.c.id, r.c.source_id, r.c.row_number, r.c.raw).order_by(r.c.id)):
        digest.update(f"{rid}\x1f{sid}\x1f{row}\x1f{raw}\x1e".encode())
    for (a, b), decision in sorted(active_decisions(conn).items()):
        digest.update(f"d\x1f{a}\x1f{b}\x1f{decision}\x1e".encode())
    return digest.hexdigest()

def _inputs_state(conn: Connection) -> tuple[int, ...]:
    """A summary of what a link run reads: lists, records, review decisions (and undos).

    These rows are only ever added (a decision is undone by stamping it), so counts and the
    latest ids change whenever the inputs do.
    """
    r, d = lt.list_record, lt.review_decision
    lists = conn.execute(select(func.count()).select_from(lt.list_import)).scalar_one()
    records = conn.execute(select(func.count(), func.coalesce(func.max(r.c.id), 0))).one()
    decisions = conn.execute(select(func.count(), func.coalesce(func.max(d.c.id), 0),
                                    func.count(d.c.undone_at))).one()
    return (int(lists), *map(int, records), *map(int, decisions))


def _check_inputs(conn: Connection, before: tuple[int, ...]) -> None:
    """Refuse to write a run whose inputs changed after it read them (in the run's transaction).

    PostgreSQL: a SHARE lock on the input tables waits for imports and decisions in progress
    and holds new ones back until this run commits; SQLite: the write lock does the same.
    """
    if conn.dialect.name == "postgresql":
        names = ", ".join(tbl.name for tbl in (lt.list_import, lt.list_record,
                                                lt.review_decision))
        conn.exec_driver_sql(f"LOCK TABLE {names} IN SHARE MODE")
    if _inputs_state(conn) != before:
        raise SabtError("lists or review decisions changed while this link run was working; "
                        "nothing was written and the previous run stands: run `sabt link` again")


def run_linkage(ws: Store, settings: LinkSettings | None = None, *,
                author: str, progress: Progress | None = None,
                full: bool = False, spark: Any = None) -> RunReport:
    """Link all imported records and store the run, its clusters and persons (all or nothing).

    When the latest run's lists are all still imported and the settings are unchanged, only
    what new records and review decisions touch is re-linked with that run's model
    (`sabt.link.incremental`); ``full`` re-trains and re-scores everything.

    One run at a time: a second one started meanwhile is refused. If lists are imported or
    review decisions made while the run works, it writes nothing and says so (run it again).
    `spark`: the SparkSession of the spark backend (`sabt.link.spark.session`).
    """
    with ws.exclusive("link", "another `sabt link` is running on this workspace; wait for it "
                      "to finish, then run it again"):
        return _run_linkage(ws, settings, author=author, progress=progress, full=full,
                            spark=spark)


def _run_linkage(ws: Store, settings: LinkSettings | None, *, author: str,
                 progress: Progress | None, full: bool, spark: Any) -> RunReport:
    settings = settings or LinkSettings()
    with ws.connect() as conn:
        inputs = _inputs_state(conn)   # before the reads: a change after this is caught
        records = load_records(conn)
        decisions = active_decisions(conn)
        reviewed = _reviewed_records(conn)
        checksum = input_checksum(conn)
        imports = list(conn.execute(select(lt.list_import).order_by(lt.list_import.c.name)))
        if records.empty:
            raise SabtError("no lists imported yet; use `sabt import-list` first")
        dup_free = {r.name for r in imports if r.duplicate_free} | set(settings.duplicate_free)
        settings = LinkSettings(**{**settings.as_dict(),
                                   "duplicate_free": tuple(sorted(dup_free))})
        prev, base_run, reason = ((None, None, "--full asked") if full
                                  else _previous(conn, records, settings, imports))
    position = {int(rid): i for i, rid in enumerate(records["record_id"])}
    must = [(position[a], position[b]) for (a, b), d in decisions.items() if d == "match"]
    cannot = [(position[a], position[b]) for (a, b), d in decisions.items() if d == "non-match"]
    mode, extra = "full", dict[str, int]()
    if prev is not None:
        try:
            result, extra = link_incremental(
                records, settings, prev, must_link=must, cannot_link=cannot,
                reviewed=[position[r] for r in reviewed if r in position], progress=progress,
                spark=spark)
            mode = "incremental"
        except ModelMismatch as exc:
            reason = exc.message
    if mode == "full":
        result = link(records, settings, must_link=must, cannot_link=cannot, progress=progress,
                      spark=spark)
    if progress:
        progress("saving the run and updating persons")
    record_ids = records["record_id"].to_numpy(dtype=np.int64)
    s = result.scored
    keep = s.probability >= min(settings.review_low, settings.threshold)
    created_at = datetime.now(UTC)
    with ws.change(author=author, reason="link run") as ch:
        _check_inputs(ch.conn, inputs)
        base_run = latest_run(ch.conn)
        run_id = allocate(ch.conn, "link_run")
        person, created, updated = _assign_persons(ch, records, result.clustering.cluster)
        clusters = len(np.unique(result.clustering.cluster))
        merges, honoured = _merges_kept(merge_roots(ch.conn), person,
                                        result.clustering.cluster)
        ch.conn.execute(insert(lt.link_run).values(
            id=run_id, created_at=created_at, author=ch.author,
            software_version=__version__,
            inputs=[{"source_id": r.source_id, "name": r.name, "sha256": r.sha256,
                     "records": r.n_records} for r in imports],
            settings=settings.as_dict(), model=json.loads(json.dumps(s.model, default=str)),
            stats={"records": len(records), "scored_pairs": len(s.left), "clusters": clusters,
                   "decisions": len(decisions), "timings": s.timings, "blocking": s.blocking,
                   "input_checksum": checksum, "merges": merges, "merges_honoured": honoured,
                   "mode": mode,
                   "mode_reason": reason, "base_run": base_run, **extra},
            revision_id=ch.revision_id))
        pairs = [{"run_id": run_id, "record_l": int(record_ids[a]), "record_r": int(record_ids[b]),
                  "probability": float(p), "match_weight": float(w)}
                 for a, b, p, w in zip(s.left[keep], s.right[keep], s.probability[keep],
                                       s.match_weight[keep], strict=True)]
        for start in range(0, len(pairs), 5000):
            ch.conn.execute(insert(lt.link_pair), pairs[start:start + 5000])
        store_clusters(ch.conn, run_id, base_run, record_ids, result.clustering.cluster,
                       result.clustering.probability, person)
    band = (s.probability >= settings.review_low) & (s.probability < settings.review_high)
    return RunReport(run_id, len(records), clusters, created, updated, int(band.sum()),
                     s.timings, mode, reason, s.blocking, created_at, __version__, checksum,
                     merges, honoured)


def run_clusters(ws: Store, run_id: int | None = None) -> pd.DataFrame:
    """Record → cluster, person, list and fields for a run (default: the latest).

    ``person_id`` is the person the run gave the record; ``person`` is that person followed
    through merges made since (`merge_persons`): what a record counts towards.
    """
    with ws.connect() as conn:
        run_id = run_id or latest_run(conn)
        if run_id is None:
            raise NotFound("no link run yet; use `sabt link` first")
        frame = read_clusters(conn, run_id)
        records = load_records(conn)
        roots = merge_roots(conn)
    frame["person"] = frame["person_id"].map(roots).fillna(frame["person_id"])
    return records.merge(frame, on="record_id", how="inner")


# --- linkage draws and the band sample ------------------------------------------------------

def run_pairs(ws: Store, members: pd.DataFrame | None = None,
              ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The latest run's kept pairs (record_l, record_r, probability, linked: both records count
    towards one person now), ordered by record ids, and the run's settings. `members` is the
    run's `sabt.link.captures.run_members` when the caller has read it already."""
    from sabt.link.captures import run_members

    frame = run_members(ws) if members is None else members
    with ws.connect() as conn:
        run_id = latest_run(conn)
        settings = conn.execute(select(lt.link_run.c.settings).where(
            lt.link_run.c.id == run_id)).scalar_one()
        p = lt.link_pair
        rows = conn.execute(select(p.c.record_l, p.c.record_r, p.c.probability)
                            .where(p.c.run_id == run_id)
                            .order_by(p.c.record_l, p.c.record_r)).all()
    settings = settings if isinstance(settings, dict) else json.loads(settings)
    pairs = pd.DataFrame(rows, columns=["record_l", "record_r", "probability"])
    person = dict(zip(frame["record_id"], frame["person"], strict=True))
    pairs["linked"] = [person.get(a) == person.get(b) for a, b in
                       zip(pairs["record_l"], pairs["record_r"], strict=True)]
    return pairs, settings


def linkage_input(ws: Store, strata: str | None = None) -> Any:
    """The latest run as `sabt.estimate.propagate.LinkageInput`: records' lists, kept pairs,
    persons (after merges) as the point linkage, reviewers' decisions, duplicate-free lists and,
    with `strata`, each record's stratum label (`sabt.estimate.strata`)."""
    from sabt.estimate.propagate import LinkageInput
    from sabt.estimate.strata import stratum_labels
    from sabt.link.captures import run_members

    frame = run_members(ws, strata)
    pairs, settings = run_pairs(ws, frame)
    position = {int(r): i for i, r in enumerate(frame["record_id"])}
    with ws.connect() as conn:
        decisions = active_decisions(conn)
    known = pairs["record_l"].isin(position) & pairs["record_r"].isin(position)
    pairs = pairs[known]
    decided = [((position[a], position[b]), d) for (a, b), d in decisions.items()
               if a in position and b in position]
    labels = None
    if strata is not None:
        labels = stratum_labels([v if isinstance(v, str) else None
                                 for v in frame[strata]])[0]
    return LinkageInput(
        sources=frame["source"].astype(str).tolist(),
        left=np.asarray(pairs["record_l"].map(position), dtype=np.int64),
        right=np.asarray(pairs["record_r"].map(position), dtype=np.int64),
        probability=pairs["probability"].to_numpy(dtype=np.float64),
        point=pd.factorize(frame["person"])[0].astype(np.int64),
        must_link=[ab for ab, d in decided if d == "match"],
        cannot_link=[ab for ab, d in decided if d == "non-match"],
        duplicate_free=(tuple(sorted(set(frame["source"].astype(str))))
                        if settings.get("all_duplicate_free")
                        else tuple(settings.get("duplicate_free", ()))),
        strata=labels,
    )


@dataclass(frozen=True)
class BandItem:
    """A pair drawn for the band sample: its band, and the decision on it if there is one."""

    record_l: int
    record_r: int
    probability: float
    band: int
    decision: str | None


def band_sample(ws: Store, per_band: int, seed: int) -> tuple[pd.DataFrame, list[BandItem]]:
    """The latest run's pairs and its band sample (`sabt.link.calibrate.sample_bands`, the
    same for everyone with the same `per_band` and `seed`) with the active decisions."""
    from sabt.link.calibrate import band_of, sample_bands

    pairs, _ = run_pairs(ws)
    prob = pairs["probability"].to_numpy(dtype=np.float64)
    picked = sample_bands(prob, per_band, seed)
    bands = band_of(prob)
    with ws.connect() as conn:
        decided = active_decisions(conn)
    left = pairs["record_l"].to_numpy(dtype=np.int64)
    right = pairs["record_r"].to_numpy(dtype=np.int64)
    items = [BandItem(int(left[i]), int(right[i]), float(prob[i]), int(bands[i]),
                      decided.get(_ordered(int(left[i]), int(right[i]))))
             for i in picked]
    return pairs, items


def calibration(ws: Store, per_band: int, seed: int) -> Any:
    """`sabt.link.calibrate.Calibration` of the latest run from decisions on its band sample
    (skips count as not decided)."""
    from sabt.link.calibrate import calibrate, sample_bands

    pairs, items = band_sample(ws, per_band, seed)
    prob = pairs["probability"].to_numpy(dtype=np.float64)
    code = {"match": 1, "non-match": 0}
    return calibrate(prob, pairs["linked"].to_numpy(dtype=np.bool_),
                     sample_bands(prob, per_band, seed),
                     np.array([code.get(it.decision or "", -1) for it in items],
                              dtype=np.int64))
