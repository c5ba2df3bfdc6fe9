"""The memorial's name search: recall and index size on SYNTHETIC lists (1988-like scenario).

Persons are simulated on five lists in Persian and Latin script; each person on two lists or
more is searched by the name as one list writes it, in an index holding the names as the
other lists write them (`sabt.publish.evaluate`, the protocol the tests use). Reports recall@1
and @5 (the goal: 98 % @5), raw and with ties between equally good matches counted by their
expected share, the size of the static site's search index (`search-index.js`,
raw and gzip) per 10,000 persons, the time to build it and the time per query (Python; the
browser runs the same ranking, checked equal in tests/publish/test_browser.py).

Run: ``.venv/bin/python benchmarks/bench_publish.py [--population 11000] [--queries 2000]``
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import time

from sabt.publish.evaluate import fair_recall, linked_queries, recall
from sabt.publish.search import SearchIndex, build_index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--population", type=int, default=11_000,
                        help="simulated persons (about 10,000 appear on some list)")
    parser.add_argument("--queries", type=int, default=2_000,
                        help="held-out queries drawn at random (seeded) for recall")
    parser.add_argument("--seed", type=int, default=1367)
    args = parser.parse_args()

    from sabt.simulate import scenario, simulate

    sim = simulate(scenario("1988-like", population=args.population), seed=args.seed)
    entries, queries = linked_queries(sim)
    wall, cpu = time.perf_counter(), time.process_time()
    data = build_index(entries)
    build = (time.perf_counter() - wall, time.process_time() - cpu)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    raw = f"window.SABT_MEMORIAL_INDEX={text};\n".encode()   # as sabt.publish.site writes it
    index = SearchIndex(data)
    sample = random.Random(args.seed).sample(queries, min(args.queries, len(queries)))
    wall, cpu = time.perf_counter(), time.process_time()
    found = recall(index, sample)
    ranked = (time.perf_counter() - wall, time.process_time() - cpu)
    fair = fair_recall(index, sample)
    per10k = 10_000 / len(entries)
    print(f"persons indexed: {len(entries)}; queries: {len(sample)} of {len(queries)} "
          f"(held-out lists: {sorted({q.list for q in sample})})")
    print(f"recall@1: {found[1]:.4f}  recall@5: {found[5]:.4f}")
    print(f"with ties counted fairly: recall@1: {fair.fair[1]:.4f}  recall@5: {fair.fair[5]:.4f}")
    print(f"misses at 5: {fair.tied} tied with the 5th hit (same score and tie-breaker: "
          f"persons with the same name), {fair.lower} ranked lower, {fair.missing} not found")
    print(f"index per 10,000 persons: {len(raw) * per10k / 1e6:.2f} MB raw, "
          f"{len(gzip.compress(raw, 9)) * per10k / 1e6:.2f} MB gzip; "
          f"{len(data['tokens'])} distinct tokens")
    print(f"build: {build[0]:.1f} s wall, {build[1]:.1f} s CPU; "
          f"query: {1000 * ranked[0] / len(sample):.1f} ms wall, "
          f"{1000 * ranked[1] / len(sample):.1f} ms CPU each")


if __name__ == "__main__":
    main()
