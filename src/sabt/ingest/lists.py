"""Read a victim list (CSV, XLSX or JSON) into records with canonical fields; no database.

Each data row becomes one record. The record keeps the row exactly as the file had it (``raw``,
a JSON object of header → text, used later as the quote of every statement drawn from it), the
canonical fields found by `sabt.ingest.headers`, and parsed values: sex as ``m``/``f``, birth
year and age as integers, and birth/death dates as `FuzzyDate` (Solar Hijri aware, via
`sabt.text.dates.parse_date`). A value that cannot be parsed keeps its raw text and adds a
warning naming the row and field; a file that cannot be read as a list at all raises `SabtError`.
``row`` is the 1-based position of the data row under the header, the locator users cite.

Hostile input (docs/reliability.md): every reader checks the limits of `sabt.limits` (cell size,
rows, columns, nesting depth, number length, unzipped size) and refuses with one line naming the
file, row and limit. No row is lost silently: short rows, values beyond the last header, blank
rows, unmapped columns and control characters each add a warning; control characters are removed
from the canonical (normalised) fields only, never from ``raw``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from sabt.errors import SabtError
from sabt.ingest.headers import (
    CANONICAL_FIELDS,
    Mapping,
    compare_number,
    compared_columns,
    detect_columns,
    lookup_field,
)
from sabt.limits import Limits, current, load_json
from sabt.model.dates import FuzzyDate
from sabt.safety import clean_value, has_controls, reason
from sabt.text.dates import parse_date
from sabt.text.normalize import to_ascii_digits

FORMATS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
           ".json": "json"}
MEDIA_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
_SEX = {
    "m": "m", "male": "m", "man": "m", "mr": "m", "مرد": "m", "مذکر": "m", "ذکور": "m",
    "آقا": "m", "پسر": "m",
    "f": "f", "female": "f", "woman": "f", "mrs": "f", "ms": "f", "زن": "f", "مونث": "f",
    "مؤنث": "f", "اناث": "f", "خانم": "f", "دختر": "f",
}
_SOLAR_HIJRI_YEARS = range(1250, 1450)  # a bare year in this range is a Solar Hijri year


@dataclass(frozen=True)
class ListWarning:
    """Something odd about a value, a row or (``row`` 0) the header; the row is still imported."""

    row: int
    field: str
    value: str
    message: str

    def __str__(self) -> str:
        where = "header" if self.row == 0 else f"row {self.row}"
        if self.field:
            where += f", field {self.field!r}"
        return f"{where}: {self.message}" + (f" ({self.value!r})" if self.value else "")


@dataclass
class ParsedList:
    """A list file read into records: what was found, how it was mapped, and what was odd."""

    path: Path
    name: str
    sha256: str
    media_type: str
    headers: list[str]
    columns: dict[str, str]          # header → canonical field, for mapped headers only
    records: pd.DataFrame            # one row per record, see `RECORD_COLUMNS`
    warnings: list[ListWarning] = field(default_factory=list)
    compared: dict[str, str] = field(default_factory=dict)   # header → kind, from [compare]


#: Columns of `ParsedList.records`: locator, raw row, canonical texts and parsed values;
#: ``compare`` holds the mapping's compared columns as {"kind:header": text} (or None).
RECORD_COLUMNS: tuple[str, ...] = (
    "row", "raw", *CANONICAL_FIELDS,
    "sex_code", "birth_year_num", "age_num", "birth_date_fd", "death_date_fd", "compare",
)


def sha256_bytes(data: bytes) -> str:
    """The hex SHA-256 of a file's bytes: its identity for re-import detection."""
    return hashlib.sha256(data).hexdigest()


