"""Shared synthetic inputs for linkage tests (SYNTHETIC: fictional people from sabt.simulate)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sabt.link.evaluate import simulated_records
from sabt.simulate import scenario, simulate, write


@pytest.fixture(scope="session")
def small_hard(tmp_path_factory: pytest.TempPathFactory,
               ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The `hard` scenario with 1,500 people (about 2,500 records in 5 lists), seed 7."""
    sim = simulate(scenario("hard", population=1500), seed=7)
    return simulated_records(sim, tmp_path_factory.mktemp("SYNTHETIC_hard"))


@pytest.fixture(scope="session")
def small_lists(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three SYNTHETIC list files (hard scenario, 400 people) as a user would have them."""
    sim = simulate(scenario("hard", population=400, lists=3), seed=11)
    folder = tmp_path_factory.mktemp("SYNTHETIC_lists")
    write(sim, folder, formats=("csv",), population=False)
    return sorted((folder / "lists").glob("SYNTHETIC_list_*.csv"))


@pytest.fixture(scope="session")
def hard_lists(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The five SYNTHETIC `hard` list files of `small_hard` (1,500 people, seed 7) as files."""
    sim = simulate(scenario("hard", population=1500), seed=7)
    folder = tmp_path_factory.mktemp("SYNTHETIC_hard_lists")
    write(sim, folder, formats=("csv",), population=False)
    return sorted((folder / "lists").glob("SYNTHETIC_list_*.csv"))


#: one shuffle partition: the Spark tests' data are a few hundred records, and each of splink's
#: queries is a Spark job whose cost is mostly per partition. On data this small the JVM's
#: time goes to compiling each query's generated code (a thread dump of the training test:
#: 124 of 290 CPU seconds in the C2 JIT compiler, 27 in C1), so the JIT stops at C1 and
#: queries run without whole-stage code generation.
SMALL_SPARK = {"spark.sql.shuffle.partitions": "1", "spark.default.parallelism": "1",
               "spark.driver.memory": "2g",
               "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1",
               "spark.sql.codegen.wholeStage": "false"}


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark session (2 cores) for every Spark test: starting one takes seconds."""
    pytest.importorskip("pyspark")
    from sabt.link.spark import session

    spark = session("local[2]", SMALL_SPARK)
    yield spark
    spark.stop()
