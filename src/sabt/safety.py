"""Showing untrusted text safely: in the terminal, in CSV files Sabt writes, in normalised values.

Names of files, lists and persons come from outside. Printed raw, a name can carry terminal
escape sequences (moving the cursor, rewriting earlier lines), bidirectional overrides that
reverse what is read, or rich markup (``[link=…]``) that the console would interpret; written
raw into a CSV, a name starting with ``=`` becomes a spreadsheet formula. The helpers here
neutralise each of these, and are the one place that does it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

# C0 and C1 control characters (tab, newline and carriage return included) and the Unicode
# bidirectional embedding/override/isolate controls. ZWNJ and ZWJ are letters' business in
# Persian and are kept.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_IN_VALUE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """Text with every control and bidi-override character written as ``\\xNN``/``\\uNNNN``."""
    return _CONTROL.sub(_escape_char, text)


def shown(text: object) -> str:
    """Untrusted text for the rich console: controls escaped and rich markup escaped."""
    from rich.markup import escape

    return escape(printable(str(text)))


def has_controls(text: str) -> bool:
    """Whether text holds control, newline, tab or bidi-override characters."""
    return _CONTROL.search(text) is not None


def clean_value(text: str, *, keep_lines: bool = False) -> str:
    """A normalised value: controls removed; tab, newline and carriage return become a space
    (kept as they are when ``keep_lines``, for quotes and notes). Raw text is never cleaned."""
    if not _CONTROL.search(text):
        return text
    cleaned = _UNSAFE_IN_VALUE.sub("", text)
    if not keep_lines:
        cleaned = re.sub(r"[\t\r\n]+", " ", cleaned)
    return cleaned


def reason(exc: BaseException, limit: int = 200) -> str:
    """A third-party exception as one short printable line (its type and message), for the
    one-line errors of readers: parsers put raw bytes and newlines in their messages."""
    text = printable(f"{type(exc).__name__}: {exc}")
    return text if len(text) <= limit else text[:limit] + "…"


def csv_cell(value: Any) -> Any:
    """A value for a CSV cell that no spreadsheet runs as a formula.

    Text starting with ``= + - @``, a tab or a carriage return (and text starting with the
    ``'`` this adds, so that `csv_uncell` can undo it exactly) gets a leading ``'``; plain
    numbers such as ``-3.5`` are left alone. Non-text values pass unchanged.
    """
    if not isinstance(value, str) or not value:
        return value
    if value.startswith("'") or (value.startswith(_FORMULA_START)
                                 and not _PLAIN_NUMBER.fullmatch(value)):
        return "'" + value
    return value


def csv_uncell(value: str) -> str:
    """Undo `csv_cell` when Sabt reads back a CSV it wrote."""
    return value[1:] if value.startswith("'") else value


def csv_row(values: Iterable[Any]) -> list[Any]:
    """A row with every cell made safe by `csv_cell`."""
    return [csv_cell(v) for v in values]


def safe_frame(frame: Any) -> Any:
    """A copy of a pandas DataFrame whose text cells and column names are made safe."""
    out = frame.copy()
    out.columns = [csv_cell(str(c)) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(csv_cell)
    return out
