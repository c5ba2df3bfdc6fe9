"""The services' one door to the policy: ask `sabt.policy`, answer a hidden item exactly as a
missing one, and write the audit (denials, reads of restricted items, exports) before any data
leaves. An audit row that cannot be written makes the call fail: the audit fails closed.
"""

from __future__ import annotations

from sabt.errors import Forbidden, NotFound, SabtError
from sabt.policy import Action, Actor, Level, Marks, denial, sees, strictest
from sabt.store.workspace import Store

AUDITED_LEVEL = Level.RESTRICTED   # reads of items at or above this level are recorded
WHAT = {
    Action.VIEW: "view", Action.EDIT: "edit", Action.MARK: "mark the sensitivity of",
    Action.REVIEW: "record linkage decisions", Action.LINK: "start a link run",
    Action.ANALYSE: "read capture histories or estimates",
    Action.EXPORT: "export the whole workspace", Action.ADMIN: "manage users or read the audit",
    Action.SIGN: "sign with the workspace's key", Action.VERIFY: "verify the workspace",
}


class Guard:
    """Checks and audit for one workspace; every service method goes through it."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def require(self, actor: Actor, action: Action, marks: Marks = (), *,
                item: str | None = None, missing: str | None = None) -> None:
        """Allow, or audit the refusal and raise: `NotFound` (with the same words a missing item
        gets) when the actor may not see the item, `Forbidden` when they see it but may not act."""
        refused = denial(actor, action, marks)
        if refused is None:
            return
        self.record(actor, action.value, item, "denied", f"rule {refused}")
        if item is not None and not sees(actor, marks):
            raise NotFound(missing or f"no item {item!r}")
        roles = ", ".join(sorted(r.value for r in actor.roles))
        what = WHAT[action] + (f" {item}" if item else "")
        reason = ("the account is disabled" if refused == "active"
                  else f"no role of theirs grants '{action.value}' (see docs/access.md)")
        raise Forbidden(f"{actor.id} ({roles}) may not {what}: {reason}")

    def read(self, actor: Actor, item: str, marks: Marks, what: str = "view") -> None:
        """Record a read of a restricted or confidential item (lower levels are not recorded)."""
        level = strictest(marks)
        if level >= AUDITED_LEVEL:
            self.record(actor, what, item, "read", str(level))

    def record(self, actor: Actor | str, action: str, item: str | None, outcome: str,
               detail: str = "") -> None:
        """One audit row in its own short transaction; failing to write it fails the call."""
        name = actor.id if isinstance(actor, Actor) else actor
        try:
            self.store.write_audit({"actor": name[:64], "action": action[:32],
                                    "item": item[:200] if item else None,
                                    "outcome": outcome, "detail": detail})
        except Exception as exc:   # any failure: nothing is returned without its audit row
            raise SabtError(f"the audit log could not be written, so nothing was done: "
                            f"{type(exc).__name__}") from exc
