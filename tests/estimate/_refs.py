"""Helpers for the estimation tests: the R reference fixtures copied into tests/data/mse."""

from __future__ import annotations

import csv
from pathlib import Path

from sabt.estimate import CaptureTable, read_capture_csv

DATA = Path(__file__).resolve().parents[1] / "data" / "mse"
FIXTURES = [
    "dga_MY_3list_spinabifida",
    "dga_MY_5list",
    "msetools_Australia",
    "rcapture_HIV",
    "rcapture_lesbian",
    "sparsemse_NewOrl_5",
    "sparsemse_Western",
]


def reference(dataset: str) -> list[dict[str, str]]:
    """R's rows for one dataset from reference_estimates.csv."""
    with (DATA / "reference_estimates.csv").open(newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["data"] == dataset]


def load(dataset: str) -> CaptureTable:
    """One fixture as a CaptureTable."""
    return read_capture_csv(DATA / f"{dataset}.csv")


def ref_row(dataset: str, method_prefix: str) -> list[dict[str, str]]:
    """R's rows for one dataset whose method starts with method_prefix."""
    return [r for r in reference(dataset) if r["method"].startswith(method_prefix)]
