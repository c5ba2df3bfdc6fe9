"""`ws.publish`: the public memorial — what would be published (the dry run), the static site,
and the memorial the server shows the anonymous public.

What is published is decided per person and per statement by `sabt.policy.publication` (the
policy's answer for the public, plus the memorial's conditions); this module only loads the
persons a page at a time, asks it, and assembles `sabt.publish.model.Memorial`.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from sabt.errors import NotFound
from sabt.model.statements import EntityRef, Statement, Text, value_text
from sabt.policy import DEFAULT_MARK, PUBLIC, Action, Actor
from sabt.policy.publication import PersonDecision, decide_person, field_counts
from sabt.service.guard import Guard
from sabt.service.sight import Sight, mark_index_for
from sabt.store import schema as t
from sabt.store.workspace import Store

if TYPE_CHECKING:
    from sabt.publish.model import Citation, Memorial, Victim

PAGE = 1000          # persons whose views are loaded together
TITLE = "Memorial"
DEMO_TITLE = "Sabt demo memorial (SYNTHETIC)"
DEMO_KEY = "demo_built_with"   # sabt.demo.DEMO_KEY: the workspace is the SYNTHETIC demo


@dataclass(frozen=True)
class Plan:
    """What a publish would show and withhold: every person's decision and counts per field."""

    decisions: tuple[PersonDecision, ...]
    memorial: Memorial

    @property
    def published(self) -> int:
        return sum(1 for d in self.decisions if d.is_published)

    def withheld_persons(self) -> Counter[str]:
        return Counter(str(d.reason) for d in self.decisions if d.reason is not None)

    def fields(self) -> dict[str, Counter[str]]:
        return field_counts(list(self.decisions))

    def to_dict(self) -> dict[str, Any]:
        """The dry run as JSON: counts, then each person's published values and withheld ids."""
        by_id = {v.id: v for v in self.memorial.victims}
        persons = []
        for d in self.decisions:
            entry: dict[str, Any] = {"id": d.entity_id, "published": d.is_published,
                                     "reason": str(d.reason) if d.reason else None}
            if d.entity_id in by_id:
                entry["fields"] = [{"property": line.property, "value": value_text(line.value),
                                    "according_to": [c.source_id for c in line.citations]}
                                   for line in by_id[d.entity_id].lines]
            entry["withheld"] = [{"statement": w.statement_id, "property": w.property,
                                  "reason": str(w.reason)} for w in d.withheld]
            persons.append(entry)
        return {"persons_published": self.published,
                "persons_withheld": dict(sorted(self.withheld_persons().items())),
                "fields": {p: dict(sorted(c.items())) for p, c in sorted(self.fields().items())},
                "claims_published": sum(len(b.claims) for b in self.memorial.boards),
                "persons": persons}


@dataclass(frozen=True)
class PublishReport:
    out: Path
    persons: int
    withheld_persons: int
    files: int
    changed: int
    removed: int


