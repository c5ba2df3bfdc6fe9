"""Concurrent writers: unique ids, one custody chain, SQLite waits, one link run at a time.

Writers are threads, each with its own `Store` (its own connections), as separate processes
would have; the database drivers release the GIL while they wait, so the waits are real.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sabt.errors import SabtError
from sabt.model.statements import Locator, NewStatement, Reference, Text
from sabt.store import locks
from sabt.store import schema as t
from sabt.store.workspace import SQLITE_FILE, Store
from sabt.vault.chain import check_chain
from sabt.vault.vault import LogWriter, Vault
from tests.pg_server import PgServer

WRITERS = 4
CHANGES = 6   # per writer
STATEMENTS = 3  # per change


def _in_threads(work: Callable[[int], None], n: int) -> list[BaseException]:
    """Run work(0..n-1) in n threads started together; returns what they raised."""
    errors: list[BaseException] = []
    start = threading.Barrier(n)

    def run(i: int) -> None:
        try:
            start.wait(timeout=30)
            work(i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=300)
    assert not any(th.is_alive() for th in threads), "a writer hung"
    return errors


def _small_change(ws: Store, source: str, who: str, k: int) -> None:
    """One revision: a person, a few sourced statements, one custody entry."""
    with ws.change(author=who, reason=f"change {k}") as ch:
        person = ch.add_entity("person", f"{who} person {k}")
        ch.add_statements([NewStatement(person, f"field {j}", Text(f"{who}-{k}-{j}", "en"),
                                        (Reference(source, Locator(row=k), "SYNTHETIC row"),))
                           for j in range(STATEMENTS)])
        log = LogWriter(ch.conn, who)
        log.add("viewed", None, {"person": person})
        log.flush()


def test_parallel_writers_get_unique_ids_and_one_custody_chain(
        tmp_path: Path, database_url: str | None) -> None:
    root = tmp_path / "ws"
    Store.create(root, database_url).close()
    with Store.open(root, database_url) as ws, ws.change("tester", reason="source") as ch:
        source = ch.add_source("SYNTHETIC list")

    def writer(i: int) -> None:
        with Store.open(root, database_url) as own:
            for k in range(CHANGES):
                _small_change(own, source, f"writer{i}", k)

    assert _in_threads(writer, WRITERS) == []
    with Store.open(root, database_url) as ws:
        total = WRITERS * CHANGES
        with ws.engine.connect() as conn:
            revisions = conn.execute(select(t.revision.c.id)).scalars().all()
            persons = conn.execute(select(t.entity.c.id).where(
                t.entity.c.kind == "person")).scalars().all()
            by_revision: dict[int, list[int]] = {}
            for sid, rid in conn.execute(select(t.statement.c.id, t.statement.c.revision_id)):
                by_revision.setdefault(rid, []).append(sid)
            refs = conn.execute(select(func.count(func.distinct(t.reference.c.id)))).scalar()
        assert len(revisions) == len(set(revisions)) == total + 1
        assert len(persons) == len(set(persons)) == total
        assert len(by_revision) == total and refs == total * STATEMENTS
        for ids in by_revision.values():  # one request's ids are consecutive
            assert sorted(ids) == list(range(min(ids), min(ids) + STATEMENTS))
        entries = Vault(ws).entries()
        assert [e.seq for e in entries] == list(range(1, total + 1))
        assert check_chain(entries) == []


@pytest.mark.postgres
def test_first_writes_on_a_fresh_postgres_workspace_do_not_race(
        pg_server: PgServer, tmp_path: Path) -> None:
    for attempt in range(3):  # a race shows only sometimes: several fresh workspaces
        url = pg_server.new_database()
        root = tmp_path / f"ws{attempt}"
        Store.create(root, url).close()
        stores = [Store.open(root, url) for _ in range(WRITERS)]

        def first_write(i: int, stores: list[Store] = stores) -> None:
            with stores[i].change(author=f"w{i}", reason="first") as ch:
                src = ch.add_source(f"SYNTHETIC source {i}")
                ch.add_statement(ch.add_entity("person", f"p{i}"), "name", Text(f"n{i}", "en"),
                                 references=[Reference(src, Locator(page="1"), "SYNTHETIC")])

        try:
            assert _in_threads(first_write, WRITERS) == []
        finally:
            for ws in stores:
                ws.close()
        with Store.open(root, url) as ws:
            assert ws.counts()["person"] == WRITERS and ws.counts()["statements"] == WRITERS


def test_upgrade_keeps_counters_of_an_existing_workspace(tmp_path: Path,
                                                         database_url: str | None) -> None:
    """A workspace from before 0005: new ids continue after the ones handed out."""
    from alembic.command import downgrade

    from sabt.store import migrate

    root = tmp_path / "ws"
    with Store.create(root, database_url) as ws, ws.change("tester", reason="before") as ch:
        ch.add_entities("person", ["a", "b", "c"])
    with Store.open(root, database_url) as ws, ws.engine.begin() as conn:
        downgrade(migrate._config(conn), "0005_concurrency@-1")
        assert dict(conn.execute(select(t.id_counter.c.name, t.id_counter.c.next)).tuples()
                    .all())["entity:P"] == 4
    Store.upgrade(root, database_url)
    with Store.open(root, database_url) as ws, ws.change("tester", reason="after") as ch:
        assert ch.add_entity("person", "d") == "P4"
        assert ch.revision_id == 2


# --- SQLite: a writer waits for the write lock instead of failing ------------------------------

def _hold_sqlite_lock(path: Path, seconds: float, held: threading.Event) -> threading.Thread:
    def hold() -> None:
        conn = sqlite3.connect(path, timeout=0)
        conn.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(seconds)
        conn.rollback()
        conn.close()

    thread = threading.Thread(target=hold)
    thread.start()
    return thread


def test_sqlite_writer_waits_out_a_long_held_write_lock(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Each attempt waits 50 ms inside SQLite; the lock is held 20 times as long, so only the
    # retry loop (not SQLite's busy timeout) can make the write succeed.
    monkeypatch.setattr(locks, "SQLITE_BUSY_MS", 50)
    with Store.create(tmp_path / "ws") as ws:
        held = threading.Event()
        holder = _hold_sqlite_lock(tmp_path / "ws" / SQLITE_FILE, 1.0, held)
        assert held.wait(10)
        start = time.monotonic()
        with ws.change("tester", reason="small write") as ch:
            ch.add_entity("person", "waited")
        waited = time.monotonic() - start
        holder.join()
        assert waited > 0.5
        assert ws.counts()["person"] == 1


def test_small_writes_succeed_during_a_long_import(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(locks, "SQLITE_BUSY_MS", 50)
    root = tmp_path / "ws"
    Store.create(root).close()
    started, done = threading.Event(), threading.Event()

    def long_import() -> None:
        with Store.open(root) as ws, ws.change("tester", reason="long import") as ch:
            ch.add_entities("person", [f"imported {i}" for i in range(1000)])
            started.set()
            time.sleep(1.0)  # the rest of a long import, holding the write lock
        done.set()

    importer = threading.Thread(target=long_import)
    importer.start()
    assert started.wait(30)
    with Store.open(root) as ws:
        with ws.change("tester", reason="small") as ch:
            small = ch.add_entity("person", "small write")
        assert done.is_set()  # it waited for the import to commit
        importer.join()
        assert ws.counts()["person"] == 1001 and ws.entity(small).label == "small write"


def test_sqlite_writer_gives_up_after_the_bound_with_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(locks, "SQLITE_BUSY_MS", 50)
    monkeypatch.setenv("SABT_LOCK_WAIT", "0.3")
    with Store.create(tmp_path / "ws") as ws:
        held = threading.Event()
        holder = _hold_sqlite_lock(tmp_path / "ws" / SQLITE_FILE, 1.5, held)
        assert held.wait(10)
        with pytest.raises(SabtError, match="workspace is busy") as caught, \
                ws.change("tester", reason="gives up") as ch:
            ch.add_entity("person", "never")
        holder.join()
        assert "\n" not in str(caught.value)
        assert ws.counts().get("person", 0) == 0


# --- link runs --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_lists(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Two SYNTHETIC list files (hard scenario, 100 people), as tests/link/conftest.py makes."""
    from sabt.simulate import scenario, simulate, write

    sim = simulate(scenario("hard", population=100, lists=2), seed=5)
    folder = tmp_path_factory.mktemp("SYNTHETIC_tiny_lists")
    write(sim, folder, formats=("csv",), population=False)
    return sorted((folder / "lists").glob("SYNTHETIC_list_*.csv"))


