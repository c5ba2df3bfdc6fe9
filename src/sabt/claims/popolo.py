"""Popolo JSON export: persons, organizations and memberships, each with its sources.

Popolo (popoloproject.com) is the open standard for people in public office. A membership is a
`held post` statement: person, organisation (or only a role), start and end; every object
carries `sources` built from the statement references, so nothing leaves Sabt unsourced.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from sabt.model.dates import FuzzyDate
from sabt.model.statements import EntityRef, EntityView, Statement, Status, Text, value_text
from sabt.policy import BulkFilter
from sabt.store import schema as t
from sabt.store.workspace import Store


def _sources(statements: list[Statement], titles: dict[str, Any]) -> list[dict[str, str]]:
    seen: dict[str, dict[str, str]] = {}
    for st in statements:
        for ref in st.references:
            src = titles.get(ref.source_id)
            entry = {"note": f"{ref.source_id}: {src.title if src else ''}".strip()}
            if src is not None and src.url:
                entry["url"] = src.url
            seen.setdefault(ref.source_id, entry)
    return list(seen.values())


def _date(value: Any) -> str | None:
    return value.edtf if isinstance(value, FuzzyDate) and not value.is_unknown else None


PAGE = 1000   # entities whose statements are loaded together (a few queries per page)


def _active(ws: Store, ids: list[str], sight: BulkFilter | None,
            ) -> Iterator[tuple[EntityView, list[Statement]]]:
    """Each entity (with those merged into it) and its active statements, in the order of
    `ids`, loaded a page at a time; only what `sight` keeps, when given."""
    for start in range(0, len(ids), PAGE):
        page = ws.entities_with_statements(ids[start:start + PAGE])
        views = [page[eid] for eid in ids[start:start + PAGE]]
        for view in sight.views(views) if sight is not None else views:
            yield view, [st for st in view.statements if st.status is Status.ACTIVE]


def popolo(ws: Store, sight: BulkFilter | None = None) -> dict[str, Any]:
    """The workspace's persons, organisations and memberships as a Popolo document (only what
    `sight` keeps, when given).

    An entity merged into another is part of it: its statements appear there.
    """
    with ws.connect() as conn:
        entities = conn.execute(select(t.entity).where(
            t.entity.c.kind.in_(["person", "organization"]),
            t.entity.c.status == "active", t.entity.c.merged_into.is_(None))
            .order_by(t.entity.c.id)).all()
        titles = {r.entity_id: r for r in conn.execute(select(t.source))}
    persons, organizations, memberships = [], [], []
    for entity, own in _active(ws, [e.id for e in entities], sight):
        names = [st for st in own if st.property in ("name", "alias")]
        other_names = [{"name": st.value.text, **({"lang": st.value.lang} if st.value.lang
                                                  else {})}
                       for st in names if isinstance(st.value, Text)
                       and st.value.text != entity.label]
        item: dict[str, Any] = {"id": entity.id, "name": entity.label,
                                "other_names": other_names, "sources": _sources(own, titles)}
        if entity.kind == "person":
            for prop, key in (("date of birth", "birth_date"), ("date of death", "death_date")):
                found = next((_date(st.value) for st in own if st.property == prop), None)
                if found:
                    item[key] = found
            persons.append(item)
            for st in own:
                if st.property != "held post":
                    continue
                membership: dict[str, Any] = {
                    "id": value_text(st.qualifiers["post id"]) if "post id" in st.qualifiers
                    else f"{entity.id}-{st.id}",
                    "person_id": entity.id,
                    "role": value_text(st.qualifiers.get("role", st.value)),
                    "sources": _sources([st], titles),
                }
                if isinstance(st.value, EntityRef):
                    membership["organization_id"] = st.value.entity_id
                for key in ("start", "end"):
                    date = _date(st.qualifiers.get(key))
                    if date:
                        membership[f"{key}_date"] = date
                extras = {k: value_text(v) for k, v in st.qualifiers.items()
                          if k in ("attribution", "as of", "note")}
                if extras:
                    membership["notes"] = extras
                membership["confidence"] = st.confidence.value
                memberships.append(membership)
        else:
            cls = next((value_text(st.value) for st in own if st.property == "classification"),
                       None)
            parent = next((st.value.entity_id for st in own if st.property == "grouped under"
                           and isinstance(st.value, EntityRef)), None)
            if cls:
                item["classification"] = cls
            if parent:
                item["parent_id"] = parent
            organizations.append(item)
    return {"persons": persons, "organizations": organizations, "memberships": memberships}
