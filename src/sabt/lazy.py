"""Lazy package exports (PEP 562): a package names its API without importing it up front.

Commands such as `sabt --help` import every command module; the heavy libraries behind
linkage, estimation and simulation (splink, DuckDB, numba, pandas) load only when a name that
needs them is first used.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_exports(package: str, where: Mapping[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` that imports `package.<where[name]>` when `name` is first used,
    and keeps the name in the package (later uses, such as `from sabt.text import name_key`
    inside a function called per row, then find it without this hook)."""

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f"{package}.{where[name]}"), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
