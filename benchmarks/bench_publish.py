"""The memorial's name search: recall and index size on SYNTHETIC lists (1988-like scenario).

Persons are simulated on five lists in Persian and Latin script; each person on two lists or
more is searched by the name as one list writes it, in an index holding the names as the
other lists write them (`sabt.publish.evaluate`, the protocol the tests use). Reports recall@1
and @5 (the goal: 98 % @5), raw and with ties between equally good matches counted by their
expected share, the size of the static site's search index (`search-index.js`,
raw and gzip) per 10,000 persons, the time to build it and the time per query (Python; the
browser runs the same ranking, checked equal in tests/publish/test_browser.py).

With ``--rebuild N``, measures instead how long the server takes to rebuild its memorial of N
SYNTHETIC published persons (their names as lists write them, each cited) after a revision
that adds one statement to one person: deciding only the persons the revision touched,
against deciding every person again (`sabt.service.publish.collect` without the earlier
decisions).

Run: ``.venv/bin/python benchmarks/bench_publish.py [--population 11000] [--queries 2000]``
or ``.venv/bin/python benchmarks/bench_publish.py --rebuild 3000``
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import tempfile
import time
from pathlib import Path

from sabt.publish.evaluate import fair_recall, linked_queries, recall
from sabt.publish.search import SearchIndex, build_index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--population", type=int, default=11_000,
                        help="simulated persons (about 10,000 appear on some list)")
    parser.add_argument("--queries", type=int, default=2_000,
                        help="held-out queries drawn at random (seeded) for recall")
    parser.add_argument("--seed", type=int, default=1367)
    parser.add_argument("--rebuild", type=int, default=0, metavar="N",
                        help="measure the server's rebuild after a revision, with N persons")
    args = parser.parse_args()
    if args.rebuild:
        rebuild(args.rebuild)
        return

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


def rebuild(persons: int) -> None:
    """The server's memorial after a one-statement revision: incremental against full."""
    from sabt.model.statements import Locator, NewStatement, Reference, Text
    from sabt.service import Workspace
    from sabt.service.publish import TITLE, collect
    from sabt.simulate import scenario, simulate

    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.create(Path(tmp) / "ws", admin="boss")
        me = ws.actor("boss")
        ws.entities.add_source(me, "SYNTHETIC list", id="S1")
        ws.entities.mark(me, "S1", "public")
        sim = simulate(scenario("1988-like", population=persons * 2), seed=1367)
        names = [e.names[:2] for e in linked_queries(sim)[0]][:persons]
        persons = len(names)
        with ws.store.change("boss", "SYNTHETIC persons") as ch:
            ids = ch.add_entities("person", [f"SYNTHETIC person {n}" for n in range(persons)])
            ch.add_statements([NewStatement(pid, "name", Text(text), (Reference(
                "S1", Locator(row=row + 1, column=f"name {k}")),))
                for row, (pid, pair) in enumerate(zip(ids, names, strict=True))
                for k, text in enumerate(pair)])
        ws.entities.mark_many(me, "public", source="S1")
        ws.entities.mark_many(me, "public", source="S1", entities=True)
        timings = {}
        ws.publish.memorial()                              # the first build
        for label in ("incremental", "full"):
            sid = ws.entities.add_statement(me, ids[len(ids) // 2], "prison",
                                            Text(f"SYNTHETIC prison {label}"),
                                            references=[Reference("S1", Locator(row=1))])
            ws.entities.mark(me, str(sid), "public")
            wall, cpu = time.perf_counter(), time.process_time()
            if label == "incremental":
                ws.publish.memorial()
                decided = ws.publish.last_decided
            else:
                collect(ws.store, title=TITLE, synthetic=False)
                decided = persons
            timings[label] = (time.perf_counter() - wall, time.process_time() - cpu, decided)
        ws.close()
    for label, (wall, cpu, decided) in timings.items():
        print(f"{label}: {persons} persons, {decided} decided: {wall:.2f} s wall, "
              f"{cpu:.2f} s CPU")


if __name__ == "__main__":
    main()
