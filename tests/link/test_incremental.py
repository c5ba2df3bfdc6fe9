"""A list added later links incrementally: same clusters, stable persons, reviews honoured."""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from sabt.cli import app
from sabt.cli.app import acting_user
from sabt.link import incremental
from sabt.link import settings as link_settings
from sabt.link import tables as lt
from sabt.link import workspace as lw
from sabt.link.cluster import cluster_pairs
from sabt.link.engine import score
from sabt.link.features import build_features
from sabt.link.options import LinkSettings
from sabt.service import Workspace
from sabt.store.workspace import Store


def _pairs(labels: pd.Series) -> set[tuple[int, int]]:
    """Record pairs put together by a clustering (record id → cluster label)."""
    out: set[tuple[int, int]] = set()
    for members in labels.groupby(labels).groups.values():
        out.update(combinations(sorted(int(m) for m in members), 2))
    return out


def _agreement(a: pd.Series, b: pd.Series) -> float:
    """Pairwise F1 of two clusterings of the same records (1.0 = identical)."""
    pa, pb = _pairs(a), _pairs(b)
    return 1.0 if not pa and not pb else 2 * len(pa & pb) / (len(pa) + len(pb))


def _latest(ws: Store) -> dict[str, object]:
    with ws.engine.connect() as conn:
        run = conn.execute(select(lt.link_run).order_by(lt.link_run.c.id.desc())).first()
    assert run is not None
    stats = run.stats if isinstance(run.stats, dict) else json.loads(run.stats)
    model = run.model if isinstance(run.model, dict) else json.loads(run.model)
    return {"id": run.id, "stats": stats, "model": model}


@pytest.fixture
def tiny_ok(monkeypatch: pytest.MonkeyPatch) -> None:
    """Build on previous runs however small (the size policy has its own test)."""
    monkeypatch.setattr(incremental, "MIN_RECORDS", 0)
    monkeypatch.setattr(incremental, "MAX_NEW_SHARE", 1.0)


@pytest.fixture
def two_linked(tmp_path: Path, small_lists: list[Path]) -> Store:
    """Lists A and B imported and linked (a full run); list C not yet imported."""
    ws = Store.create(tmp_path / "ws")
    for path, name in zip(small_lists[:2], "AB", strict=True):
        lw.import_list(ws, path, name=name, author="tester")
    assert lw.run_linkage(ws, author="tester").mode == "full"
    return ws


