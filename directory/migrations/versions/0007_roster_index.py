"""roster index: live records of a source by row hash (issue 14, a re-sync that writes no unchanged record)

A roster sync no longer rewrites unchanged records (verification dates a live roster record by its source's last
good sync); it asks which staged row hashes a source's live records hold, and which live records it did not see.
The index on row_hash becomes (row_hash, source, removed_at): the per-page question is answered from the index
alone, and the row hash leads, so PostgreSQL seeks each hash whatever its statistics say (with the source first,
an unanalysed table got a plan that filtered every row of the source on every page: quadratic).
Plain CREATE/DROP INDEX (no table rebuild on SQLite: the change-log triggers of 0004 stay).

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-02 12:10:00
"""
from alembic import op


revision = '0007'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_licenserecord_roster', 'licenserecord', ['row_hash', 'source', 'removed_at'], unique=False)
    op.drop_index('ix_licenserecord_row_hash', table_name='licenserecord')


def downgrade() -> None:
    op.create_index('ix_licenserecord_row_hash', 'licenserecord', ['row_hash'], unique=False)
    op.drop_index('ix_licenserecord_roster', table_name='licenserecord')
