"""Reading capture tables from CSV: the edge that names file, row and field in every error.

Two layouts are accepted: aggregate patterns (one 0/1 column per list plus `count`) and
individual capture histories (0/1 columns, one row per person). Stratum columns, if named,
are taken out of the lists.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from sabt.errors import InvalidValue, NotFound
from sabt.estimate.table import CaptureTable
from sabt.safety import reason


def read_capture_csv(
    path: str | Path, *, strata: Sequence[str] = (), count: str = "count"
) -> CaptureTable:
    """Read a capture-pattern or capture-history CSV into a CaptureTable."""
    p = Path(path)
    if not p.is_file():
        raise NotFound("no such file", file=str(p))
    try:
        with p.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            try:
                header = [h.strip() for h in next(reader)]
            except StopIteration:
                raise InvalidValue("empty file", file=str(p)) from None
            rows = [row for row in reader if any(cell.strip() for cell in row)]
    except (csv.Error, UnicodeDecodeError) as exc:  # a damaged or hostile file: one line
        raise InvalidValue(f"not a readable CSV ({reason(exc)})", file=str(p)) from exc
    has_count = count in header
    return table_from_rows(header, rows, count=count if has_count else None,
                           strata=list(strata), source=str(p))


def table_from_rows(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    count: str | None,
    strata: Sequence[str],
    source: str,
) -> CaptureTable:
    """Validate text rows (row 1 is the header, data start at row 2) into a CaptureTable."""
    for s in strata:
        if s not in header:
            raise InvalidValue(f"stratum column {s!r} not found", file=source, field=s)
    if len(set(header)) != len(header):
        raise InvalidValue("duplicate column names in header", file=source)
    list_cols = [h for h in header if h not in strata and h != count]
    if len(list_cols) < 2:
        raise InvalidValue(
            f"need at least 2 list columns, found {len(list_cols)} ({', '.join(list_cols)})",
            file=source,
        )
    idx = {h: i for i, h in enumerate(header)}
    pats = np.zeros((len(rows), len(list_cols)), dtype=np.int64)
    cnts = np.ones(len(rows), dtype=np.int64)
    labels: list[str] = []
    for r, row in enumerate(rows):
        line = r + 2
        if len(row) != len(header):
            raise InvalidValue(f"expected {len(header)} fields, found {len(row)}", file=source,
                               row=line)
        for j, name in enumerate(list_cols):
            v = row[idx[name]].strip()
            if v not in ("0", "1"):
                shown = v if v else "empty"
                raise InvalidValue(f"value {shown!r} is not 0 or 1", file=source, row=line,
                                   field=name)
            pats[r, j] = int(v)
        if count is not None:
            v = row[idx[count]].strip()
            if not v:
                raise InvalidValue("missing count", file=source, row=line, field=count)
            try:
                c = float(v)
            except ValueError:
                raise InvalidValue(f"count {v!r} is not a number", file=source, row=line,
                                   field=count) from None
            if c < 0:
                raise InvalidValue(f"negative count {v}", file=source, row=line, field=count)
            if not c.is_integer():
                raise InvalidValue(f"count {v} is not a whole number", file=source, row=line,
                                   field=count)
            cnts[r] = int(c)
        if pats[r].sum() == 0:
            raise InvalidValue(
                "all-zero row: a pattern on no list is unobservable and must not appear",
                file=source, row=line,
            )
        labels.append(" / ".join(row[idx[s]].strip() for s in strata))
    if count is not None and not strata:
        keys: dict[tuple[int, ...], int] = {}
        for r, prow in enumerate(pats):
            key = tuple(int(x) for x in prow)
            if key in keys:
                raise InvalidValue(f"pattern repeats row {keys[key]}", file=source, row=r + 2)
            keys[key] = r + 2
    sizes = (pats * cnts[:, None]).sum(axis=0)
    for name, size in zip(list_cols, sizes, strict=True):
        if size == 0:
            raise InvalidValue("list has no records", file=source, field=name)
    if strata:
        parts = {
            lab: (pats[[i for i, s in enumerate(labels) if s == lab]],
                  cnts[[i for i, s in enumerate(labels) if s == lab]])
            for lab in sorted(set(labels))
        }
        return CaptureTable.stratified(list_cols, parts, source=source)
    if count is None:
        return CaptureTable._aggregate(list_cols, pats, cnts, source)
    return CaptureTable(tuple(list_cols), pats, cnts, source=source)
