"""Extra compared columns: what a mapping file's ``[compare]`` table adds to the linkage model.

Victim lists share names, dates and places, but a statistician's own data often has more that
identifies a person (street number, address, postcode, an id). Declared in the mapping file::

    [compare]
    "street_number" = "code"
    "address_1" = "text"

each such column is carried from import (records' ``compare``: ``{"kind:header": text}``) into
the features table as ``x_<kind>_<header>`` (the header folded to ASCII letters, digits and
``_``, so lists whose headers differ only in case or spacing compare together) and compared by
splink's comparison library, so DuckDB and Spark run the same levels:

=========  ==============================================  ===================================
kind       value as compared                               levels (strongest first)
=========  ==============================================  ===================================
``text``   folded: NFKC, case, Persian letters, spacing    exact · Jaro-Winkler ≥ 0.92 · ≥ 0.8
``code``   letters and digits only (any script's digits)   exact · one edit (Damerau) · else
``number`` a decimal number (else treated as missing)      exact · ≤ 1 apart · ≤ 10 % apart
=========  ==============================================  ===================================

``code`` and ``text`` columns also make blocking rules (`blocking_rules`): alone they are
weak keys (many people share a postcode), so each is paired with a first-letters name key or
the birth year, and two extra columns are paired with each other; a rule that would pair too
many records (`PAIRS_PER_RECORD`) is left out, measured on the records being linked.
"""

from __future__ import annotations

import hashlib
import re
from itertools import combinations
from typing import Any

import pandas as pd

from sabt.ingest.headers import COMPARE_KINDS, compare_number, normalise_header
from sabt.text.normalize import to_ascii_digits

PREFIX = "x_"
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
#: Feature columns an extra key is paired with in blocking (a name's first two skeleton letters,
#: the birth year).
_BLOCK_PARTNERS = ("given_skel2", "family_skel2", "birth_year")
#: A blocking rule on extra columns is used only if it yields at most this many pairs per record.
#: On FEBRL the useful rules (postcode, street, suburb, address) yield 0.2-1.5 and those with
#: the state (8 values) 5-17; the model's own rules yield about 2 (FEBRL3: 9,161 pairs).
PAIRS_PER_RECORD = 2.0


def column_name(key: str) -> str:
    """Feature column of a record's ``"kind:header"`` key: ``x_<kind>_<ascii slug of header>``.

    A header with letters outside ASCII (Persian) gets a short hash so two such headers stay
    apart.
    """
    kind, _, header = key.partition(":")
    folded = normalise_header(header)
    slug = _NOT_SLUG.sub("_", folded).strip("_")
    if not folded.isascii() or not slug:
        slug = f"{slug}_{hashlib.sha1(folded.encode()).hexdigest()[:8]}".lstrip("_")
    return f"{PREFIX}{kind}_{slug}"


def kind_of(column: str) -> str | None:
    """The kind of an extra feature column (None for the model's own columns)."""
    if not column.startswith(PREFIX):
        return None
    kind = column[len(PREFIX):].split("_", 1)[0]
    return kind if kind in COMPARE_KINDS else None


def normalise(kind: str, text: str) -> str | float | None:
    """A raw cell as the model compares it (see the module docstring); None when empty."""
    if kind == "number":
        return compare_number(text)
    folded = normalise_header(to_ascii_digits(text))
    if kind == "code":
        folded = folded.replace(" ", "")
    return folded or None


def feature_columns(compare: pd.Series) -> pd.DataFrame:
    """One column per declared extra field from the records' ``compare`` dicts (None if absent)."""
    values: dict[str, dict[int, Any]] = {}
    for position, cells in enumerate(compare.tolist()):
        if not isinstance(cells, dict):
            continue
        for key, text in cells.items():
            kind = key.partition(":")[0]
            value = normalise(kind, str(text))
            if value is not None:
                values.setdefault(column_name(key), {})[position] = value
    index = pd.RangeIndex(len(compare))
    frame = pd.DataFrame(index=index)
    for col in sorted(values):
        dtype = "Float64" if kind_of(col) == "number" else "object"
        frame[col] = pd.Series(values[col], dtype=dtype).reindex(index)
        if dtype == "object":
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame


def comparisons(present: set[str]) -> list[Any]:
    """splink comparisons for the extra columns that hold values (sorted by column name)."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    out: list[Any] = []
    for col in sorted(present):
        kind = kind_of(col)
        if kind == "text":
            out.append(cl.JaroWinklerAtThresholds(col, [0.92, 0.8]))
        elif kind == "code":
            out.append(cl.DamerauLevenshteinAtThresholds(col, [1]))
        elif kind == "number":
            out.append(cl.CustomComparison([
                cll.NullLevel(col), cll.ExactMatchLevel(col),
                cll.AbsoluteDifferenceLevel(col, 1),
                cll.PercentageDifferenceLevel(col, 0.1), cll.ElseLevel(),
            ], output_column_name=col))
    return out


def _pair_count(features: pd.DataFrame, rule: tuple[str, ...]) -> int:
    """How many record pairs agree on every column of `rule` (missing values never agree)."""
    sizes = features[list(rule)].dropna().groupby(list(rule), sort=False).size().to_numpy()
    return int((sizes * (sizes - 1) // 2).sum())


def blocking_rules(features: pd.DataFrame, present: set[str]) -> list[tuple[str, ...]]:
    """Blocking rules on the extra text/code columns that stay within `PAIRS_PER_RECORD`.

    Candidates: each extra column with a name's first two skeleton letters or the birth year,
    and each two extra columns together. A candidate that would add more than
    `PAIRS_PER_RECORD` pairs per record is left out: a column with few values (a state) pairs
    nearly everyone, and the budget grows only linearly with the records.
    """
    keys = sorted(c for c in present if kind_of(c) in ("text", "code"))
    candidates = [(k, p) for k in keys for p in _BLOCK_PARTNERS if p in present]
    candidates += list(combinations(keys, 2))
    budget = PAIRS_PER_RECORD * len(features)
    return [rule for rule in candidates if _pair_count(features, rule) <= budget]
