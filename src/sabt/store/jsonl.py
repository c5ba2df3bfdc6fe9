"""Lossless JSON Lines export and import of a whole workspace database.

One header line, then one line per row of every table (foundation and every area), in
dependency order: `{"table": "statement", "row": {...}}`. Importing into an empty workspace and
exporting again gives the same lines. The import is one transaction: a failure or a killed
process leaves the target workspace as it was. Vault files are not in the export (they are
files already; the vault's own manifest covers them).

A damaged or hostile file is refused with one line naming the file, the line and the field:
bytes that are not UTF-8, a line that is not a JSON object, a value of the wrong type for its
column, a malformed date, and the limits of `sabt.limits` (line length, nesting
depth, number length).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    DateTime,
    Float,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, StatementError

from sabt import __version__
from sabt.errors import InvalidValue, SabtError
from sabt.limits import Limits, current, load_json
from sabt.safety import reason
from sabt.store import ids, migrate, name_index
from sabt.store.all_tables import metadata
from sabt.store.change import chunks

FORMAT = "sabt-jsonl"
# per-workspace facts (creation time, version) are not content; sign-in secrets (password
# hashes, TOTP secrets, sessions) never leave the database; the registry log is the source
# workspace's own (the importing workspace pins the imported rows in its log); the name index
# and the names' stored forms are derived from the rows and rebuilt by the import
SKIP = {"sabt_meta", "credential", "web_session", "registry_log", "registry_dirty",
        "name_index", "name_form"}
STREAM_ROWS = 5000       # rows fetched at a time while exporting a table


def _tables() -> list[Table]:
    return [tbl for tbl in metadata.sorted_tables if tbl.name not in SKIP]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _decoder(table: Table) -> dict[str, type]:
    return {col.name: type(col.type) for col in table.columns
            if isinstance(col.type, Date | DateTime)}


def _decode(row: dict[str, Any], decoders: dict[str, type], where: str,
            line: int) -> dict[str, Any]:
    for name, kind in decoders.items():
        value = row.get(name)
        if isinstance(value, str):
            try:
                row[name] = (datetime.fromisoformat(value) if kind is DateTime
                             else date.fromisoformat(value))
            except ValueError as exc:
                raise InvalidValue(f"not an ISO date or time: {value[:40]!r}", file=where,
                                   row=line, field=name) from exc
    return row


def _accepts(table: Table) -> dict[str, tuple[type, ...]]:
    """The JSON types each column accepts (JSON columns accept anything, so are left out)."""
    out: dict[str, tuple[type, ...]] = {}
    for col in table.columns:
        kind = col.type
        if isinstance(kind, JSON):
            continue
        if isinstance(kind, Boolean):
            out[col.name] = (bool, int)
        elif isinstance(kind, Integer):
            out[col.name] = (int,)
        elif isinstance(kind, Float | Numeric):
            out[col.name] = (int, float)
        elif isinstance(kind, Date | DateTime | String | Text):
            out[col.name] = (str,)
    return out


def _check_types(row: dict[str, Any], accepts: dict[str, tuple[type, ...]], where: str,
                 line: int) -> None:
    for name, value in row.items():
        if value is None:
            continue
        allowed = accepts.get(name)
        if allowed is not None and (not isinstance(value, allowed)
                                    or (isinstance(value, bool) and bool not in allowed)):
            raise InvalidValue(f"{type(value).__name__} value where the column holds "
                               f"{allowed[0].__name__}", file=where, row=line, field=name)


def export_lines(conn: Connection) -> Iterator[str]:
    """Every row of the workspace as JSON lines, header first; rows in primary-key order."""
    header = {"format": FORMAT, "version": 1, "sabt": __version__,
              "schema": sorted(migrate.database_heads(conn))}
    yield json.dumps(header, ensure_ascii=False)
    for table in _tables():
        order = list(table.primary_key.columns)
        if table.name == "id_counter":  # sequences on PostgreSQL, rows on SQLite
            rows: Iterable[Mapping[Any, Any]] = [
                {"name": name, "next": value}
                for name, value in sorted(ids.counter_values(conn).items())]
        else:
            # streamed (a server-side cursor on PostgreSQL): memory stays bounded at any size
            rows = conn.execute(select(table).order_by(*order).execution_options(
                yield_per=STREAM_ROWS)).mappings()
        for row in rows:
            payload = {key: _encode(value) for key, value in row.items()}
            yield json.dumps({"table": table.name, "row": payload}, ensure_ascii=False,
                             sort_keys=True)


def export_jsonl(conn: Connection, out: IO[str]) -> int:
    """Write the export to a text stream; returns the number of rows."""
    count = -1
    for count, line in enumerate(export_lines(conn)):  # noqa: B007 - count is the result
        out.write(line + "\n")
    return count


def _parse(path: Path, limits: Limits) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each non-blank line as (line number, JSON object), refusing anything else."""
    where = str(path)
    with path.open("rb") as handle:
        number = 0
        while raw := handle.readline(limits.line_chars + 1):
            number += 1
            if len(raw) > limits.line_chars:
                raise limits.refuse("line_chars", "the line is too long", file=where,
                                    row=number)
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InvalidValue(f"not UTF-8 (byte {exc.start + 1} of the line)",
                                   file=where, row=number) from exc
            if not line.strip():
                continue
            item = load_json(line, where, limits, row=number)
            if not isinstance(item, dict):
                raise InvalidValue(f"not a JSON object but {type(item).__name__}",
                                   file=where, row=number)
            yield number, item