@pytest.mark.usefixtures("tiny_ok")
def test_a_new_list_links_incrementally(two_linked: Store, small_lists: list[Path],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    ws = two_linked
    # Term frequencies off (no drift: see the end); splink reads a weight of 0 as "unset".
    monkeypatch.setattr(link_settings, "TF_WEIGHT", 1e-12)
    assert lw.run_linkage(ws, full=True, author="tester").mode == "full"
    before = lw.run_clusters(ws).set_index("record_id")
    base = _latest(ws)
    # A reviewer splits one linked pair and joins two records the model kept apart.
    sizes = before.groupby("person_id").groups
    split = next(sorted(int(x) for x in v) for v in sizes.values() if len(v) >= 2)
    apart = before.drop_duplicates("person_id").index[:2]
    lw.decide(ws, split[0], split[1], "non-match", reviewer="r1")
    lw.decide(ws, int(apart[0]), int(apart[1]), "match", reviewer="r1")
    lw.import_list(ws, small_lists[2], name="C", author="tester")

    report = lw.run_linkage(ws, author="tester")
    assert report.mode == "incremental"
    run = _latest(ws)
    stats = run["stats"]
    assert isinstance(stats, dict)
    assert stats["mode"] == "incremental" and stats["base_run"] == base["id"]
    assert run["model"] == base["model"]          # the saved model scored the new pairs
    after = lw.run_clusters(ws).set_index("record_id")
    assert stats["new_records"] == int((after["source"] == "C").sum())
    assert stats["reclustered_records"] < len(after)   # the rest was not re-linked

    # Reviewed decisions hold and were not re-decided (still the two, none undone).
    person = after["person_id"].astype(str).to_dict()
    assert person[split[0]] != person[split[1]]
    assert person[int(apart[0])] == person[int(apart[1])]
    with ws.engine.connect() as conn:
        assert len(lw.active_decisions(conn)) == 2

    # Person ids are stable: a previous person whose records still form the old part of one
    # cluster, alone, keeps its id.
    old = after.loc[before.index]
    for pid, members in before.groupby("person_id").groups.items():
        clusters = old.loc[members, "cluster"].unique()
        if len(clusters) == 1:
            holders = old[old["cluster"] == clusters[0]].index
            if set(before.loc[holders, "person_id"]) == {pid}:
                assert set(old.loc[members, "person_id"]) == {pid}

    # Same clusters as scoring every pair with the same model and constraints. Clustering is
    # per component, so the only possible difference is term-frequency drift of old pairs
    # outside the re-clustered components (scored before C changed the name counts; see
    # sabt.link.incremental). Term frequencies are switched off in this test (the base run
    # above is re-done without them), so the partitions must be identical.
    records = lw.run_clusters(ws).sort_values("record_id").reset_index(drop=True)
    settings = LinkSettings()
    scored = score(build_features(records[[c for c in records.columns
                                           if c not in ("cluster", "probability",
                                                        "person_id")]]),
                   settings, model=dict(base["model"]))  # type: ignore[call-overload]
    pos = {int(r): i for i, r in enumerate(records["record_id"])}
    full = cluster_pairs(len(records), scored.left, scored.right, scored.probability,
                         threshold=settings.threshold, sources=list(records["source"]),
                         must_link=[(pos[int(apart[0])], pos[int(apart[1])])],
                         cannot_link=[(pos[split[0]], pos[split[1]])],
                         contradicted=scored.contradicted)
    reference = pd.Series(full.cluster, index=records["record_id"])
    assert _agreement(after["cluster"], reference) == 1.0


def _truth_f1(clusters: pd.DataFrame, lists: list[Path]) -> float:
    """Pairwise F1 of a run's clusters against the simulator's truth file."""
    truth = pd.read_csv(lists[0].parent.parent / "SYNTHETIC_truth.csv", comment="#")
    # The simulator's lists are named A, B, C, as the fixtures import them; rows are 0-based.
    person = {(str(n), int(r)): str(p)
              for n, r, p in zip(truth["list"], truth["row"], truth["person_id"], strict=True)}
    true = pd.Series([person[(str(s), int(r) - 1)]
                      for s, r in zip(clusters["source"], clusters["row"], strict=True)],
                     index=clusters.index)
    found, real = _pairs(clusters["cluster"]), _pairs(true)
    return 2 * len(found & real) / (len(found) + len(real))


def test_small_or_much_grown_workspaces_re_train(two_linked: Store,
                                                 small_lists: list[Path]) -> None:
    lw.import_list(two_linked, small_lists[2], name="C", author="tester")
    report = lw.run_linkage(two_linked, author="tester")
    assert report.mode == "full" and "re-training on all" in report.mode_reason


def test_incremental_is_as_accurate_as_a_full_retrain(tmp_path: Path,
                                                      hard_lists: list[Path]) -> None:
    ws = Store.create(tmp_path / "ws")
    for path, name in zip(hard_lists[:4], "ABCD", strict=True):
        lw.import_list(ws, path, name=name, author="tester")
    assert lw.run_linkage(ws, author="tester").mode == "full"
    lw.import_list(ws, hard_lists[4], name="E", author="tester")
    report = lw.run_linkage(ws, author="tester")
    assert report.mode == "incremental", report.mode_reason
    added = _truth_f1(lw.run_clusters(ws).set_index("record_id"), hard_lists)
    assert lw.run_linkage(ws, full=True, author="tester").mode == "full"
    retrained = _truth_f1(lw.run_clusters(ws).set_index("record_id"), hard_lists)
    # The incremental run scores list E with the model trained on A–D, the full run re-trains
    # on all five, so pairs near the threshold may fall differently; what matters is that
    # adding a list incrementally links about as well as starting over. On the benchmark's
    # 17k records the incremental run was as accurate (F1 0.968 vs 0.966,
    # docs/linkage.md); here it may be 0.02 below the retrain (about 1 % of the true pairs
    # either way, the linkage tests' own margin), and both keep F1 ≥ 0.96, what the engine
    # test's floors on the same sample imply (precision ≥ 0.98, recall ≥ 0.945); measured 0.978.
    assert added >= retrained - 0.02, (added, retrained)
    assert min(added, retrained) >= 0.96, (added, retrained)


@pytest.mark.usefixtures("tiny_ok")
def test_changed_settings_run_in_full(two_linked: Store) -> None:
    report = lw.run_linkage(two_linked, LinkSettings(threshold=0.9), author="tester")
    assert report.mode == "full" and "settings differ" in report.mode_reason
    again = lw.run_linkage(two_linked, LinkSettings(threshold=0.9), author="tester")
    assert again.mode == "incremental" and again.persons_created == 0


@pytest.mark.usefixtures("tiny_ok")
def test_a_failed_incremental_run_keeps_the_previous_one(
        two_linked: Store, small_lists: list[Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    ws = two_linked
    lw.import_list(ws, small_lists[2], name="C", author="tester")
    before = lw.run_clusters(ws)
    with ws.engine.connect() as conn:
        counts = [conn.execute(select(func.count()).select_from(t)).scalar_one()
                  for t in (lt.link_run, lt.link_pair, lt.link_cluster, lt.person_record)]

    def boom(*_args: object, **_kw: object) -> None:
        raise RuntimeError("disk full")

    with monkeypatch.context() as patch, pytest.raises(RuntimeError):
        patch.setattr(lw, "_assign_persons", boom)
        lw.run_linkage(ws, author="tester")
    with ws.engine.connect() as conn:
        assert [conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (lt.link_run, lt.link_pair, lt.link_cluster,
                          lt.person_record)] == counts
    assert lw.run_clusters(ws).equals(before)
    assert lw.run_linkage(ws, author="tester").mode == "incremental"


@pytest.mark.usefixtures("tiny_ok")
def test_cli_link_full(tmp_path: Path, small_lists: list[Path]) -> None:
    runner = CliRunner()
    space = tmp_path / "cli-ws"
    Workspace.create(space, admin=acting_user()).close()   # the CLI acts as the login user
    common = ["--workspace", str(space)]
    for path, name in zip(small_lists[:2], "AB", strict=True):
        assert runner.invoke(app, ["import-list", str(path), "--name", name,
                                   *common]).exit_code == 0
    res = runner.invoke(app, ["link", *common])
    assert res.exit_code == 0 and "(full: no previous run)" in res.output, res.output
    assert runner.invoke(app, ["import-list", str(small_lists[2]), "--name", "C",
                               *common]).exit_code == 0
    res = runner.invoke(app, ["link", *common])
    assert res.exit_code == 0 and "(incremental: builds on run" in res.output, res.output
    res = runner.invoke(app, ["link", "--full", *common])
    assert res.exit_code == 0 and "(full: --full asked)" in res.output, res.output


def test_a_model_of_other_levels_does_not_fit(
        small_hard: tuple[pd.DataFrame, object, object]) -> None:
    # a model saved by an earlier version of the levels (a level fewer in one comparison, or a
    # comparison fewer) is not reused: the run re-trains instead of failing to load it
    from sabt.link.engine import present_columns

    features = build_features(small_hard[0])
    present = present_columns(features)
    model = score(features, LinkSettings(seed=1)).model
    assert incremental.model_fits(model, present)
    fewer_levels = json.loads(json.dumps(model))
    fewer_levels["comparisons"][0]["comparison_levels"].pop(1)
    assert not incremental.model_fits(fewer_levels, present)
    fewer_comparisons = json.loads(json.dumps(model))
    fewer_comparisons["comparisons"].pop()
    assert not incremental.model_fits(fewer_comparisons, present)
