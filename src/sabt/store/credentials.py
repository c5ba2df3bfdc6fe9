"""The tables behind signing in: password and second-factor credentials, and web sessions.

* ``credential``: one row per user who may sign in: the Argon2 hash of their password, the TOTP
  secret and the Argon2 hashes of unused recovery codes (when a second factor is set), the last
  TOTP time step accepted (a code is never accepted twice), and the failed-login counter with the
  time a lock-out ends.
* ``web_session``: server-side sessions; the cookie holds a random token, the table only its
  SHA-256 (a copy of the table does not sign anyone in), the CSRF token and the expiry.
* ``setting``: workspace-wide sign-in rules (whether a second factor is required).
* ``api_token``: tokens for the REST API (``Authorization: Bearer …``), stored as SHA-256 like
  sessions, each with a label, an expiry and the time it was revoked, if it was.

The user names are not foreign keys: this branch of the schema migrates on its own.
Neither is part of the case record: they are not exported and not versioned in revisions.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Column, DateTime, Integer, String, Table, Text

from sabt.store.schema import metadata

credential = Table(
    "credential",
    metadata,
    Column("name", String(64), primary_key=True),      # a sabt_user name
    Column("password_hash", Text, nullable=False),
    Column("totp_secret", Text),                       # base32; none: no second factor
    Column("recovery_hashes", Text, nullable=False),   # newline-separated SHA-256 hex
    Column("totp_last_step", Integer),
    Column("failed", Integer, nullable=False),
    Column("locked_until", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

web_session = Table(
    "web_session",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("name", String(64), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)

api_token = Table(
    "api_token",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("name", String(64), nullable=False, index=True),
    Column("label", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

# Workspace-wide sign-in rules an admin sets (`sabt settings`), e.g. whether a second factor is
# required; working state like the rest of this module.
setting = Table(
    "setting",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


def secret_digest(secret: str) -> str:
    """What is stored of a random secret (session and API tokens, recovery codes): its SHA-256
    in hex. A slow hash adds nothing to a secret this random."""
    return hashlib.sha256(secret.encode()).hexdigest()