@dataclass
class _Cached:
    """The memorial the server shows, kept while the workspace has not changed (one entry)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    revision: int | None = None
    memorial: Memorial | None = None


class Publisher:
    def __init__(self, store: Store, guard: Guard) -> None:
        self.store = store
        self.guard = guard
        self._cached = _Cached()

    def plan(self, actor: Actor, *, title: str = TITLE, synthetic: bool = False,
             contact: str = "") -> Plan:
        """The dry run: who and what would be published, and what is withheld and why. Only
        those who may mark sensitivity decide what is published."""
        self.guard.require(actor, Action.MARK)
        return collect(self.store, title=title, synthetic=synthetic, contact=contact)

    def site(self, actor: Actor, out: Path, *, title: str = TITLE, synthetic: bool = False,
             contact: str = "") -> PublishReport:
        """Write the static memorial to `out` (a new folder, or a memorial written before):
        built beside it and swapped in, so a failure leaves the previous site as it was."""
        from sabt.publish.site import site_files
        from sabt.publish.write import write_site

        plan = self.plan(actor, title=title, synthetic=synthetic, contact=contact)
        files = site_files(plan.memorial)
        changed, removed = write_site(files, out)
        withheld = sum(plan.withheld_persons().values())
        self.guard.record(actor, "publish", None, "export",
                          f"memorial to {out}: {plan.published} persons, {withheld} withheld")
        return PublishReport(out, plan.published, withheld, len(files), changed, removed)

    def memorial(self) -> Memorial:
        """The memorial as the anonymous public sees it on the server (rebuilt only after the
        workspace changes); a demo workspace's is labelled SYNTHETIC."""
        with self.store.connect() as conn:
            revision = conn.execute(select(func.max(t.revision.c.id))).scalar()
            demo = conn.execute(select(t.meta.c.value).where(t.meta.c.key == DEMO_KEY)).scalar()
        with self._cached.lock:
            if self._cached.memorial is None or self._cached.revision != revision:
                self._cached.memorial = collect(
                    self.store, title=DEMO_TITLE if demo else TITLE,
                    synthetic=demo is not None).memorial
                self._cached.revision = revision
            return self._cached.memorial


# --- collecting ----------------------------------------------------------------------------------

def collect(store: Store, *, title: str, synthetic: bool, contact: str = "") -> Plan:
    """Every person's decision and the memorial assembled from the published ones."""
    from sabt.claims.board import claims_board
    from sabt.policy.publication import withheld_person
    from sabt.publish.model import Memorial
    from sabt.store import access

    persons = [e.id for e in store.entities("person")
               if e.status == "active" and e.merged_into is None]
    seen = {e.id for e in store.entities("person", where=access.visible_clause(
        "entity", t.entity.c.id, PUBLIC, DEFAULT_MARK.level))}
    ids = [p for p in persons if p in seen]          # the others need no full view
    decisions: list[PersonDecision] = []
    for start in range(0, len(ids), PAGE):
        page = store.entities_with_statements(ids[start:start + PAGE])
        views = [page[i] for i in ids[start:start + PAGE]]
        index = mark_index_for(store, views)
        decisions.extend(decide_person(v, index) for v in views)
    unseen = [p for p in persons if p not in seen]
    rows: dict[str, list[tuple[int, str, str | None]]] = {p: [] for p in unseen}
    with store.connect() as conn:
        for start in range(0, len(unseen), 900):
            for r in conn.execute(select(t.statement.c.id, t.statement.c.entity_id,
                                         t.statement.c.property, t.statement.c.value_text)
                                  .where(t.statement.c.entity_id.in_(unseen[start:start + 900]),
                                         t.statement.c.status == "active")
                                  .order_by(t.statement.c.id)):
                rows[r.entity_id].append((r.id, r.property, r.value_text))
    decisions.extend(withheld_person(p, rows[p]) for p in unseen)
    order = {p: n for n, p in enumerate(persons)}
    decisions.sort(key=lambda d: order[d.entity_id])
    published = [d for d in decisions if d.is_published]
    statements = [st for d in published for st in d.published]
    citations = _citations(store, statements)
    labels = _labels(store, statements)
    victims = [_victim(d, citations, labels) for d in published]
    groups = _groups(victims)   # also gives each victim its groups
    boards = claims_board(store, None, Sight(PUBLIC, store))
    memorial = Memorial(title=title, synthetic=synthetic, victims=tuple(victims),
                        groups=groups, boards=tuple(boards), contact=contact,
                        withheld_persons=len(decisions) - len(published),
                        sources=tuple(sorted(citations.values(), key=lambda c: c.source_id)))
    return Plan(tuple(decisions), memorial)


