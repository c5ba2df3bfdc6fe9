"""The settings of a linkage run (plain data, saved with every run; no splink import here)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

#: the settings that say how a run is computed, not what it finds (the same model and clusters
#: on either backend, wherever it trains, with any threads or memory): a run whose settings
#: differ only in these still builds on the previous one
EXECUTION_ONLY = frozenset({"backend", "train_on", "threads", "memory_limit",
                            "scoring_memory_limit"})


@dataclass(frozen=True)
class LinkSettings:
    """Everything that decides a linkage result; saved with every run."""

    # links at or above this probability may merge clusters, if all the scored pairs between
    # them agree (`cluster.MERGE_LIMIT`). The model's probabilities run low (its prior is 8.1e-5
    # against a true 1.1e-4 on `hard`), so 0.2: on `hard` seeds 1 and 2 precision 0.990 / 0.982,
    # recall 0.974 / 0.971 (fourth round); in the third, 0.3 gave 0.989 / 0.981 and 0.950 / 0.947
    # against 0.988 / 0.980 and 0.953 / 0.950 at 0.2 (docs/linkage.md)
    threshold: float = 0.2
    # pairs in [review_low, review_high) go to review: around the threshold, both sides
    review_low: float = 0.1
    review_high: float = 0.95
    predict_floor: float = 0.01       # pairs scored below this are not kept
    # blocks of more records than this are not scored (`sabt.link.blocking`); on `hard`'s 17k
    # records 60 leaves out 27 blocks and no true pair (50 loses some), at 1M most pairs
    max_block: int = 60
    duplicate_free: tuple[str, ...] = ()   # lists whose records must stay in separate clusters
    all_duplicate_free: bool = False  # treat every list as duplicate-free
    seed: int = 1988
    deterministic_recall: float = 0.3
    u_max_pairs: float = 2e6
    em_max_pairs: float = 2e6
    # above this many records the model is trained on a seeded sample of this many
    # (`engine.training_sample`); all of them are scored
    train_records: int = 200_000
    u_chunks: int = 10                # splink's chunked u-sampling (1 = one pass, no probe)
    em_iterations: int = 25
    backend: str = "duckdb"
    # where the model is trained: "duckdb" on the driver whatever the backend (training reads
    # at most `train_records` records, which one machine holds: on Spark this gives DuckDB's
    # model without Spark's many small jobs), or "backend": EM on the scoring backend's engine
    train_on: str = "duckdb"
    threads: int | None = None
    # DuckDB's working memory; past it, DuckDB spills to a temporary directory (same results)
    memory_limit: str = "2GB"
    # DuckDB's working memory while scoring, when the pairs are in numpy (`sabt.link.distinct`)
    scoring_memory_limit: str = "600MB"

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready copy, recorded with the run."""
        out = asdict(self)
        out["duplicate_free"] = list(self.duplicate_free)
        return out
