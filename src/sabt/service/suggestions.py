"""`ws.suggestions`: claims, quotes and mentions found in stored texts, waiting for an editor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sabt.policy import Action, Actor, sees
from sabt.service.guard import Guard
from sabt.service.vault import VaultService
from sabt.store.workspace import Store

if TYPE_CHECKING:
    from sabt.extract.mentions import Gazetteer
    from sabt.extract.suggestions import Suggestion


class Suggestions:
    def __init__(self, store: Store, guard: Guard, vault: VaultService) -> None:
        self.store = store
        self.guard = guard
        self.vault = vault

    def gazetteer(self, actor: Actor) -> Gazetteer:
        """Known persons, organisations and places, to recognise mentions in a text."""
        from sabt.extract.suggestions import workspace_gazetteer

        self.guard.require(actor, Action.EDIT)
        return workspace_gazetteer(self.store)

    def pending(self, actor: Actor, status: str = "pending") -> list[Suggestion]:
        """Suggestions with a status, from the items the actor may see."""
        from sabt.extract import suggestions as queue

        self.guard.require(actor, Action.EDIT)
        visible: dict[str, bool] = {}
        out = []
        for item in queue.pending(self.store, status):
            if item.item_sha256 not in visible:
                row = self.vault.vault.item(item.item_sha256)
                visible[item.item_sha256] = sees(actor, self.vault.marks(row))
            if visible[item.item_sha256]:
                out.append(item)
        return out

    def accept(self, actor: Actor, suggestion_id: int, *, subject: str | None = None,
               claimant: str | None = None, kind: str = "person") -> int:
        """Make the statement a suggestion proposes; returns the statement id."""
        from sabt.extract import suggestions as queue

        self._check(actor, suggestion_id)
        return queue.accept(self.store, suggestion_id, actor.id, subject=subject,
                            claimant=claimant, kind=kind)

    def reject(self, actor: Actor, suggestion_id: int, note: str | None = None) -> None:
        from sabt.extract import suggestions as queue

        self._check(actor, suggestion_id)
        queue.reject(self.store, suggestion_id, actor.id, note)

    def _check(self, actor: Actor, suggestion_id: int) -> None:
        from sabt.extract import suggestions as queue

        self.guard.require(actor, Action.EDIT)
        item = queue.get(self.store, suggestion_id)
        self.vault.item(actor, item.item_sha256)