def read_list(path: Path, *, name: str | None = None, mapping: Mapping | None = None,
              ) -> ParsedList:
    """Read a list file (format from its extension) into a `ParsedList`."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise SabtError(
            f"unsupported file type {path.suffix!r} (use .csv, .tsv, .xlsx or .json)",
            file=str(path),
        )
    limits = current()
    try:
        size = path.stat().st_size
        if size > limits.list_bytes:
            raise limits.refuse("list_bytes", f"the file has {size:,} bytes", file=str(path))
        data = path.read_bytes()
    except OSError as exc:
        raise SabtError(f"cannot read file: {exc.strerror}", file=str(path)) from exc
    return parse_list_bytes(data, fmt, path=path, name=name, mapping=mapping, limits=limits)


def parse_list_bytes(data: bytes, fmt: str, *, path: Path, name: str | None = None,
                     mapping: Mapping | None = None, limits: Limits | None = None,
                     ) -> ParsedList:
    """Parse a list from its bytes; `path` only names it in messages and results."""
    mapping = mapping or Mapping()
    limits = limits or current()
    where = str(path)
    warnings: list[ListWarning] = []
    if fmt == "csv":
        headers, rows = _read_csv(data, mapping.encoding, where, limits, warnings)
    elif fmt == "xlsx":
        headers, rows = _read_xlsx(data, mapping.sheet, where, limits, warnings)
    elif fmt == "json":
        headers, rows = _read_json(data, mapping.encoding, where, limits)
    else:
        raise SabtError(f"unknown format {fmt!r}", file=where)
    if len(headers) > limits.columns:
        raise limits.refuse("columns", f"the header has {len(headers):,} columns", file=where)
    columns = detect_columns(headers, mapping, file=where)
    compared = compared_columns(headers, mapping, file=where)
    warnings[:0] = _header_warnings(headers, columns, compared, mapping)
    records, row_warnings = _records(headers, rows, columns, compared)
    warnings.extend(row_warnings)
    warnings.sort(key=lambda w: w.row)
    if records.empty:
        raise SabtError("the list has no data rows", file=where)
    return ParsedList(
        path=path,
        name=name or path.stem,
        sha256=sha256_bytes(data),
        media_type=MEDIA_TYPES[fmt],
        headers=headers,
        columns=columns,
        records=records,
        warnings=warnings,
        compared=compared,
    )


def _decode(data: bytes, encoding: str | None, where: str) -> str:
    enc = encoding or "utf-8-sig"
    try:
        return data.decode(enc)
    except LookupError as exc:
        raise SabtError(f"unknown encoding {enc!r} in the mapping", file=where) from exc
    except UnicodeDecodeError as exc:
        raise SabtError(
            f"the file is not valid {enc} (byte {exc.start}); save it as UTF-8 or give its "
            'encoding in a mapping file ([options] encoding = "cp1256")',
            file=where,
        ) from exc


def _read_csv(data: bytes, encoding: str | None, where: str, limits: Limits,
              warnings: list[ListWarning]) -> tuple[list[str], list[list[str]]]:
    text = _decode(data, encoding, where)
    lines = text.splitlines(keepends=True)
    # Leading comment lines (e.g. "# SYNTHETIC …") are not part of the table.
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        lines.pop(0)
    body = "".join(lines)
    if not body.strip():
        raise SabtError("the file is empty", file=where)
    first = body.splitlines()[0]
    delimiter = max((",", ";", "\t", "|"), key=first.count)
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter)
    table: list[list[str]] = []
    previous = csv.field_size_limit(limits.cell_chars)
    try:
        for row in reader:
            if len(table) > limits.rows:
                raise limits.refuse("rows", "too many rows", file=where, row=len(table))
            table.append(row)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise limits.refuse("cell_chars", "a value is too long", file=where,
                                row=len(table)) from exc
        raise SabtError(f"not readable as CSV: {reason(exc)}", file=where,
                        row=len(table)) from exc
    finally:
        csv.field_size_limit(previous)
    headers = [h.strip() for h in table[0]]
    rows = table[1:]
    for number, row in enumerate(rows, start=1):
        if len(row) > len(headers) and any(c.strip() for c in row[len(headers):]):
            raise SabtError(
                f"has {len(row)} values but the header has {len(headers)} columns",
                file=where, row=number,
            )
        if len(row) < len(headers) and any(c.strip() for c in row):
            warnings.append(ListWarning(number, "", "", (
                f"has {len(row)} values but the header has {len(headers)} columns; the "
                "missing ones are read as empty")))
    return headers, [[c for c in row[: len(headers)]] for row in rows]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_zip(data: bytes, where: str, limits: Limits) -> None:
    """Refuse a package with too many parts or too many declared uncompressed bytes (the bytes
    read out of a part never exceed its declared size, so this bounds what parsers see)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except Exception as exc:  # zipfile raises several types for a damaged archive
        raise SabtError(f"not a readable XLSX workbook ({reason(exc)})", file=where) from exc
    if len(infos) > limits.archive_members:
        raise limits.refuse("archive_members", f"the workbook has {len(infos):,} parts",
                            file=where)
    total = sum(info.file_size for info in infos)
    if total > limits.unzipped_bytes:
        raise limits.refuse("unzipped_bytes",
                            f"the workbook unzips to {total:,} bytes", file=where)


