"""User-facing errors: one clear line that names the file, row and field where it can."""

from __future__ import annotations


class SabtError(Exception):
    """An error a user can act on; the CLI prints it as one line without a traceback."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.row = row
        self.field = field
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = [
            part
            for part in (
                self.file,
                f"row {self.row}" if self.row is not None else None,
                f"field {self.field!r}" if self.field else None,
            )
            if part
        ]
        return f"{', '.join(where)}: {self.message}" if where else self.message


class NotFound(SabtError):
    """An id that names nothing in the workspace."""


class NotAWorkspace(SabtError):
    """A folder or database that does not hold a Sabt workspace."""


class NeedsUpgrade(SabtError):
    """A workspace made by an older version; `sabt upgrade` migrates it."""


class InvalidValue(SabtError):
    """A malformed value: the message says which and why."""


class Forbidden(SabtError):
    """The actor may see the item but not do this to it (their role lacks the right)."""


class Unauthenticated(SabtError):
    """No such user, or a disabled one: nothing is done on their behalf."""
