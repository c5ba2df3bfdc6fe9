"""The blocked pairs on Spark, from the precomputed block keys (`sabt.link.blocking`).

Every blocking rule is one equality of two integer key columns (``l.bk3a = r.bk3b``), so the
pairs are equi-joins of a slim table: the record's position and the key columns, nothing else.
Each rule's join keeps a pair only if no earlier rule gives it, as splink's blocking does, so
every pair comes once, from the first rule that holds. splink's own blocking on Spark joins
its input table with term frequencies, written out first, for every rule; this reads only the
keys.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from functools import reduce
from typing import Any

from sabt.link.blocking import RuleKey


def blocked_pairs(records: Any, rules: Sequence[RuleKey], id_column: str = "unique_id") -> Any:
    """A Spark DataFrame of int pairs ``l`` < ``r`` (the `records`' `id_column`) for which
    some rule's keys agree, each pair once: the pairs splink's blocking gives on the same (at
    least one) rules."""
    from pyspark.sql import functions as F

    keys = sorted({c for rule in rules for c in (rule.left, rule.right)})
    slim = records.select(F.col(id_column).cast("int").alias("id"), *keys)
    parts = []
    for k, rule in enumerate(rules):
        earlier = rules[:k]
        left = slim.where(F.col(rule.left).isNotNull()).select(
            F.col("id").alias("l"),
            *(F.col(c).alias(f"l_{c}") for c in sorted({rule.left, *(e.left for e in earlier)})))
        right = slim.where(F.col(rule.right).isNotNull()).select(
            F.col("id").alias("r"),
            *(F.col(c).alias(f"r_{c}") for c in sorted({rule.right, *(e.right for e in earlier)})))
        pairs = left.join(right, F.col(f"l_{rule.left}") == F.col(f"r_{rule.right}"))
        pairs = pairs.where(F.col("l") < F.col("r"))
        for e in earlier:   # given by an earlier rule: that rule's part has it
            pairs = pairs.where(~F.coalesce(F.col(f"l_{e.left}") == F.col(f"r_{e.right}"),
                                            F.lit(False)))
        parts.append(pairs.select("l", "r"))
    return reduce(lambda a, b: a.unionAll(b), parts)


def written(pairs: Any, staging: str | None) -> tuple[Any, Callable[[], None]]:
    """`pairs` written as Parquet under a local `staging` directory and read back, so that
    the joins run once and their plan does not hold the memory of what is cached after them
    (as splink's blocking writes its pairs out), and what removes them; elsewhere the pairs
    as they are (the scoring caches them as it reads them first)."""
    from sabt.link.spark import local_scratch

    path = local_scratch(staging, "blocked")
    if path is None:
        return pairs, lambda: None
    pairs.write.parquet(path)
    return pairs.sparkSession.read.parquet(path), lambda: shutil.rmtree(path, ignore_errors=True)