def _read_xlsx(data: bytes, sheet: str | None, where: str, limits: Limits,
               warnings: list[ListWarning]) -> tuple[list[str], list[list[str]]]:
    from openpyxl import load_workbook  # imported here: only XLSX needs it

    _check_zip(data, where, limits)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise SabtError(f"not a readable XLSX workbook ({reason(exc)})", file=where) from exc
    table: list[list[str]] = []
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise SabtError(f"no sheet {sheet!r} (sheets: {book.sheetnames})", file=where)
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        # The stored sheet size (<dimension>) may be stale: count the rows ourselves.
        ws.reset_dimensions()
        for values in ws.iter_rows(values_only=True):
            if len(table) > limits.rows:
                raise limits.refuse("rows", "too many rows", file=where, row=len(table))
            if len(values) > limits.columns:
                raise limits.refuse("columns", f"a row has {len(values):,} cells",
                                    file=where, row=len(table))
            table.append([_cell_text(v) for v in values])
    except SabtError:
        raise
    except Exception as exc:  # a damaged sheet fails while it is read, not when opened
        raise SabtError(f"not a readable XLSX workbook ({reason(exc)})",
                        file=where, row=len(table) or None) from exc
    finally:
        book.close()
    while table and not any(c.strip() for c in table[0]):
        table.pop(0)
    if not table:
        raise SabtError("the sheet is empty", file=where)
    headers = [h.strip() for h in table[0]]
    while headers and not headers[-1]:
        headers.pop()
    rows = table[1:]
    for number, row in enumerate(rows, start=1):
        for cell in row:
            if len(cell) > limits.cell_chars:
                raise limits.refuse("cell_chars", f"a value has {len(cell):,} characters",
                                    file=where, row=number)
        extra = [i for i in range(len(headers), len(row)) if row[i].strip()]
        if extra:
            warnings.append(ListWarning(number, "", ", ".join(row[i] for i in extra), (
                f"{len(extra)} value(s) right of the last header column are not imported")))
    return headers, [row[: len(headers)] for row in rows]


def _read_json(data: bytes, encoding: str | None, where: str, limits: Limits,
               ) -> tuple[list[str], list[list[str]]]:
    doc = load_json(_decode(data, encoding, where), where, limits)
    items = doc.get("records") if isinstance(doc, dict) else doc
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise SabtError(
            'expected a JSON array of objects (or {"records": [...]})', file=where
        )
    if len(items) > limits.rows:
        raise limits.refuse("rows", f"the list has {len(items):,} records", file=where)
    headers: list[str] = []
    seen: set[str] = set()
    for item in items:
        for key in map(str, item):
            if key not in seen:
                seen.add(key)
                headers.append(key)
        if len(headers) > limits.columns:
            raise limits.refuse("columns", f"the records have {len(headers):,} keys",
                                file=where)
    rows = []
    for number, item in enumerate(items, start=1):
        cells = {str(k): v for k, v in item.items()}
        row = [_cell_text(cells.get(h)) for h in headers]
        for header, cell in zip(headers, row, strict=True):
            if len(cell) > limits.cell_chars:
                raise limits.refuse("cell_chars", f"a value has {len(cell):,} characters",
                                    file=where, row=number, field=header)
        rows.append(row)
    return headers, rows


def _int(text: str) -> int | None:
    digits = to_ascii_digits(text).strip()
    return int(digits) if re.fullmatch(r"\d{1,4}", digits) else None


_MONTH_YEAR = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{4})")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")   # YYYYMMDD, as databases export dates


