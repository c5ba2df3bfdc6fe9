"""Explicit limits on what the readers and importers accept from a file (docs/reliability.md).

Lists, case data, JSONL exports and evidence files come from many hands, some hostile. Every
reader checks its input against these limits and refuses what exceeds one with a `SabtError`
naming the file, the row or member, and the limit (``limit cell_chars=100000``), so a hostile
file costs a bounded amount of memory and time and never ends in a traceback.

Each limit can be changed for one run with an environment variable ``SABT_LIMIT_<NAME>`` (upper
case), e.g. ``SABT_LIMIT_CELL_CHARS=1000000 sabt import-list big.csv --name big``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, fields, replace
from typing import Any

from sabt.errors import InvalidValue, SabtError


@dataclass(frozen=True)
class Limits:
    """The limits in force; see the module docstring for how to change them."""

    #: characters in one cell of a list, one field of a case CSV, one string of a JSONL row
    cell_chars: int = 100_000
    #: data rows in one list file or one case CSV
    rows: int = 2_000_000
    #: columns of one list
    columns: int = 1_000
    #: bytes of one list file (lists are read whole)
    list_bytes: int = 512 << 20
    #: nesting depth of a JSON list or a JSONL line
    json_depth: int = 32
    #: digits in one JSON number (Python refuses integers over 4,300 digits anyway)
    number_digits: int = 100
    #: characters in one line of a JSONL export
    line_chars: int = 64 << 20
    #: declared uncompressed bytes of all parts of an XLSX or DOCX package
    unzipped_bytes: int = 128 << 20
    #: parts (members) of an XLSX, DOCX or WACZ package, records of a WARC
    archive_members: int = 10_000
    #: archive members may hold this many times the archive's own size in total …
    archive_expansion: int = 100
    #: … but at least this many bytes (small archives of text compress well)
    archive_floor_bytes: int = 64 << 20
    #: tags of an HTML page whose main text is isolated (above it the whole text is kept)
    html_tags: int = 50_000
    #: pixels (width × height) of an image whose metadata is read
    pixels: int = 80_000_000
    #: paragraphs of a DOCX whose text is extracted
    docx_paragraphs: int = 200_000
    #: pages of a PDF whose text is extracted
    pdf_pages: int = 5_000

    def refuse(self, name: str, message: str, *, file: str | None = None,
               row: int | None = None, field: str | None = None) -> InvalidValue:
        """The one-line error for input over limit ``name`` (raise it)."""
        return InvalidValue(f"{message} (limit {name}={getattr(self, name)}; change it with "
                         f"SABT_LIMIT_{name.upper()})", file=file, row=row, field=field)


def current() -> Limits:
    """The default limits with any ``SABT_LIMIT_<NAME>`` overrides from the environment."""
    changes: dict[str, int] = {}
    for f in fields(Limits):
        text = os.environ.get(f"SABT_LIMIT_{f.name.upper()}")
        if text is None:
            continue
        try:
            value = int(text.replace("_", ""))
        except ValueError:
            value = -1
        if value <= 0:
            raise SabtError(f"SABT_LIMIT_{f.name.upper()}={text!r} is not a positive whole number")
        changes[f.name] = value
    return replace(Limits(), **changes)


def load_json(text: str, where: str, limits: Limits, row: int | None = None) -> Any:
    """``json.loads`` with the number-length and nesting-depth limits (also used for JSONL)."""
    def number(token: str) -> Any:
        if len(token) > limits.number_digits:
            raise limits.refuse("number_digits", f"a number has {len(token):,} characters",
                                file=where, row=row)
        return float(token) if any(c in token for c in ".eE") else int(token)

    try:
        doc = json.loads(text, parse_int=number, parse_float=number)
    except json.JSONDecodeError as exc:
        at = f"column {exc.colno}" if row is not None else f"line {exc.lineno}"
        raise InvalidValue(f"not valid JSON: {exc.msg} ({at})", file=where, row=row) from exc
    except RecursionError as exc:
        raise limits.refuse("json_depth", "JSON nested too deep", file=where, row=row) from exc
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limits.json_depth:
            raise limits.refuse("json_depth", f"JSON nested {depth} deep", file=where, row=row)
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return doc
