"""Posts over time: sorted by when they began, undated last; role and organisation read from
the statement. SYNTHETIC posts."""

from __future__ import annotations

from sabt.model.statements import (
    Confidence,
    EntityRef,
    EntityView,
    Rank,
    Statement,
    Status,
    Text,
    Value,
)
from sabt.model.timeline import posts
from sabt.text import parse_date


def _post(sid: int, value: Text | EntityRef, **quals: str) -> Statement:
    q: dict[str, Value] = {}
    for key, text in quals.items():
        name = key.replace("_", " ")
        q[name] = parse_date(text) if key in ("start", "end") else Text(text, "en")
    return Statement(id=sid, entity_id="P1", property="held post", value=value,
                     qualifiers=q, references=(), confidence=Confidence.HIGH,
                     rank=Rank.NORMAL, status=Status.ACTIVE, revision_id=1)


def test_posts_run_in_the_order_they_began() -> None:
    sts = [_post(1, Text("SYNTHETIC prosecutor", "en")),                        # undated
           _post(2, EntityRef("O2"), role="SYNTHETIC judge", start="1990-05-01"),
           _post(3, EntityRef("O1"), role="SYNTHETIC member", as_of="1988"),
           _post(4, Text("SYNTHETIC deputy", "en"), end="1985-01-01", role="SYNTHETIC deputy")]
    view = EntityView(id="P1", kind="person", label="SYNTHETIC", status=Status.ACTIVE,
                      merged_into=None, merged_from=(), statements=tuple(sts), view=())
    got = posts(view)
    assert [p.statement.id for p in got] == [4, 3, 2, 1]
    assert [p.role for p in got] == ["SYNTHETIC deputy", "SYNTHETIC member", "SYNTHETIC judge",
                                     "SYNTHETIC prosecutor"]
    assert got[1].organisation_id == "O1" and got[0].organisation_id is None
