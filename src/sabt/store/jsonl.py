"""Lossless JSON Lines export and import of a whole workspace database.

One header line, then one line per row of every table (foundation and every area), in
dependency order: `{"table": "statement", "row": {...}}`. Importing into an empty workspace and
exporting again gives the same lines. The import is one transaction: a failure or a killed
process leaves the target workspace as it was. Vault files are not in the export (they are
files already; the vault's own manifest covers them).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Date, DateTime, Table, func, insert, select, update

from sabt import __version__
from sabt.errors import InvalidValue, SabtError
from sabt.store import ids, migrate
from sabt.store.all_tables import metadata
from sabt.store.change import chunks

FORMAT = "sabt-jsonl"
SKIP = {"sabt_meta"}  # per-workspace facts (creation time, version) are not content


def _tables() -> list[Table]:
    return [tbl for tbl in metadata.sorted_tables if tbl.name not in SKIP]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _decoder(table: Table) -> dict[str, type]:
    return {col.name: type(col.type) for col in table.columns
            if isinstance(col.type, Date | DateTime)}


def _decode(row: dict[str, Any], decoders: dict[str, type]) -> dict[str, Any]:
    for name, kind in decoders.items():
        value = row.get(name)
        if isinstance(value, str):
            row[name] = (datetime.fromisoformat(value) if kind is DateTime
                         else date.fromisoformat(value))
    return row


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
            rows = conn.execute(select(table).order_by(*order)).mappings()
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


def _parse(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except ValueError as exc:
                raise InvalidValue(f"not JSON: {exc}", file=str(path), row=number) from exc


def import_jsonl(conn: Connection, path: Path,
                 progress: Any = None) -> dict[str, int]:
    """Load an export into an empty workspace (same transaction as `conn`); returns row counts.

    Self-references (an entity merged into a later one) are written after all rows are in.
    """
    tables = {tbl.name: tbl for tbl in _tables()}
    if conn.execute(select(func.count()).select_from(tables["revision"])).scalar_one():
        raise SabtError("import-jsonl makes a new workspace, and this one already holds "
                        "revisions: give a folder that does not exist yet")
    lines = _parse(path)
    try:
        number, header = next(lines)
    except StopIteration:
        raise InvalidValue("empty file", file=str(path)) from None
    if header.get("format") != FORMAT:
        raise InvalidValue(f"not a Sabt export (format {header.get('format')!r})",
                           file=str(path), row=number)
    missing = set(header.get("schema", [])) - migrate.code_heads()
    if missing:
        raise SabtError(f"{path} was exported by a newer Sabt (schema {sorted(missing)}); "
                        "upgrade Sabt first")
    counts: dict[str, int] = {}
    deferred: list[tuple[Table, dict[str, Any], dict[str, Any]]] = []

    def rows() -> Iterable[tuple[int, str, dict[str, Any]]]:
        for line_no, item in lines:
            name = item.get("table")
            if name not in tables or not isinstance(item.get("row"), dict):
                raise InvalidValue(f"unknown table {name!r} or no row", file=str(path),
                                   row=line_no, field="table")
            yield line_no, name, item["row"]

    for batch in chunks(rows(), 2000):
        for name in dict.fromkeys(n for _, n, _ in batch):
            table = tables[name]
            selfrefs = [fk.parent.name for fk in table.foreign_keys
                        if fk.column.table is table]
            decoders = _decoder(table)
            payload = []
            for line_no, _, row in (b for b in batch if b[1] == name):
                unknown = set(row) - set(table.columns.keys())
                if unknown:
                    raise InvalidValue(f"unknown column(s) {sorted(unknown)}", file=str(path),
                                       row=line_no, field=sorted(unknown)[0])
                row = _decode(dict(row), decoders)
                later = {col: row[col] for col in selfrefs if row.get(col) is not None}
                if later:
                    deferred.append((table, {c.name: row[c.name]
                                             for c in table.primary_key.columns}, later))
                    row.update(dict.fromkeys(later))
                payload.append(row)
            if name == "id_counter":
                for row in payload:
                    ids.set_counter(conn, str(row["name"]), int(row["next"]))
            else:
                conn.execute(insert(table), payload)
            counts[name] = counts.get(name, 0) + len(payload)
        if progress is not None:
            progress(len(batch))
    for table, key, values in deferred:
        condition = [table.c[k] == v for k, v in key.items()]
        conn.execute(update(table).where(*condition).values(**values))
    return counts
