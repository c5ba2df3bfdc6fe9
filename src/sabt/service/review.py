"""`ws.review`: the review queue as reviewers work it, in the terminal or the browser.

One pair at a time, served in the order that resolves whole persons and claimed for the
reviewer who is looking at it, with everything needed to decide: both records side by side,
what differs, the other records of the group, and why the model scored the pair. Skipped pairs
come back after the rest; a pair another reviewer has decided cannot be decided again (undo
it first). Built on `ws.linkage` (visibility, decisions, undo), so the same marks hide the
same records.

With `sample`, the queue is the band sample instead (`ws.linkage.sample_bands`): a fixed number
of random pairs from every probability band, decided like any pair, so that the decisions
estimate the linkage's precision and recall and check its probabilities (`sabt review
--calibration`, the estimates page). Its pairs come in band order, lowest first, skipped ones
last.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from sabt.errors import InvalidValue, NotFound
from sabt.link import tables as lt
from sabt.policy import Action, Actor
from sabt.service.guard import Guard
from sabt.store.workspace import Store

if TYPE_CHECKING:   # the linkage modules load pandas: imported where they are used
    from sabt.link.explain import PairWhy
    from sabt.link.review import FieldDiff
    from sabt.link.workspace import ReviewItem
    from sabt.service.lists import Linkage


@dataclass(frozen=True)
class ReviewCard:
    """One pair as a reviewer sees it."""

    item: ReviewItem
    left: dict[str, Any]
    right: dict[str, Any]
    differences: list[FieldDiff]
    group: dict[int, dict[str, Any]]          # the other records connected to this pair
    why: PairWhy | None
    why_missing: str = ""                     # why there is no explanation, when there is none
    position: int = 0                         # 1-based place in the reviewer's queue
    waiting: int = 0                          # pairs in the reviewer's queue
    band: int | None = None                   # the probability band, for a band-sample pair


@dataclass(frozen=True)
class DecisionRow:
    """A decision as listed for undo: its number, the pair, what and when."""

    id: int
    record_l: int
    record_r: int
    decision: str
    decided_at: str
    undone: bool


@dataclass(frozen=True)
class QueueState:
    """How far the queue is: waiting (not skipped), skipped, held by other reviewers."""

    waiting: int
    skipped: int
    held_by_others: int
    recent: list[DecisionRow] = field(default_factory=list)


@dataclass(frozen=True)
class Queue:
    """The pairs a reviewer may see, those other reviewers hold, and (for the band sample)
    each pair's band."""

    items: list[ReviewItem]
    held: set[tuple[int, int]]
    bands: dict[tuple[int, int], int]


def _pair(item: ReviewItem) -> tuple[int, int]:
    return (min(item.record_l, item.record_r), max(item.record_l, item.record_r))


SAMPLE_PER_BAND = 20      # as `sabt review --sample-bands` and `sabt estimate` by default
SAMPLE_SEED = 1988


