"""The Spark backend (pyspark, Java 17): trained and scored on Spark, it gives DuckDB's model
and clusters; a standalone master with one worker on 127.0.0.1 works as a cluster would; a
master nothing answers at is refused in one line. SYNTHETIC data (sabt.simulate)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from sabt.cli import main
from sabt.errors import SabtError
from sabt.ingest.lists import read_list
from sabt.link import engine
from sabt.link import tables as lt
from sabt.link import workspace as lw
from sabt.link.cluster import cluster_pairs
from sabt.link.engine import Scored, score
from sabt.link.evaluate import pairwise_scores
from sabt.link.features import build_features
from sabt.link.options import LinkSettings
from sabt.link.spark import check_memory, memory_bytes, read_conf, session
from sabt.link.spark_cluster import ClusterRules
from sabt.store.workspace import Store
from tests.link.conftest import SMALL_SPARK

pytestmark = [pytest.mark.spark,
              pytest.mark.skipif(shutil.which("javac") is None, reason="needs a JDK 17")]

@pytest.fixture(scope="module")
def features(small_lists: list[Path]) -> pd.DataFrame:
    frames = []
    for path, name in zip(small_lists, "ABC", strict=True):
        recs = read_list(path).records
        recs["source"] = name
        frames.append(recs)
    return build_features(pd.concat(frames, ignore_index=True))


#: the training both backends run in these tests: u in one pass, 5 EM iterations a rule (each
#: iteration is a Spark job; the check is that both backends take the same steps, however many)
def _training(backend: str = "duckdb", train_on: str = "backend") -> LinkSettings:
    return LinkSettings(backend=backend, train_on=train_on, u_chunks=1, em_iterations=5)


@pytest.fixture(scope="module")
def duck(features: pd.DataFrame) -> Scored:
    return score(features, _training(), joined=[])


def _clusters(n: int, scored: Scored) -> np.ndarray:
    return cluster_pairs(n, scored.left, scored.right, scored.probability, threshold=0.2,
                         contradicted=scored.contradicted).cluster


def _assert_same_model(ours: dict[str, Any], theirs: dict[str, Any], *, rel: float,
                       abs_: float) -> None:
    """The same λ and the same m and u of every comparison level, within the tolerances."""
    assert ours["probability_two_random_records_match"] == pytest.approx(
        theirs["probability_two_random_records_match"], rel=rel)
    mine, other = _levels(ours), _levels(theirs)
    assert mine.keys() == other.keys()
    for key, (m, u) in other.items():
        assert mine[key] == pytest.approx((m, u), rel=rel, abs=abs_), key


def _levels(model: dict[str, Any]) -> dict[tuple[str, int], tuple[float, float]]:
    return {(c["output_column_name"], i): (lv.get("m_probability", 0.0),
                                           lv.get("u_probability", 0.0))
            for c in model["comparisons"] for i, lv in enumerate(c["comparison_levels"])
            if not lv.get("is_null_level")}


@pytest.mark.slow
@pytest.mark.spark_cluster
def test_spark_trains_scores_and_clusters_like_duckdb(
        features: pd.DataFrame, duck: Scored, spark: Any) -> None:
    """EM on Spark. With fewer record pairs than `u_max_pairs` splink's u-sampling takes every
    pair on both backends, and below 50,000 records EM reads every blocked pair, so both
    backends sum the same comparison vectors: parameters differ only by the order of
    floating-point sums, far below 1e-6 (relative). Same model, same pairs: the clusters are
    the same, so the pairwise F1 between them is 1 (the brief asks ≥ 0.999)."""
    settings = _training("spark")
    on_spark = score(features, settings, joined=[], spark=spark)
    _assert_same_model(on_spark.model, duck.model, rel=1e-6, abs_=1e-12)
    assert np.array_equal(duck.left, on_spark.left)
    assert np.array_equal(duck.right, on_spark.right)
    np.testing.assert_allclose(duck.probability, on_spark.probability, rtol=1e-6)
    n = len(features)
    a, b = _clusters(n, duck), _clusters(n, on_spark)
    assert a.max() < n - 1   # records were linked
    f1 = pairwise_scores(a, b).f1
    assert f1 >= 0.999


def test_spark_run_trains_on_the_driver_by_default(
        features: pd.DataFrame, duck: Scored, spark: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """By default a Spark run trains with DuckDB on the driver: the model is DuckDB's (the same
    seeded training on the same records; only DuckDB's threads may order a sum differently,
    far below 1e-9 relative). Scoring is left out here (the slow tests score on Spark)."""
    def no_scoring(*_args: object, **_kw: object) -> tuple[Any, ...]:
        empty = {**engine._no_pairs(), "match_probability": np.zeros(0),
                 "match_weight": np.zeros(0)}
        return empty, engine._no_pairs(), None

    class Said:
        def __init__(self) -> None:
            self.lines: list[str] = []

        def __call__(self, phase: str) -> None:
            self.lines.append(phase)

        def count(self, done: int, total: int) -> None:
            pass

    monkeypatch.setattr(engine, "_spark_pairs", no_scoring)
    said = Said()
    settings = _training("spark", train_on="duckdb")
    assert LinkSettings().train_on == "duckdb"
    on_spark = score(features, settings, joined=[], spark=spark, progress=said)
    assert any("training on the driver" in line for line in said.lines), said.lines
    _assert_same_model(on_spark.model, duck.model, rel=1e-9, abs_=1e-15)
    with pytest.raises(SabtError, match="unknown training engine 'gpu'"):
        score(features, replace(settings, train_on="gpu"), joined=[], spark=spark)


def test_spark_jaro_winkler_is_duckdbs(spark: Any) -> None:
    """The engine's Spark API scores Jaro-Winkler with sabt's UDF, which gives DuckDB's
    `jaro_winkler_similarity` bit for bit (the same double operations in the same order): on
    random strings of Latin and Persian letters (UTF-8 of one and two bytes), empty strings and
    NULLs. splink's own function (Commons Text) differs on many of them, so the check also shows
    that sabt's replaced it."""
    import duckdb
    import pyarrow as pa

    rng = np.random.default_rng(3)
    letters = list("aeiohmdrsz") + list("علیمحدرضا")

    def word() -> str:
        return "".join(rng.choice(letters, size=int(rng.integers(0, 9))))

    pairs: list[tuple[str | None, str | None]] = [(word(), word()) for _ in range(3000)]
    pairs += [(None, "ali"), ("ali", None), ("", ""), ("", "ali"), ("dwayne", "duane"),
              ("mohammad", "mahmoud"), ("علی", "عل")]
    engine._db_api(LinkSettings(backend="spark"), spark)
    spark.createDataFrame(pairs, "a string, b string").createOrReplaceTempView("jw_pairs")
    on_spark = [r[0] for r in spark.sql("select jaro_winkler(a, b) from jw_pairs").collect()]
    con = duckdb.connect()
    con.register("jw_pairs", pa.table({"a": [a for a, _ in pairs], "b": [b for _, b in pairs]}))
    on_duck = [r[0] for r in con.execute(
        "select jaro_winkler_similarity(a, b) from jw_pairs").fetchall()]
    assert on_spark == on_duck
    assert on_spark[-7:-5] == [None, None]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_master_says_so_in_one_line() -> None:
    with pytest.raises(SabtError) as caught:
        session(f"spark://127.0.0.1:{_free_port()}")
    message = str(caught.value)
    assert "\n" not in message and "cannot be reached" in message
    assert "previous run stands" in message