def import_jsonl(conn: Connection, path: Path,
                 progress: Any = None) -> dict[str, int]:
    """Load an export into an empty workspace (same transaction as `conn`); returns row counts.

    Self-references (an entity merged into a later one) are written after all rows are in.
    """
    tables = {tbl.name: tbl for tbl in _tables()}
    if conn.execute(select(func.count()).select_from(tables["revision"])).scalar_one():
        raise SabtError("import-jsonl makes a new workspace, and this one already holds "
                        "revisions: give a folder that does not exist yet")
    limits = current()
    lines = _parse(path, limits)
    try:
        number, header = next(lines)
    except StopIteration:
        raise InvalidValue("empty file", file=str(path)) from None
    if header.get("format") != FORMAT:
        raise InvalidValue(f"not a Sabt export (format {str(header.get('format'))[:40]!r})",
                           file=str(path), row=number)
    schema = header.get("schema", [])
    if not isinstance(schema, list) or not all(isinstance(h, str) for h in schema):
        raise InvalidValue("the header's schema is not a list of revisions", file=str(path),
                           row=number, field="schema")
    missing = set(schema) - migrate.code_heads()
    if missing:
        raise SabtError(f"{path} was exported by a newer Sabt (schema {sorted(missing)}); "
                        "upgrade Sabt first")
    counts: dict[str, int] = {}
    deferred: list[tuple[Table, dict[str, Any], dict[str, Any]]] = []

    def rows() -> Iterable[tuple[int, str, dict[str, Any]]]:
        for line_no, item in lines:
            name = item.get("table")
            if not isinstance(name, str) or name not in tables or not isinstance(
                    item.get("row"), dict):
                raise InvalidValue(f"unknown table {str(name)[:40]!r} or no row",
                                   file=str(path), row=line_no, field="table")
            yield line_no, name, item["row"]

    for batch in chunks(rows(), 2000):
        for name in dict.fromkeys(n for _, n, _ in batch):
            table = tables[name]
            selfrefs = [fk.parent.name for fk in table.foreign_keys
                        if fk.column.table is table]
            decoders = _decoder(table)
            accepts = _accepts(table)
            payload = []
            lines_of_table = []
            for line_no, _, row in (b for b in batch if b[1] == name):
                unknown = set(row) - set(table.columns.keys())
                if unknown:
                    first = sorted(unknown)[0]
                    raise InvalidValue(f"unknown column(s) {[u[:40] for u in sorted(unknown)]}",
                                       file=str(path), row=line_no, field=first[:40])
                _check_types(row, accepts, str(path), line_no)
                row = _decode(dict(row), decoders, str(path), line_no)
                lines_of_table.append(line_no)
                later = {col: row[col] for col in selfrefs if row.get(col) is not None}
                if later:
                    deferred.append((table, {c.name: row[c.name]
                                             for c in table.primary_key.columns}, later))
                    row.update(dict.fromkeys(later))
                payload.append(row)
            try:
                if name == "id_counter":
                    for row in payload:
                        ids.set_counter(conn, str(row["name"]), int(row["next"]))
                else:
                    conn.execute(insert(table), payload)
            except (IntegrityError, StatementError) as exc:
                why = reason(exc.orig if exc.orig is not None else exc)
                raise InvalidValue(f"rows of table {name!r} on lines {lines_of_table[0]}–"
                                   f"{lines_of_table[-1]} do not fit the database: {why}",
                                   file=str(path)) from exc
            counts[name] = counts.get(name, 0) + len(payload)
        if progress is not None:
            progress(len(batch))
    for table, key, values in deferred:
        condition = [table.c[k] == v for k, v in key.items()]
        conn.execute(update(table).where(*condition).values(**values))
    name_index.rebuild(conn)
    return counts
