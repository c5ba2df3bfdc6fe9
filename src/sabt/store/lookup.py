"""`one_of`: the condition "column is one of these values" as each database reads it fastest.

On PostgreSQL the values travel as one array parameter (``column = ANY(:values)``), so the
statement's text is the same whatever the count: the driver neither splits a query of hundreds
of placeholders nor misses its statement cache, and the server plans it as an index lookup as
it does ``IN``. SQLite gets an ``IN`` list (callers keep lists under its 999-parameter limit).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import any_, bindparam
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement


def one_of(conn: Connection, column: ColumnElement[Any], values: Sequence[Any],
           ) -> ColumnElement[bool]:
    """`column IN values` for `conn`'s database (see the module doc)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(list(values))
