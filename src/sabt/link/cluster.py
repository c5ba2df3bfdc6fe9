"""Scored pairs → clusters, with reviewers' decisions and the one-record-per-list rule.

Connected components at a threshold chain weak links through long paths and put two records of
one (deduplicated) list into a person. We therefore merge greedily: edges are taken strongest
first and two clusters merge only if the result breaks no constraint — two records from a list
declared duplicate-free, or a pair a reviewer marked as different people. Reviewed matches are
taken first, whatever their score. The model's own merges must also be backed by all the evidence
between the two clusters: the summed log-odds of every scored pair across them (each floored at
`CONTRADICTION`; pairs scored below the kept floor count at it) must stay at least `MERGE_LIMIT`,
so a chain of links cannot join records the model found clearly different, while one weak
contradiction does not split records that several strong links join (reviewers' matches still
override it). When no pair between them is a clear contradiction (below `CONTRADICTION`), weak
disagreements may add up to `WEAK_MERGE_LIMIT`: several records each with one spoilt field
disagree a little with each other without being different people. With no constraints and no
negative evidence this is exactly connected components. Everything is deterministic: ties are
broken by record index.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

#: A scored pair below this probability counts as this probability (its log-odds, −6.6 bits).
CONTRADICTION = 0.01
#: Two clusters merge only while their scored pairs' log-odds sum to at least this many bits.
#: On `hard` (seeds 1 and 2, docs/linkage.md) it kept precision 0.001–0.005 above the earlier rule
#: (any pair below `CONTRADICTION` forbids a merge) at equal or higher recall; 0 lost 0.013 recall.
MERGE_LIMIT = -4.0
#: ... and to at least this many when none of those pairs scored below `CONTRADICTION`. On
#: `hard`, 61 of the 207 merges the single limit refused were right, and 38 of those had no such
#: pair (of the 146 wrong ones, 19); −10 bits gained 0.006–0.007 recall for 0.002–0.005
#: precision on seeds 1 and 2 (docs/linkage.md, fourth round).
WEAK_MERGE_LIMIT = -10.0


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
    merge_limit: float = MERGE_LIMIT,
    weak_merge_limit: float = WEAK_MERGE_LIMIT,
    links: np.ndarray | None = None,
) -> Clustering:
    """Cluster records 0..n-1 from scored pairs (`left`, `right` indices, `probability`).

    Pairs scoring at least `threshold` are candidate links; `must_link` pairs are linked first
    and `cannot_link` pairs never end up in one cluster. Records of a list named in
    `duplicate_free` (looked up in `sources`) are never put together by the model, nor are two
    clusters whose scored pairs' log-odds (bits, each at least that of `contradiction`; pairs
    listed in `contradicted` as (left, right) arrays, scored below the kept floor, count at it)
    sum to less than `merge_limit` (`weak_merge_limit` if none of them is below `contradiction`).
    `links` (one bool per pair) replaces the threshold's choice of candidate links while every
    pair still counts as evidence: a linkage draw (`sabt.estimate.propagate`) keeps each pair
    with its probability and clusters under the same rules.
    """
    left = np.asarray(left, dtype=np.int64)
    right = np.asarray(right, dtype=np.int64)
    probability = np.asarray(probability, dtype=np.float64)
    must = [(min(a, b), max(a, b)) for a, b in must_link]
    cannot = {(min(a, b), max(a, b)) for a, b in cannot_link}
    dup_free = set(duplicate_free)
    keep = probability >= threshold if links is None else np.asarray(links, dtype=np.bool_)
    evidence = _evidence(left, right, probability, keep, contradicted, contradiction)
    if not must and not cannot and not dup_free and not (evidence[2] < 0).any():
        labels = _components(n_records, left[keep], right[keep])
    else:
        if dup_free and sources is None:
            raise ValueError("duplicate_free needs the records' sources")
        labels = _greedy(n_records, left[keep], right[keep], probability[keep],
                         sources, dup_free, must, cannot, evidence,
                         (merge_limit, weak_merge_limit))
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


Evidence = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _evidence(left: np.ndarray, right: np.ndarray, probability: np.ndarray, keep: np.ndarray,
              contradicted: tuple[np.ndarray, np.ndarray] | None,
              contradiction: float) -> Evidence:
    """(left, right, log-odds in bits, at the floor) of the scored pairs whose records could be
    joined at all (both in one component of the links), floored at `contradiction`'s;
    `contradicted` at it."""
    floor = float(np.log2(contradiction / (1.0 - contradiction)))
    p = np.clip(probability, 1e-300, 1.0 - 1e-16)
    bits = np.maximum(np.log2(p) - np.log2(1.0 - p), floor)
    c_left, c_right = (np.zeros(0, np.int64),) * 2 if contradicted is None else contradicted
    a = np.concatenate([left, np.asarray(c_left, dtype=np.int64)])
    b = np.concatenate([right, np.asarray(c_right, dtype=np.int64)])
    bits = np.concatenate([bits, np.full(len(a) - len(left), floor)])
    clear = bits <= floor
    if not keep.any():
        return a[:0], b[:0], bits[:0], clear[:0]
    labels = _components(int(max(a.max(), b.max())) + 1, left[keep], right[keep])
    same = (labels[a] == labels[b]) & (np.bincount(labels)[labels[a]] > 1)
    return a[same], b[same], bits[same], clear[same]


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
    evidence: Evidence,
    limits: tuple[float, float],
) -> np.ndarray:
    parent = np.arange(n, dtype=np.int64)
    members: dict[int, list[int]] = {}
    lists: dict[int, set[str]] = {}
    forbidden: dict[int, set[int]] = {}
    between = _between(evidence)   # root → other root → [summed bits, clear contradictions]
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
        if check_lists and (la & lb or _refused(between.get(ra, {}).get(rb), limits)):
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
        _fold(between, ra, rb)

    for a, b in sorted(must):
        if (a, b) not in cannot:
            union(a, b, check_lists=False)
    order = np.lexsort((right, left, -probability))
    for k in order:
        a, b = int(left[k]), int(right[k])
        if (min(a, b), max(a, b)) not in cannot:
            union(a, b, check_lists=True)
    return np.array([find(i) for i in range(n)], dtype=np.int64)



def _refused(evidence: list[float] | None, limits: tuple[float, float]) -> bool:
    """Two clusters' [summed bits, clear contradictions] forbid merging them."""
    if evidence is None:
        return False
    bits, contradictions = evidence
    return bits < (limits[0] if contradictions else limits[1])


def _between(evidence: Evidence) -> dict[int, dict[int, list[float]]]:
    """[summed bits, pairs at the contradiction floor] per pair of records (both directions),
    the clusters' starting evidence."""
    out: dict[int, dict[int, list[float]]] = {}
    for x, y, v, c in zip(*(e.tolist() for e in evidence), strict=True):
        if x != y:
            cell = out.setdefault(x, {}).setdefault(y, [0.0, 0.0])
            cell[0] += v
            cell[1] += c
            out.setdefault(y, {})[x] = cell
    return out


def _fold(between: dict[int, dict[int, list[float]]], ra: int, rb: int) -> None:
    """Cluster `rb` merged into `ra`: its evidence towards every other cluster becomes ra's."""
    gone = between.pop(rb, {})
    mine = between.setdefault(ra, {})
    mine.pop(rb, None)
    for other, (bits, contradictions) in gone.items():
        if other != ra:
            cell = mine.setdefault(other, [0.0, 0.0])
            cell[0] += bits
            cell[1] += contradictions
            theirs = between[other]
            theirs.pop(rb, None)
            theirs[ra] = cell
    if not mine:
        between.pop(ra, None)
