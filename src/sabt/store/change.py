"""A change: the writes of one revision inside one transaction (all of them, or none).

Nothing is deleted: statements and entities are retracted with a reason and can be restored;
merges set a pointer that `unmerge` clears. Every such act is a row in the change log.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Table, insert, select, update

from sabt.errors import InvalidValue, NotFound, SabtError
from sabt.model.dates import FuzzyDate
from sabt.model.statements import (
    Confidence,
    NewStatement,
    Rank,
    Reference,
    Status,
    Text,
    Value,
    check_entity_id,
    check_kind,
    check_property,
)
from sabt.store import name_index
from sabt.store import schema as t
from sabt.store.ids import allocate as allocate  # re-exported: areas take ids from here
from sabt.store.rows import (
    REFERENCE_COLUMNS,
    VALUE_COLUMNS,
    qualifiers_to_json,
    reference_row,
    value_row,
)

ID_PREFIX = {"person": "P", "organization": "O", "place": "L", "event": "E", "source": "S"}
_CHUNK = 5000


_STATEMENT_COLUMNS = ("id", "entity_id", "property", *VALUE_COLUMNS, "qualifiers",
                      "confidence", "rank", "status", "revision_id")
_ACTIVE = Status.ACTIVE.value


def bulk_insert(conn: Connection, table: Table, columns: Sequence[str],
                rows: list[tuple[Any, ...]]) -> None:
    """Rows already in storage form, straight to the driver (SQLite `executemany`, PostgreSQL
    `COPY`), in the caller's transaction.

    SQLAlchemy's per-row parameter processing costs more than the insert itself for bulk
    writes; callers pass JSON as text and (on SQLite) dates as ISO text.
    """
    if not rows:
        return
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    if conn.dialect.name == "postgresql":  # COPY: one stream instead of a round trip per batch
        driver = conn.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor, cursor.copy(
                f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    conn.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({names}) "
                         f"VALUES ({', '.join([mark] * len(columns))})", rows)


def chunks(items: Iterable[Any], size: int) -> Iterable[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


@dataclass
class Change:
    """Writes bound to one open transaction and one revision."""

    conn: Connection
    revision_id: int
    author: str
    reason: str

    @classmethod
    def begin(cls, conn: Connection, author: str, reason: str) -> Change:
        revision_id = allocate(conn, "revision")
        conn.execute(insert(t.revision).values(
            id=revision_id, created_at=datetime.now(UTC), author=author[:200], reason=reason))
        return cls(conn, revision_id, author, reason)

    # --- entities ------------------------------------------------------------------------------

    def add_entity(self, kind: str, label: str, id: str | None = None) -> str:
        """A new entity of any kind; `id` is generated (P12, O3 …) unless given."""
        check_kind(kind)
        if id is None:
            prefix = ID_PREFIX.get(kind, kind[:3].upper())
            while True:
                id = f"{prefix}{allocate(self.conn, 'entity:' + prefix)}"
                if not self._exists(id):
                    break
        else:
            check_entity_id(id)
            if self._exists(id):
                raise InvalidValue(f"id {id!r} is already taken", field="id")
        self.conn.execute(insert(t.entity).values(
            id=id, kind=kind, label=label.strip() or id, status=Status.ACTIVE.value,
            merged_into=None, revision_id=self.revision_id))
        name_index.add(self.conn, [(id, label.strip() or id)])
        return id

    def add_entities(self, kind: str, labels: Sequence[str]) -> list[str]:
        """Many new entities of one kind with generated ids, in one bulk write."""
        check_kind(kind)
        if not labels:
            return []
        prefix = ID_PREFIX.get(kind, kind[:3].upper())
        first = allocate(self.conn, "entity:" + prefix, len(labels))
        ids = [f"{prefix}{first + i}" for i in range(len(labels))]
        taken: set[str] = set()
        for start in range(0, len(ids), 900):
            taken.update(self.conn.execute(select(t.entity.c.id).where(
                t.entity.c.id.in_(ids[start:start + 900]))).scalars())
        rows = [(new_id, kind, label.strip() or new_id, _ACTIVE, None, self.revision_id)
                for new_id, label in zip(ids, labels, strict=True) if new_id not in taken]
        bulk_insert(self.conn, t.entity, ("id", "kind", "label", "status", "merged_into",
                                          "revision_id"), rows)
        name_index.add(self.conn, ((row[0], row[2]) for row in rows))
        # an id someone chose by hand inside the allocated range: draw a fresh one instead
        return [self.add_entity(kind, label) if new_id in taken else new_id
                for new_id, label in zip(ids, labels, strict=True)]

    def add_source(self, title: str, *, id: str | None = None, publisher: str | None = None,
                   author: str | None = None, published: FuzzyDate | str | None = None,
                   url: str | None = None, sha256: str | None = None,
                   media_type: str | None = None, language: str | None = None,
                   notes: str | None = None) -> str:
        """A source entity with its bibliographic record; statements reference it."""
        if not title.strip():
            raise InvalidValue("a source needs a title", field="title")
        source_id = self.add_entity("source", title, id)
        edtf = published.edtf if isinstance(published, FuzzyDate) else published
        self.conn.execute(insert(t.source).values(
            entity_id=source_id, title=title.strip(), publisher=publisher, author=author,
            published=edtf, url=url, sha256=sha256, media_type=media_type, language=language,
            notes=notes))
        return source_id

    def retract_entity(self, entity_id: str, reason: str) -> None:
        self._set_entity_status(entity_id, Status.RETRACTED, reason)

    def restore_entity(self, entity_id: str, reason: str) -> None:
        self._set_entity_status(entity_id, Status.ACTIVE, reason)

    def merge(self, from_id: str, into_id: str, reason: str = "") -> None:
        """Record that two entities are one; reversible with `unmerge`."""
        if from_id == into_id:
            raise InvalidValue("cannot merge an entity into itself", field="id")
        source_row, target_row = self._entity(from_id), self._entity(into_id)
        if source_row.merged_into:
            raise SabtError(f"{from_id} is already merged into {source_row.merged_into}")
        if source_row.kind != target_row.kind:
            raise InvalidValue(f"cannot merge a {source_row.kind} into a {target_row.kind}")
        target = into_id
        while target:  # refuse cycles
            if target == from_id:
                raise SabtError(f"merging {from_id} into {into_id} would make a cycle")
            target = self._entity(target).merged_into
        self.conn.execute(update(t.entity).where(t.entity.c.id == from_id).values(
            merged_into=into_id))
        self._log("merge", entity_id=from_id, detail=f"merged into {into_id}. {reason}".strip())
        self._log("merge", entity_id=into_id, detail=f"{from_id} merged in. {reason}".strip())

    def unmerge(self, from_id: str, reason: str = "") -> None:
        row = self._entity(from_id)
        if not row.merged_into:
            raise SabtError(f"{from_id} is not merged into anything")
        self.conn.execute(update(t.entity).where(t.entity.c.id == from_id).values(
            merged_into=None))
        self._log("unmerge", entity_id=from_id,
                  detail=f"split from {row.merged_into}. {reason}".strip())
        self._log("unmerge", entity_id=row.merged_into,
                  detail=f"{from_id} split off. {reason}".strip())

    # --- statements ----------------------------------------------------------------------------

    def add_statement(self, entity_id: str, property: str, value: Value, *,
                      references: Sequence[Reference] = (),
                      qualifiers: Mapping[str, Value] | None = None,
                      confidence: Confidence | str = Confidence.MEDIUM,
                      rank: Rank | str = Rank.NORMAL) -> int:
        """One statement with its references; returns its id."""
        return self.add_statements([NewStatement(
            entity_id, property, value, tuple(references), dict(qualifiers or {}),
            Confidence(confidence), Rank(rank))])[0]

    def add_statements(self, items: Iterable[NewStatement]) -> list[int]:
        """Bulk write (chunked executemany); checks every entity and source exists first."""
        ids: list[int] = []
        for chunk in chunks(items, _CHUNK):
            ids.extend(self._write_chunk(chunk))
        return ids

    def retract_statement(self, statement_id: int, reason: str) -> None:
        self._set_statement(statement_id, "retract", reason, status=Status.RETRACTED.value)

    def restore_statement(self, statement_id: int, reason: str) -> None:
        self._set_statement(statement_id, "restore", reason, status=Status.ACTIVE.value)

    def set_rank(self, statement_id: int, rank: Rank | str, reason: str) -> None:
        self._set_statement(statement_id, "rank", reason, rank=Rank(rank).value)

    def set_confidence(self, statement_id: int, confidence: Confidence | str, reason: str) -> None:
        self._set_statement(statement_id, "confidence", reason,
                            confidence=Confidence(confidence).value)

    # --- internals -----------------------------------------------------------------------------

    def _write_chunk(self, chunk: Sequence[NewStatement]) -> list[int]:
        entity_ids = {st.entity_id for st in chunk}
        entity_ids |= {v.entity_id for st in chunk for v in [st.value, *st.qualifiers.values()]
                       if hasattr(v, "entity_id")}
        self._require(entity_ids, kind=None)
        self._require({ref.source_id for st in chunk for ref in st.references}, kind="source")
        first = allocate(self.conn, "statement", len(chunk))
        n_refs = sum(len(st.references) for st in chunk)
        next_ref = allocate(self.conn, "reference", n_refs) if n_refs else 0
        as_text = self.conn.dialect.name == "sqlite"  # SQLite keeps dates as ISO text
        rows, refs = [], []
        checked: set[str] = set()
        for offset, st in enumerate(chunk):
            if st.property not in checked:
                checked.add(check_property(st.property))
            sid = first + offset
            quals = qualifiers_to_json(st.qualifiers) if st.qualifiers else None
            rows.append((sid, st.entity_id, st.property, *value_row(st.value, as_text),
                         json.dumps(quals, ensure_ascii=False) if quals else None,
                         Confidence(st.confidence).value, Rank(st.rank).value, _ACTIVE,
                         self.revision_id))
            for ref in st.references:
                refs.append(reference_row(next_ref, sid, ref))
                next_ref += 1
        bulk_insert(self.conn, t.statement, _STATEMENT_COLUMNS, rows)
        bulk_insert(self.conn, t.reference, REFERENCE_COLUMNS, refs)
        name_index.add(self.conn, ((st.entity_id, st.value.text) for st in chunk
                                   if st.property == "name" and isinstance(st.value, Text)))
        return list(range(first, first + len(chunk)))

    def _require(self, ids: set[str], kind: str | None) -> None:
        ids = {i for i in ids if i}
        found: dict[str, str] = {}
        ordered = sorted(ids)
        for start in range(0, len(ordered), 900):
            found.update(self.conn.execute(select(t.entity.c.id, t.entity.c.kind).where(
                t.entity.c.id.in_(ordered[start:start + 900]))).tuples().all())
        missing = sorted(ids - found.keys())
        if missing:
            what = "source" if kind else "entity"
            raise NotFound(f"no {what} with id {missing[0]!r}"
                           + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))
        if kind:
            wrong = sorted(i for i, k in found.items() if k != kind)
            if wrong:
                raise InvalidValue(f"{wrong[0]!r} is a {found[wrong[0]]}, not a {kind}",
                                   field="source")

    def _exists(self, entity_id: str) -> bool:
        return self.conn.execute(select(t.entity.c.id).where(
            t.entity.c.id == entity_id)).first() is not None

    def _entity(self, entity_id: str) -> Any:
        row = self.conn.execute(select(t.entity).where(t.entity.c.id == entity_id)).first()
        if row is None:
            raise NotFound(f"no entity with id {entity_id!r}")
        return row

    def _set_entity_status(self, entity_id: str, status: Status, reason: str) -> None:
        if not reason.strip():
            raise InvalidValue("say why (a reason is required)", field="reason")
        row = self._entity(entity_id)
        if row.status == status.value:
            raise SabtError(f"{entity_id} is already {status.value}")
        self.conn.execute(update(t.entity).where(t.entity.c.id == entity_id).values(
            status=status.value))
        self._log("retract" if status is Status.RETRACTED else "restore", entity_id=entity_id,
                  detail=reason)

    def _set_statement(self, statement_id: int, action: str, reason: str,
                       **values: str) -> None:
        if not reason.strip():
            raise InvalidValue("say why (a reason is required)", field="reason")
        row = self.conn.execute(select(t.statement).where(
            t.statement.c.id == statement_id)).first()
        if row is None:
            raise NotFound(f"no statement with id {statement_id}")
        (column, new), = values.items()
        old = getattr(row, column)
        if old == new:
            raise SabtError(f"statement {statement_id} already has {column} {new}")
        self.conn.execute(update(t.statement).where(t.statement.c.id == statement_id).values(
            **values))
        self._log(action, entity_id=row.entity_id, statement_id=statement_id,
                  detail=f"{column} {old} → {new}: {reason}")

    def _log(self, action: str, *, entity_id: str | None = None,
             statement_id: int | None = None, detail: str = "") -> None:
        self.conn.execute(insert(t.change_log).values(
            id=allocate(self.conn, "change_log"), revision_id=self.revision_id, action=action,
            entity_id=entity_id, statement_id=statement_id, detail=detail))