def _date(text: str) -> FuzzyDate | None:
    try:
        parsed = parse_date(text)
    except SabtError:
        return None
    if parsed.is_unknown:
        compact = _COMPACT.fullmatch(to_ascii_digits(text).strip())
        if compact:   # "19880730" or "13670508" (Solar Hijri when the year says so)
            again = parse_date("-".join(compact.groups()))
            return None if again.is_unknown else again
        # "09/1988" or "۰۵/۱۳۶۷": a month and a year (Solar Hijri when the year says so).
        match = _MONTH_YEAR.fullmatch(to_ascii_digits(text).strip())
        if match and 1 <= int(match[1]) <= 12:
            month, year = int(match[1]), int(match[2])
            if year in _SOLAR_HIJRI_YEARS:
                return parse_date(f"{year}/{month:02d}")
            return FuzzyDate(f"{year:04d}-{month:02d}", original=text)
        return None
    return parsed


def _header_warnings(headers: list[str], columns: dict[str, str], compared: dict[str, str],
                     mapping: Mapping) -> list[ListWarning]:
    """Every column the import does not use, and a lone name column read as full names."""
    out = [ListWarning(0, header, "", "column not mapped to a field: kept in the raw row only "
                       "(map it in a mapping file to use it)")
           for header in headers if header not in columns and header not in compared
           and header not in mapping.columns]
    out += [ListWarning(0, header, "", "the only name column is read as full names")
            for header, target in columns.items()
            if target == "full_name" and mapping.columns.get(header) != "full_name"
            and lookup_field(header) == "given_name"]
    return out


def _records(headers: list[str], rows: list[list[str]], columns: dict[str, str],
             compared: dict[str, str]) -> tuple[pd.DataFrame, list[ListWarning]]:
    index = {h: i for i, h in enumerate(headers)}
    out: list[dict[str, Any]] = []
    warnings: list[ListWarning] = []
    blank: list[int] = []
    for number, cells in enumerate(rows, start=1):
        cells = [c.strip() for c in cells] + [""] * (len(headers) - len(cells))
        if not any(cells):
            blank.append(number)
            continue
        rec: dict[str, Any] = dict.fromkeys(RECORD_COLUMNS)
        rec["row"] = number
        rec["raw"] = json.dumps(dict(zip(headers, cells, strict=True)), ensure_ascii=False)
        for header, cell in zip(headers, cells, strict=True):
            if has_controls(cell) and (header in columns or header in compared):
                warnings.append(ListWarning(number, header, cell, (
                    "control characters (NUL, newline, escape or bidi override) removed from "
                    "the normalised value; the raw row keeps them")))
        for header, target in columns.items():
            rec[target] = clean_value(cells[index[header]]) or None
        rec["compare"] = {f"{kind}:{header}": clean_value(cells[index[header]])
                          for header, kind in compared.items() if cells[index[header]]} or None

        def warn(fld: str, value: str, message: str, row: int = number) -> None:
            warnings.append(ListWarning(row, fld, value, message))

        for header, kind in compared.items():
            cell = clean_value(cells[index[header]])
            if kind == "number" and cell and compare_number(cell) is None:
                warn(header, cell, "not a number; compared as missing")
        if rec["sex"]:
            rec["sex_code"] = _SEX.get(rec["sex"].casefold().strip(". "))
            if rec["sex_code"] is None:
                warn("sex", rec["sex"], "unrecognised sex")
        if rec["age"]:
            rec["age_num"] = _int(rec["age"])
            if rec["age_num"] is None:
                warn("age", rec["age"], "not a whole number of years")
        for fld in ("birth_date", "death_date"):
            if rec[fld]:
                rec[f"{fld}_fd"] = _date(rec[fld])
                if rec[f"{fld}_fd"] is None:
                    warn(fld, rec[fld], "unparseable date; kept as written")
        if rec["birth_year"]:
            year = _int(rec["birth_year"])
            if year is None:
                fd = _date(rec["birth_year"])
                year = fd.earliest.year if fd is not None and fd.earliest else None
            elif year in _SOLAR_HIJRI_YEARS:
                year += 621  # Solar Hijri year → the Gregorian year it mostly overlaps
            rec["birth_year_num"] = year
            if year is None:
                warn("birth_year", rec["birth_year"], "unparseable year; kept as written")
        out.append(rec)
    if blank:
        shown = ", ".join(map(str, blank[:10])) + (", …" if len(blank) > 10 else "")
        warnings.append(ListWarning(blank[0], "", "", (
            f"{len(blank)} blank row(s) skipped (rows {shown})")))
    frame = pd.DataFrame(out, columns=list(RECORD_COLUMNS))
    for col in ("birth_year_num", "age_num"):
        frame[col] = frame[col].astype("Int64")
    return frame, warnings