def _citations(store: Store, statements: list[Statement]) -> dict[str, Citation]:
    """The public sources these statements cite (title, publisher, address)."""
    from sabt.publish.model import Citation

    out: dict[str, Citation] = {}
    for source_id in sorted({r.source_id for st in statements for r in st.references}):
        try:
            details = store.source_details(source_id)
        except NotFound:
            details = {}
        label = next((e.label for e in store.entities(where=t.entity.c.id == source_id)), "")
        out[source_id] = Citation(source_id, str(details.get("title") or label or source_id),
                                  str(details.get("publisher") or ""),
                                  str(details.get("url") or ""))
    return out


def _labels(store: Store, statements: list[Statement]) -> dict[str, str]:
    """The names of entities that published values refer to (a place, an organisation)."""
    named = sorted({st.value.entity_id for st in statements if isinstance(st.value, EntityRef)})
    if not named:
        return {}
    return {e.id: e.label for e in store.entities(where=t.entity.c.id.in_(named))}


def _script_name(statements: list[Statement], persian: bool) -> str:
    """A display name in one script: a full `name` statement, else given and family names."""
    from sabt.text import detect_script

    def pick(prop: str) -> str:
        for st in statements:
            if st.property == prop and isinstance(st.value, Text):
                script = detect_script(st.value.text)
                if (script == "persian") == persian and script != "none":
                    return st.value.text.strip()
        return ""

    return pick("name") or " ".join(p for p in (pick("given name"), pick("family name")) if p)


def _names(statements: list[Statement]) -> tuple[str, ...]:
    """Every published name: full names, and given with family names cited from one row."""
    out = [st.value.text for st in statements
           if st.property == "name" and isinstance(st.value, Text)]
    rows: dict[tuple[str, int | None], dict[str, str]] = {}
    for st in statements:
        if st.property in ("given name", "family name") and isinstance(st.value, Text):
            ref = st.references[0]
            rows.setdefault((ref.source_id, ref.locator.row), {})[st.property] = st.value.text
    for parts in rows.values():
        out.append(" ".join(p for p in (parts.get("given name"), parts.get("family name")) if p))
    return tuple(dict.fromkeys(n.strip() for n in out if n.strip()))


def _victim(d: PersonDecision, citations: dict[str, Citation],
            labels: dict[str, str]) -> Victim:
    from dataclasses import replace

    from sabt.publish.model import PROPERTY_ORDER, Line, Victim

    order = {p: i for i, p in enumerate(PROPERTY_ORDER)}
    statements = sorted(d.published, key=lambda st: (order.get(st.property, len(order)),
                                                     st.property, st.id))
    lines = []
    for st in statements:
        cites = tuple(replace(citations[r.source_id], row=r.locator.row,
                              column=r.locator.column or "") for r in st.references)
        label = labels.get(st.value.entity_id, "") if isinstance(st.value, EntityRef) else ""
        lines.append(Line(st.property, st.value, cites, label))
    return Victim(d.entity_id, _script_name(statements, False), _script_name(statements, True),
                  _names(statements), tuple(lines), ())


def _groups(victims: list[Victim]) -> tuple[Any, ...]:
    """Prisons and places from the published `prison` and `place of death` values; each victim
    gets the (kind, slug) of its groups."""
    from dataclasses import replace

    from sabt.publish.model import GROUPS, Group, group_slug
    from sabt.text import name_key

    found: dict[tuple[str, str], tuple[str, list[str]]] = {}
    for i, v in enumerate(victims):
        mine: list[tuple[str, str]] = []
        for line in v.lines:
            kind = GROUPS.get(line.property)
            if kind is None:
                continue
            if isinstance(line.value, EntityRef):
                slug, label = line.value.entity_id, line.label or line.value.entity_id
            else:
                label = value_text(line.value).strip()
                key = name_key(label)
                if not key:
                    continue
                slug = group_slug(key)
            entry = found.setdefault((kind, slug), (label, []))
            if v.id not in entry[1]:
                entry[1].append(v.id)
            if (kind, slug) not in mine:
                mine.append((kind, slug))
        victims[i] = replace(v, groups=tuple(mine))
    return tuple(Group(kind, slug, label, tuple(members))
                 for (kind, slug), (label, members) in sorted(found.items()))
