"""Sabt (ثبت): sourced documentation, cross-script linkage and estimation for mass atrocities."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sabt")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

from sabt.errors import SabtError
from sabt.service import Workspace

__all__ = ["SabtError", "Workspace", "__version__"]
