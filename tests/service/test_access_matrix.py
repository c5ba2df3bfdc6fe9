"""Every API operation × every role × every sensitivity level × with and without a matching
access group, on SQLite and on a real PostgreSQL server.

The expected outcome of each case comes from the tables below, written from docs/access.md,
not from `sabt.policy`: a case is "ok" (allowed), "hidden" (answered exactly as for an item that
does not exist) or "forbidden" (seen, but the role lacks the right). Removing any one rule from
the policy must make the matrix fail (`test_each_policy_rule_is_needed`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sabt.errors import Forbidden, NotFound, SabtError
from sabt.model.statements import Text
from sabt.policy import PUBLIC, Actor
from sabt.service import Workspace
from sabt.service.users import new_actor
from sabt.vault.vault import Provenance
from tests.pg_server import PgServer

LEVELS = ("public", "internal", "restricted", "confidential")
CLEARANCE = "restricted"         # every test user's clearance: two levels seen, one not
ROLES = ("admin", "editor", "reviewer", "analyst", "viewer")
GROUP = "witnesses"

# Which roles may take each operation on an item they can see (docs/access.md, "What each role
# can do"). The public actor may only read.
READ = set(ROLES) | {"public"}
MAY = {
    "view": READ, "history": READ, "list": READ, "popolo": READ, "report": READ,
    "vault item": READ,
    "add statement": {"admin", "editor"}, "retract and restore": {"admin", "editor"},
    "mark": {"admin", "editor"}, "add source": {"admin", "editor"},
    "review queue": {"admin", "reviewer"}, "captures": {"admin", "analyst"},
    "export jsonl": {"admin"}, "audit": {"admin"}, "users": {"admin"},
}
ITEMLESS = {"add source", "review queue", "captures", "export jsonl", "audit", "users"}
PRESENCE = {"list", "popolo", "report"}     # the item shows up in a listing, or it does not


@dataclass(frozen=True)
class Who:
    name: str
    role: str
    member: bool
    active: bool = True


@dataclass(frozen=True)
class Item:
    level: str
    grouped: bool
    entity: str
    statement: int
    vault: str
    label: str


WHO = [Who(f"{role}-{'in' if member else 'out'}", role, member)
       for role in ROLES for member in (True, False)] + [
    Who("public", "public", False), Who("gone", "editor", True, active=False)]


def visible(who: Who, item: Item) -> bool:
    if not who.active:
        return False
    limit = "public" if who.role == "public" else CLEARANCE
    if LEVELS.index(item.level) > LEVELS.index(limit):
        return False
    return not item.grouped or (who.member and who.role != "public")


def expected(op: str, who: Who, item: Item) -> str:
    if op in ITEMLESS:
        return "ok" if who.active and who.role in MAY[op] else "forbidden"
    if op in PRESENCE:
        if not who.active:
            return "forbidden"
        return "ok" if visible(who, item) else "hidden"
    if not visible(who, item):
        return "hidden"
    return "ok" if who.role in MAY[op] else "forbidden"


@dataclass
class Matrix:
    ws: Workspace
    actors: dict[str, Actor]
    items: list[Item]
    tmp: Path


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql",
                                                                 marks=pytest.mark.postgres)])
def matrix(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           ) -> Iterator[Matrix]:
    url = None
    if request.param == "postgresql":
        server: PgServer = request.getfixturevalue("pg_server")
        url = server.new_database()
    tmp = tmp_path_factory.mktemp("matrix")
    ws = Workspace.create(tmp / "ws", url, admin="boss")
    # groups bind admins too: the admin who marks items for a group must belong to it
    boss = ws.users.update(ws.actor("boss"), "boss", groups=[GROUP])
    actors: dict[str, Actor] = {"public": PUBLIC}
    for who in WHO:
        if who.role == "public":
            continue
        ws.users.add(boss, new_actor(who.name, [who.role], clearance=CLEARANCE,
                                     groups=[GROUP] if who.member else []))
        if not who.active:
            ws.users.update(boss, who.name, active=False)
        actors[who.name] = ws.actor(who.name) if who.active else \
            ws.users.update(boss, who.name)
    items = []
    for level in LEVELS:
        for grouped in (False, True):
            label = f"SYNTHETIC person {level}{'-grouped' if grouped else ''}"
            entity = ws.entities.add(boss, "person", label)
            statement = ws.entities.add_statement(boss, entity, "name", Text(label))
            post = ws.entities.add_statement(boss, entity, "held post", Text("SYNTHETIC post"))
            path = tmp / f"{level}-{grouped}.txt"
            path.write_text(f"SYNTHETIC evidence {level} {grouped}\n", encoding="utf-8")
            added, _ = ws.vault.add(boss, [path], Provenance("boss"), suggest=False)
            sha = added.added[0]["sha256"]
            groups = [GROUP] if grouped else []
            source = ws.vault.item(boss, sha)["source_id"]   # a stored text may have a source
            for target in (entity, str(statement), str(post), sha, *([source] if source else [])):
                ws.entities.mark(boss, target, level, groups=groups)
            items.append(Item(level, grouped, entity, statement, sha, label))
    yield Matrix(ws, actors, items, tmp)
    ws.close()


def _outcome(call: Callable[[], object]) -> str:
    try:
        call()
    except NotFound:
        return "hidden"
    except Forbidden:
        return "forbidden"
    return "ok"


def _present(call: Callable[[], str], needle: str) -> str:
    try:
        text = call()
    except Forbidden:
        return "forbidden"
    return "ok" if needle in text else "hidden"


def run_case(m: Matrix, op: str, who: Who, item: Item) -> str:
    ws, actor = m.ws, m.actors[who.name]
    if op == "view":
        return _outcome(lambda: ws.entities.get(actor, item.entity))
    if op == "history":
        return _outcome(lambda: ws.entities.history(actor, item.entity))
    if op == "vault item":
        return _outcome(lambda: ws.vault.item(actor, item.vault))
    if op == "add statement":
        return _outcome(lambda: ws.entities.add_statement(actor, item.entity, "alias",
                                                          Text("SYNTHETIC alias")))
    if op == "retract and restore":
        def both() -> None:
            ws.entities.retract(actor, str(item.statement), "matrix")
            ws.entities.restore(actor, str(item.statement), "matrix")
        return _outcome(both)
    if op == "mark":
        return _outcome(lambda: ws.entities.mark(actor, item.entity, item.level,
                                                 groups=[GROUP] if item.grouped else []))
    if op == "list":
        return _present(lambda: " ".join(e.id + ";" for e in ws.entities.list(
            actor, "person", limit=None)), item.entity + ";")
    if op == "popolo":
        return _present(lambda: str(ws.exports.popolo(actor)[0]), f"'{item.entity}'")
    if op == "report":
        out = m.tmp / f"report-{who.name}.html"
        return _present(lambda: (ws.reports.write(actor, out, "SYNTHETIC matrix"),
                                 out.read_text(encoding="utf-8"))[1],
                        item.label)
    if op == "add source":
        return _outcome(lambda: ws.entities.add_source(actor, "SYNTHETIC source"))
    if op == "review queue":
        return _outcome(lambda: ws.linkage.queue(actor))
    if op == "captures":
        def captures() -> None:
            # the workspace has no link run: reaching the store's "no link run yet" means the
            # policy let the call through
            try:
                ws.linkage.capture_table(actor)
            except NotFound as exc:
                if "no link run" not in str(exc):
                    raise
        return _outcome(captures)
    if op == "export jsonl":
        return _outcome(lambda: ws.exports.jsonl(actor, m.tmp / f"{who.name}.jsonl"))
    if op == "audit":
        return _outcome(lambda: ws.audit.entries(actor, limit=1))
    if op == "users":
        return _outcome(lambda: ws.users.list(actor))
    raise AssertionError(op)


def mismatches(m: Matrix, op: str) -> list[str]:
    out = []
    cache: dict[str, str] = {}
    for who in WHO:
        for item in m.items:
            if op in ITEMLESS:   # one call per actor stands for every item
                got = cache.setdefault(who.name, run_case(m, op, who, item))
            else:
                got = run_case(m, op, who, item)
            want = expected(op, who, item)
            if got != want:
                out.append(f"{op} by {who.name} on {item.level}"
                           f"{' grouped' if item.grouped else ''}: {got}, expected {want}")
    return out


@pytest.mark.parametrize("op", sorted(MAY))
def test_matrix(matrix: Matrix, op: str) -> None:
    wrong = mismatches(matrix, op)
    assert not wrong, f"{len(wrong)} of {len(WHO) * len(matrix.items)} cases:\n" + \
        "\n".join(wrong[:20])


def test_matrix_size(matrix: Matrix) -> None:
    """The matrix the docs quote: operations × actors × items (levels × grouped or not)."""
    assert len(MAY) * len(WHO) * len(matrix.items) == 15 * 12 * 8


@pytest.mark.parametrize("rule", ["active", "role", "clearance", "groups"])
def test_each_policy_rule_is_needed(matrix: Matrix, rule: str,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Take one rule out of the policy: some case of the matrix must now come out wrong."""
    from sabt.policy import rules

    if matrix.ws.store.engine.dialect.name != "sqlite":
        pytest.skip("the policy is the same code on both databases: SQLite is enough")
    monkeypatch.setattr(rules, "RULES", tuple(r for r in rules.RULES if r[0] != rule))
    for op in ("view", "add statement", "captures", "list"):
        if mismatches(matrix, op):
            return
    raise AssertionError(f"removing the {rule!r} rule changed no outcome")


