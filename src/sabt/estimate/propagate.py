"""Carry the linkage's uncertainty into N: draw linkages, estimate on each, pool.

A linkage run gives a match probability per scored pair of records. Treating its clusters as
certain makes every interval too narrow (Sadinle 2018, "linkage averaging"). Here:

1. **Draws.** In each draw every pair is kept as a link with its match probability (the
   calibrated one when a reviewed sample says the model's are off, `sabt.link.calibrate`);
   pairs a reviewer decided are fixed (matches always linked, non-matches never); the kept
   links are then clustered under the very rules of the point linkage (`cluster_pairs`:
   strongest first, one record per duplicate-free list, reviewers' non-matches, and the summed
   evidence of every scored pair between two clusters). Independent edges alone would chain
   weak links into large clusters; the shared rules keep each draw a linkage the engine could
   have produced. This is a cheap approximation of a posterior over clusterings: the pair
   probabilities are treated as independent given the constraints.
2. **Capture tables.** Each draw's clusters become one capture table (vectorised: one
   `bitwise_or` per record into its cluster's pattern), stratified like the point table.
3. **Estimates.** Per draw, log-linear refits the model the search chose on the point linkage
   (the search itself is not repeated: on 5 lists it is 8× the cost of every other step; the
   point report keeps the competing models); dga averages over all decomposable graphs; LCMCR
   runs one short chain on at most `lcmcr_linkages` draws (`DRAW_LCMCR`), as the mixture of
   many short chains over linkages carries the between-linkage spread while each chain's
   Monte-Carlo error only widens the within part. Stratified tables are estimated in full on
   every draw (`estimate_all`).
4. **Pooling** (`sabt.estimate.pool`): log-linear by Rubin's rules on the log scale (each
   draw's interval read as a normal on log N), dga and LCMCR as the equal-weight mixture of the
   per-draw posteriors. Each pooled answer says which share of its variance is the
   linkage's.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sabt.errors import InvalidValue, SabtError
from sabt.estimate.lcmcr import LcmcrSettings
from sabt.estimate.pool import Z95, PooledEstimate, pool_moments, pool_posterior_draws
from sabt.estimate.report import METHODS, EstimateReport, MethodEstimate, estimate_all
from sabt.estimate.table import CaptureTable

#: LCMCR per linkage draw: one chain, short (the mixture over draws is what is reported).
DRAW_LCMCR = LcmcrSettings(K=10, burn_in=2_000, samples=200, thinning=10, chains=1)
#: LCMCR is run on at most this many linkage draws (the others are estimated by the rest).
LCMCR_LINKAGES = 40
#: Posterior draws taken from each linkage's dga posterior for the mixture.
DGA_SAMPLES = 2_000

Progress = Callable[[str], None]


@dataclass(frozen=True)
class LinkageInput:
    """What linkage draws need, by record position 0..n-1.

    `sources` names each record's list; (`left`, `right`, `probability`) are the scored pairs;
    `contradicted` pairs scored below the kept floor (they count as evidence against);
    `must_link` / `cannot_link` are reviewers' decisions (fixed in every draw); `strata`
    optionally gives each record's stratum value ("" when it has none).
    """

    sources: Sequence[str]
    left: NDArray[np.int64]
    right: NDArray[np.int64]
    probability: NDArray[np.float64]
    point: NDArray[np.int64]
    must_link: Sequence[tuple[int, int]] = ()
    cannot_link: Sequence[tuple[int, int]] = ()
    duplicate_free: Sequence[str] = ()
    contradicted: tuple[NDArray[np.int64], NDArray[np.int64]] | None = None
    strata: Sequence[str] | None = None

    def __post_init__(self) -> None:
        n = len(self.sources)
        for name in ("left", "right"):
            object.__setattr__(self, name, np.asarray(getattr(self, name), dtype=np.int64))
        object.__setattr__(self, "probability",
                           np.asarray(self.probability, dtype=np.float64))
        object.__setattr__(self, "point", np.asarray(self.point, dtype=np.int64))
        if not (len(self.left) == len(self.right) == len(self.probability)):
            raise InvalidValue("left, right and probability need one value per pair")
        if len(self.point) != n or (self.strata is not None and len(self.strata) != n):
            raise InvalidValue("point clusters and strata need one value per record")

    @property
    def lists(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.sources)))


def check_probabilities(inp: LinkageInput) -> None:
    """One clear message when the run holds no usable pair probabilities."""
    p = inp.probability
    if len(p) == 0 or not np.isfinite(p).all() or ((p < 0) | (p > 1)).any():
        raise SabtError("this linkage has no match probabilities to draw from (no scored pairs, "
                        "or probabilities outside 0–1): re-run `sabt link` (or `sabt "
                        "link-files`) so that pairs are scored, or estimate without "
                        "--linkage-draws")
    if (np.minimum(p, 1 - p) < 1e-9).all():
        raise SabtError("every pair's match probability is 0 or 1: the linkage carries no "
                        "uncertainty to draw from (were the probabilities rounded or replaced by "
                        "decisions?); estimate without --linkage-draws")


def _reviewed_mask(inp: LinkageInput) -> NDArray[np.bool_]:
    """Pairs a reviewer decided (either way): fixed in every draw, not drawn."""
    n = len(inp.sources) + 1
    decided = [(min(a, b), max(a, b)) for a, b in (*inp.must_link, *inp.cannot_link)]
    if not decided:
        return np.zeros(len(inp.left), dtype=np.bool_)
    keys = np.array([a * n + b for a, b in decided], dtype=np.int64)
    lo, hi = np.minimum(inp.left, inp.right), np.maximum(inp.left, inp.right)
    return np.isin(lo * n + hi, keys)


def draw_clusterings(inp: LinkageInput, draws: int, *, seed: int,
                     probability: NDArray[np.float64] | None = None,
                     progress: Progress | None = None) -> NDArray[np.int64]:
    """`draws` × records cluster labels: each non-reviewed pair kept as a link with its
    (`probability`, default the model's) chance, reviewers' decisions fixed, clustered under
    the point linkage's rules (see the module docstring)."""
    from sabt.link.cluster import cluster_pairs

    if draws < 2:
        raise InvalidValue("linkage draws must be at least 2", field="linkage-draws")
    p = inp.probability if probability is None else np.asarray(probability, dtype=np.float64)
    fixed = _reviewed_mask(inp)
    rng = np.random.default_rng(seed)
    n = len(inp.sources)
    out = np.empty((draws, n), dtype=np.int64)
    uniform = rng.random((draws, len(p)))
    for d in range(draws):
        keep = (uniform[d] < p) & ~fixed
        out[d] = cluster_pairs(
            n, inp.left, inp.right, inp.probability, threshold=0.0, links=keep,
            sources=list(inp.sources), duplicate_free=inp.duplicate_free,
            must_link=inp.must_link, cannot_link=inp.cannot_link,
            contradicted=inp.contradicted).cluster
        if progress and (d + 1) % max(1, draws // 10) == 0:
            progress(f"linkage draw {d + 1} of {draws}")
    return out


def capture_tables(inp: LinkageInput, labels: NDArray[np.int64],
                   source: str = "linkage draw") -> list[CaptureTable]:
    """One capture table per row of `labels` (cluster per record), stratified by the most
    frequent non-empty stratum value of each cluster's records (ties: alphabetical; none:
    ``unknown``), as the workspace's capture table does."""
    labels = np.atleast_2d(np.asarray(labels, dtype=np.int64))
    lists = inp.lists
    J, D = len(lists), labels.shape[0]
    code = {name: j for j, name in enumerate(lists)}
    bit = np.int64(1) << np.array([code[s] for s in inp.sources], dtype=np.int64)
    # clusters renumbered 0..c-1 per draw, offset so all draws share one flat array
    flat = np.empty_like(labels)
    sizes = np.zeros(D, dtype=np.int64)
    for d in range(D):
        _, flat[d] = np.unique(labels[d], return_inverse=True)
        sizes[d] = flat[d].max() + 1
    offset = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    ids = (flat + offset[:, None]).ravel()
    pattern = np.zeros(int(sizes.sum()), dtype=np.int64)
    np.bitwise_or.at(pattern, ids, np.tile(bit, D))
    draw_of = np.repeat(np.arange(D), sizes)
    shift = np.arange(J, dtype=np.int64)
    strata_of = _cluster_strata(inp, flat, sizes, offset)
    tables = []
    for d in range(D):
        mine = pattern[draw_of == d]
        where = f"{source} {d + 1}"
        if strata_of is None:
            counts = np.bincount(mine, minlength=1 << J)[1:]
            cells = np.arange(1, 1 << J, dtype=np.int64)
            pats = (cells[:, None] >> shift) & 1
            keep = counts > 0
            tables.append(CaptureTable(lists, pats[keep], counts[keep], source=where))
            continue
        labels_d = strata_of[draw_of == d]
        parts = {}
        for value in sorted(set(labels_d.tolist())):
            sel = mine[labels_d == value]
            parts[value] = ((sel[:, None] >> shift) & 1, np.ones(len(sel), dtype=np.int64))
        tables.append(CaptureTable.stratified(lists, parts, source=where))
    return tables


def _cluster_strata(inp: LinkageInput, flat: NDArray[np.int64], sizes: NDArray[np.int64],
                    offset: NDArray[np.int64]) -> NDArray[np.str_] | None:
    """Each cluster's stratum (all draws, in the flat cluster order), or None."""
    if inp.strata is None:
        return None
    values = sorted({s for s in inp.strata if s})
    code = {v: i for i, v in enumerate(values)}
    rec = np.array([code.get(s, -1) if s else -1 for s in inp.strata], dtype=np.int64)
    S = max(len(values), 1)
    names = np.array([*values, "unknown"], dtype=object)
    out = np.empty(int(sizes.sum()), dtype=object)
    has = rec >= 0
    for d in range(flat.shape[0]):
        c = int(sizes[d])
        counts = np.zeros((c, S), dtype=np.int64)
        np.add.at(counts, (flat[d][has], rec[has]), 1)
        pick = np.argmax(counts, axis=1)   # first maximum: alphabetical among ties
        pick[counts.max(axis=1) == 0] = len(values)
        out[offset[d]: offset[d] + c] = names[pick]
    return out.astype(str)


# -- per-draw estimation --------------------------------------------------------------------
def _model_terms(name: str, J: int) -> tuple[int, ...]:
    """The interaction bitmasks of a hierarchical model in Rcapture notation ([12,3])."""
    terms: set[int] = set()
    for gen in name.strip("[]").split(","):
        digits = gen.split(".") if "." in gen or J >= 10 else list(gen)
        mask = 0
        for d in digits:
            mask |= 1 << (int(d) - 1)
        sub = mask
        while sub:   # every sub-term of order ≥ 2 (the model is hierarchical)
            if bin(sub).count("1") >= 2:
                terms.add(sub)
            sub = (sub - 1) & mask
    return tuple(sorted(terms))


def refit_loglinear(table: CaptureTable, model: str) -> tuple[float, float, float]:
    """(N̂, lower, upper) of one named log-linear model, profile-likelihood 95% — the model
    chosen on the point linkage, refitted on a drawn table."""
    from sabt.estimate.loglinear import (
        _cells,
        _check_mle,
        _estimable_design,
        _term_column,
        profile_interval,
    )

    J, n = table.n_lists, table.n_observed
    cells = _cells(J)
    y = table.full_counts()[cells].astype(np.float64)
    cols = [np.ones(len(cells))] + [_term_column(cells, 1 << j) for j in range(J)]
    cols += [_term_column(cells, t) for t in _model_terms(model, J)]
    X = np.stack(cols, axis=1)
    exists, _, _ = _check_mle(X, y)
    if not exists:
        X, rows = _estimable_design(X, y)
        X, y = X[rows], y[rows]
    X_full = np.vstack([np.r_[1.0, np.zeros(X.shape[1] - 1)], X])
    return profile_interval(X_full, y, n)


@dataclass
class PropagatedEstimate:
    """One method's naive answer (the point linkage) beside its linkage-propagated one."""

    method: str
    model: str
    naive: MethodEstimate
    pooled: PooledEstimate | None
    linkages: int
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The `--json` entry: the propagated numbers first, the naive ones beside them."""
        from sabt.estimate.report import _num

        p = self.pooled
        return {
            "method": self.method, "model": self.model,
            "estimate": _num(p.estimate) if p else None,
            "lower": _num(p.lower) if p else None, "upper": _num(p.upper) if p else None,
            "interval": (f"{p.method}, over {self.linkages} linkage draws" if p
                         else "none: " + self.note),
            "linkage_share": _num(p.linkage_share) if p else None,
            "within_variance": _num(p.within_variance) if p else None,
            "between_variance": _num(p.between_variance) if p else None,
            "linkages": self.linkages,
            "naive": {"estimate": _num(self.naive.estimate), "lower": _num(self.naive.lower),
                      "upper": _num(self.naive.upper), "interval": self.naive.interval},
            **({"note": self.note} if self.note else {}),
        }


@dataclass
class PropagatedReport:
    """The point linkage's report and each method's propagated estimate."""

    naive: EstimateReport
    estimates: list[PropagatedEstimate]
    draws: int
    seed: int
    probabilities: str
    clusters: tuple[float, float, float]   # persons seen: point, min and max over draws
    warnings: list[str] = field(default_factory=list)
    calibration: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """`sabt estimate --json` with the propagated estimates and the naive report."""
        return {
            "n_observed": self.naive.n_observed,
            "lists": list(self.naive.lists),
            "warnings": [*self.warnings, *self.naive.warnings],
            "estimates": [e.to_dict() for e in self.estimates],
            "linkage": {"draws": self.draws, "seed": self.seed,
                        "probabilities": self.probabilities,
                        "persons_seen": {"point": self.clusters[0], "min": self.clusters[1],
                                         "max": self.clusters[2]},
                        **({"calibration": self.calibration} if self.calibration else {})},
            "naive": self.naive.to_dict(),
        }


def _log_rubin(points: list[tuple[float, float, float]]) -> PooledEstimate:
    """Rubin's rules on log N: each draw's interval read as a normal on the log scale
    (centre the log-midpoint, s.d. its half-width / 1.96), back-transformed."""
    arr = np.array(points, dtype=np.float64)
    if not (np.isfinite(arr).all() and (arr > 0).all()):
        raise InvalidValue("a linkage draw has no finite interval")
    lo, hi = np.log(arr[:, 1]), np.log(arr[:, 2])
    centre, sd = (lo + hi) / 2, (hi - lo) / (2 * Z95)
    pooled = pool_moments(centre, sd**2)
    half = Z95 * math.sqrt(pooled.total_variance)
    mid = float(centre.mean())
    return replace(pooled, estimate=float(np.exp(np.log(arr[:, 0]).mean())),
                   lower=math.exp(mid - half), upper=math.exp(mid + half),
                   method="Rubin's rules on log N (normal 95%)")


def propagate(
    inp: LinkageInput,
    *,
    draws: int = 200,
    methods: Sequence[str] = METHODS,
    seed: int = 19481210,
    lcmcr: LcmcrSettings | None = None,
    lcmcr_linkages: int = LCMCR_LINKAGES,
    delta: float | None = None,
    max_order: int | None = None,
    probability: NDArray[np.float64] | None = None,
    probabilities: str = "model",
    edit: Callable[[CaptureTable], tuple[CaptureTable, list[str]]] | None = None,
    progress: Progress | None = None,
) -> PropagatedReport:
    """Naive estimates on the point linkage and pooled ones over `draws` linkage draws.

    `probability` replaces the model's per pair (calibrated ones); `probabilities` says which
    were used; `edit` changes every table alike (strata merged or dropped) and gives notes."""
    check_probabilities(inp)
    methods = [m for m in METHODS if m in methods]
    point = capture_tables(inp, inp.point[None, :], source="point linkage")[0]
    notes: list[str] = []
    if edit is not None:
        point, notes = edit(point)
    if progress:
        progress("estimating on the point linkage")
    naive = estimate_all(point, methods, lcmcr=lcmcr, delta=delta, max_order=max_order)
    labels = draw_clusterings(inp, draws, seed=seed, probability=probability,
                              progress=progress)
    tables = capture_tables(inp, labels)
    if edit is not None:
        tables = [edit(t)[0] for t in tables]
    seen = [t.n_observed for t in tables]
    per: dict[str, list[Any]] = {m: [] for m in methods}
    best = next((e for e in naive.estimates if e.method == "loglinear" and not e.averaged),
                None)
    chosen = lcmcr or LcmcrSettings()
    short = replace(DRAW_LCMCR, K=chosen.K, a_alpha=chosen.a_alpha, b_alpha=chosen.b_alpha)
    for d, table in enumerate(tables):
        if progress and (d + 1) % max(1, draws // 10) == 0:
            progress(f"estimating on linkage draw {d + 1} of {draws}")
        use = [m for m in methods if m != "lcmcr" or d < lcmcr_linkages]
        if table.strata:
            rep = estimate_all(table, use, lcmcr=replace(short, seed=seed + d), delta=delta,
                               max_order=max_order)
            _collect_report(rep, per, seed + d)
            continue
        if best is not None:
            per["loglinear"].append(refit_loglinear(table, best.model))
        if "dga" in use and naive.dga is not None:
            from sabt.estimate.dga import fit_dga

            dg = fit_dga(table, delta=delta)
            per["dga"].append(_sample_pmf(dg.N, dg.posterior, seed + d))
        if "lcmcr" in use:
            from sabt.estimate.lcmcr import fit_lcmcr

            per["lcmcr"].append(fit_lcmcr(table, replace(short, seed=seed + d)).draws.ravel())
    out = [_pooled(e, per.get(e.method, []), e.method == "loglinear")
           for e in naive.estimates
           if not (e.method == "loglinear" and e.averaged)]
    warnings = list(notes)
    if probabilities == "model":
        warnings.append("linkage draws use the model's match probabilities unchecked by a "
                        "reviewed sample: review a band sample (`sabt review --sample-bands`) "
                        "to check and calibrate them")
    return PropagatedReport(naive, out, draws, seed, probabilities,
                            (float(point.n_observed), float(min(seen)), float(max(seen))),
                            warnings)


def _sample_pmf(N: NDArray[np.int64], pmf: NDArray[np.float64], seed: int) -> NDArray[Any]:
    p = np.asarray(pmf, dtype=np.float64)
    return np.random.default_rng(seed).choice(np.asarray(N), size=DGA_SAMPLES, p=p / p.sum())


def _collect_report(rep: EstimateReport, per: dict[str, list[Any]], seed: int) -> None:
    """A stratified draw's combined answers into the per-method lists."""
    for e in rep.estimates:
        if e.method == "loglinear" and not e.averaged:
            per["loglinear"].append((e.estimate, e.lower, e.upper))
    if rep.lcmcr_draws is not None and "lcmcr" in per:
        per["lcmcr"].append(np.asarray(rep.lcmcr_draws))
    if rep.dga_pmf is not None and "dga" in per:
        per["dga"].append(_sample_pmf(*rep.dga_pmf, seed))


def _pooled(naive: MethodEstimate, parts: list[Any], log_scale: bool) -> PropagatedEstimate:
    if len(parts) < 2:
        return PropagatedEstimate(naive.method, naive.model, naive, None, len(parts),
                                  "fewer than 2 linkage draws could be estimated")
    try:
        pooled = _log_rubin(parts) if log_scale else pool_posterior_draws(parts)
    except InvalidValue as exc:
        return PropagatedEstimate(naive.method, naive.model, naive, None, len(parts),
                                  exc.message)
    return PropagatedEstimate(naive.method, naive.model, naive, pooled, len(parts))


__all__ = [
    "DRAW_LCMCR",
    "LinkageInput",
    "PropagatedEstimate",
    "PropagatedReport",
    "capture_tables",
    "check_probabilities",
    "draw_clusterings",
    "propagate",
    "refit_loglinear",
]
