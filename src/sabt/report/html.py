"""Render a `ReportData` as one self-contained HTML file (inline CSS and SVG, no scripts).

The page is the shared template ``report/report.html`` (the same Jinja2 environment as the web
application and the case files); this module only prepares what the template draws — the
charts' geometry, the claims in date order, relayed figures grouped under the party they
credit — and streams the page out, so the person index never sits in memory whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from sabt.claims.board import Board, Claim, claim_order
from sabt.report.data import ReportData
from sabt.report.forest import Forest, Interval, forest
from sabt.report.jinja import environment

TEMPLATE = "report/report.html"
LABELS = 90.0      # room before a chart's axis for its rows' labels, in SVG units


def claims_chart(claims: Sequence[Claim]) -> Forest | None:
    """Each figure on a log scale: a point, a bar for a range or an "or", an open end for
    "at least"; None when no claim has a number."""
    rows = [Interval(c.claim_id, c.low if c.low is not None else c.high, c.low, c.high,
                     kind="claim", at_least=c.figure.startswith("at least"))
            for c in sorted(claims, key=claim_order) if c.low is not None or c.high is not None]
    return forest(rows, log=True, left=LABELS) if rows else None


def relayed(board: Board) -> list[tuple[str, list[Claim]]]:
    """Figures a claimant relays from another party, grouped under the party credited (in the
    order first credited); empty when every figure is the claimant's own."""
    groups: dict[str, list[Claim]] = {}
    for claim in sorted(board.claims, key=claim_order):
        if claim.attributed_to and claim.attributed_to != claim.claimant:
            groups.setdefault(claim.attributed_to, []).append(claim)
    return list(groups.items())


def synthetic_chart(data: ReportData) -> Forest:
    """The synthetic estimates with their intervals, beside the number seen and (known for
    synthetic data) the true number."""
    shown = data.synthetic_estimates
    rows = [Interval(_short(f"{m.method} {m.model}"), m.estimate, m.lower, m.upper)
            for m in shown]
    observed = next((m.n_observed for m in shown if m.n_observed is not None), None)
    if observed is not None:
        rows.append(Interval("seen on the lists", observed, kind="reference"))
    truth = data.synthetic_truth.get("true_n")
    if truth:
        rows.append(Interval("true number (known: synthetic)", float(truth), kind="reference"))
    return forest(rows, left=2 * LABELS)


def _short(label: str, most: int = 30) -> str:
    """A chart label that fits before the axis (the table beside it has the whole name)."""
    return label if len(label) <= most else label[:most - 1] + "…"


def unpreserved(data: ReportData) -> int:
    """Cited web pages with no preserved capture in the vault."""
    return sum(1 for s in data.sources.values()
               if s.url.startswith(("http://", "https://")) and not data.captures.get(s.id))


def render(data: ReportData, withheld: Callable[[], int] = lambda: 0) -> Iterator[str]:
    """The report as a stream of HTML chunks; `withheld` is asked at the end how many items
    the reader may not see were left out (the person index is read while the page is written)."""
    template = environment().get_template(TEMPLATE)
    return template.generate(
        d=data, withheld=withheld,
        claims={b.subject_id: sorted(b.claims, key=claim_order) for b in data.boards},
        charts={b.subject_id: claims_chart(b.claims) for b in data.boards},
        relayed={b.subject_id: relayed(b) for b in data.boards},
        synthetic_chart=synthetic_chart(data) if data.synthetic_estimates else None,
        unpreserved=unpreserved(data), index_limit=data.index_limit)
