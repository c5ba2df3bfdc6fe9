"""splink's private API is reached only through `sabt.link.splink_adapter`, and the adapter's
functions still find what they read in the installed splink (a new major shows here)."""

from __future__ import annotations

import re
from pathlib import Path

import sabt
from sabt.link import splink_adapter
from sabt.link.options import LinkSettings
from sabt.link.settings import settings_creator

_SRC = Path(sabt.__file__).parent
#: a private splink module, or a private attribute of the splink objects sabt handles
_PRIVATE = re.compile(
    r"splink\.internals|\b(linker|db_api|comparison|level|lvl|settings|obj|own|full|swap|c)"
    r"\._[a-z]\w*")


def test_no_module_but_the_adapter_reaches_into_splink() -> None:
    offenders = []
    for path in sorted(_SRC.rglob("*.py")):
        if path.name == "splink_adapter.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _PRIVATE.search(line):
                offenders.append(f"{path.relative_to(_SRC)}:{number}: {line.strip()}")
    assert offenders == []


def test_adapter_reads_comparisons_of_the_installed_splink() -> None:
    present = {"given_key", "given_canon", "given_roman", "given_skel", "given_edit",
               "given_attested", "family_key", "family_canon", "family_roman", "family_skel",
               "family_edit", "family_attested", "birth_year"}
    created = settings_creator(present, LinkSettings(), []).get_settings("duckdb")
    assert "given_key" in splink_adapter.columns_used_by_comparisons(created)
    assert 0 < splink_adapter.prior(created) < 1
    for comparison in created.comparisons:
        gamma = splink_adapter.gamma_column(comparison)
        assert gamma == f"gamma_{comparison.output_column_name}"
        assert splink_adapter.case_statement(comparison).lower().startswith("case")
        assert f"as {gamma}" in splink_adapter.case_statement(comparison)
        parts, total = splink_adapter.weight_sql(comparison)
        assert parts and total
        assert splink_adapter.input_columns(comparison)
        levels = comparison.comparison_levels
        assert splink_adapter.is_else_level(levels[-1])
        assert not any(splink_adapter.is_else_level(lv) for lv in levels[:-1])
    assert splink_adapter.prob_to_match_weight(0.5) == 0.0


def test_spark_sql_is_written_in_sparks_types() -> None:
    # splink writes float8, which Spark's parser refuses; its Spark dialect rewrites it
    assert "float8" not in splink_adapter.spark_sql("select cast(0.0 as float8) as x").lower()
