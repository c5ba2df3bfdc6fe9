"""Link runs stored as deltas against the previous run read back as full runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Connection, func, select

from sabt.link import incremental, runstore
from sabt.link import tables as lt
from sabt.link import workspace as lw
from sabt.store.workspace import Store


def _groups(frame: pd.DataFrame) -> set[frozenset[int]]:
    """Which records share a cluster, whatever the cluster numbers."""
    return {frozenset(int(r) for r in g) for g in frame.groupby("cluster")["record_id"]
            .apply(list)}


def test_cluster_numbers_carry_on_from_the_previous_run() -> None:
    # new clusters 1..4 over six records; the previous run numbered the first four 5, 5, 6, 6
    new = np.array([1, 1, 2, 3, 3, 4])
    old = np.array([5, 5, 6, 6, 0, 0])
    # 1 keeps 5; 2 keeps 6; 3's first record had 6, taken by 2 (a split): above every old
    # number (7); 4 has only new records: 8
    assert runstore.carry_labels(new, old).tolist() == [5, 5, 6, 7, 7, 8]


@pytest.fixture
def small_ok(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(incremental, "MIN_RECORDS", 0)
    monkeypatch.setattr(incremental, "MAX_NEW_SHARE", 1.0)


@pytest.mark.usefixtures("small_ok")
def test_a_run_stored_as_a_delta_reads_back_whole(
        tmp_path: Path, database_url: str | None, small_lists: list[Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    ws = Store.create(tmp_path / "ws", database_url)
    for path, name in zip(small_lists, "ABC", strict=True):
        lw.import_list(ws, path, name=name, author="tester")
    lw.run_linkage(ws, author="tester")
    first = lw.run_clusters(ws)
    # a reviewer splits one linked pair: the next run changes the records of that cluster
    linked = next(sorted(int(r) for r in g) for g in first.groupby("cluster")["record_id"]
                  .apply(list) if len(g) >= 2)
    lw.decide(ws, linked[0], linked[1], "non-match", reviewer="r1")

    written: list[pd.DataFrame] = []
    store = runstore.store_clusters

    def spy(conn: Connection, run_id: int, base_run: int | None, record_ids: np.ndarray,
            cluster: np.ndarray, probability: np.ndarray, person: np.ndarray) -> int:
        written.append(pd.DataFrame({"record_id": record_ids, "cluster": cluster,
                                     "probability": probability, "person_id": person}))
        return store(conn, run_id, base_run, record_ids, cluster, probability, person)

    monkeypatch.setattr(lw, "store_clusters", spy)
    report = lw.run_linkage(ws, author="tester")
    second = lw.run_clusters(ws)

    # stored as a delta: the changed records only, with the base recorded
    with ws.engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(lt.link_cluster).where(
            lt.link_cluster.c.run_id == report.run_id)).scalar_one()
        base = conn.execute(select(lt.link_cluster_base.c.base_run).where(
            lt.link_cluster_base.c.run_id == report.run_id)).scalar_one()
    first_run = report.run_id - 1
    assert base == first_run
    assert 0 < rows <= len(second) // 10 and len(second) == report.records
    # read back: the clusters, probabilities and persons the run computed, record by record
    computed = written[0].sort_values("record_id").reset_index(drop=True)
    read = second.sort_values("record_id").reset_index(drop=True)
    assert read["record_id"].tolist() == computed["record_id"].tolist()
    assert _groups(read) == _groups(computed)
    assert np.array_equal(read["probability"].to_numpy(), computed["probability"].to_numpy())
    assert read["person_id"].tolist() == computed["person_id"].astype(str).tolist()
    # the first run still reads as it was written
    assert lw.run_clusters(ws, first_run).equals(first)
    ws.close()


def test_a_chain_of_deltas_is_bounded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Past MAX_DEPTH deltas a run is stored in full again (reads follow a bounded chain)."""
    monkeypatch.setattr(runstore, "MAX_DEPTH", 2)
    ws = Store.create(tmp_path / "ws")
    with ws.change("tester", reason="records") as ch:
        source = ch.add_source("SYNTHETIC list")
        persons = ch.add_entities("person", ["a", "b", "c", "d"])
        ch.conn.execute(lt.list_import.insert().values(
            source_id=source, name="L", sha256="0" * 64, file_name="l.csv",
            media_type="text/csv", columns={}, n_records=4, n_warnings=0,
            duplicate_free=False, revision_id=ch.revision_id))
        ch.conn.execute(lt.list_record.insert(), [
            {"id": i + 1, "source_id": source, "row_number": i + 1, "raw": "", "fields": {}}
            for i in range(4)])
    ids = np.arange(1, 5)
    people = np.array(persons)
    stored = []
    for run in range(1, 6):
        with ws.change("tester", reason="run") as ch:
            base = lw.latest_run(ch.conn)
            ch.conn.execute(lt.link_run.insert().values(
                id=run, created_at=pd.Timestamp.now("UTC").to_pydatetime(), author="tester",
                software_version="test", inputs=[], settings={}, model={}, stats={},
                revision_id=ch.revision_id))
            # one record changes its probability in each run
            prob = np.ones(4)
            prob[run % 4] = 0.5
            stored.append(runstore.store_clusters(ch.conn, run, base, ids,
                                                  np.array([1, 1, 2, 3]), prob, people))
            read = runstore.read_clusters(ch.conn, run)
        assert read["probability"].tolist() == prob.tolist()
        assert read["cluster"].tolist() == [1, 1, 2, 3]
    # full, delta (2 changed), delta (depth 2), full again, delta
    assert stored == [4, 2, 2, 4, 2]
    ws.close()
