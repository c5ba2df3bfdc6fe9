"""Lazy package exports (PEP 562): a package names its API without importing it up front.

Commands such as `sabt --help` import every command module; the heavy libraries behind
linkage, estimation and simulation (splink, DuckDB, numba, pandas) load only when a name that
needs them is first used.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_exports(package: str, where: Mapping[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` that imports `package.<where[name]>` when `name` is first used."""

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(f"{package}.{where[name]}"), name)

    return __getattr__