def test_spark_conf_file_names_the_bad_line(tmp_path: Path) -> None:
    conf = tmp_path / "spark.conf"
    conf.write_text("# memory\nspark.driver.memory 3g\nspark.executor.memory=2g\nnonsense\n")
    with pytest.raises(SabtError, match=r"spark.conf: line 4"):
        read_conf(conf)
    conf.write_text("spark.driver.memory 3g\nspark.executor.memory=2g\n")
    assert read_conf(conf) == {"spark.driver.memory": "3g", "spark.executor.memory": "2g"}


def _spark_class(*args: str, log: Path) -> subprocess.Popen[bytes]:
    """A Spark daemon class run from pyspark's own jars (no Spark install needed)."""
    import pyspark

    home = Path(pyspark.__file__).parent
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1",
           "PYSPARK_PYTHON": sys.executable}
    return subprocess.Popen([str(home / "bin" / "spark-class"), *args], env=env,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT)


def _wait_for(log: Path, text: str, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if text in log.read_text(errors="replace"):
            return
        time.sleep(0.5)
    raise AssertionError(f"{log.name}: no {text!r} after {seconds} s:\n"
                         f"{log.read_text(errors='replace')[-2000:]}")


def _runs(space: Path) -> int:
    with Store.open(space) as opened, opened.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(lt.link_run)).scalar_one())


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory, small_lists: list[Path]) -> Path:
    """A workspace with three SYNTHETIC lists and one (DuckDB) run (the tests leave it so)."""
    space = tmp_path_factory.mktemp("spark_ws") / "ws"
    with pytest.raises(SystemExit) as made:
        main(["--as", "tester", "init", "--workspace", str(space)])
    assert made.value.code in (0, None)
    with Store.open(space) as ws:
        for path, name in zip(small_lists, "ABC", strict=True):
            lw.import_list(ws, path, name=name, author="tester")
        lw.run_linkage(ws, LinkSettings(u_chunks=1, em_iterations=5), author="tester")
    return space


