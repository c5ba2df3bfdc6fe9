"""Access control: actors, roles, sensitivity levels, the one policy function and redaction.

Pure: nothing here touches the database. The store loads users and marks; the services ask
`can` / `redact` and write the audit.
"""

from sabt.policy.actor import PUBLIC, Actor
from sabt.policy.levels import DEFAULT_MARK, Level, Mark, Marks, strictest
from sabt.policy.roles import GRANTS, Action, Role
from sabt.policy.rules import BulkFilter, MarkIndex, can, denial, redact, sees

__all__ = [
           "DEFAULT_MARK",
           "GRANTS",
           "PUBLIC",
           "Action",
           "Actor",
           "BulkFilter",
           "Level",
           "Mark",
           "MarkIndex",
           "Marks",
           "Role",
           "can",
           "denial",
           "redact",
           "sees",
           "strictest",
]
