"""Who is asking: a user of the workspace (or the anonymous public), as the policy sees them."""

from __future__ import annotations

from dataclasses import dataclass

from sabt.policy.levels import Level
from sabt.policy.roles import Role


@dataclass(frozen=True)
class Actor:
    """A resolved user: name (the id recorded as author everywhere), roles, clearance, groups."""

    id: str
    roles: frozenset[Role]
    clearance: Level
    groups: frozenset[str] = frozenset()
    active: bool = True
    display_name: str = ""

    @property
    def is_public(self) -> bool:
        return Role.PUBLIC in self.roles

    def describe(self) -> str:
        roles = ", ".join(sorted(r.value for r in self.roles))
        return f"{self.id} ({roles}; cleared for {self.clearance})"


PUBLIC = Actor("public", frozenset({Role.PUBLIC}), Level.PUBLIC, display_name="the public")
