"""Capture tables: list names, 0/1 capture patterns and their counts, optionally per stratum.

Every estimator works on this one plain structure. It is validated once, here, so the
estimators can assume: at least two lists, 0/1 patterns, no all-zero pattern, non-negative
integer counts and every list holding at least one record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from sabt.errors import InvalidValue

if TYPE_CHECKING:
    import pandas as pd

IntArray = NDArray[np.int64]


def _pattern_key(row: NDArray[np.int64]) -> int:
    """The pattern as an integer: list j is bit j."""
    return int(sum(int(v) << j for j, v in enumerate(row)))


@dataclass(frozen=True)
class CaptureTable:
    """Aggregated capture patterns of one population (or one stratum).

    `patterns` is (cells × lists) of 0/1, `counts` the number of people with each pattern.
    Zero counts are allowed (they are informative for log-linear models); the all-zero
    pattern is unobservable and never stored. `strata` optionally maps a stratum label to
    its own table (the top-level table is then the sum over strata).
    """

    lists: tuple[str, ...]
    patterns: IntArray
    counts: IntArray
    strata: dict[str, CaptureTable] = field(default_factory=dict)
    source: str | None = None

    def __post_init__(self) -> None:
        pats = np.asarray(self.patterns, dtype=np.int64)
        cnts = np.asarray(self.counts, dtype=np.int64)
        object.__setattr__(self, "patterns", pats)
        object.__setattr__(self, "counts", cnts)
        where = self.source
        if len(self.lists) < 2:
            raise InvalidValue(
                f"need at least 2 lists to estimate, got {len(self.lists)}", file=where
            )
        if len(set(self.lists)) != len(self.lists):
            raise InvalidValue("list names must be distinct", file=where)
        if pats.ndim != 2 or pats.shape[1] != len(self.lists) or cnts.shape != (pats.shape[0],):
            raise InvalidValue("patterns must be cells × lists and counts one per cell", file=where)
        if not np.isin(pats, (0, 1)).all():
            raise InvalidValue("capture patterns must be 0 or 1", file=where)
        if (cnts < 0).any():
            raise InvalidValue("counts must be non-negative", file=where)
        if (pats.sum(axis=1) == 0).any():
            raise InvalidValue(
                "all-zero capture pattern: a person on no list cannot be observed", file=where
            )
        keys = [_pattern_key(r) for r in pats]
        if len(set(keys)) != len(keys):
            raise InvalidValue("a capture pattern appears twice", file=where)
        if not self.strata:
            per_list = (pats * cnts[:, None]).sum(axis=0)
            empty = [name for name, k in zip(self.lists, per_list, strict=True) if k == 0]
            if empty:
                raise InvalidValue(
                    f"list(s) with no records: {', '.join(empty)}", file=where, field=empty[0]
                )

    # -- constructors -------------------------------------------------------------------
    @classmethod
    def from_patterns(
        cls,
        lists: Sequence[str],
        patterns: Sequence[Sequence[int]] | NDArray[Any],
        counts: Sequence[int] | NDArray[Any],
        *,
        source: str | None = None,
    ) -> CaptureTable:
        """A table from explicit patterns and counts (duplicates are an error)."""
        return cls(tuple(lists), np.asarray(patterns), np.asarray(counts), source=source)

    @classmethod
    def from_csv(cls, path: str, *, strata: Sequence[str] = ()) -> CaptureTable:
        """Read a pattern CSV (0/1 columns + `count`) or a capture-history CSV."""
        from sabt.estimate.reader import read_capture_csv

        return read_capture_csv(path, strata=strata)

    @classmethod
    def from_histories(
        cls,
        lists: Sequence[str],
        histories: Sequence[Sequence[int]] | NDArray[Any],
        *,
        strata: Sequence[str] | None = None,
        source: str | None = None,
    ) -> CaptureTable:
        """A table from individual capture histories (one 0/1 row per person)."""
        hist = np.asarray(histories, dtype=np.int64)
        if hist.ndim != 2 or hist.shape[1] != len(lists):
            raise InvalidValue("histories must be people × lists", file=source)
        if not np.isin(hist, (0, 1)).all():
            raise InvalidValue("capture histories must be 0 or 1", file=source)
        if hist.shape[0] and (hist.sum(axis=1) == 0).any():
            row = int(np.flatnonzero(hist.sum(axis=1) == 0)[0])
            raise InvalidValue("all-zero capture history (a person on no list)", file=source,
                               row=row + 1)
        if strata is None:
            return cls._aggregate(lists, hist, np.ones(len(hist), dtype=np.int64), source)
        labels = [str(s) for s in strata]
        if len(labels) != len(hist):
            raise InvalidValue("one stratum label per person is needed", file=source)
        return cls.stratified(
            lists,
            {
                lab: (hist[[i for i, s in enumerate(labels) if s == lab]],
                      np.ones(labels.count(lab), dtype=np.int64))
                for lab in sorted(set(labels))
            },
            source=source,
        )

    @classmethod
    def stratified(
        cls,
        lists: Sequence[str],
        parts: dict[str, tuple[NDArray[Any], NDArray[Any]]],
        *,
        source: str | None = None,
    ) -> CaptureTable:
        """A stratified table from {label: (patterns-or-histories, counts)}; duplicates summed."""
        tables: dict[str, CaptureTable] = {}
        for label, (pats, cnts) in parts.items():
            where = f"{source} stratum {label!r}" if source else f"stratum {label!r}"
            tables[label] = cls._aggregate(lists, np.asarray(pats), np.asarray(cnts), where,
                                           check_lists=False)
        all_p = np.concatenate([t.patterns for t in tables.values()])
        all_c = np.concatenate([t.counts for t in tables.values()])
        total = cls._aggregate(lists, all_p, all_c, source)
        return cls(total.lists, total.patterns, total.counts, strata=tables, source=source)

    @classmethod
    def _aggregate(
        cls,
        lists: Sequence[str],
        pats: NDArray[Any],
        cnts: NDArray[Any],
        source: str | None,
        *,
        check_lists: bool = True,
    ) -> CaptureTable:
        """Sum counts of identical patterns into one table."""
        J = len(lists)
        pats = np.asarray(pats, dtype=np.int64).reshape(-1, J)
        keys = pats @ (np.int64(1) << np.arange(J, dtype=np.int64))
        uniq, inverse = np.unique(keys, return_inverse=True)
        c = np.bincount(inverse, weights=np.asarray(cnts, dtype=np.float64),
                        minlength=len(uniq)).astype(np.int64)
        p = ((uniq[:, None] >> np.arange(J, dtype=np.int64)) & 1).astype(np.int64)
        if check_lists:
            return cls(tuple(lists), p, c, source=source)
        # a stratum may legitimately miss a list; the stratum rules are applied by the estimators
        table = object.__new__(cls)
        object.__setattr__(table, "lists", tuple(lists))
        object.__setattr__(table, "patterns", p)
        object.__setattr__(table, "counts", c)
        object.__setattr__(table, "strata", {})
        object.__setattr__(table, "source", source)
        return table

    @classmethod
    def from_dataframe(
        cls,
        df: pd.DataFrame,
        *,
        lists: Sequence[str] | None = None,
        count: str | None = "count",
        strata: Sequence[str] | None = None,
        source: str | None = None,
    ) -> CaptureTable:
        """A table from a DataFrame of patterns (with a count column) or of histories."""
        from sabt.estimate.reader import table_from_rows

        strata = list(strata or [])
        has_count = count is not None and count in df.columns
        cols = list(lists) if lists is not None else [
            str(c) for c in df.columns if c not in strata and not (has_count and c == count)
        ]
        header = [*cols, *strata, *([count] if has_count and count else [])]
        rows = [[_cell(v) for v in rec] for rec in df[header].itertuples(index=False)]
        return table_from_rows(header, rows, count=count if has_count else None,
                               strata=strata, source=source or "dataframe")

    # -- views --------------------------------------------------------------------------
    @property
    def n_lists(self) -> int:
        """Number of lists J."""
        return len(self.lists)

    @property
    def n_observed(self) -> int:
        """Number of distinct people observed on at least one list."""
        return int(self.counts.sum())

    def full_counts(self) -> IntArray:
        """Counts for all 2^J patterns indexed by the bit key (list j = bit j); cell 0 is 0."""
        out = np.zeros(1 << self.n_lists, dtype=np.int64)
        for row, c in zip(self.patterns, self.counts, strict=True):
            out[_pattern_key(row)] += int(c)
        return out

    def list_sizes(self) -> dict[str, int]:
        """Records per list."""
        sizes = (self.patterns * self.counts[:, None]).sum(axis=0)
        return {name: int(s) for name, s in zip(self.lists, sizes, strict=True)}

    def drop_list(self, name: str) -> CaptureTable:
        """The table without one list (people seen only on it become unobserved)."""
        keep = [j for j, n in enumerate(self.lists) if n != name]
        lists = [self.lists[j] for j in keep]

        def reduce(t: CaptureTable) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
            p = t.patterns[:, keep]
            seen = p.sum(axis=1) > 0
            return p[seen], t.counts[seen]

        if self.strata:
            return CaptureTable.stratified(
                lists, {k: reduce(t) for k, t in self.strata.items()}, source=self.source
            )
        p, c = reduce(self)
        return CaptureTable._aggregate(lists, p, c, self.source)


def _cell(v: object) -> str:
    """A DataFrame value as the text a CSV would hold (missing → empty)."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