def test_cli_unreachable_master_keeps_the_previous_run(
        linked: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--as", "tester", "link", "--full", "--backend", "spark", "--spark-master",
              f"spark://127.0.0.1:{_free_port()}", "--workspace", str(linked)])
    assert exited.value.code == 1
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and "cannot be reached" in lines[0], lines
    assert _runs(linked) == 1


def test_spark_failing_mid_run_keeps_the_previous_run(
        linked: Path, spark: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from py4j.protocol import Py4JError

    def lost(*_args: object, **_kw: object) -> None:
        raise Py4JError("An error occurred\norg.apache.spark.SparkException: Job aborted: "
                        "executor 1 lost\n\tat org.apache.spark…")

    monkeypatch.setattr(engine, "_score", lost)
    with Store.open(linked) as ws, pytest.raises(SabtError) as caught:
        lw.run_linkage(ws, LinkSettings(backend="spark"), author="tester", full=True,
                       spark=spark)
    message = str(caught.value)
    assert "\n" not in message and "executor 1 lost" in message
    assert "previous run stands" in message
    assert _runs(linked) == 1


@pytest.mark.slow   # Spark's fixed cost of scoring: about a minute on 2 cores
def test_spark_links_a_new_list_incrementally_like_duckdb(
        tmp_path: Path, small_lists: list[Path], spark: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A list added after a DuckDB run is linked incrementally on Spark too (the backend only
    says how a run is computed): the saved model scores only the pairs with a new record, and
    the clusters are those of the same incremental run on DuckDB (same model, same pairs,
    same clustering per component). SYNTHETIC lists."""
    from sabt.link import incremental

    monkeypatch.setattr(incremental, "MIN_RECORDS", 0)      # build on a run however small
    monkeypatch.setattr(incremental, "MAX_NEW_SHARE", 1.0)
    settings = LinkSettings(u_chunks=1, em_iterations=5)
    first = tmp_path / "duckdb"
    with Store.create(first) as ws:
        for path, name in zip(small_lists[:2], "AB", strict=True):
            lw.import_list(ws, path, name=name, author="tester")
        assert lw.run_linkage(ws, settings, author="tester").mode == "full"
        lw.import_list(ws, small_lists[2], name="C", author="tester")
    second = tmp_path / "spark"
    shutil.copytree(first, second)
    clusters = []
    for space, backend in ((first, "duckdb"), (second, "spark")):
        with Store.open(space) as ws:
            report = lw.run_linkage(ws, replace(settings, backend=backend), author="tester",
                                    spark=spark if backend == "spark" else None)
            assert report.mode == "incremental", report.mode_reason
            clusters.append(lw.run_clusters(ws).sort_values("record_id")["cluster"].to_numpy())
    a, b = clusters
    assert len(np.unique(a)) < len(a)   # records were linked
    assert pairwise_scores(a, b).f1 == 1.0


def test_records_too_large_for_the_driver_are_refused_before_starting() -> None:
    class Conf:
        def get(self, key: str, default: str | None = None) -> str | None:
            return "1m" if key == "spark.driver.memory" else default

    fake = SimpleNamespace(conf=Conf())
    with pytest.raises(SabtError, match=r"spark\.driver\.memory=1m.*spark\.sabt\.stagingDir"):
        check_memory(fake, 2**20, None)   # 1 MB of records needs about 3 MB to pass through
    check_memory(fake, 2**20, "/shared/staging")   # staged as Parquet: the driver is bypassed
    check_memory(fake, 2**18, None)
    assert memory_bytes("2g") == 2 * 2**30 and memory_bytes("512m") == 512 * 2**20


@pytest.mark.slow   # 268 s on the shared 2 cores at load 10, most of it splink's Spark predict
@pytest.mark.spark_cluster
def test_spark_clusters_with_reviewers_decisions_like_the_driver(
        features: pd.DataFrame, duck: Scored, spark: Any) -> None:
    """DuckDB's model scored and clustered on Spark (`ClusterRules`: every list
    duplicate-free, reviewers' matches and non-matches) gives the clusters `cluster_pairs`
    makes on the driver from DuckDB's pairs: the same model scores the same pairs, and
    clustering by components is exact (tests/link/test_spark_cluster.py)."""
    n = len(features)
    sources = features["source_list"].astype(str).tolist()
    linked = np.flatnonzero(duck.probability >= 0.5)
    must = [(int(duck.left[k]), int(duck.right[k]))
            for k in np.flatnonzero(duck.probability < 0.2)[:5]] + [(0, n - 1)]
    cannot = [(int(duck.right[k]), int(duck.left[k])) for k in linked[::7][:10]]
    rules = ClusterRules(0.2, frozenset(sources), tuple(must), tuple(cannot))
    on_spark = score(features, LinkSettings(backend="spark"), model=duck.model,
                     joined=must, spark=spark, rules=rules)
    driver = score(features, LinkSettings(), model=duck.model, joined=must)
    expected = cluster_pairs(n, driver.left, driver.right, driver.probability, threshold=0.2,
                             sources=sources, duplicate_free=set(sources), must_link=must,
                             cannot_link=cannot, contradicted=driver.contradicted)
    assert on_spark.clustering is not None and len(on_spark.contradicted[0]) == 0
    assert np.array_equal(on_spark.clustering.cluster, expected.cluster)
    np.testing.assert_allclose(on_spark.clustering.probability, expected.probability, rtol=1e-6)
    assert len(np.unique(expected.cluster)) < n   # records were linked


@pytest.mark.slow
@pytest.mark.spark_cluster
def test_standalone_master_and_worker(features: pd.DataFrame, duck: Scored,
                                      tmp_path: Path) -> None:
    """A standalone master and one worker process on 127.0.0.1, as a cluster would be: the
    records reach the executor as Parquet in a staging directory (the shared storage of a
    cluster) and it scores DuckDB's model to DuckDB's pairs, then clusters them in the worker's
    Python to DuckDB's clusters. Last in the file: it stops the shared local session (one
    SparkContext per process)."""
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    local = SparkSession.getActiveSession()   # the shared local one: this test runs last
    if local is not None:
        local.stop()
    port = _free_port()
    master_log, worker_log = tmp_path / "master.log", tmp_path / "worker.log"
    master = _spark_class("org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                          "--port", str(port), "--webui-port", str(_free_port()), log=master_log)
    worker = None
    try:
        _wait_for(master_log, "I have been elected leader", 90)
        worker = _spark_class("org.apache.spark.deploy.worker.Worker", "--cores", "1",
                              "--memory", "1g", "--webui-port", str(_free_port()),
                              "--work-dir", str(tmp_path / "work"),
                              f"spark://127.0.0.1:{port}", log=worker_log)
        _wait_for(master_log, "Registering worker", 90)
        spark = session(f"spark://127.0.0.1:{port}",
                        {**SMALL_SPARK, "spark.executor.memory": "768m", "spark.cores.max": "1",
                         "spark.driver.host": "127.0.0.1", "spark.pyspark.python": sys.executable,
                         "spark.sabt.stagingDir": str(tmp_path / "staging")})
        try:
            on_cluster = score(features, LinkSettings(backend="spark"), model=duck.model,
                               joined=[], spark=spark, rules=ClusterRules(0.2))
        finally:
            spark.stop()
    finally:
        for proc in (worker, master):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=30)
    assert np.array_equal(duck.left, on_cluster.left)
    np.testing.assert_allclose(duck.probability, on_cluster.probability, rtol=1e-6)
    assert on_cluster.clustering is not None   # clustered by the worker's Python
    assert np.array_equal(_clusters(len(features), duck), on_cluster.clustering.cluster)

