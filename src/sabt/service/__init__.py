"""The service API: `Workspace` and its services, each method taking the acting user."""

from sabt.service.workspace import Workspace

__all__ = ["Workspace"]
