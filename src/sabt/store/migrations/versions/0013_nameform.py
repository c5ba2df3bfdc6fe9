"""name form: each indexed name's prepared form for search, filled from the record

Revision ID: 0013_nameform
Revises: 0001_foundation

`name_form` holds the prepared form (`sabt.text.similarity.name_rep`, JSON) of every label,
`name` statement and word of one, so a search compares stored forms instead of preparing its
candidates' names (see `sabt.store.name_index`). Filled here a page of names at a time.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_nameform"
down_revision: str | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("nameform",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from sabt.store import name_index

    op.create_table(
        "name_form",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("rep", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_name_form")),
    )
    name_index.fill_forms(op.get_bind())    # a workspace made before the forms: store them now


def downgrade() -> None:
    op.drop_table("name_form")
