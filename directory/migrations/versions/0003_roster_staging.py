"""roster staging: a content hash of each record's raw source row(s), indexed

Issue 14: a roster sync stages the hash of every row it reads and normalises only rows whose hash is not stored
yet. Existing records get no hash (NULL): the first sync after the upgrade normalises them once more and fills it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 09:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('licenserecord', schema=None) as batch_op:
        batch_op.add_column(sa.Column('row_hash', sa.LargeBinary(), nullable=True))
        batch_op.create_index(batch_op.f('ix_licenserecord_row_hash'), ['row_hash'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('licenserecord', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_licenserecord_row_hash'))
        batch_op.drop_column('row_hash')
