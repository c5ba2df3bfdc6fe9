"""Roles and the actions each role may take (the table users read in docs/access.md)."""

from __future__ import annotations

from enum import StrEnum

from sabt.errors import InvalidValue


class Action(StrEnum):
    """What an API call does, as far as permissions are concerned."""

    VIEW = "view"          # read entities, statements, sources, records, history, claims, reports
    EDIT = "edit"          # add and change entities, sources, statements, lists, cases, vault files
    MARK = "mark"          # set the sensitivity of an item or a property
    REVIEW = "review"      # record linkage decisions (match / non-match / undo)
    LINK = "link"          # start a link run
    ANALYSE = "analyse"    # capture histories, estimates, exports of aggregates
    EXPORT = "export"      # whole-workspace exports (lossless JSON Lines)
    ADMIN = "admin"        # users, groups, settings, the audit log
    SIGN = "sign"          # sign with the workspace's key: checkpoints, case files
    VERIFY = "verify"      # check the vault, the registry log and checkpoints (signed-in users)


class Role(StrEnum):
    ADMIN = "admin"
    EDITOR = "editor"
    REVIEWER = "reviewer"
    ANALYST = "analyst"
    VIEWER = "viewer"
    PUBLIC = "public"      # the anonymous visitor: sees only what is marked public

    @classmethod
    def parse(cls, text: str) -> Role:
        try:
            return cls(text.strip().lower())
        except ValueError:
            names = ", ".join(r.value for r in cls if r is not Role.PUBLIC)
            raise InvalidValue(f"unknown role {text!r} ({names})", field="role") from None


GRANTS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.EDITOR: frozenset({Action.VIEW, Action.EDIT, Action.MARK, Action.LINK, Action.SIGN,
                            Action.VERIFY}),
    Role.REVIEWER: frozenset({Action.VIEW, Action.REVIEW, Action.LINK, Action.VERIFY}),
    Role.ANALYST: frozenset({Action.VIEW, Action.ANALYSE, Action.VERIFY}),
    Role.VIEWER: frozenset({Action.VIEW, Action.VERIFY}),
    Role.PUBLIC: frozenset({Action.VIEW}),
}
