"""What an import would do, as plain data for a screen: how each header is mapped, the first
records as read, and the warnings — the web application's upload preview (the command line's
`import-list --dry-run` shows the same). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sabt.ingest.lists import ParsedList


@dataclass(frozen=True)
class HeaderUse:
    header: str
    field: str          # the canonical field, or "" when the column is kept raw only
    compared_as: str    # the mapping's [compare] kind, or ""


@dataclass(frozen=True)
class Preview:
    file: str
    name: str
    sha256: str
    records: int
    headers: list[HeaderUse]
    fields: list[str]                 # the canonical fields found, in header order
    rows: list[dict[str, Any]]        # the first records: row number and the fields' text
    warnings: list[str]


def preview(parsed: ParsedList, rows: int = 5, warnings: int = 50) -> Preview:
    """The preview of a parsed list: every header, the first `rows` records, the first
    `warnings` warnings (the count is in `len(parsed.warnings)`)."""
    fields = list(dict.fromkeys(parsed.columns.values()))
    first = []
    for _, rec in parsed.records.head(rows).iterrows():
        first.append({"row": int(rec["row"]),
                      **{f: ("" if rec[f] is None else str(rec[f])) for f in fields}})
    return Preview(parsed.path.name, parsed.name, parsed.sha256, len(parsed.records),
                   [HeaderUse(h, parsed.columns.get(h, ""), parsed.compared.get(h, ""))
                    for h in parsed.headers], fields, first,
                   [str(w) for w in parsed.warnings[:warnings]])