class Review:
    def __init__(self, store: Store, guard: Guard, linkage: Linkage) -> None:
        self.store = store
        self.guard = guard
        self.linkage = linkage

    def _queue(self, actor: Actor, sample: bool = False) -> Queue:
        from sabt.link import review as lr

        items, bands = self._sample(actor) if sample else (self.linkage.queue(actor), {})
        with self.store.connect() as conn:
            held = lr.claimed_by_others(conn, actor.id)
        return Queue(items, held, bands)

    def _sample(self, actor: Actor) -> tuple[list[ReviewItem], dict[tuple[int, int], int]]:
        """The band sample's pairs not yet decided match or non-match, as queue items, and
        each pair's band."""
        from sabt.link.workspace import ReviewItem

        drawn = sorted(self.linkage.sample_bands(actor, SAMPLE_PER_BAND, SAMPLE_SEED,
                                                 undecided=True),
                       key=lambda b: (b.decision == "skip", b.band, b.record_l, b.record_r))
        items = [ReviewItem(b.record_l, b.record_r, b.probability, b.decision == "skip")
                 for b in drawn]
        return items, {_pair(i): b.band for i, b in zip(items, drawn, strict=True)}

    def state(self, actor: Actor, *, recent: int = 10, sample: bool = False) -> QueueState:
        """Counts of the actor's queue (or of the band sample) and their latest decisions."""
        queue = self._queue(actor, sample)
        items, held = queue.items, queue.held
        d = lt.review_decision
        with self.store.connect() as conn:
            rows = conn.execute(select(d).where(d.c.reviewer == actor.id)
                                .order_by(d.c.id.desc()).limit(recent)).all()
        return QueueState(
            waiting=sum(not i.skipped and _pair(i) not in held for i in items),
            skipped=sum(i.skipped and _pair(i) not in held for i in items),
            held_by_others=sum(_pair(i) in held for i in items),
            recent=[DecisionRow(r.id, r.record_l, r.record_r, r.decision,
                                r.decided_at.isoformat(timespec="seconds"),
                                r.undone_at is not None) for r in rows])

    def next(self, actor: Actor, *, sample: bool = False) -> ReviewCard | None:
        """The first pair of the actor's queue (or of the band sample) no one else holds,
        claimed for the actor (None when nothing is left)."""
        from sabt.link import review as lr

        queue = self._queue(actor, sample)
        free = [i for i in queue.items if _pair(i) not in queue.held]
        for position, item in enumerate(free, 1):
            with self.store.working() as conn:
                if not lr.claim(conn, _pair(item), actor.id):
                    continue          # taken between the read and the claim
            return self._card(actor, item, queue, position, len(free))
        return None

    def card(self, actor: Actor, record_l: int, record_r: int, *,
             sample: bool = False) -> ReviewCard:
        """A given pair of the queue (claimed for the actor when no one else holds it)."""
        from sabt.link import review as lr

        queue = self._queue(actor, sample)
        pair = (min(record_l, record_r), max(record_l, record_r))
        found = next((i for i in queue.items if _pair(i) == pair), None)
        if found is None:
            raise NotFound(f"no pair {pair[0]}~{pair[1]} waiting for review")
        if pair not in queue.held:
            with self.store.working() as conn:
                lr.claim(conn, pair, actor.id)
        free = [i for i in queue.items if _pair(i) not in queue.held]
        position = next((n for n, i in enumerate(free, 1) if _pair(i) == pair), 0)
        return self._card(actor, found, queue, position, len(free))

    def _card(self, actor: Actor, item: ReviewItem, queue: Queue, position: int,
              waiting: int) -> ReviewCard:
        from sabt.link import review as lr

        # a band-sample pair stands alone: its neighbours in the sample are random pairs
        group_ids = ([item.record_l, item.record_r] if queue.bands
                     else lr.group_of(queue.items, item))
        shown = self.linkage.records(actor, group_ids)
        left, right = shown[item.record_l], shown[item.record_r]
        why, missing = self._why(item)
        others = {i: r for i, r in shown.items() if i not in (item.record_l, item.record_r)}
        return ReviewCard(item, left, right, lr.differences(left["fields"], right["fields"]),
                          others, why, missing, position, waiting, queue.bands.get(_pair(item)))

    def _why(self, item: ReviewItem) -> tuple[PairWhy | None, str]:
        from sabt.link import review as lr
        from sabt.link.explain import explain_pair
        from sabt.link.workspace import load_records

        with self.store.connect() as conn:
            found = lr.run_model(conn)
            records = load_records(conn, [item.record_l, item.record_r])
        if found is None:
            return None, "no link run yet"
        settings, model = found
        try:
            return explain_pair(records, settings, model), ""
        except Exception as exc:   # an explanation is an aid: the pair can still be decided
            return None, f"the model could not be re-applied to this pair ({type(exc).__name__})"

    def decide(self, actor: Actor, record_l: int, record_r: int, decision: str, *,
               note: str = "") -> int:
        """Decide a pair (match, non-match or skip); returns the decision's number for undo.
        A pair another reviewer has decided is refused: undo their decision first."""
        from sabt.link import review as lr

        self.guard.require(actor, Action.REVIEW)
        pair = (min(record_l, record_r), max(record_l, record_r))
        with self.store.connect() as conn:
            earlier = lr.decided_by(conn, pair)
        if earlier is not None:
            raise InvalidValue(f"pair {pair[0]}~{pair[1]} is already decided "
                               f"({earlier[0]}, by {earlier[1]}): undo that decision first",
                               field="decision")
        number = self.linkage.decide(actor, record_l, record_r, decision, note=note)
        with self.store.working() as conn:
            lr.release(conn, pair)
        return number

    def undo(self, actor: Actor, decision_id: int) -> None:
        """Undo a decision (it stays on record, stamped as undone); the pair comes back."""
        self.linkage.undo(actor, decision_id)