def test_refusals_are_audited_and_say_one_line(matrix: Matrix) -> None:
    viewer = matrix.actors["viewer-out"]
    secret = next(i for i in matrix.items if i.level == "confidential" and not i.grouped)
    with pytest.raises(NotFound) as hidden:
        matrix.ws.entities.get(viewer, secret.entity)
    with pytest.raises(NotFound) as missing:
        matrix.ws.entities.get(viewer, "P999999")
    # no existence leak: the same words for a hidden item and a missing one
    assert re.sub(r"'[^']*'", "ID", str(hidden.value)) == \
        re.sub(r"'[^']*'", "ID", str(missing.value))
    with pytest.raises(Forbidden) as refused:
        matrix.ws.users.list(viewer)
    assert "\n" not in str(refused.value)
    entries = matrix.ws.audit.entries(matrix.ws.actor("boss"), user="viewer-out", limit=50)
    assert {e.outcome for e in entries} >= {"denied"}
    assert any(e.item == secret.entity for e in entries)


def test_unknown_and_disabled_users_are_refused(matrix: Matrix) -> None:
    for name in ("nobody", "gone"):
        with pytest.raises(SabtError, match="no active user"):
            matrix.ws.actor(name)
    failed = matrix.ws.audit.entries(matrix.ws.actor("boss"), user="nobody")
    assert failed and failed[0].action == "login" and failed[0].outcome == "failed"
