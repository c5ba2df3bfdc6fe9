"""Imports every module that defines tables, so `metadata` describes the whole workspace."""

import sabt.claims.tables
import sabt.link.tables
import sabt.publish.tables
import sabt.store.access
import sabt.store.credentials
import sabt.store.jobs
import sabt.store.namekeys
import sabt.store.registry
import sabt.vault.tables  # noqa: F401  (vault items, custody log, suggestions)
from sabt.store.schema import metadata

__all__ = ["metadata"]
