"""claims: stored estimates

Revision ID: 0004_claims
Revises: 0001_foundation
Create Date: 2026-11-22 14:41:45.730059
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004_claims'
down_revision: str | None = '0001_foundation'
branch_labels: str | Sequence[str] | None = ('claims',)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('estimate_record',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('revision_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('subject_id', sa.String(length=64), nullable=True),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('synthetic', sa.Boolean(), nullable=False),
    sa.Column('method', sa.String(length=32), nullable=False),
    sa.Column('model', sa.Text(), nullable=True),
    sa.Column('estimate', sa.Float(), nullable=True),
    sa.Column('lower', sa.Float(), nullable=True),
    sa.Column('upper', sa.Float(), nullable=True),
    sa.Column('n_observed', sa.Float(), nullable=True),
    sa.Column('inputs', sa.JSON(), nullable=False),
    sa.Column('diagnostics', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['revision_id'], ['revision.id'], name=op.f('fk_estimate_record_revision_id_revision')),
    sa.ForeignKeyConstraint(['subject_id'], ['entity.id'], name=op.f('fk_estimate_record_subject_id_entity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_estimate_record'))
    )
    with op.batch_alter_table('estimate_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_estimate_record_revision_id'), ['revision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_estimate_record_subject_id'), ['subject_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('estimate_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_estimate_record_subject_id'))
        batch_op.drop_index(batch_op.f('ix_estimate_record_revision_id'))

    op.drop_table('estimate_record')