def _linked_workspace(root: Path, url: str | None, lists: list[Path]) -> Store:
    from sabt.link import workspace as lw

    ws = Store.create(root, url)
    for path in lists:
        lw.import_list(ws, path, author="tester")
    return ws


def _state(ws: Store) -> tuple[int | None, int, int, int]:
    """Latest run, its cluster rows, person-record links, persons: what a run writes."""
    from sabt.link import tables as lt
    from sabt.link.workspace import latest_run

    with ws.engine.connect() as conn:
        run = latest_run(conn)
        count = [conn.execute(select(func.count()).select_from(tbl)).scalar_one()
                 for tbl in (lt.link_cluster, lt.person_record)]
        persons = conn.execute(select(func.count()).select_from(t.entity).where(
            t.entity.c.kind == "person")).scalar_one()
    return run, count[0], count[1], persons


def test_two_link_runs_at_once_one_refuses_none_corrupts(
        tmp_path: Path, database_url: str | None, tiny_lists: list[Path]) -> None:
    from sabt.link.workspace import RunReport, run_linkage

    root = tmp_path / "ws"
    _linked_workspace(root, database_url, tiny_lists).close()
    running, go = threading.Event(), threading.Event()
    finished: list[RunReport] = []

    def paused(_message: str) -> None:
        running.set()
        assert go.wait(120)

    def first_run() -> None:
        with Store.open(root, database_url) as ws:
            finished.append(run_linkage(ws, author="first", progress=paused))

    thread = threading.Thread(target=first_run)
    thread.start()
    try:
        assert running.wait(120)
        with Store.open(root, database_url) as ws, \
                pytest.raises(SabtError, match="another `sabt link` is running"):
            run_linkage(ws, author="second")
    finally:
        go.set()
        thread.join(300)
    assert len(finished) == 1
    with Store.open(root, database_url) as ws:
        run, clusters, links, _persons = _state(ws)
        assert run == finished[0].run_id
        assert clusters == links == finished[0].records
        with ws.exclusive("link", "still held"):  # released when the run ended
            pass


def test_link_run_refuses_when_its_inputs_change_meanwhile(
        tmp_path: Path, database_url: str | None, tiny_lists: list[Path]) -> None:
    from sabt.link import tables as lt
    from sabt.link import workspace as lw

    ws = _linked_workspace(tmp_path / "ws", database_url, tiny_lists)
    try:
        lw.run_linkage(ws, author="tester")
        before = _state(ws)
        with ws.engine.connect() as conn:
            a, b = conn.execute(select(lt.list_record.c.id).order_by(lt.list_record.c.id)
                                .limit(2)).scalars().all()
        decided: list[int] = []

        def decide_meanwhile(_message: str) -> None:
            if not decided:  # a reviewer decides a pair while this run works
                with Store.open(tmp_path / "ws", database_url) as other:
                    decided.append(lw.decide(other, a, b, "non-match", reviewer="other"))

        with pytest.raises(SabtError, match="changed while this link run was working"):
            lw.run_linkage(ws, author="tester", progress=decide_meanwhile)
        assert decided and _state(ws) == before  # nothing written, the previous run stands
    finally:
        ws.close()
