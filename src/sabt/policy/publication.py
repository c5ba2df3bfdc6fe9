"""What the public memorial may show of a person: the policy's own answer for the anonymous
public (`sees(PUBLIC, …)`), plus the memorial's extra conditions. Pure: no database.

A statement of a person is published when, in this order:

1. the person is not a living witness (an active `role` statement valued `witness` or
   `survivor`, and no active `date of death` statement): a living witness is never published;
2. the person's record is publishable: the public sees the entity (it is marked `public`);
3. the public sees the statement (every layer it is seen through is marked `public`);
4. none of its references cites a source or list row marked `restricted` or `confidential`;
5. at least one of its references cites a source (and row) the public sees: each published
   line says "according to" whom.

A person with no published name (`name`, `given name` or `family name`) is not published at
all. Every statement left out is reported with the first condition it fails.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from sabt.model.statements import EntityView, Statement, Status, Text
from sabt.policy.actor import PUBLIC
from sabt.policy.levels import Level, strictest
from sabt.policy.rules import MarkIndex, sees

WITNESS_PROPERTY = "role"
WITNESS_ROLES = frozenset({"witness", "survivor", "شاهد", "بازمانده"})
DEATH_PROPERTY = "date of death"
NAME_PROPERTIES = ("name", "given name", "family name")


class Reason(StrEnum):
    """Why a statement (or a whole person) is withheld from the memorial."""

    LIVING_WITNESS = "living witness"
    PERSON_NOT_PUBLISHABLE = "person not marked publishable"
    NOT_PUBLIC = "statement not marked public"
    RESTRICTED_SOURCE = "cites a restricted source"
    NO_PUBLIC_SOURCE = "no public source to cite"
    NO_NAME = "person has no publishable name"


@dataclass(frozen=True)
class WithheldStatement:
    statement_id: int
    property: str
    reason: Reason


@dataclass(frozen=True)
class PersonDecision:
    """One person: the statements published (their references cut to the public ones) and
    those withheld; `reason` says why the whole person is withheld (None: published)."""

    entity_id: str
    published: tuple[Statement, ...]
    withheld: tuple[WithheldStatement, ...]
    reason: Reason | None

    @property
    def is_published(self) -> bool:
        return self.reason is None


def is_living_witness(statements: Iterable[tuple[str, str | None]]) -> bool:
    """A witness or survivor with no recorded death, from the (property, text) of a person's
    active statements, whatever their marks."""
    pairs = list(statements)
    witness = any(prop == WITNESS_PROPERTY and text is not None
                  and text.strip().lower() in WITNESS_ROLES for prop, text in pairs)
    return witness and not any(prop == DEATH_PROPERTY for prop, _ in pairs)


def withheld_person(entity_id: str, statements: Sequence[tuple[int, str, str | None]],
                    ) -> PersonDecision:
    """The decision on a person the public does not see (`statements`: id, property and text
    of each active statement): a living witness, else not publishable."""
    reason = (Reason.LIVING_WITNESS if is_living_witness((p, t) for _, p, t in statements)
              else Reason.PERSON_NOT_PUBLISHABLE)
    return PersonDecision(entity_id, (), tuple(
        WithheldStatement(i, p, reason) for i, p, _ in statements), reason)


def statement_reason(st: Statement, index: MarkIndex, shown_as: str) -> Reason | None:
    """Conditions 3–5 for one statement (None: it may be published)."""
    if not sees(PUBLIC, index.statement(st, shown_as=shown_as)):
        return Reason.NOT_PUBLIC
    if any(strictest(index.reference(r)) >= Level.RESTRICTED for r in st.references):
        return Reason.RESTRICTED_SOURCE
    if not any(sees(PUBLIC, index.reference(r)) for r in st.references):
        return Reason.NO_PUBLIC_SOURCE
    return None


def decide_person(view: EntityView, index: MarkIndex) -> PersonDecision:
    """What the memorial shows of one person (see the module doc for the conditions)."""
    active = tuple(st for st in view.statements if st.status == Status.ACTIVE)
    whole: Reason | None = None
    if is_living_witness((st.property, st.value.text if isinstance(st.value, Text) else None)
                         for st in active):
        whole = Reason.LIVING_WITNESS
    elif not sees(PUBLIC, index.entity(view.id)):
        whole = Reason.PERSON_NOT_PUBLISHABLE
    if whole is not None:
        return PersonDecision(view.id, (), tuple(
            WithheldStatement(st.id, st.property, whole) for st in active), whole)
    published: list[Statement] = []
    withheld: list[WithheldStatement] = []
    for st in active:
        reason = statement_reason(st, index, view.id)
        if reason is None:
            refs = tuple(r for r in st.references if sees(PUBLIC, index.reference(r)))
            published.append(replace(st, references=refs, withheld_references=0))
        else:
            withheld.append(WithheldStatement(st.id, st.property, reason))
    if not any(st.property in NAME_PROPERTIES for st in published):
        withheld.extend(WithheldStatement(st.id, st.property, Reason.NO_NAME)
                        for st in published)
        return PersonDecision(view.id, (), tuple(withheld), Reason.NO_NAME)
    return PersonDecision(view.id, tuple(published), tuple(withheld), None)


def field_counts(decisions: list[PersonDecision]) -> dict[str, Counter[str]]:
    """Per property: how many statements are published and how many withheld for each reason."""
    out: dict[str, Counter[str]] = {}
    for d in decisions:
        for st in d.published:
            out.setdefault(st.property, Counter())["published"] += 1
        for w in d.withheld:
            out.setdefault(w.property, Counter())[str(w.reason)] += 1
    return out
