"""Scored pairs → clusters, with reviewers' decisions and the one-record-per-list rule.

Connected components at a threshold chain weak links through long paths and put two records of
one (deduplicated) list into a person. We therefore merge greedily: edges are taken strongest
first and two clusters merge only if the result breaks no constraint — two records from a list
declared duplicate-free, or a pair a reviewer marked as different people. Reviewed matches are
taken first, whatever their score. Pairs the model scored and found clearly different (probability
below `CONTRADICTION`: blocked together, compared, rejected) are cannot-links for the model's own
merges, so a chain of links cannot join two records the model has evidence against (reviewers'
matches still override them). With no constraints and no such pairs this is exactly connected
components. Everything is deterministic: ties are broken by record index.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

#: A scored pair below this probability keeps its two records in different clusters.
CONTRADICTION = 0.01


@dataclass(frozen=True)
class Clustering:
    """Per record (in input order): its cluster number (1-based) and its probability to it."""

    cluster: np.ndarray       # int64, clusters numbered by their first record
    probability: np.ndarray   # float64, best score to another member; 1.0 for singletons


def cluster_pairs(
    n_records: int,
    left: np.ndarray,
    right: np.ndarray,
    probability: np.ndarray,
    *,
    threshold: float,
    sources: Sequence[str] | None = None,
    duplicate_free: Iterable[str] = (),
    must_link: Iterable[tuple[int, int]] = (),
    cannot_link: Iterable[tuple[int, int]] = (),
    contradicted: tuple[np.ndarray, np.ndarray] | None = None,
    contradiction: float = CONTRADICTION,
) -> Clustering:
    """Cluster records 0..n-1 from scored pairs (`left`, `right` indices, `probability`).

    Pairs scoring at least `threshold` are candidate links; `must_link` pairs are linked first
    and `cannot_link` pairs never end up in one cluster. Records of a list named in
    `duplicate_free` (looked up in `sources`) are never put together by the model, nor are two
    records of a pair scoring below `contradiction` (in `probability`, or listed in
    `contradicted` as (left, right) arrays: pairs scored below the kept floor).
    """
    left = np.asarray(left, dtype=np.int64)
    right = np.asarray(right, dtype=np.int64)
    probability = np.asarray(probability, dtype=np.float64)
    must = [(min(a, b), max(a, b)) for a, b in must_link]
    cannot = {(min(a, b), max(a, b)) for a, b in cannot_link}
    dup_free = set(duplicate_free)
    keep = probability >= threshold
    low = probability < min(contradiction, threshold)
    c_left, c_right = left[low], right[low]
    if contradicted is not None:
        c_left = np.concatenate([c_left, np.asarray(contradicted[0], dtype=np.int64)])
        c_right = np.concatenate([c_right, np.asarray(contradicted[1], dtype=np.int64)])
    contra = _relevant(c_left, c_right, left[keep], right[keep])
    if not must and not cannot and not dup_free and not contra:
        labels = _components(n_records, left[keep], right[keep])
    else:
        if dup_free and sources is None:
            raise ValueError("duplicate_free needs the records' sources")
        labels = _greedy(n_records, left[keep], right[keep], probability[keep],
                         sources, dup_free, must, cannot, contra)
    cluster = _renumber(labels)
    best = np.zeros(n_records, dtype=np.float64)
    same = cluster[left] == cluster[right]
    np.maximum.at(best, left[same], probability[same])
    np.maximum.at(best, right[same], probability[same])
    for a, b in must:
        if cluster[a] == cluster[b]:
            best[a] = best[b] = 1.0
    sizes = np.bincount(cluster)
    best[sizes[cluster] == 1] = 1.0
    return Clustering(cluster=cluster, probability=best)


def _relevant(c_left: np.ndarray, c_right: np.ndarray, k_left: np.ndarray,
              k_right: np.ndarray) -> list[tuple[int, int]]:
    """Contradicted pairs whose records could be joined at all (both in a linked component)."""
    if not len(c_left) or not len(k_left):
        return []
    n = int(max(c_left.max(), c_right.max(), k_left.max(), k_right.max())) + 1
    labels = _components(n, k_left, k_right)
    sizes = np.bincount(labels)
    same = (labels[c_left] == labels[c_right]) & (sizes[labels[c_left]] > 1)
    return sorted({(int(min(a, b)), int(max(a, b)))
                   for a, b in zip(c_left[same], c_right[same], strict=True)})


def _components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    return np.asarray(connected_components(graph, directed=False)[1], dtype=np.int64)


def _renumber(labels: np.ndarray) -> np.ndarray:
    """Number clusters 1, 2, … in order of their first record, so ids are stable."""
    _, first = np.unique(labels, return_index=True)
    order = np.argsort(first, kind="stable")
    mapping = np.empty(len(first), dtype=np.int64)
    mapping[order] = np.arange(1, len(first) + 1)
    _, inverse = np.unique(labels, return_inverse=True)
    return np.asarray(mapping[inverse], dtype=np.int64)


def _greedy(
    n: int,
    left: np.ndarray,
    right: np.ndarray,
    probability: np.ndarray,
    sources: Sequence[str] | None,
    dup_free: set[str],
    must: list[tuple[int, int]],
    cannot: set[tuple[int, int]],
    contra: Sequence[tuple[int, int]] = (),
) -> np.ndarray:
    parent = np.arange(n, dtype=np.int64)
    members: dict[int, list[int]] = {}
    lists: dict[int, set[str]] = {}
    forbidden: dict[int, set[int]] = {}
    for a, b in cannot:
        forbidden.setdefault(a, set()).add(b)
        forbidden.setdefault(b, set()).add(a)
    if sources is not None:
        for i, s in enumerate(sources):
            if s in dup_free:
                lists[i] = {s}

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = int(parent[root])
        while parent[x] != root:
            parent[x], x = root, int(parent[x])
        return root

    def union(a: int, b: int, check_lists: bool) -> None:
        ra, rb = find(a), find(b)
        if ra == rb:
            return
        la, lb = lists.get(ra, set()), lists.get(rb, set())
        if check_lists and la & lb:
            return
        ma, mb = members.get(ra, [ra]), members.get(rb, [rb])
        fa, fb = forbidden.get(ra), forbidden.get(rb)
        if (fa and not fa.isdisjoint(mb)) or (fb and not fb.isdisjoint(ma)):
            return
        if len(ma) < len(mb):
            ra, rb, ma, mb, la, lb, fa, fb = rb, ra, mb, ma, lb, la, fb, fa
        parent[rb] = ra
        members[ra] = ma + mb
        members.pop(rb, None)
        if la or lb:
            lists[ra] = la | lb
            lists.pop(rb, None)
        if fa or fb:
            forbidden[ra] = (fa or set()) | (fb or set())
            forbidden.pop(rb, None)

    for a, b in sorted(must):
        if (a, b) not in cannot:
            union(a, b, check_lists=False)
    for a, b in contra:   # after reviewers' matches: those override the model's evidence
        ra, rb = find(a), find(b)
        if ra != rb:
            forbidden.setdefault(ra, set()).update(members.get(rb, [rb]))
            forbidden.setdefault(rb, set()).update(members.get(ra, [ra]))
    order = np.lexsort((right, left, -probability))
    for k in order:
        a, b = int(left[k]), int(right[k])
        if (min(a, b), max(a, b)) not in cannot:
            union(a, b, check_lists=True)
    return np.array([find(i) for i in range(n)], dtype=np.int64)

