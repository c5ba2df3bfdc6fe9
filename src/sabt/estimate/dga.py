"""Madigan & York (1997) Bayesian model averaging over decomposable graphs (R's dga).

Each decomposable (chordal) graph on the J lists is a log-linear model whose marginal
likelihood, under a hyper-Dirichlet prior, factorises over its cliques and separators. With a
Dirichlet parameter delta per cell of the full 2^J table, a margin on the lists S has
parameter delta · 2^(J − |S|) per cell, and

    log ML_S = lgamma(A) − lgamma(A + N) + Σ_c [lgamma(a_S + n_c) − lgamma(a_S)],  A = delta 2^J,

where the all-zero cell of the margin holds n_S0 + Nmissing. A graph's log ML is the sum over
its cliques minus the sum over its separators. The posterior on (graph, Nmissing) adds the
multinomial coefficient log N!/Nmissing!, the prior on N (∝ 1/N by default) and a uniform
prior on graphs, and is computed exactly on the grid Nmissing = 0 .. 20 n (no MCMC).

The graphs are generated here (every edge subset, kept if chordal): 8, 61, 822 and 18,154
graphs for 3, 4, 5 and 6 lists.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from scipy.special import gammaln

from sabt.errors import InvalidValue
from sabt.estimate.table import CaptureTable

FloatArray = NDArray[np.float64]
SATURATED_WEIGHT = 0.05  # warn when the complete (saturated) graph carries this much weight


@dataclass(frozen=True)
class Graph:
    """A decomposable graph: its edges, maximal cliques and junction-tree separators
    (all as bitmasks over the lists)."""

    edges: tuple[tuple[int, int], ...]
    cliques: tuple[int, ...]
    separators: tuple[int, ...]

    def name(self) -> str:
        """Cliques in Rcapture-like notation, e.g. [12,3]."""
        from sabt.estimate.loglinear import term_name

        cl = sorted(self.cliques, key=lambda c: (-bin(c).count("1"), term_name(c)))
        return "[" + ",".join(term_name(c) for c in cl) + "]"


@dataclass
class DgaResult:
    """Exact posterior of N (on the grid) and of the graphs."""

    n_observed: int
    delta: float
    N: NDArray[np.int64]
    posterior: FloatArray
    median: float
    mean: float
    lower: float
    upper: float
    mass_at_bound: float
    n_graphs: int
    top_graphs: list[tuple[str, float, float]]  # (graph, posterior weight, its median N)
    seconds: float
    warnings: list[str] = field(default_factory=list)


def _is_chordal(adj: list[int], J: int) -> bool:
    """Maximum cardinality search; chordal iff the order is a perfect elimination order."""
    order: list[int] = []
    weight = [0] * J
    done = 0
    for _ in range(J):
        v = max((u for u in range(J) if not done >> u & 1), key=lambda u: (weight[u], -u))
        order.append(v)
        done |= 1 << v
        for u in range(J):
            if adj[v] >> u & 1 and not done >> u & 1:
                weight[u] += 1
    pos = {v: i for i, v in enumerate(order)}
    for v in order:
        earlier = [u for u in range(J) if adj[v] >> u & 1 and pos[u] < pos[v]]
        if earlier:
            parent = max(earlier, key=lambda u: pos[u])
            for u in earlier:
                if u != parent and not adj[parent] >> u & 1:
                    return False
    return True


def _cliques(adj: list[int], J: int) -> list[int]:
    full = [s for s in range(1, 1 << J)
            if all(adj[i] >> k & 1 for i in range(J) if s >> i & 1
                   for k in range(J) if s >> k & 1 and k != i)]
    return [s for s in full if not any(t != s and (t & s) == s for t in full)]


def _separators(cliques: list[int]) -> list[int]:
    """Junction tree by maximum-weight spanning tree (Prim) on clique intersections."""
    if len(cliques) < 2:
        return []
    inside = {0}
    seps = []
    while len(inside) < len(cliques):
        best = max(((i, j) for i in inside for j in range(len(cliques)) if j not in inside),
                   key=lambda e: bin(cliques[e[0]] & cliques[e[1]]).count("1"))
        inside.add(best[1])
        seps.append(cliques[best[0]] & cliques[best[1]])
    return seps


@lru_cache(maxsize=8)
def decomposable_graphs(J: int) -> tuple[Graph, ...]:
    """All decomposable graphs on J labelled vertices (J ≤ 6)."""
    if not 2 <= J <= 6:
        raise InvalidValue(f"dga supports 2 to 6 lists, not {J}")
    pairs = list(itertools.combinations(range(J), 2))
    graphs = []
    for mask in range(1 << len(pairs)):
        edges = tuple(p for i, p in enumerate(pairs) if mask >> i & 1)
        adj = [0] * J
        for a, b in edges:
            adj[a] |= 1 << b
            adj[b] |= 1 << a
        if _is_chordal(adj, J):
            cl = _cliques(adj, J)
            graphs.append(Graph(edges, tuple(cl), tuple(_separators(cl))))
    return tuple(graphs)


def _margin_logml(full: NDArray[np.int64], J: int, S: int, delta: float,
                  nmiss: FloatArray) -> FloatArray:
    """log ML of the margin on lists S, as a function of Nmissing."""
    n = int(full.sum())
    A = delta * (1 << J)
    if S == 0:
        return np.zeros_like(nmiss)
    a = delta * (1 << (J - bin(S).count("1")))
    margin: dict[int, int] = {}
    for cell in range(1, 1 << J):
        key = cell & S
        margin[key] = margin.get(key, 0) + int(full[cell])
    # margin cells never seen contribute lgamma(a) − lgamma(a) = 0
    const = sum(math.lgamma(a + c) - math.lgamma(a) for key, c in margin.items() if key != 0)
    zero = margin.get(0, 0)
    return np.asarray(
        const + gammaln(a + zero + nmiss) - math.lgamma(a) + math.lgamma(A)
        - gammaln(A + n + nmiss), dtype=np.float64,
    )


def fit_dga(
    table: CaptureTable, *, delta: float | None = None, max_missing_factor: int = 20,
    log_prior_N: str = "1/N",
) -> DgaResult:
    """Exact Madigan–York model averaging; delta defaults to 2^−J (the dga docs' advice)."""
    t0 = time.perf_counter()
    J, n = table.n_lists, table.n_observed
    if delta is None:
        delta = 2.0 ** -J
    if delta <= 0:
        raise InvalidValue(f"delta must be positive, not {delta}", field="delta")
    graphs = decomposable_graphs(J)
    full = table.full_counts()
    L = max_missing_factor * n + 1
    subsets = 1 << J
    coef = np.zeros((len(graphs), subsets))
    for g, G in enumerate(graphs):
        for c in G.cliques:
            coef[g, c] += 1
        for s in G.separators:
            coef[g, s] -= 1

    def margins(nmiss: FloatArray) -> FloatArray:
        """Per-subset log ML rows plus the N terms in the last row."""
        V = np.stack([_margin_logml(full, J, S, delta, nmiss) for S in range(subsets)])
        N = n + nmiss
        extra = gammaln(N + 1) - gammaln(nmiss + 1)
        if log_prior_N == "1/N":
            extra = extra - np.log(N)
        return np.vstack([V, extra[None, :]])

    coef1 = np.hstack([coef, np.ones((len(graphs), 1))])

    def log_post(V: FloatArray, rows: NDArray[np.int64]) -> FloatArray:
        return np.asarray(coef1[rows] @ V, dtype=np.float64)

    # Coarse scan: which graphs carry weight and where the posterior lives; then the exact
    # posterior there, in chunks (graphs with < e^-40 of the best graph's mass are dropped).
    everything = np.arange(len(graphs))
    step = max(1, L // 500)
    coarse = np.arange(0, L, step, dtype=np.float64)
    lp = log_post(margins(coarse), everything)
    top = lp.max()
    mass = np.log(np.exp(lp - top).sum(axis=1) + 1e-300)
    rows = np.flatnonzero(mass >= mass.max() - 40)
    keep = np.flatnonzero((lp[rows] >= top - 45).any(axis=0))
    lo = int(coarse[max(keep[0] - 1, 0)])
    hi = int(coarse[keep[-1] + 1]) if keep[-1] + 1 < len(coarse) else L - 1
    nmiss = np.arange(lo, hi + 1, dtype=np.float64)
    post_rows = np.zeros(len(rows))
    pmf = np.empty(len(nmiss))
    chunk = max(1, 4_000_000 // max(len(rows), 1))
    V = margins(nmiss)
    for start in range(0, len(nmiss), chunk):
        part = log_post(V[:, start:start + chunk], rows)
        E = np.exp(part - top)
        post_rows += E.sum(axis=1)
        pmf[start:start + chunk] = E.sum(axis=0)
    total = pmf.sum()
    pmf /= total
    post_graph = np.zeros(len(graphs))
    post_graph[rows] = post_rows / total
    N = (n + nmiss).astype(np.int64)

    def quantile(q: float, p: FloatArray = pmf) -> float:
        c = np.cumsum(p) / p.sum()
        return float(N[min(int(np.searchsorted(c, q)), len(N) - 1)])

    order = np.argsort(-post_graph)[:10]
    top_graphs = []
    for g in order:
        own = np.exp(log_post(V, np.array([g]))[0] - top)
        top_graphs.append((graphs[g].name(), float(post_graph[g]), quantile(0.5, own)))
    mass_bound = float(pmf[-1]) if hi == L - 1 else 0.0
    warnings = []
    if hi == L - 1 and float(pmf[-max(1, len(pmf) // 50):].sum()) > 1e-3:
        warnings.append(f"dga: posterior mass near the Nmissing ≤ {max_missing_factor}n bound "
                        f"({float(pmf[-max(1, len(pmf) // 50):].sum()):.1%} in the top 2%); "
                        "the upper bound is not determined by the data")
    full_mask = (1 << J) - 1
    complete = next(g for g, G in enumerate(graphs) if G.cliques == (full_mask,))
    if post_graph[complete] >= SATURATED_WEIGHT:
        warnings.append(
            f"dga: {post_graph[complete]:.0%} of the posterior weight is on the complete graph "
            f"{graphs[complete].name()}, under which N is not identifiable (the data say nothing "
            "about the unobserved cell; its posterior is the prior's) — the interval reflects "
            "the prior (delta, p(N)), not the data")
    if quantile(0.025) <= n:
        warnings.append(
            f"dga: the lower bound equals the number seen ({n:,}): the posterior allows nobody "
            "to be missed, a sign that N is not identified under the graphs carrying weight")
    return DgaResult(
        n_observed=n, delta=delta, N=N, posterior=pmf, median=quantile(0.5),
        mean=float(pmf @ N), lower=quantile(0.025), upper=quantile(0.975),
        mass_at_bound=mass_bound, n_graphs=len(graphs), top_graphs=top_graphs,
        seconds=time.perf_counter() - t0, warnings=warnings,
    )
