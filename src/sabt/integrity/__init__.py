"""Integrity beyond the workspace: the workspace's signing key, RFC 3161 time-stamps and signed
checkpoints of the chain heads (see docs/integrity.md)."""
