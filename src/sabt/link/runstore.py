"""How a link run's clusters are stored and read back: in full, or as a delta against the run
before it.

A re-run after a new list changes the clusters of the new records and of the few clusters they
reach; storing every record's cluster again for each run would grow the workspace by the whole
linkage each time (a million rows per run at a million records). A run is therefore stored as
the rows that differ from the previous run (`link_cluster_base` names that run), and read back by
taking, for each record, its row from the newest run of the chain. A run is stored in full when
there is no previous run, when the previous run holds a record this run does not (a list was
removed), when the chain would grow past `MAX_DEPTH` deltas, or when more than
`MAX_DELTA_SHARE` of the records changed (then the delta saves little).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Subquery, func, select

from sabt.link import tables as lt
from sabt.store.change import bulk_insert

#: Deltas a read follows at most before a run is stored in full again.
MAX_DEPTH = 16
#: Share of changed records above which a run is stored in full.
MAX_DELTA_SHARE = 0.5

_COLUMNS = ("run_id", "record_id", "cluster", "probability", "person_id")


def _chain(conn: Connection, run_id: int) -> list[int]:
    """The run and its bases, newest first, down to a run stored in full (one query)."""
    base = {int(r): int(b) for r, b in conn.execute(
        select(lt.link_cluster_base.c.run_id, lt.link_cluster_base.c.base_run)).tuples()}
    chain = [run_id]
    while chain[-1] in base:
        chain.append(base[chain[-1]])
    return chain


def clusters_of(conn: Connection, run_id: int) -> Subquery:
    """A run's clusters as a subquery with columns record_id, cluster, probability, person_id
    (one row per record of the run), whether the run is stored in full or as a delta."""
    c = lt.link_cluster
    chain = _chain(conn, run_id)
    if len(chain) == 1:
        return select(c.c.record_id, c.c.cluster, c.c.probability,
                      c.c.person_id).where(c.c.run_id == run_id).subquery()
    newest = func.row_number().over(partition_by=c.c.record_id,
                                    order_by=c.c.run_id.desc()).label("newest")
    rows = select(c.c.record_id, c.c.cluster, c.c.probability, c.c.person_id,
                  newest).where(c.c.run_id.in_(chain)).subquery()
    return select(rows.c.record_id, rows.c.cluster, rows.c.probability,
                  rows.c.person_id).where(rows.c.newest == 1).subquery()


def read_clusters(conn: Connection, run_id: int) -> pd.DataFrame:
    """A run's clusters as a frame (record_id, cluster, probability, person_id), by record id."""
    q = clusters_of(conn, run_id)
    return pd.DataFrame(conn.execute(select(q).order_by(q.c.record_id)).all(),
                        columns=["record_id", "cluster", "probability", "person_id"])


def carry_labels(cluster: np.ndarray, old: np.ndarray) -> np.ndarray:
    """Cluster numbers that carry on from the previous run (pure): each cluster takes the
    previous number of its first record that had one, unless an earlier cluster took it (a
    split); the others get numbers above every previous one. Which records share a cluster is
    unchanged; only the numbers do, so a re-run that moves a few records does not renumber
    (and re-store) every cluster after them. `old` is 0 where a record had no cluster."""
    frame = pd.DataFrame({"new": cluster, "old": np.where(old > 0, old, np.nan)})
    first = frame.groupby("new", sort=False)["old"].first()
    claimed = first.dropna()
    claimed = claimed[~claimed.duplicated()]
    label = pd.Series(np.nan, index=first.index)
    label[claimed.index] = claimed
    rest = label.isna().to_numpy()
    top = int(np.nanmax(frame["old"].to_numpy(), initial=0))
    label[rest] = top + 1 + np.arange(int(rest.sum()))
    return label.astype(np.int64)[cluster].to_numpy()


def _delta(conn: Connection, base_run: int, frame: pd.DataFrame) -> pd.DataFrame | None:
    """The rows of `frame` that differ from `base_run`'s clusters (with cluster numbers carried
    on from it), or None when the run is better stored in full."""
    old = read_clusters(conn, base_run)
    if not old["record_id"].isin(frame["record_id"]).all():
        return None
    both = frame.merge(old, on="record_id", how="left", suffixes=("", "_old"))
    both["cluster"] = carry_labels(both["cluster"].to_numpy(),
                                   both["cluster_old"].fillna(0).to_numpy(np.int64))
    changed = (both["cluster_old"].isna()
               | (both["cluster"] != both["cluster_old"])
               | (both["probability"] != both["probability_old"])
               | (both["person_id"] != both["person_id_old"])).to_numpy()
    if changed.sum() > MAX_DELTA_SHARE * len(frame):
        return None
    return both.loc[changed, ["record_id", "cluster", "probability", "person_id"]]


def store_clusters(conn: Connection, run_id: int, base_run: int | None,
                   record_ids: np.ndarray, cluster: np.ndarray, probability: np.ndarray,
                   person: np.ndarray) -> int:
    """Write run `run_id`'s clusters, as a delta against `base_run` (the latest run before it)
    when that is worth it; returns the rows written."""
    frame = pd.DataFrame({"record_id": record_ids.astype(np.int64),
                          "cluster": cluster.astype(np.int64),
                          "probability": probability.astype(np.float64),
                          "person_id": person.astype(str)})
    rows: pd.DataFrame | None = None
    if base_run is not None:
        depth = conn.execute(select(lt.link_cluster_base.c.depth).where(
            lt.link_cluster_base.c.run_id == base_run)).scalar()
        depth = 1 + int(depth or 0)
        if depth <= MAX_DEPTH:
            rows = _delta(conn, base_run, frame)
        if rows is not None:
            conn.execute(lt.link_cluster_base.insert().values(
                run_id=run_id, base_run=base_run, depth=depth))
    out = frame if rows is None else rows
    bulk_insert(conn, lt.link_cluster, _COLUMNS, [
        (run_id, int(r), int(c), float(p), str(pid)) for r, c, p, pid in out[
            ["record_id", "cluster", "probability", "person_id"]].itertuples(index=False,
                                                                           name=None)])
    return len(out)
