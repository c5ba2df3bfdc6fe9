"""`ws.publish`: the public memorial — what would be published (the dry run), the static site,
and the memorial the server shows the anonymous public.

What is published is decided per person and per statement by `sabt.policy.publication` (the
policy's answer for the public, plus the memorial's conditions); this module only loads the
persons a page at a time, asks it, and assembles `sabt.publish.model.Memorial`.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping
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
from sabt.store import access
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
    decided: int = 0        # persons decided for this plan (the others kept from a previous one)

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
    """The memorial the server shows, kept while the workspace has not changed (one entry), with
    every person's decision, so that after a revision only the persons it touched are decided
    again; `decided`: how many persons the last call decided (all of them in a full build)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    revision: int | None = None
    memorial: Memorial | None = None
    decisions: dict[str, PersonDecision] = field(default_factory=dict)
    decided: int = 0


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
        """The memorial as the anonymous public sees it on the server; a demo workspace's is
        labelled SYNTHETIC. After a revision, only the persons whose inputs it changed are
        decided again (`changed_persons`); the result is the memorial a full build gives."""
        with self.store.connect() as conn:
            revision = conn.execute(select(func.max(t.revision.c.id))).scalar()
            demo = conn.execute(select(t.meta.c.value).where(t.meta.c.key == DEMO_KEY)).scalar()
        with self._cached.lock:
            cached = self._cached
            cached.decided = 0
            if cached.memorial is None or cached.revision != revision:
                changed = None
                if cached.memorial is not None and cached.revision is not None:
                    changed = changed_persons(self.store, cached.revision)
                plan = collect(self.store, title=DEMO_TITLE if demo else TITLE,
                               synthetic=demo is not None,
                               previous=cached.decisions if changed is not None else None,
                               changed=changed)
                cached.memorial = plan.memorial
                cached.decisions = {d.entity_id: d for d in plan.decisions}
                cached.decided = plan.decided
                cached.revision = revision
            return cached.memorial

    @property
    def last_decided(self) -> int:
        """How many persons the last call of `memorial` decided (0: the workspace had not
        changed since the call before)."""
        return self._cached.decided


def changed_persons(store: Store, since: int) -> set[str] | None:
    """The persons whose publication may have changed in the revisions after `since`: those
    with statements added or changed, marked (themselves, a statement, a property) or merged,
    and every person citing a source or list that was changed or marked. None when a change
    cannot be traced to persons (an entity of another kind, a vault item marked): then every
    person is decided again."""
    s, r, c, e, m = t.statement, t.reference, t.change_log, t.entity, access.sensitivity
    ids: set[str] = set()
    statements: set[int] = set()
    with store.connect() as conn:
        for row in conn.execute(select(s.c.entity_id, s.c.value_entity)
                                .where(s.c.revision_id > since)):
            ids.add(row.entity_id)
            if row.value_entity:
                ids.add(row.value_entity)
        for row in conn.execute(select(c.c.entity_id, c.c.statement_id)
                                .where(c.c.revision_id > since)):
            if row.entity_id:
                ids.add(row.entity_id)
            if row.statement_id is not None:
                statements.add(row.statement_id)
        for row in conn.execute(select(m.c.kind, m.c.item).where(m.c.revision_id > since)):
            if row.kind == "statement" and row.item.isdigit():
                statements.add(int(row.item))
            elif row.kind in ("entity", "property", "record"):
                ids.add(row.item.split("/")[0].split("#")[0])
            else:
                return None
        ids |= set(conn.execute(select(e.c.id).where(e.c.revision_id > since)).scalars())
        found = sorted(statements)
        for start in range(0, len(found), 900):
            ids |= set(conn.execute(select(s.c.entity_id).where(
                s.c.id.in_(found[start:start + 900]))).scalars())
        kinds: dict[str, str] = {}
        merged: dict[str, str] = {}
        ordered = sorted(ids)
        for start in range(0, len(ordered), 900):
            for row in conn.execute(select(e.c.id, e.c.kind, e.c.merged_into).where(
                    e.c.id.in_(ordered[start:start + 900]))):
                kinds[row.id] = row.kind
                if row.merged_into:
                    merged[row.id] = row.merged_into
        if any(kind not in ("person", "source") for kind in kinds.values()):
            return None
        persons = {i for i, kind in kinds.items() if kind == "person"}
        sources = sorted(i for i, kind in kinds.items() if kind == "source")
        for start in range(0, len(sources), 900):
            persons |= set(conn.execute(
                select(s.c.entity_id).join(r, r.c.statement_id == s.c.id)
                .where(r.c.source_id.in_(sources[start:start + 900]))).scalars())
        while True:       # a merged person is shown on the page of the one it was merged into
            more = set(merged.get(p, p) for p in persons) - persons
            if not more:
                return persons
            persons |= more
            for row in conn.execute(select(e.c.id, e.c.merged_into).where(
                    e.c.id.in_(sorted(more)), e.c.merged_into.is_not(None))):
                merged[row.id] = row.merged_into


# --- collecting ----------------------------------------------------------------------------------

def collect(store: Store, *, title: str, synthetic: bool, contact: str = "",
            previous: Mapping[str, PersonDecision] | None = None,
            changed: set[str] | None = None) -> Plan:
    """Every person's decision and the memorial assembled from the published ones. With
    `previous` (the decisions of an earlier build) and `changed` (the persons whose inputs
    changed since: `changed_persons`), the other persons keep their earlier decision."""
    from sabt.claims.board import claims_board
    from sabt.policy.publication import withheld_person
    from sabt.publish.model import Memorial

    persons = [e.id for e in store.entities("person")
               if e.status == "active" and e.merged_into is None]
    seen = {e.id for e in store.entities("person", where=access.visible_clause(
        "entity", t.entity.c.id, PUBLIC, DEFAULT_MARK.level))}
    kept = {} if previous is None or changed is None else {
        p: d for p, d in previous.items() if p not in changed}
    decisions: list[PersonDecision] = [kept[p] for p in persons if p in kept]
    ids = [p for p in persons if p in seen and p not in kept]   # the others: no full view
    for start in range(0, len(ids), PAGE):
        page = store.entities_with_statements(ids[start:start + PAGE])
        views = [page[i] for i in ids[start:start + PAGE]]
        index = mark_index_for(store, views)
        decisions.extend(decide_person(v, index) for v in views)
    unseen = [p for p in persons if p not in seen and p not in kept]
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
    return Plan(tuple(decisions), memorial, decided=len(persons) - len(kept))


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
