"""An official's posts over time, from the `held post` statements of an entity: pure.

A post statement's value is the organisation (an entity) or, when there is none, the role as
text; its qualifiers carry the role, the start and end dates, an "as of" year, how the source
attributes it (alleged / described) and a note (see docs/case-data.md). The timeline sorts
posts by when they began — the start date, else the "as of" year, else the end — and puts
posts with no date at all last, so a reader sees the career in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sabt.model.dates import FuzzyDate
from sabt.model.statements import EntityRef, EntityView, Statement, Text, Value

POST = "held post"


@dataclass(frozen=True)
class Post:
    """One post: the statement it comes from and its parts, ready to show."""

    statement: Statement
    role: str
    organisation: Value
    start: FuzzyDate | None
    end: FuzzyDate | None
    as_of: str
    attribution: str

    @property
    def organisation_id(self) -> str | None:
        return self.organisation.entity_id if isinstance(self.organisation, EntityRef) else None


def _text(value: Value | None) -> str:
    return value.text if isinstance(value, Text) else ""


def _date(value: Value | None) -> FuzzyDate | None:
    return value if isinstance(value, FuzzyDate) and not value.is_unknown else None


def _year(text: str) -> date | None:
    digits = text.strip()[:4]
    return date(int(digits), 1, 1) if len(digits) == 4 and digits.isdigit() else None


def _began(post: Post) -> date | None:
    for day in (post.start.earliest if post.start else None, _year(post.as_of),
                post.end.earliest if post.end else None):
        if day is not None:
            return day
    return None


def posts(view: EntityView) -> list[Post]:
    """The entity's posts in the order they began (undated last, then by statement id)."""
    found = []
    for st in view.statements:
        if st.property != POST or st.status.value != "active":
            continue
        q = st.qualifiers
        found.append(Post(st, _text(q.get("role")) or _text(st.value), st.value,
                          _date(q.get("start")), _date(q.get("end")), _text(q.get("as of")),
                          _text(q.get("attribution"))))
    return sorted(found, key=lambda p: (_began(p) is None, _began(p) or date.min,
                                        p.statement.id))
