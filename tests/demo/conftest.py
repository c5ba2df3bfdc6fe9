"""The demo is built once per test session (it is the slowest thing the suite does)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sabt.demo import DemoResult, build_demo


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    return build_demo(tmp_path_factory.mktemp("demo") / "sabt-demo", admin="tester")


@pytest.fixture(scope="session")
def report_html(demo: DemoResult) -> str:
    return Path(demo.report).read_text(encoding="utf-8")
